/**
 * A handler whose import or load(ctx) never ends meets BYOC_HANDLER_LOAD_TIMEOUT, timed by the pool on the
 * HTTP thread (a load() stuck in a loop holds its Worker's thread): the start fails as for any handler
 * that does not load, the Worker is stopped, and in a multi-model endpoint the load answers an error.
 */
import { expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { linearClassifierModel } from './fixtures/models'
import { handlerRoot } from './helpers/handler-root'
import { mlRoot, startServer, waitForLog, waitForPing } from './helpers/server'

const model = linearClassifierModel({ features: 4, classes: 3, seed: 3 })
const LIMIT = { BYOC_HANDLER_LOAD_TIMEOUT: '1' }
const post = (url: string) =>
  fetch(`${url}/invocations`, { method: 'POST', body: '1,2,3,4\n', headers: { 'content-type': 'text/csv' } })

/** [what, handler source, whether the pool must terminate the Worker (else it reads `retire` and closes itself)] */
const cases: Array<[string, string, boolean]> = [
  ['load() awaiting a promise that never resolves', 'export const load = () => new Promise(() => {})\n', false],
  ['load() spinning in a synchronous loop', 'export function load() {\n  for (;;) {}\n}\n', true],
  ['a top-level await that never resolves', 'await new Promise(() => {})\nexport const load = () => {}\n', false],
]
const TERMINATED = /model worker 0 did not retire and is not in a model run \(a handler stuck\?\): terminating it/

for (const [what, source, terminated] of cases)
  test(`${what}: the start fails after the limit, /ping 503, the Worker stopped`, async () => {
    const t0 = performance.now()
    const s = await startServer(handlerRoot(model, { 'code/handler.js': source }), LIMIT, { waitReady: false })
    try {
      const log = await waitForLog(s, /model failed to load/, 10_000)
      expect(performance.now() - t0).toBeGreaterThan(1000)
      expect(log).toMatch(
        /model failed to load: handler \S+code\/handler\.js: its import and load\(\) did not finish within 1 s \(BYOC_HANDLER_LOAD_TIMEOUT\); model worker 0 is stopped; \/ping answers 503/,
      )
      await waitForPing(s, 503)
      expect((await post(s.url)).status).toBe(503)
      if (terminated) expect(await waitForLog(s, TERMINATED, 5000)).toMatch(TERMINATED)
      else {
        await Bun.sleep(1500)
        expect(s.log()).not.toMatch(TERMINATED)
      }
      // The process outlives the stuck Worker.
      expect(s.proc.exitCode).toBeNull()
      expect((await fetch(`${s.url}/ping`)).status).toBe(503)
    } finally {
      await s.stop()
    }
  }, 20_000)

test('a load() within the limit is not cut off', async () => {
  const s = await startServer(
    handlerRoot(model, { 'code/handler.js': 'export const load = () => Bun.sleep(300)\n' }),
    LIMIT,
  )
  try {
    expect((await post(s.url)).status).toBe(200)
  } finally {
    await s.stop()
  }
})

test('multi-model endpoint: a load whose handler never finishes load() answers 400 naming the limit', async () => {
  const root = mlRoot()
  const dir = join(root, 'models', 'stuck', 'model')
  mkdirSync(join(dir, 'code'), { recursive: true })
  writeFileSync(join(dir, 'model.onnx'), model)
  writeFileSync(join(dir, 'code/handler.js'), 'export function load() {\n  for (;;) {}\n}\n')
  const s = await startServer(root, { ...LIMIT, SAGEMAKER_MULTI_MODEL: 'true' })
  try {
    const res = await fetch(`${s.url}/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_name: 'stuck', url: '/opt/ml/models/stuck/model' }),
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('did not finish within 1 s (BYOC_HANDLER_LOAD_TIMEOUT)')
    expect((await fetch(`${s.url}/models/stuck/invoke`, { method: 'POST', body: '1,2,3,4\n' })).status).toBe(404)
    expect((await fetch(`${s.url}/ping`)).status).toBe(200)
  } finally {
    await s.stop()
  }
}, 20_000)
