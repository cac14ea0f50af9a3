/**
 * A bounded, seeded fuzz of every request format and header against the compiled binary: valid bodies
 * mutated (bytes flipped, inserted, cut, repeated; hostile npy headers, deep JSON, odd numbers), sent with
 * random Content-Type, Accept and custom-attribute headers. Every answer must be one of the statuses a
 * client error deserves (never a 5xx), come quickly, and leave the server healthy. FUZZ_SEED and
 * FUZZ_CASES change the run; the statuses seen are printed.
 */
import { expect, test } from 'bun:test'
import { frame } from '../src/formats/recordio'
import { mulberry32 } from '../src/train/random'
import { linearClassifierModel } from './fixtures/models'
import { npyBytes } from './helpers/npy'
import { rawExchange, statusLines } from './helpers/raw-http'
import { mlRoot, startServer } from './helpers/server'

const SEED = Number(process.env.FUZZ_SEED ?? 20261202)
const CASES = Number(process.env.FUZZ_CASES ?? 3000)
const HEAD_CASES = Number(process.env.FUZZ_HEAD_CASES ?? 400)
const CONCURRENCY = 8
const random = mulberry32(SEED)
const int = (n: number) => Math.floor(random() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]
const enc = (s: string) => new TextEncoder().encode(s)

const npyF4 = npyBytes('<f4', [2, 4], new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer)
const SEEDS: Record<string, Uint8Array[]> = {
  'text/csv': [enc('1,2,3,4\n5,6,7,8\n'), enc('a,b,c,d\n1,2,3,4\n'), enc('"1","2",3,4\r\n')],
  'application/json': [
    enc('{"instances":[[1,2,3,4],[5,6,7,8]]}'),
    enc('[[1,2,3,4]]'),
    enc('{"inputs":{"input":[[1,2,3,4]]}}'),
    enc('{"features":[1,2,3,4]}'),
    enc('{"instances":[{"input":[1,2,3,4]}]}'),
  ],
  'application/jsonlines': [enc('[1,2,3,4]\n[5,6,7,8]\n'), enc('{"features":[1,2,3,4]}\n')],
  'application/x-npy': [npyF4],
  'text/libsvm': [enc('0 1:1 2:2 3:3 4:4\n1 2:5\n')],
  'application/x-recordio-protobuf': [
    frame(enc('\x0a\x0c\x0a\x05input\x12\x03\x0a\x01\x00')),
    frame(new Uint8Array(40)),
  ],
}
const TYPES = Object.keys(SEEDS)
const TYPE_NAMES = [
  ...TYPES,
  'application/x-jsonlines',
  'application/jsonl',
  'text/x-libsvm',
  'TEXT/CSV',
  'text/csv; charset=utf-8',
  'text/csv;;;',
  'application/json; charset=latin1',
  'application/octet-stream',
  'image/png',
  '',
  '*/*',
  'text/',
  '/',
  ';',
  'text/csv, application/json',
  'x'.repeat(300),
]
const ACCEPTS = [...TYPE_NAMES, 'application/json;q=0', 'text/csv;q=0.5, application/json;q=0.9', '*/*;q=0', 'text/*']
const TOKENS = [
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '-1e-999',
  '""',
  'null',
  'true',
  '[]',
  '{}',
  ',',
  '\n',
  '\r',
  '\0',
  ':',
  '"',
  '\\',
  '\uFFFD',
  '😀',
  '9'.repeat(400),
]
const NPY_HEADERS = ['|S0', '<U0', '<f4', '>f8', '|b1', '<c8', '|O', '<U1000000', '|V8', '<i8', '>u8', '<f2', '']
const SHAPES = [
  '()',
  '(0,)',
  '(4194304, 4)',
  '(2, 4)',
  '(-1, 4)',
  '(1e9,)',
  '(2, 4, 1, 1)',
  '(,)',
  '(9999999999999999999,)',
]

