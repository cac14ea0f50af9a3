import { describe, expect, test } from 'bun:test'
import { formatNumber, Registry } from './registry'

describe('Registry', () => {
  test('counters and gauges: one HELP and TYPE per family, one line per series, labels in order', () => {
    const r = new Registry()
    const c = r.counter('x_requests_total', 'Requests.', ['route', 'code'])
    c.labels('/a', '200').inc()
    c.labels('/a', '200').inc(2)
    c.labels('/b', '404').inc()
    r.gauge('x_up', 'Up.').labels().set(1)
    expect(r.expose()).toBe(
      [
        '# HELP x_requests_total Requests.',
        '# TYPE x_requests_total counter',
        'x_requests_total{route="/a",code="200"} 3',
        'x_requests_total{route="/b",code="404"} 1',
        '# HELP x_up Up.',
        '# TYPE x_up gauge',
        'x_up 1',
        '',
      ].join('\n'),
    )
  })

  test('histogram buckets are cumulative, le is the upper bound inclusive, +Inf equals _count', () => {
    const r = new Registry()
    const h = r.histogram('x_seconds', 'Time.', [0.1, 1]).labels()
    for (const v of [0.05, 0.1, 0.5, 2, 3]) h.observe(v)
    const lines = r.expose().split('\n')
    expect(lines).toContain('x_seconds_bucket{le="0.1"} 2')
    expect(lines).toContain('x_seconds_bucket{le="1"} 3')
    expect(lines).toContain('x_seconds_bucket{le="+Inf"} 5')
    expect(lines).toContain('x_seconds_count 5')
    expect(lines).toContain('x_seconds_sum 5.65')
  })

  test('label values are escaped as the text format asks', () => {
    const r = new Registry()
    r.gauge('x_info', 'Info.', ['v']).labels('a"b\\c\nd').set(1)
    expect(r.expose()).toContain('x_info{v="a\\"b\\\\c\\nd"} 1')
  })

  test('collect callbacks run on every exposition; clear() drops stale series', () => {
    const r = new Registry()
    const g = r.gauge('x_build_info', 'Build.', ['provider'])
    let provider = 'none'
    r.onCollect(() => {
      g.clear()
      g.labels(provider).set(1)
    })
    expect(r.expose()).toContain('x_build_info{provider="none"} 1')
    provider = 'cuda'
    const text = r.expose()
    expect(text).toContain('x_build_info{provider="cuda"} 1')
    expect(text).not.toContain('none')
  })

  test('names are checked when registered: counters end in _total, no duplicates, valid label names', () => {
    const r = new Registry()
    expect(() => r.counter('x_requests', 'h')).toThrow(/_total/)
    r.gauge('x_a', 'h')
    expect(() => r.gauge('x_a', 'h')).toThrow(/twice/)
    expect(() => r.gauge('x-b', 'h')).toThrow(/bad metric name/)
    expect(() => r.gauge('x_c', 'h', ['le-x'])).toThrow(/bad label name/)
    expect(() => r.histogram('x_d', 'h', [1, 1])).toThrow(/increase/)
    expect(() => r.gauge('x_e', 'h', ['a']).labels()).toThrow(/takes labels a/)
  })

  test('numbers use the forms Go ParseFloat reads', () => {
    expect([1, 0.0005, 1e-7, 1.5e21, Number.NaN, Infinity, -Infinity].map(formatNumber)).toEqual([
      '1',
      '0.0005',
      '1e-7',
      '1.5e+21',
      'NaN',
      '+Inf',
      '-Inf',
    ])
  })
})
