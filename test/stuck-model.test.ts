/**
 * A stuck model must not take the server with it: requests past SAGEMAKER_MODEL_SERVER_TIMEOUT get 504,
 * are never run again by the Worker that replaces the stuck one, and ordinary requests right after them
 * are answered at once.
 */
import { expect, test } from 'bun:test'
import { mlpModel } from './fixtures/models'
import { mlRoot, startServer } from './helpers/server'

// Cost grows with the rows: a few thousand rows take seconds, one row well under a millisecond.
const model = mlpModel({ layers: [4, 2048, 2048, 3] })
const rows = (n: number) => `${Array.from({ length: n }, (_, i) => `${i % 5},1,2,3`).join('\n')}\n`

test('after four requests time out, the next ordinary request is answered at once', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': model }), { SAGEMAKER_MODEL_SERVER_TIMEOUT: '1' })
  try {
    const post = (body: string) =>
      fetch(`${s.url}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv' } })
    const slowBody = rows(20_000)
    const t0 = performance.now()
    const slow = await Promise.all(Array.from({ length: 4 }, () => post(slowBody).then((r) => r.status)))
    expect(slow).toEqual([504, 504, 504, 504])
    expect(performance.now() - t0).toBeLessThan(2500)
    const ordinary: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      const r = await post('1,2,3,4\n')
      expect(r.status).toBe(200)
      ordinary.push(performance.now() - t)
    }
    // A replacement Worker loads in well under a second, and nothing it was handed may be a timed-out request
    // (each of those would hold it for seconds); the abandoned runs still finishing share the cores.
    expect(ordinary[0]).toBeLessThan(1500)
    expect(Math.max(...ordinary.slice(1))).toBeLessThan(500)
    expect(s.proc.exitCode).toBeNull()
  } finally {
    await s.stop()
  }
}, 30_000)