function mutate(body: Uint8Array): Uint8Array {
  const b = [...body]
  switch (int(9)) {
    case 0:
      for (let i = 0, n = 1 + int(4); i < n && b.length; i++) b[int(b.length)] = int(256)
      return Uint8Array.from(b)
    case 1: {
      const at = int(b.length + 1)
      return Uint8Array.from([...b.slice(0, at), ...enc(pick(TOKENS)), ...b.slice(at)])
    }
    case 2:
      return Uint8Array.from(b.slice(0, int(b.length + 1)))
    case 3: {
      const from = int(b.length)
      return Uint8Array.from([...b.slice(0, from), ...b.slice(from + 1 + int(8))])
    }
    case 4: {
      // Repeat the body: up to a few hundred KB.
      const times = 1 + int(2000)
      const out = new Uint8Array(body.length * times)
      for (let i = 0; i < times; i++) out.set(body, i * body.length)
      return out
    }
    case 5: {
      const depth = 1 + int(50_000)
      return enc(`${'['.repeat(depth)}1${random() < 0.5 ? ']'.repeat(depth) : ''}`)
    }
    case 6: {
      const descr = pick(NPY_HEADERS)
      const shape = pick(SHAPES)
      const data = new Uint8Array(int(128))
      const header = `{'descr': '${descr}', 'fortran_order': ${pick(['True', 'False', 'Maybe'])}, 'shape': ${shape}, }`
      const out = new Uint8Array(10 + header.length + 1 + data.length)
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, pick([1, 2, 3, 9]), 0])
      new DataView(out.buffer).setUint16(8, header.length + 1, true)
      out.set(enc(`${header}\n`), 10)
      out.set(data, 11 + header.length)
      return out
    }
    case 7: {
      // Many keys, many columns, long lines.
      const n = 1 + int(20_000)
      return pick([
        enc(`{"instances":[{${Array.from({ length: n }, (_, i) => `"k${i}":[1]`).join(',')}}]}`),
        enc(`${Array.from({ length: n }, () => '1').join(',')}\n`),
        enc(`0 ${Array.from({ length: Math.min(n, 5000) }, (_, i) => `${1 + int(1_000_000)}:${i}`).join(' ')}\n`),
      ])
    }
    default:
      return Uint8Array.from({ length: int(512) }, () => int(256))
  }
}

function headers(contentType: string): Record<string, string> {
  const h: Record<string, string> = {}
  const r = random()
  if (r < 0.8) h['content-type'] = contentType
  else if (r < 0.95) h['content-type'] = pick(TYPE_NAMES)
  if (random() < 0.7) h.accept = pick(ACCEPTS)
  if (random() < 0.2)
    h['x-amzn-sagemaker-custom-attributes'] = Array.from({ length: int(3000) }, () =>
      String.fromCharCode(32 + int(95)),
    ).join('')
  if (random() < 0.1) h['x-amzn-sagemaker-inference-id'] = pick(['', 'abc', '\u00e9'.repeat(100), 'x'.repeat(5000)])
  return h
}

const ALLOWED = new Set([200, 400, 406, 413, 415])

