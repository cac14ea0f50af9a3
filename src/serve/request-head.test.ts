import { describe, expect, test } from 'bun:test'
import { ChunkedReader, parseRequestHead, type RequestHead } from './request-head'

const head = (lines: string[]) => parseRequestHead(lines.join('\r\n'))
const ok = (lines: string[]) => {
  const parsed = head(lines)
  if ('status' in parsed) throw new Error(`refused: ${parsed.message}`)
  return parsed as RequestHead
}

describe('parseRequestHead', () => {
  test('method, target, framing and fields by lower-case name; repeated fields joined with ", "', () => {
    const h = ok(['POST /invocations?x=1 HTTP/1.1', 'Host: a', 'Content-Length: 12', 'X-A: 1', 'x-a: 2'])
    expect(h.method).toBe('POST')
    expect(h.target).toBe('/invocations?x=1')
    expect(h.length).toBe(12)
    expect(h.close).toBe(false)
    expect(h.headers.get('x-a')).toBe('1, 2')
    expect(h.headers.get('content-length')).toBe('12')
  })
  test('Expect: 100-continue, chunked, Connection: close and HTTP/1.0 are read', () => {
    const h = ok([
      'POST / HTTP/1.1',
      'Host: a',
      'Transfer-Encoding: chunked',
      'Expect: 100-Continue',
      'Connection: close',
    ])
    expect([h.length, h.expectContinue, h.close]).toEqual(['chunked', true, true])
    expect(ok(['GET /ping HTTP/1.0']).close).toBe(true)
    expect(ok(['GET /ping HTTP/1.0', 'Connection: keep-alive']).close).toBe(false)
  })
  test('a UTF-8 value is decoded as text; ASCII values are kept as sent', () => {
    const raw = Buffer.from('GET /ping HTTP/1.1\r\nHost: a\r\nX-Name: café').toString('latin1')
    const h = parseRequestHead(raw) as RequestHead
    expect(h.headers.get('x-name')).toBe('café')
    expect(h.headers.get('host')).toBe('a')
  })
  test('refusals name what is wrong', () => {
    const cases: [string[], number, string][] = [
      [['GET /ping HTTP/1.1', 'Host: a\nX: b'], 400, 'bare CR or LF'],
      [['GET /ping HTTP/1.1', 'Host: a', 'X: b\x01c'], 400, 'header X holds a control character'],
      [['GET /ping HTTP/1.1', 'Host: a', 'Bad Name: b'], 400, 'malformed header line'],
      [['GET /ping HTTP/1.1'], 400, 'no Host header'],
      [['GET /ping HTTP/1.1', 'Host: a', 'Host: b'], 400, 'more than one Host'],
      [['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1', 'Transfer-Encoding: chunked'], 400, 'both Content-Length'],
      [['POST / HTTP/1.1', 'Host: a', 'Content-Length: -1'], 400, 'is not a number of bytes'],
      [['BREW /pot HTTP/1.1', 'Host: a'], 501, 'method BREW is not implemented'],
      [['GET / HTTP/2.0', 'Host: a'], 505, 'HTTP/2.0 is not supported'],
    ]
    for (const [lines, status, message] of cases) {
      const r = head(lines)
      expect('status' in r && [r.status, r.message.includes(message)]).toEqual([status, true])
    }
  })
})

describe('ChunkedReader', () => {
  test('hands over the body bytes and says where the message ends', () => {
    const wire = Buffer.from('4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\nGET')
    const parts: string[] = []
    const reader = new ChunkedReader()
    const n = reader.feed(wire, 0, (d) => parts.push(Buffer.from(d).toString()))
    expect(parts.join('')).toBe('abcdefg')
    expect(n).toBe(wire.length - 3)
    expect(reader.done).toBe(true)
  })
  test('split anywhere, the same body', () => {
    const wire = Buffer.from('a\r\n0123456789\r\n0\r\n\r\n')
    for (let cut = 1; cut < wire.length; cut++) {
      const reader = new ChunkedReader()
      let body = ''
      const take = (d: Uint8Array) => (body += Buffer.from(d).toString())
      const first = reader.feed(wire.subarray(0, cut), 0, take)
      reader.feed(wire.subarray(cut), 0, take)
      expect([first, body, reader.done]).toEqual([cut, '0123456789', true])
    }
  })
  test('a bad size is an error message', () => {
    expect(new ChunkedReader().feed(Buffer.from('zz\r\n'), 0)).toContain('not a chunk size')
  })
})
