/**
 * Handlers through the compiled binary: what byoc fills in around a handler's hooks, the request context,
 * and failures that stay inside one request (a throw, ctx.error, a loop) or fail the model's start.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { linearClassifierModel } from './fixtures/models'
import { handlerRoot } from './helpers/handler-root'
import { BINARY, mlRoot, type Running, startServer, waitForLog, waitForPing } from './helpers/server'

// Start-up lines are written asynchronously: one may land just after /ping turns 200.
const TYPE_CHECKED = /code\/handler\.ts type-checked in \d+ ms/

const model = linearClassifierModel({ features: 4, classes: 3, seed: 3 })
const CSV = '1,2,3,4\n0,0,0,1\n-1,2,-3,4\n'
const post = (s: Running, body: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv', ...headers } })

describe('what a handler leaves out, byoc does', () => {
  const servers: Running[] = []
  afterAll(() => Promise.all(servers.map((s) => s.stop())))
  const start = async (root: string, env: Record<string, string> = {}) => {
    const s = await startServer(root, env)
    servers.push(s)
    return s
  }

  test('an empty handler answers exactly as no handler, in every type', async () => {
    const plain = await start(mlRoot({ 'model.onnx': model }))
    const empty = await start(handlerRoot(model, { 'code/handler.ts': '// nothing yet\n' }))
    for (const accept of ['text/csv', 'application/json', 'application/jsonlines']) {
      const [a, b] = await Promise.all([post(plain, CSV, { accept }), post(empty, CSV, { accept })])
      expect(b.status).toBe(200)
      expect(b.headers.get('content-type')).toBe(a.headers.get('content-type'))
      expect(await b.text()).toBe(await a.text())
    }
    expect(empty.log()).toContain('handler hooks: none')
    // A file without import or export is a module to Bun, and to the type check.
    expect(await waitForLog(empty, TYPE_CHECKED)).toMatch(TYPE_CHECKED)
  })

  test('five lines rename the labels; the answer is written in the negotiated type', async () => {
    const s = await start(
      handlerRoot(model, {
        'code/handler.js': `const NAMES = ['setosa', 'versicolor', 'virginica']
export function postprocess(outputs) {
  return Array.from(outputs.label.data, (id) => NAMES[Number(id)])
}
`,
      }),
    )
    const plain = await (await post(s, CSV, { accept: 'application/json' })).text()
    expect(plain).toMatch(/^\["(setosa|versicolor|virginica)"(,"(setosa|versicolor|virginica)"){2}\]$/)
    const csv = await (await post(s, CSV, { accept: 'text/csv' })).text()
    expect(csv.trim().split('\n')).toEqual(JSON.parse(plain))
  })

  test('invoke() runs the model twice through ctx.run and encode() answers a type of its own', async () => {
    const s = await start(
      handlerRoot(model, {
        'code/handler.ts': `import type { InvokeRequest, RequestContext } from 'byoc'
export const accepts = ['text/plain']
export async function invoke(request: InvokeRequest, ctx: RequestContext) {
  const rows = request.text().trim().split('\\n').map((r) => r.split(',').map(Number))
  const run = (data: number[]) => ctx.run({ input: { data, dims: [1, 4] } })
  const answers = []
  for (const row of rows) answers.push((await run(row)).label.data[0], (await run(row.map((x) => -x))).label.data[0])
  ctx.log.info(\`ran \${answers.length} times\`)
  return answers.map(Number)
}
export function encode(answer: number[], accept: string) {
  return accept === 'text/plain' ? { body: answer.join(' '), contentType: 'text/plain; charset=utf-8' } : undefined
}
`,
      }),
    )
    const res = await post(s, CSV, { accept: 'text/plain', 'x-amzn-sagemaker-inference-id': 'req-42' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const ids = (await res.text()).split(' ').map(Number)
    expect(ids).toHaveLength(6)
    // The same rows through byoc alone give the labels at even positions.
    const own = await (await post(s, CSV, { accept: 'application/json' })).text()
    expect(own).toBe(JSON.stringify(ids))
    expect(await waitForLog(s, /handler: ran 6 times inference-id=req-42/)).toMatch(/ran 6 times inference-id=req-42/)
    expect((await post(s, CSV, { accept: 'image/png' })).status).toBe(406)
  })
})

describe('failures stay inside one request', () => {
  let s: Running
  beforeAll(async () => {
    s = await startServer(
      handlerRoot(model, {
        'code/handler.ts': `import type { Decoded, DecodedTensor, ModelContext, RequestContext } from 'byoc'
export const load = (ctx: ModelContext) => ctx.log.info(\`loaded in worker \${ctx.worker}\`)
export function preprocess(records: Decoded, ctx: RequestContext) {
  const what = ctx.headers.customAttributes
  if (what === 'throw') throw new Error('the handler broke on purpose')
  if (what === 'reject') ctx.error(422, 'records must be positive')
  if (what === 'loop') for (;;) {}
  const t = records.tensors as DecodedTensor
  return { input: { data: t.values, dims: t.shape } }
}
`,
      }),
      { SAGEMAKER_MODEL_SERVER_TIMEOUT: '2', SAGEMAKER_MODEL_SERVER_WORKERS: '2' },
    )
  })
  afterAll(() => s.stop())
  const attr = (value: string) => ({ 'x-amzn-sagemaker-custom-attributes': value, accept: 'application/json' })

  test('a throw answers 500 with its message, no stack; the stack with file:line goes to the log', async () => {
    const res = await post(s, CSV, attr('throw'))
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: 'handler preprocess failed: the handler broke on purpose' })
    const log = await waitForLog(s, /handler preprocess threw/)
    expect(log).toMatch(
      /handler preprocess threw: Error: the handler broke on purpose\n\s+at preprocess \(\S+code\/handler\.ts:5:/,
    )
  })

  test('ctx.error answers the status and message the handler chose', async () => {
    const res = await post(s, CSV, attr('reject'))
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ error: 'records must be positive' })
  })

  test('a loop is cut off by the request timeout, its Worker terminated, no other request lost', async () => {
    // The second Worker starts after the first is warm; until it is, every request would go to the first.
    await waitForLog(s, /loaded in worker 1/, 10_000)
    const looping = post(s, CSV, attr('loop'))
    await Bun.sleep(50)
    // One at a time, they go to the Worker that is not stuck (requests already queued behind the loop in
    // its Worker are re-sent to the replacement, within their own timeout).
    const t0 = performance.now()
    for (let i = 0; i < 5; i++) expect((await post(s, CSV)).status).toBe(200)
    expect(performance.now() - t0).toBeLessThan(1500)
    expect((await looping).status).toBe(504)
    const log = await waitForLog(s, /terminating it/, 5000)
    expect(log).toContain('did not retire and is not in a model run')
    for (let i = 0; i < 4; i++) expect((await post(s, CSV)).status).toBe(200)
    expect((await fetch(`${s.url}/ping`)).status).toBe(200)
    expect(s.proc.exitCode).toBeNull()
  }, 15_000)
})

describe('a handler that cannot load fails the model start: /ping 503, the log names file:line', () => {
  const cases: Array<[string, Record<string, string>, RegExp, Record<string, string>?]> = [
    [
      'a syntax error',
      { 'code/handler.ts': 'export const a = 1\nexport function f( {\n' },
      /code\/handler\.ts:2:\d+\)/,
    ],
    [
      'a throw at import',
      { 'code/handler.js': 'const x = 1\nthrow new Error("no settings file")\n' },
      /failed to load: no settings file \(\S+code\/handler\.js:2:\d+\)/,
    ],
    [
      'load() failing',
      { 'code/handler.ts': 'export function load() {\n  JSON.parse("{")\n}\n' },
      /load\(\) failed: .*\(\S+code\/handler\.ts:2:\d+\)/,
    ],
    [
      'a hook that is not a function',
      { 'code/handler.mjs': 'export const decode = 5\n' },
      /"decode" must be a function/,
    ],
    [
      'a missing CUSTOM_SCRIPT_FILENAME',
      {},
      /CUSTOM_SCRIPT_FILENAME names "inference\.ts"/,
      { CUSTOM_SCRIPT_FILENAME: 'inference.ts' },
    ],
  ]
  for (const [what, files, pattern, env] of cases)
    test(what, async () => {
      const s = await startServer(handlerRoot(model, files), env ?? {}, { waitReady: false })
      try {
        const log = await waitForLog(s, /model failed to load/, 10_000)
        expect(log).toMatch(pattern)
        expect(log).toContain('/ping answers 503')
        await waitForPing(s, 503)
        expect((await post(s, CSV)).status).toBe(503)
      } finally {
        await s.stop()
      }
    })

  test('CUSTOM_SCRIPT_FILENAME picks another file', async () => {
    const s = await startServer(
      handlerRoot(model, { 'code/serving.js': 'export const postprocess = () => "picked"\n' }),
      { CUSTOM_SCRIPT_FILENAME: 'code/serving.js' },
    )
    try {
      // A string answer goes out as it is, in the negotiated type.
      expect(await (await post(s, CSV, { accept: 'application/json' })).text()).toBe('picked')
    } finally {
      await s.stop()
    }
  })
})

test('`byoc handler-types` prints the published types file, from the executable alone', () => {
  const out = Bun.spawnSync([BINARY, 'handler-types'], { cwd: '/' })
  expect(out.exitCode).toBe(0)
  expect(out.stdout.toString()).toBe(readFileSync(join(import.meta.dir, '../types/handler.d.ts'), 'utf8'))
})
