/**
 * The HTTP edges a careless or hostile client reaches, over a bare socket against the compiled binary:
 * every request gets an answer with our one-line message, never Bun's HTML page or a silent close.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { linearClassifierModel } from './fixtures/models'
import { rawExchange, statusLines } from './helpers/raw-http'
import { mlRoot, type Running, startServer } from './helpers/server'

let s: Running
beforeAll(async () => {
  s = await startServer(
    mlRoot({
      'model.onnx': linearClassifierModel({ features: 4, classes: 3 }),
      'byoc.json': JSON.stringify({ echoCustomAttributes: true }),
    }),
  )
})
afterAll(() => s.stop())

const post = (body = '1,2,3,4\n', extra = '') =>
  `POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nAccept: text/csv\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`
const get = (path: string, extra = '', host = '127.0.0.1') => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`
/** The body of the first response in `text`. */
const firstBody = (text: string) => {
  const end = text.indexOf('\r\n\r\n')
  const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0)
  return text.slice(end + 4, end + 4 + length)
}

describe('answers the parser cannot get wrong', () => {
  test('CONNECT is answered with our message, never an HTML page, stack or working directory', async () => {
    const text = await rawExchange(s.port, 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', { waitMs: 300 })
    expect(statusLines(text)).toHaveLength(1)
    expect(text).not.toMatch(/<html|<!doctype|\/work\/|at \w+ \(/i)
    expect(firstBody(text)).toMatch(/^\{"error":".+"\}$/)
  })
  test('a method a route does not answer is 405 with Allow; CONNECT and TRACE too', async () => {
    for (const head of ['DELETE /ping', 'PUT /invocations', 'CONNECT *', 'CONNECT a:443', 'TRACE /']) {
      const text = await rawExchange(s.port, `${head} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, { waitMs: 200 })
      expect(`${head}: ${statusLines(text)[0]}`).toBe(`${head}: HTTP/1.1 405 Method Not Allowed`)
      expect(text).toMatch(/\r\nallow: /i)
      expect(firstBody(text)).toContain('is not served')
    }
  })
  test('100 duplicate Host headers are 400 (RFC 9112 §3.2)', async () => {
    const text = await rawExchange(s.port, `GET /ping HTTP/1.1\r\n${'Host: a\r\n'.repeat(100)}\r\n`, { waitMs: 300 })
    expect(statusLines(text)[0]).toStartWith('HTTP/1.1 400')
    expect(firstBody(text)).toContain('Host')
  })
  test('GET /invocations/../ping is resolved as /ping (dot segments, RFC 3986), not a self-contradicting 404', async () => {
    const text = await rawExchange(s.port, get('/invocations/../ping'), { waitMs: 300 })
    expect(statusLines(text)[0]).toStartWith('HTTP/1.1 200')
  })
  test('pipelined GET /ping requests are all answered', async () => {
    const text = await rawExchange(s.port, get('/ping').repeat(3), { waitMs: 300 })
    expect(statusLines(text)).toEqual(Array(3).fill('HTTP/1.1 200 OK'))
  })
  test('a short Host ("a") still reaches the routes', async () => {
    const text = await rawExchange(s.port, get('/ping', '', 'a'), { waitMs: 300 })
    expect(statusLines(text)[0]).toStartWith('HTTP/1.1 200')
  })
  test('the custom-attributes echo is cut at 1,024 bytes, never inside a UTF-8 character', async () => {
    const value = `${'a'.repeat(1023)}${'é'.repeat(10)}`
    const text = await rawExchange(s.port, post('1,2,3,4\n', `X-Amzn-SageMaker-Custom-Attributes: ${value}\r\n`), {
      waitMs: 300,
    })
    expect(statusLines(text)[0]).toStartWith('HTTP/1.1 200')
    // rawExchange reads bytes as latin1: one char per byte on the wire.
    const echoed = /x-amzn-sagemaker-custom-attributes: ([^\r]*)/i.exec(text)![1]
    expect(echoed).toBe('a'.repeat(1023))
  })
})

describe('what Bun alone gets wrong, answered by BYOC_HTTP_FRONT=raw', () => {
  let raw: Running
  beforeAll(async () => {
    raw = await startServer(mlRoot({ 'model.onnx': linearClassifierModel({ features: 4, classes: 3 }) }), {
      BYOC_HTTP_FRONT: 'raw',
    })
  })
  afterAll(() => raw.stop())
  test('two POSTs pipelined in one write: both answered, in order', async () => {
    const text = await rawExchange(raw.port, post('1,2,3,4\n') + post('4,3,2,1\n1,1,1,1\n'), { waitMs: 500 })
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    expect(text.indexOf('\r\n\r\n') < text.lastIndexOf('HTTP/1.1 200')).toBe(true)
  })
  test('a valid POST followed by garbage: the POST is answered, then a 400 with our message', async () => {
    const text = await rawExchange(raw.port, `${post()}GARBAGE\r\n\r\n`, { waitMs: 500 })
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 400 Bad Request'])
    expect(text).toContain('{"error":"malformed request line')
  })
  test('a POST whose client half-closes its side is still answered', async () => {
    const text = await rawExchange(raw.port, post(), { halfClose: true, waitMs: 500 })
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
  })
  test('unknown methods (FOO, get, BREW) are 501 with our message, not a silent close', async () => {
    for (const method of ['FOO', 'get', 'BREW']) {
      const text = await rawExchange(raw.port, `${method} /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, { waitMs: 300 })
      expect(`${method}: ${statusLines(text)[0]}`).toBe(`${method}: HTTP/1.1 501 Not Implemented`)
      expect(firstBody(text)).toContain(`method ${method} is not implemented`)
    }
  })
  test('parser refusals carry our one-line message: bad Content-Length, bad chunking, smuggling, 431, 505', async () => {
    const cases: [string, string, string][] = [
      ['POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n', '400', 'Content-Length'],
      [
        'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc',
        '400',
        'more than one Content-Length',
      ],
      [
        'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        '400',
        'both Content-Length and Transfer-Encoding',
      ],
      [
        'POST /invocations HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n',
        '400',
        'not a chunk size',
      ],
      ['POST /invocations HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', '501', 'Transfer-Encoding'],
      [`GET /ping HTTP/1.1\r\nHost: a\r\n${'X-A: b\r\n'.repeat(10_000)}\r\n`, '431', 'request head is more than'],
      ['GET /ping HTTP/2.0\r\nHost: a\r\n\r\n', '505', 'HTTP/2.0 is not supported'],
      ['GET /ping HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n', '400', 'line folding'],
      ['GET /ping HTTP/1.1\r\n\r\n', '400', 'no Host header'],
    ]
    for (const [bytes, status, message] of cases) {
      const text = await rawExchange(raw.port, bytes, { waitMs: 300 })
      expect(`${bytes.slice(0, 30)}: ${statusLines(text)[0]?.slice(9, 12)}`).toBe(`${bytes.slice(0, 30)}: ${status}`)
      expect(firstBody(text)).toContain(message)
    }
  })
  test('a chunked POST is framed and answered; a pipelined GET after it too', async () => {
    const chunked =
      'POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: text/csv\r\nAccept: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n1,2,\r\n4\r\n3,4\n\r\n0\r\n\r\n'
    const text = await rawExchange(raw.port, chunked + get('/ping'), { waitMs: 500 })
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
  })
  test('a 413 answered before the body is relayed with our message', async () => {
    const big = 'x'.repeat(7 * 1024 * 1024)
    const text = await rawExchange(raw.port, post(big), { waitMs: 3000 })
    expect(statusLines(text)[0]).toBe('HTTP/1.1 413 Payload Too Large')
    expect(firstBody(text)).toContain('the limit is')
  })
})
