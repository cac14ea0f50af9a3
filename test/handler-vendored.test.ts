/**
 * Packages vendored in code/node_modules, imported by their bare names through the compiled binary, where
 * Bun's own resolver follows neither `main` nor `exports` (src/model/handler-modules.ts does).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { linearClassifierModel } from './fixtures/models'
import { VENDORED_HANDLER, VENDORED_PACKAGES } from './fixtures/vendored-packages'
import { handlerRoot } from './helpers/handler-root'
import { type Running, startServer, waitForLog, waitForPing } from './helpers/server'

const model = linearClassifierModel({ features: 4, classes: 3, seed: 3 })
const post = (s: Running) =>
  fetch(`${s.url}/invocations`, {
    method: 'POST',
    body: '1,2,3,4\n0,0,0,1\n',
    headers: { 'content-type': 'text/csv', accept: 'application/json' },
  })

describe('a handler imports vendored packages by name', () => {
  let s: Running
  beforeAll(async () => {
    s = await startServer(handlerRoot(model, { ...VENDORED_PACKAGES, 'code/handler.js': VENDORED_HANDLER }))
  })
  afterAll(() => s.stop())

  test('main, exports (conditions, subpath, pattern), CommonJS requiring by name, a scoped package', async () => {
    const res = await post(s)
    expect(res.status).toBe(200)
    const answer = (await res.json()) as Record<string, unknown>
    expect(answer).toEqual({
      records: 2,
      greet: 'hello byoc',
      lazy: 'hello lazily',
      optional: expect.stringContaining('not-vendored-optional'),
      // import takes the "import" condition; the CommonJS package's require() of the same package takes "require".
      flavour: 'esm',
      extra: 'extra (esm)',
      double: 42,
      version: '1.0.0',
      outer: '3 widgets',
      // The nearest node_modules wins, as in Node: cjs-outer's own copy for it, the top-level one for the handler.
      outerInner: 'cjs-inner 2 (nested)',
      outerConditional: 'cjs',
      inner: 'cjs-inner 1',
      tokens: ['a', 'b', 'c'],
      greeting: 'hello tokens',
    })
  })
})

test('a CommonJS handler requires a vendored package by name', async () => {
  const s = await startServer(
    handlerRoot(model, {
      ...VENDORED_PACKAGES,
      'code/handler.js': `const outer = require('cjs-outer')\nmodule.exports = { postprocess: () => outer(7) }\n`,
    }),
  )
  try {
    expect(await (await post(s)).text()).toBe('7 widgets')
  } finally {
    await s.stop()
  }
})

test('a package that is not vendored fails the start, naming it, the importing file and where byoc looked', async () => {
  const root = handlerRoot(model, {
    ...VENDORED_PACKAGES,
    'code/handler.js':
      "import { greet } from 'main-field'\nimport { missing } from 'not-vendored'\nexport const postprocess = () => greet(missing)\n",
  })
  const s = await startServer(root, {}, { waitReady: false })
  try {
    const log = await waitForLog(s, /model failed to load/, 10_000)
    expect(log).toContain(
      `cannot find package "not-vendored" imported by handler.js; looked in ${root}/model/code/node_modules/not-vendored`,
    )
    expect(log).toContain('/ping answers 503')
    await waitForPing(s, 503)
  } finally {
    await s.stop()
  }
})
