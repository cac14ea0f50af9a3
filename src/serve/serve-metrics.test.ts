import { describe, expect, test } from 'bun:test'
import { promtoolCheck, samples } from '../../test/helpers/prometheus'
import { ServeMetrics } from './serve-metrics'

const build = {
  version: '1.2.3',
  onnxruntime: '1.30.0',
  device: () => ({ provider: 'cpu', cudaMajor: null, driver: null }),
}
const gauges = () => ({ inFlight: 2, queued: 1, queuedBytes: 300, workersReady: 2 })
const timing = { queueMs: 1, decodeMs: 2, runMs: 3, encodeMs: 4 }

describe('ServeMetrics', () => {
  test('one model: no model label; the split in seconds; gauges read at scrape time', () => {
    const m = new ServeMetrics(build, gauges)
    m.request('/invocations', 200, 12, 100, 50)
    m.request('/invocations', 200, 8, 100, 50)
    m.model().served(timing)
    m.model().ran(64)
    m.model().failed('decode')
    const text = m.expose()
    expect(promtoolCheck(text)).toEqual({ code: 0, output: '' })
    const s = samples(text)
    expect(s.get('byoc_requests_total{route="/invocations",code="200"}')).toBe(2)
    expect(s.get('byoc_request_duration_seconds_sum{route="/invocations"}')).toBeCloseTo(0.02, 9)
    expect(s.get('byoc_request_body_bytes_total{route="/invocations"}')).toBe(200)
    expect(s.get('byoc_run_duration_seconds_sum')).toBeCloseTo(0.003, 9)
    expect(s.get('byoc_model_run_rows_bucket{le="64"}')).toBe(1)
    expect(s.get('byoc_model_run_rows_bucket{le="32"}')).toBe(0)
    expect(s.get('byoc_request_errors_total{kind="decode"}')).toBe(1)
    expect(s.get('byoc_request_errors_total{kind="overload"}')).toBe(0)
    expect(s.get('byoc_requests_in_flight')).toBe(2)
    expect(s.get('byoc_request_bytes_queued')).toBe(300)
    expect(s.get('byoc_build_info{version="1.2.3",onnxruntime="1.30.0",provider="cpu",cuda_major="",driver=""}')).toBe(
      1,
    )
  })

  test('several models: the model metrics carry a model label, one series per model', () => {
    const m = new ServeMetrics(build, gauges, true)
    m.model('a').served(timing)
    m.model('b').served(timing)
    m.model('b').served(timing)
    m.model('b').restarted('crash')
    const text = m.expose()
    expect(promtoolCheck(text)).toEqual({ code: 0, output: '' })
    const s = samples(text)
    expect(s.get('byoc_decode_duration_seconds_count{model="a"}')).toBe(1)
    expect(s.get('byoc_decode_duration_seconds_count{model="b"}')).toBe(2)
    expect(s.get('byoc_worker_restarts_total{model="b",reason="crash"}')).toBe(1)
    expect(s.get('byoc_request_errors_total{model="a",kind="timeout"}')).toBe(0)
  })

  test('build_info follows the device report: none before the model loads, then the provider', () => {
    const device = {
      provider: null as string | null,
      cudaMajor: 12 as number | null,
      driver: '550.163.01' as string | null,
    }
    const m = new ServeMetrics({ ...build, device: () => device }, gauges)
    expect(m.expose()).toContain('provider="none",cuda_major="12",driver="550.163.01"} 1')
    device.provider = 'cuda'
    const text = m.expose()
    expect(text).toContain('provider="cuda",cuda_major="12",driver="550.163.01"} 1')
    expect(text).not.toContain('provider="none"')
  })
})
