/**
 * A TypeScript handler is type-checked at model start (dist/typescript's tsc, beside the binary), against
 * byoc's Handler type: a type error fails the start (/ping 503) or the multi-model load, with the
 * handler's file:line:col in the log; the setting off, a .js handler or a binary without its checker start.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { linearClassifierModel } from './fixtures/models'
import { handlerRoot } from './helpers/handler-root'
import { BINARY, mlRoot, type Running, startServer, waitForLog, waitForPing } from './helpers/server'

// Start-up lines are written asynchronously: one may land just after /ping turns 200.
const TYPE_CHECKED = /code\/handler\.ts type-checked in \d+ ms/
const TYPE_CHECKED_PATH = /handler \S+code\/handler\.ts type-checked in \d+ ms/

const model = linearClassifierModel({ features: 4, classes: 3, seed: 3 })
const CSV = '1,2,3,4\n'
const post = (s: Running) =>
  fetch(`${s.url}/invocations`, { method: 'POST', body: CSV, headers: { 'content-type': 'text/csv' } })

/** Type errors of three kinds; each case's pattern is the log's `path:line:col: what`. */
const WRONG_CTX = `import type { Decoded, RequestContext } from 'byoc'
export function preprocess(records: Decoded, ctx: RequestContext) {
  const n = ctx.headers.customAttributes ?? ''
  return { input: { data: [n.length, 0, 0, ctx.inferenceId], dims: [1, 4] } }
}
`
const WRONG_RETURN = `import type { Outputs } from './byoc'
export async function postprocess(outputs: Outputs) {
  return outputs.label.data
}
export async function preprocess() {
  return 'not feeds'
}
`
const WRONG_PARAMETER = `export default {
  decode(body: string, contentType: string) {
    return JSON.parse(body)
  },
}
`

describe('a handler with a type error fails the start: /ping 503, the log names file:line:col', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a property RequestContext does not have',
      { 'code/handler.ts': WRONG_CTX },
      /code\/handler\.ts:4:48: Property 'inferenceId' does not exist on type 'RequestContext'/,
    ],
    [
      'a hook returning what Handler does not allow (byoc.d.ts saved beside it)',
      // The handler's own copy of the types, as `byoc handler-types > code/byoc.d.ts` writes it.
      {
        'code/handler.ts': WRONG_RETURN,
        'code/byoc.d.ts': readFileSync(join(import.meta.dir, '../types/handler.d.ts'), 'utf8'),
      },
      /code\/handler\.ts:5:23: export "preprocess" does not match byoc's Handler type: .*Type 'string' is not assignable to type 'Feeds'/,
    ],
    [
      'a default-export hook whose parameter Handler gives another type',
      { 'code/handler.ts': WRONG_PARAMETER },
      /code\/handler\.ts:2:3: default export's "decode" does not match byoc's Handler type: .*Types of parameters 'body' and 'body' are incompatible/,
    ],
  ]
  for (const [what, files, pattern] of cases)
    test(what, async () => {
      const s = await startServer(handlerRoot(model, files), {}, { waitReady: false })
      try {
        const log = await waitForLog(s, /model failed to load/, 15_000)
        expect(log).toMatch(/does not type-check \(BYOC_HANDLER_TYPECHECK=false skips the check\)/)
        expect(log).toMatch(pattern)
        expect(log).toContain('/ping answers 503')
        await waitForPing(s, 503)
        expect((await post(s)).status).toBe(503)
      } finally {
        await s.stop()
      }
    })

  test('many errors: a handful named, then how many more', async () => {
    const lines = Array.from({ length: 8 }, (_, i) => `export const v${i}: number = 'text ${i}'`)
    const s = await startServer(
      handlerRoot(model, { 'code/handler.ts': `${lines.join('\n')}\n` }),
      {},
      {
        waitReady: false,
      },
    )
    try {
      const log = await waitForLog(s, /model failed to load/, 15_000)
      expect(log).toMatch(/handler\.ts:1:14: Type 'string' is not assignable to type 'number'/)
      expect(log).toMatch(/handler\.ts:5:14: .*; and 3 more; \/ping answers 503/)
      expect(log).not.toMatch(/handler\.ts:6:14/)
    } finally {
      await s.stop()
    }
  })
})