test(`fuzz: ${CASES} mutated bodies across every format and header, seed ${SEED}: no 5xx, no crash`, async () => {
  const s = await startServer(
    mlRoot({
      'model.onnx': linearClassifierModel({ features: 4, classes: 3 }),
      'byoc.json': JSON.stringify({ echoCustomAttributes: true }),
    }),
    { SAGEMAKER_MAX_PAYLOAD_IN_MB: '1' },
  )
  const statuses = new Map<number, number>()
  const bad: string[] = []
  let slowest = 0
  try {
    const cases = Array.from({ length: CASES }, () => {
      const type = pick(TYPES)
      const body = random() < 0.1 ? pick(SEEDS[type]) : mutate(pick(SEEDS[type]))
      return { type, body, headers: headers(type) }
    })
    let next = 0
    const lane = async () => {
      while (next < cases.length) {
        const c = cases[next++]
        const t0 = performance.now()
        const res = await fetch(`${s.url}/invocations`, { method: 'POST', body: c.body, headers: c.headers })
        const text = await res.text()
        slowest = Math.max(slowest, performance.now() - t0)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (!ALLOWED.has(res.status) && bad.length < 5)
          bad.push(
            `${res.status} ${JSON.stringify(c.headers)} ${Buffer.from(c.body.subarray(0, 80)).toString('latin1')}: ${text}`,
          )
      }
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, lane))
    const elapsed = performance.now() - t0
    console.log(
      `fuzz seed ${SEED}: ${CASES} cases in ${elapsed.toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms; statuses`,
      Object.fromEntries([...statuses].sort()),
    )
    expect(bad).toEqual([])
    expect(slowest).toBeLessThan(5000)
    expect((await fetch(`${s.url}/ping`)).status).toBe(200)
    expect(s.proc.exitCode).toBeNull()
  } finally {
    await s.stop()
  }
}, 120_000)

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'FOO',
  'get',
  'BREW',
  'CONNECT',
  'OPTIONS',
  'HEAD',
  'DELETE',
  'PATCH',
  '',
  'G\0T',
]
const TARGETS = [
  '/ping',
  '/invocations',
  '/execution-parameters',
  '/',
  '*',
  '/invocations/../ping',
  '/%00',
  '/ping?x=1',
  'http://a/ping',
  '/\u00e9',
  `/${'a'.repeat(9000)}`,
]
const FIELDS = [
  'Host: 127.0.0.1',
  'Host: a',
  'Host:',
  'Content-Length: 4',
  'Content-Length: -1',
  'Content-Length: abc',
  'Content-Length: 4, 5',
  'Content-Length: 99999999999999999999',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: xchunked',
  'Content-Type: text/csv',
  'Expect: 100-continue',
  'Connection: close',
  'X-A: b\u0000c',
  ' X-Folded: continued',
  'X-Amzn-SageMaker-Custom-Attributes: a\rb',
  'Bad Header: x',
  `X-Long: ${'x'.repeat(20_000)}`,
]

for (const front of ['bun', 'raw'])
  test(`fuzz, BYOC_HTTP_FRONT=${front}: ${HEAD_CASES} malformed request heads over a bare socket: every connection is answered or closed, the server stays up`, async () => {
    const s = await startServer(mlRoot({ 'model.onnx': linearClassifierModel({ features: 4, classes: 3 }) }), {
      BYOC_HTTP_FRONT: front,
    })
    const statuses = new Map<string, number>()
    try {
      const heads = Array.from({ length: front === 'raw' ? HEAD_CASES / 2 : HEAD_CASES }, () => {
        const fields = Array.from({ length: int(6) }, () => pick(FIELDS))
        const version = pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', ''])
        const body = pick(['', '1,2,3,4\n', '4\r\n1,2,\r\n0\r\n\r\n', 'zz\r\n', '\r\n'])
        return `${pick(METHODS)} ${pick(TARGETS)} ${version}\r\n${fields.join('\r\n')}\r\n\r\n${body}`
      })
      let next = 0
      const lane = async () => {
        while (next < heads.length) {
          const text = await rawExchange(s.port, heads[next++], { waitMs: 150 })
          const first = statusLines(text)[0]?.slice(9, 12) ?? 'closed'
          statuses.set(first, (statuses.get(first) ?? 0) + 1)
        }
      }
      await Promise.all(Array.from({ length: 16 }, lane))
      console.log(
        `head fuzz (${front}) seed ${SEED}: ${heads.length} cases; first status`,
        Object.fromEntries([...statuses].sort()),
      )
      // 501 (unknown method) and 505 (unknown HTTP version) are right; anything else from 500 up is a bug.
      expect([...statuses.keys()].filter((k) => k.startsWith('5') && k !== '501' && k !== '505')).toEqual([])
      expect((await fetch(`${s.url}/ping`)).status).toBe(200)
      expect(s.proc.exitCode).toBeNull()
    } finally {
      await s.stop()
    }
  }, 120_000)
