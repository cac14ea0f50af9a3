/**
 * byoc's own HTTP/1.1 server (the default front, src/serve/direct-front.ts), over a bare socket against
 * the compiled binary: what a client sees of the framing it does itself.
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
    { SAGEMAKER_MAX_PAYLOAD_IN_MB: '1' },
  )
})
afterAll(() => s.stop())

const post = (body: string, extra = '') =>
  `POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: text/csv\r\nAccept: text/csv\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

/** Sends the head, waits for the 100 Continue, then the body; returns everything received. */
function expectContinue(port: number, head: string, body: string): Promise<{ text: string; continued: boolean }> {
  return new Promise((resolve) => {
    let text = ''
    let continued = false
    void Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(sock) {
          sock.write(head)
          setTimeout(() => {
            sock.end()
            resolve({ text, continued })
          }, 800)
        },
        data(sock, d) {
          text += d.toString('latin1')
          if (!continued && text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
            continued = true
            sock.write(body)
          }
        },
      },
    })
  })
}

describe('the default front', () => {
  test('Expect: 100-continue gets a 100 before the body, then the answer', async () => {
    const body = '1,2,3,4\n'
    const head = `POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: text/csv\r\nAccept: text/csv\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`
    const { text, continued } = await expectContinue(s.port, head, body)
    expect(continued).toBe(true)
    expect(statusLines(text)).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK'])
  })
  test('a 413 for a declared length keeps the connection: the body is dropped and the next request answered', async () => {
    const big = '1,2,3,4\n'.repeat(200_000)
    const text = await rawExchange(s.port, post(big) + post('1,2,3,4\n'), { waitMs: 1500 })
    expect(statusLines(text)).toEqual(['HTTP/1.1 413 Payload Too Large', 'HTTP/1.1 200 OK'])
    expect(text.toLowerCase()).not.toContain('connection: close')
  })
  test('a chunked body past the limit is a 413 and the connection closes', async () => {
    const chunk = '1,2,3,4\n'.repeat(20_000)
    const size = chunk.length.toString(16)
    const wire = `POST /invocations HTTP/1.1\r\nHost: a\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n${`${size}\r\n${chunk}\r\n`.repeat(8)}0\r\n\r\n`
    const text = await rawExchange(s.port, wire, { waitMs: 1500 })
    expect(statusLines(text)).toEqual(['HTTP/1.1 413 Payload Too Large'])
    expect(text.toLowerCase()).toContain('connection: close')
  })
  test('HEAD /ping has the head only; every answer has a Date; HTTP/1.0 keep-alive is kept alive', async () => {
    const text = await rawExchange(
      s.port,
      'HEAD /ping HTTP/1.1\r\nHost: a\r\n\r\nGET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /ping HTTP/1.1\r\nHost: a\r\n\r\n',
      { waitMs: 500 },
    )
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    expect(text.match(/\r\ndate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/g)).toHaveLength(3)
    expect(text.toLowerCase()).toContain('connection: keep-alive')
  })
  test('a UTF-8 custom attribute is echoed byte for byte', async () => {
    const value = 'trace=café-☕'
    const text = await rawExchange(s.port, post('1,2,3,4\n', `X-Amzn-SageMaker-Custom-Attributes: ${value}\r\n`), {
      waitMs: 500,
    })
    const echoed = /x-amzn-sagemaker-custom-attributes: ([^\r]*)/i.exec(text)![1]
    expect(Buffer.from(echoed, 'latin1').toString('utf8')).toBe(value)
  })
  test('a Connection: close request is answered, then the connection closes', async () => {
    const text = await rawExchange(s.port, post('1,2,3,4\n', 'Connection: close\r\n') + post('1,2,3,4\n'), {
      waitMs: 500,
    })
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK'])
    expect(text.toLowerCase()).toContain('connection: close')
  })
})