describe('handlers that start', () => {
  const servers: Running[] = []
  afterAll(() => Promise.all(servers.map((s) => s.stop())))
  const start = async (root: string, env: Record<string, string> = {}, binary?: string) => {
    const s = await startServer(root, env, { binary })
    servers.push(s)
    return s
  }

  test('one that type-checks says so in the log', async () => {
    const s = await start(
      handlerRoot(model, {
        'code/handler.ts': `import type { Handler } from 'byoc'
export const postprocess: Handler['postprocess'] = (outputs) => Array.from(outputs.label.data, Number)
`,
      }),
    )
    expect(await waitForLog(s, TYPE_CHECKED_PATH)).toMatch(TYPE_CHECKED_PATH)
    expect(await (await post(s)).text()).toMatch(/^\d\n$/)
  })

  test('untyped code passes: parameters without types, an array filled later, a vendored package without types', async () => {
    const s = await start(
      handlerRoot(model, {
        'code/node_modules/names/index.js': "export const NAMES = ['a', 'b', 'c']\n",
        'code/handler.ts': `import { NAMES } from 'names/index.js'
export function postprocess(outputs) {
  const labels = []
  for (const id of outputs.label.data) labels.push(NAMES[Number(id)])
  return labels.map((l) => l.toUpperCase())
}
`,
      }),
    )
    expect(await waitForLog(s, TYPE_CHECKED)).toMatch(TYPE_CHECKED)
    expect(await (await post(s)).text()).toMatch(/^[ABC]\n$/)
  })

  test('BYOC_HANDLER_TYPECHECK=false starts a handler with a type error, and says it is not checked', async () => {
    const s = await start(handlerRoot(model, { 'code/handler.ts': WRONG_CTX }), { BYOC_HANDLER_TYPECHECK: 'false' })
    expect(s.log()).toContain('not type-checked: BYOC_HANDLER_TYPECHECK=false')
    expect((await post(s)).status).toBe(200)
  })

  test('a .js handler is not type-checked, and the log says so', async () => {
    const s = await start(handlerRoot(model, { 'code/handler.js': 'export const postprocess = () => "js"\n' }))
    expect(s.log()).toMatch(/handler \S+code\/handler\.js is JavaScript: not type-checked/)
    expect(await (await post(s)).text()).toBe('js')
  })

  test('a binary copied without dist/typescript warns that the handler was not checked, and starts', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'byoc-bare-'))
    for (const file of ['byoc', 'libonnxruntime.so.1']) copyFileSync(join(dirname(BINARY), file), join(bare, file))
    const s = await start(handlerRoot(model, { 'code/handler.ts': WRONG_CTX }), {}, join(bare, 'byoc'))
    expect(s.log()).toMatch(
      /WARN handler \S+handler\.ts was not type-checked: no TypeScript checker beside the executable \(\S+byoc-bare-\S+\/typescript\/tsc is missing/,
    )
    expect((await post(s)).status).toBe(200)
  })
})

describe('multi-model endpoint: each load checks its own handler', () => {
  let s: Running
  beforeAll(async () => {
    const root = mlRoot()
    for (const [name, handler] of [
      ['typed', "import type { Outputs } from 'byoc'\nexport const postprocess = (o: Outputs) => 'ok'\n"],
      ['mistyped', WRONG_CTX],
    ]) {
      const dir = join(root, 'models', name, 'model')
      mkdirSync(join(dir, 'code'), { recursive: true })
      writeFileSync(join(dir, 'model.onnx'), model)
      writeFileSync(join(dir, 'code/handler.ts'), handler)
    }
    s = await startServer(root, { SAGEMAKER_MULTI_MODEL: 'true' })
  })
  afterAll(() => s.stop())
  const load = (name: string) =>
    fetch(`${s.url}/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_name: name, url: `/opt/ml/models/${name}/model` }),
    })

  test('a handler with a type error fails its load with a 400 naming file:line:col; others load', async () => {
    const bad = await load('mistyped')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /handler \S+mistyped\/model\/code\/handler\.ts does not type-check .*code\/handler\.ts:4:48: Property 'inferenceId' does not exist/,
    )
    expect((await fetch(`${s.url}/models/mistyped`)).status).toBe(404)
    expect((await load('typed')).status).toBe(200)
    expect(await waitForLog(s, /model typed: handler \S+ type-checked in \d+ ms/)).toMatch(/type-checked/)
    const res = await fetch(`${s.url}/models/typed/invoke`, {
      method: 'POST',
      body: CSV,
      headers: { 'content-type': 'text/csv' },
    })
    expect(await res.text()).toBe('ok')
  })
})
