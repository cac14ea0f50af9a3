/**
 * Batch transform splits a big CSV request across the model Workers (src/serve/split-batch.ts): the
 * answer is byte for byte the one the same body gets unsplit, and a bad row or a header anywhere gives
 * the answer the whole body gets. Through the compiled binary.
 */
import { describe, expect, test } from 'bun:test'
import { linearClassifierModel } from './fixtures/models'
import { mlRoot, startServer } from './helpers/server'

const classifier = linearClassifierModel({ features: 4, classes: 3 })
const BATCH = { SAGEMAKER_BATCH: 'true', SAGEMAKER_MAX_PAYLOAD_IN_MB: '20', MODEL_SERVER_WORKERS: '2' }
const rows = 400_000 // ~6 MB: over the split threshold, several pieces per Worker
const body = Array.from({ length: rows }, (_, i) => `${i % 7},${(i * 3) % 11}.5,${i % 5},-${i % 3}\n`).join('')

const post = (url: string, text: string) =>
  fetch(`${url}/invocations`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'text/csv', accept: 'text/csv' },
  })

describe('big batch requests split across Workers', () => {
  test('the answer equals the unsplit answer, byte for byte; bad rows and headers answer as unsplit', async () => {
    const root = mlRoot({ 'model.onnx': classifier })
    const whole = await startServer(root, { SAGEMAKER_MAX_PAYLOAD_IN_MB: '20' })
    const split = await startServer(root, BATCH)
    try {
      const expected = await (await post(whole.url, body)).text()
      const got = await post(split.url, body)
      expect(got.status).toBe(200)
      expect(await got.text()).toBe(expected)
      expect(expected.split('\n').length).toBe(rows + 1)

      const lines = body.split('\n')
      lines[rows - 1000] = '1,2,x,4'
      const bad = lines.join('\n')
      const [a, b] = await Promise.all([post(whole.url, bad), post(split.url, bad)])
      expect(b.status).toBe(400)
      expect(await b.text()).toBe(await a.text())

      const headed = `a,b,c,d\n${body}`
      const [h1, h2] = await Promise.all([post(whole.url, headed), post(split.url, headed)])
      expect(h2.status).toBe(200)
      expect(await h2.text()).toBe(await h1.text())
    } finally {
      await whole.stop()
      await split.stop()
    }
  }, 60_000)
})
