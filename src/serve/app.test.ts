/**
 * The HTTP surface in process, as Hono tests through app.request: routing, negotiation and error mapping
 * through `app.handle(new Request(...))`, with a real WorkerPool serving a real model where a request
 * gets that far. What only a process can show (start-up, signals, the compiled binary) is in test/.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { identityClassifier } from '../../test/fixtures/models'
import { poolInit } from '../../test/fixtures/pool-init'
import { WorkerPool } from '../model/pool'
import { type AppOptions, createApp, type ServerState } from './app'

// Identity weights: the label is the index of the largest of 3 features.
const pool = new WorkerPool(
  1,
  await poolInit(identityClassifier(3, 3), {
    outputs: ['label'],
    classLabels: ['a', 'b', 'c'],
    csvHeader: 'auto',
    batching: { maxBatchSize: 8, maxQueueDelayMs: 0 },
  }),
  10_000,
  100,
)
await pool.start()
afterAll(() => pool.close())

function app(overrides: Partial<AppOptions> = {}, state: Partial<ServerState> = {}) {
  return createApp({
    state: { ready: true, reason: '', pool, active: 0, ...state },
    maxPayloadBytes: 64,
    defaultAccept: () => null,
    echoCustomAttributes: () => true,
    executionParameters: () => ({ MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 }),
    ...overrides,
  })
}

/** The message of a JSON error answer. */
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error

const post = (body: string | null, headers: Record<string, string> = {}) =>
  new Request('http://localhost/invocations', { method: 'POST', body, headers })

describe('/ping', () => {
  test('200 with an empty body when ready', async () => {
    const res = await app().handle(new Request('http://localhost/ping'))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })
  test('503 with the reason while loading, and /invocations says the same', async () => {
    const loading = app({}, { ready: false, reason: 'model is loading' })
    const ping = await loading.handle(new Request('http://localhost/ping'))
    expect(ping.status).toBe(503)
    expect(await ping.text()).toBe('model is loading\n')
    const res = await loading.handle(post('1,2,3', { 'content-type': 'text/csv' }))
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ error: 'model is loading' })
  })
})

describe('/invocations', () => {
  test('CSV in, CSV out by default; class ids become names', async () => {
    const res = await app().handle(post('1,5,2\n9,0,0\n', { 'content-type': 'text/csv' }))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv')
    expect(await res.text()).toBe('b\na\n')
  })
  test('Accept picks the answer type; the ContentType spelling is read; no Content-Type means CSV', async () => {
    const json = await app().handle(post('0,0,7', { contenttype: 'text/csv', accept: 'application/json' }))
    expect(json.headers.get('content-type')).toBe('application/json')
    expect(await json.json()).toEqual({ predictions: ['c'] })
    const bare = await app().handle(post('0,7,0'))
    expect(await bare.text()).toBe('b\n')
  })
  test('the configured default Accept applies when the client sends none', async () => {
    const res = await app({ defaultAccept: () => 'application/jsonlines' }).handle(
      post('[[3,0,0]]', { 'content-type': 'application/json' }),
    )
    expect(res.headers.get('content-type')).toBe('application/jsonlines')
    expect(await res.text()).toBe('"a"\n')
  })
  test('unknown Content-Type: 415 naming it, before the body is read or a Worker is asked', async () => {
    const res = await app({}, { pool: null }).handle(post('x', { 'content-type': 'image/png' }))
    // With no pool the request would be 503 had it got past the type check.
    expect(res.status).toBe(503)
    const typed = await app().handle(post('x', { 'content-type': 'image/png' }))
    expect(typed.status).toBe(415)
    expect(await errorOf(typed)).toContain('"image/png" is not supported')
  })
  test('an Accept nothing can satisfy: 406 listing what can be answered', async () => {
    const res = await app().handle(post('1,2,3', { 'content-type': 'text/csv', accept: 'text/libsvm' }))
    expect(res.status).toBe(406)
    // The client takes no JSON, so the error is one plain line.
    expect(await res.text()).toContain('supported: text/csv, application/json')
  })
  test('a body over the limit: 413 with the limit and the setting to change', async () => {
    const res = await app().handle(post('1,2,3\n'.repeat(20), { 'content-type': 'text/csv' }))
    expect(res.status).toBe(413)
    expect(await errorOf(res)).toContain('the limit is 64 bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)')
  })
  test('an empty body: 400 listing the formats', async () => {
    const res = await app().handle(post('', { 'content-type': 'text/csv' }))
    expect(res.status).toBe(400)
    expect(await errorOf(res)).toContain('empty body')
  })
  test('a decode error from the Worker keeps its status and message; plain text for a text Accept', async () => {
    const res = await app().handle(post('1,2\n', { 'content-type': 'text/csv', accept: 'text/csv' }))
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const text = await res.text()
    expect(text).toContain('expects')
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text))
  })
  test('custom attributes are echoed, cut to 1024 bytes', async () => {
    const res = await app().handle(
      post('1,0,0', { 'content-type': 'text/csv', 'x-amzn-sagemaker-custom-attributes': 'k'.repeat(3000) }),
    )
    expect(res.headers.get('x-amzn-sagemaker-custom-attributes')).toBe('k'.repeat(1024))
    const off = await app({ echoCustomAttributes: () => false }).handle(
      post('1,0,0', { 'content-type': 'text/csv', 'x-amzn-sagemaker-custom-attributes': 'k' }),
    )
    expect(off.headers.get('x-amzn-sagemaker-custom-attributes')).toBeNull()
  })
})

describe('other routes', () => {
  test('/execution-parameters answers what the server computed', async () => {
    const res = await app().handle(new Request('http://localhost/execution-parameters'))
    expect(await res.json()).toEqual({ MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 })
  })
  test('an unknown route is a 404 that lists the routes', async () => {
    const res = await app().handle(new Request('http://localhost/predict', { method: 'POST', body: '1' }))
    expect(res.status).toBe(404)
    expect(await errorOf(res)).toBe(
      'no route POST /predict; byoc serves GET /ping, POST /invocations, GET /execution-parameters',
    )
  })
})
