/**
 * Dynamic batching and the queue bound through the compiled binary.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fixedBatchModel, mlpModel, slowModel } from './fixtures/models'
import { mlRoot, type Running, startServer } from './helpers/server'

const mlp = mlpModel({ layers: [4, 16, 3] })
const record = (i: number) => `${i % 5},${(i * 3) % 7},${(i * 11) % 13},${i % 2}`

const invoke = (s: Running, body: string, accept = 'application/json') =>
  fetch(`${s.url}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv', accept } })

describe('batching on (default) for a model with a batch axis', () => {
  let server: Running
  beforeAll(async () => {
    server = await startServer(mlRoot({ 'model.onnx': mlp }), { MODEL_SERVER_WORKERS: '1' })
  })
  afterAll(async () => {
    await server.stop()
  })

  test('the startup log says batching is on', () => {
    expect(server.log()).toMatch(/dynamic batching on: up to 64 records per run/)
  })

  test('concurrent 1-row requests get the same answers as sequential ones, each its own', async () => {
    const n = 48
    const sequential: string[] = []
    for (let i = 0; i < n; i++) sequential.push(await (await invoke(server, `${record(i)}\n`, 'text/csv')).text())
    const concurrent = await Promise.all(
      Array.from({ length: n }, (_, i) => invoke(server, `${record(i)}\n`, 'text/csv').then((r) => r.text())),
    )
    expect(concurrent).toEqual(sequential)
    expect(new Set(sequential).size).toBeGreaterThan(1)
  })

  test('multi-row requests in a burst keep their rows in order', async () => {
    const bodies = Array.from({ length: 16 }, (_, k) =>
      Array.from({ length: 1 + (k % 4) }, (_, i) => record(k * 10 + i)),
    )
    const alone: string[] = []
    for (const b of bodies) alone.push(await (await invoke(server, b.join('\n'), 'text/csv')).text())
    const burst = await Promise.all(bodies.map((b) => invoke(server, b.join('\n'), 'text/csv').then((r) => r.text())))
    expect(burst).toEqual(alone)
    burst.forEach((text, k) => {
      expect(text.split('\n').length - 1).toBe(bodies[k].length)
    })
  })

  test('a bad request in a concurrent burst gets its 400; the others get 200', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) =>
      i === 7 ? '1,2,3\n' : i === 13 ? '1,x,3,4\n' : `${record(i)}\n`,
    )
    const statuses = await Promise.all(bodies.map((b) => invoke(server, b).then((r) => r.status)))
    expect(statuses).toEqual(bodies.map((_, i) => (i === 7 || i === 13 ? 400 : 200)))
  })
})

test('a model without a batch axis still works, with batching off in the log', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': fixedBatchModel() }), { BYOC_MAX_BATCH_SIZE: '32' })
  try {
    expect(s.log()).toMatch(/dynamic batching off: the model has an input without a batch axis/)
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => invoke(s, `${i},1,1,1\n${i},2,2,2\n`, 'text/csv').then((r) => r.text())),
    )
    answers.forEach((text, i) => {
      expect(text).toBe(`${i + 3}\n${i + 6}\n`)
    })
  } finally {
    await s.stop()
  }
})

test('BYOC_MAX_BATCH_SIZE=0 turns batching off and says so', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': mlp }), { BYOC_MAX_BATCH_SIZE: '0', MODEL_SERVER_WORKERS: '1' })
  try {
    expect(s.log()).toContain('dynamic batching off: max batch size is 0')
    expect((await invoke(s, `${record(1)}\n`)).status).toBe(200)
  } finally {
    await s.stop()
  }
})

test('past BYOC_MAX_QUEUE_SIZE requests are answered 503 at once and the rest are served', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': slowModel({ features: 4, work: 20 }) }), {
    BYOC_MAX_QUEUE_SIZE: '2',
    MODEL_SERVER_WORKERS: '1',
  })
  try {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        invoke(s, `${i},1,1,1\n`).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { error: string },
        })),
      ),
    )
    const rejected = answers.filter((a) => a.status === 503)
    const served = answers.filter((a) => a.status === 200)
    expect(rejected.length).toBeGreaterThanOrEqual(1)
    expect(served.length).toBeGreaterThanOrEqual(2)
    expect(rejected.length + served.length).toBe(10)
    for (const r of rejected) expect(r.body.error).toContain('overloaded')
    expect((await invoke(s, '1,1,1,1\n')).status).toBe(200)
  } finally {
    await s.stop()
  }
})
