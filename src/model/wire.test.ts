import { describe, expect, test } from 'bun:test'
import { errorText, NO_TIMING, packAnswers, packRequests, unpackAnswers, unpackRequests } from './wire'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('wire', () => {
  test('requests round-trip in order, bodies intact, including empty ones', () => {
    const requests = [
      { id: 1, contentType: 0, accept: 1, body: bytes('1,2,3\n') },
      { id: 70000, contentType: 3, accept: 0, body: new Uint8Array([0x93, 0, 255]) },
      { id: 0xfffffffe, contentType: 2, accept: 5, body: new Uint8Array() },
    ]
    const back = unpackRequests(packRequests(requests))
    expect(back.map((r) => [r.id, r.contentType, r.accept, [...r.body]])).toEqual(
      requests.map((r) => [r.id, r.contentType, r.accept, [...r.body]]),
    )
  })
  test('answers carry results as bytes and errors as status plus message', () => {
    const back = unpackAnswers(
      packAnswers([
        { id: 9, status: 200, contentType: 1, body: '0\n1\n', ...NO_TIMING },
        { id: 10, status: 400, contentType: 0, body: 'row 2 has 5 fields, expected 4', kind: 'decode', ...NO_TIMING },
        { id: 11, status: 200, contentType: 3, body: new Uint8Array([1, 2]), ...NO_TIMING },
      ]),
    )
    expect(back.map((a) => [a.id, a.status, a.contentType])).toEqual([
      [9, 200, 1],
      [10, 400, 0],
      [11, 200, 3],
    ])
    expect(back[1].kind).toBe('decode')
    expect(new TextDecoder().decode(back[0].body)).toBe('0\n1\n')
    expect(errorText(back[1].body)).toBe('row 2 has 5 fields, expected 4')
    expect([...back[2].body]).toEqual([1, 2])
  })
  test('a multi-byte UTF-8 error message keeps its length and text', () => {
    const [a] = unpackAnswers(packAnswers([{ id: 1, status: 415, contentType: 0, body: 'type "é/ü" ✗', ...NO_TIMING }]))
    expect(errorText(a.body)).toBe('type "é/ü" ✗')
  })
  test('the Worker-side timings ride on the answer at microsecond resolution, with the run size', () => {
    const [a, b] = unpackAnswers(
      packAnswers([
        {
          id: 1,
          status: 200,
          contentType: 0,
          body: 'x',
          decodeMs: 0.1234,
          runMs: 12.5,
          encodeMs: 0.0004,
          runRows: 150,
        },
        { id: 2, status: 200, contentType: 0, body: 'y', decodeMs: 3600_000, runMs: -1, encodeMs: 0, runRows: 0 },
      ]),
    )
    expect([a.decodeMs, a.runMs, a.encodeMs, a.runRows]).toEqual([0.123, 12.5, 0, 150])
    // Out of range values are clamped, never wrapped: an hour fits, a negative reads as 0.
    expect([b.decodeMs, b.runMs, b.runRows]).toEqual([3600_000, 0, 0])
    expect(new TextDecoder().decode(b.body)).toBe('y')
  })
  test('handler meta rides after the body, both ways, and is empty without a handler', () => {
    const [plain, withMeta] = unpackRequests(
      packRequests([
        { id: 1, contentType: 0, accept: 1, body: bytes('1\n') },
        { id: 2, contentType: 255, accept: 1, body: bytes('png'), meta: bytes('image/png\napplication/json') },
      ]),
    )
    expect([plain.meta?.byteLength, new TextDecoder().decode(withMeta.meta)]).toEqual([
      0,
      'image/png\napplication/json',
    ])
    expect(new TextDecoder().decode(withMeta.body)).toBe('png')
    const [a, b] = unpackAnswers(
      packAnswers([
        { id: 1, status: 200, contentType: 255, body: 'ok', meta: bytes('{"contentType":"text/plain"}'), ...NO_TIMING },
        { id: 2, status: 200, contentType: 1, body: '[1]', ...NO_TIMING, runRows: 3 },
      ]),
    )
    expect([errorText(a.body), errorText(a.meta!), errorText(b.body), b.meta?.byteLength, b.runRows]).toEqual([
      'ok',
      '{"contentType":"text/plain"}',
      '[1]',
      0,
      3,
    ])
  })
})
