import { describe, expect, test } from 'bun:test'
import { ByocError } from '../errors'
import { negotiate, parseMediaType, requestContentType } from './media-type'

const SUPPORTED = ['text/csv', 'application/json', 'application/jsonlines', 'application/x-npy'] as const

function status(fn: () => unknown): number {
  try {
    fn()
  } catch (e) {
    if (e instanceof ByocError) return e.status
    throw e
  }
  return 0
}

describe('parseMediaType', () => {
  test('lower-cases the type and drops parameters from it', () => {
    expect(parseMediaType('Text/CSV; charset=utf-8')).toEqual({
      type: 'text/csv',
      params: { charset: 'utf-8' },
    })
  })
  test('keeps several parameters, quoted values with ; and escaped quotes', () => {
    const m = parseMediaType('text/csv;label_size=1; name="a;b \\"c\\""; Q=0.5')
    expect(m.type).toBe('text/csv')
    expect(m.params).toEqual({ label_size: '1', name: 'a;b "c"', q: '0.5' })
  })
  test('a bare type has no parameters', () => {
    expect(parseMediaType(' application/json ')).toEqual({ type: 'application/json', params: {} })
  })
})

const getter = (h: Headers) => (name: string) => h.get(name)
describe('requestContentType', () => {
  test('reads Content-Type, else ContentType', () => {
    expect(requestContentType(getter(new Headers({ 'Content-Type': 'text/csv' })))).toBe('text/csv')
    expect(requestContentType(getter(new Headers({ ContentType: 'application/json' })))).toBe('application/json')
    expect(requestContentType(getter(new Headers({})))).toBeNull()
  })
})

describe('negotiate', () => {
  test('missing, empty or */* Accept gives the fallback', () => {
    expect(negotiate(null, SUPPORTED, 'application/json')).toBe('application/json')
    expect(negotiate('', SUPPORTED, 'text/csv')).toBe('text/csv')
    expect(negotiate('*/*', SUPPORTED, 'application/x-npy')).toBe('application/x-npy')
    expect(negotiate('*', SUPPORTED, 'application/jsonlines')).toBe('application/jsonlines')
  })
  test('an unsupported fallback gives the first supported type', () => {
    expect(negotiate(null, SUPPORTED, 'text/libsvm')).toBe('text/csv')
  })
  test('matches by parsed type, ignoring parameters and case', () => {
    expect(negotiate('Text/CSV; charset=utf-8', SUPPORTED, 'application/json')).toBe('text/csv')
  })
  test('aliases match their canonical type', () => {
    expect(negotiate('application/x-jsonlines', SUPPORTED, 'text/csv')).toBe('application/jsonlines')
    expect(negotiate('application/jsonl', SUPPORTED, 'text/csv')).toBe('application/jsonlines')
  })
  test('q-values are honoured', () => {
    expect(negotiate('text/csv;q=0.5, application/json', SUPPORTED, 'text/csv')).toBe('application/json')
    expect(negotiate('text/csv;q=0.9, application/json;q=0.2', SUPPORTED, 'application/json')).toBe('text/csv')
  })
  test('q=0 excludes, even when a wildcard would allow it', () => {
    expect(negotiate('text/csv;q=0, */*;q=0.1', SUPPORTED, 'text/csv')).not.toBe('text/csv')
    expect(negotiate('text/csv;q=0, */*;q=0.1', ['text/csv', 'application/json'], 'text/csv')).toBe('application/json')
  })
  test('the more specific range sets the weight of a type', () => {
    expect(negotiate('text/*;q=0, text/csv', SUPPORTED, 'application/json')).toBe('text/csv')
    expect(
      negotiate('application/*;q=0.1, application/json;q=0', ['application/json', 'application/x-npy'], 'x/y'),
    ).toBe('application/x-npy')
  })
  test('specificity breaks ties in weight: text/csv beats */*', () => {
    expect(negotiate('*/*, text/csv', SUPPORTED, 'application/json')).toBe('text/csv')
    expect(negotiate('text/*, */*', SUPPORTED, 'application/json')).toBe('text/csv')
  })
  test('equal weight and specificity: the first in the header wins', () => {
    expect(negotiate('application/json, text/csv', SUPPORTED, 'text/csv')).toBe('application/json')
    expect(negotiate('text/csv, application/json', SUPPORTED, 'application/json')).toBe('text/csv')
  })
  test('a wildcard with several matches prefers the fallback', () => {
    expect(negotiate('application/*', SUPPORTED, 'application/x-npy')).toBe('application/x-npy')
    expect(negotiate('application/*', SUPPORTED, 'text/csv')).toBe('application/json')
  })
  test('unsatisfiable Accept is 406 naming the header', () => {
    expect(status(() => negotiate('image/png', SUPPORTED, 'text/csv'))).toBe(406)
    expect(status(() => negotiate('text/csv;q=0', SUPPORTED, 'text/csv'))).toBe(406)
    expect(() => negotiate('image/png, audio/*', SUPPORTED, 'text/csv')).toThrow('image/png, audio/*')
  })
  test('garbage ranges are ignored; only garbage gives the fallback', () => {
    expect(negotiate('nonsense, text/csv', SUPPORTED, 'application/json')).toBe('text/csv')
    expect(negotiate('nonsense', SUPPORTED, 'application/json')).toBe('application/json')
  })
})
