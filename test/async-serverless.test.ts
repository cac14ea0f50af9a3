/**
 * Settings for asynchronous and serverless endpoints (docs/container.md, "Async and serverless"):
 * async inference sends bodies up to 1 GB from S3 and allows 3,600 s; serverless caps payloads at 4 MB
 * and AWS advises one worker. Through the compiled binary, over real HTTP.
 */
import { describe, expect, test } from 'bun:test'
import { linearClassifierModel } from './fixtures/models'
import { npyBytes } from './helpers/npy'
import { BINARY, mlRoot, startServer } from './helpers/server'

const MiB = 1024 * 1024
const features = 1024

describe('async inference', () => {
  test('a 200 MB body with SAGEMAKER_MAX_PAYLOAD_IN_MB=1024 and a 3600 s timeout is answered in full', async () => {
    const rows = Math.ceil((200 * MiB) / (features * 4))
    const values = new Float32Array(rows * features)
    for (let i = 0; i < values.length; i++) values[i] = (i % 13) / 13
    const body = npyBytes('<f4', [rows, features], values.buffer)
    expect(body.byteLength).toBeGreaterThan(200 * MiB)
    const s = await startServer(mlRoot({ 'model.onnx': linearClassifierModel({ features, classes: 3 }) }), {
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '1024',
      SAGEMAKER_MODEL_SERVER_TIMEOUT: '3600',
    })
    try {
      const t0 = performance.now()
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-npy', accept: 'text/csv' },
      })
      const answer = await res.text()
      const ms = performance.now() - t0
      expect(res.status).toBe(200)
      expect(answer.split('\n').length - 1).toBe(rows)
      console.log(
        `200 MB body: ${body.byteLength} bytes, ${rows} rows x ${features} features, answered in ${ms.toFixed(0)} ms`,
      )
      // The batch transform answer stays within what SageMaker accepts for a transform job; the body
      // limit for async endpoints is separate.
      const params = (await (await fetch(`${s.url}/execution-parameters`)).json()) as { MaxPayloadInMB: number }
      expect(params.MaxPayloadInMB).toBe(100)
    } finally {
      await s.stop()
    }
    // Correctness, not speed: a loaded machine takes longer than bun's 5 s default to move 200 MB.
  }, 60_000)

  test('the body limit still holds: 1 MiB over SAGEMAKER_MAX_PAYLOAD_IN_MB=200 is our 413', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': linearClassifierModel({ features: 4, classes: 3 }) }), {
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '200',
    })
    try {
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: new Uint8Array(201 * MiB),
        headers: { 'content-type': 'text/csv' },
      })
      expect(res.status).toBe(413)
      expect(await res.text()).toContain(`the limit is ${200 * MiB} bytes`)
    } finally {
      await s.stop()
    }
  })

  test("a timeout over 3600 s (async inference's maximum) stops the start with a message", () => {
    const p = Bun.spawnSync([BINARY, 'serve'], {
      env: { BYOC_ML_ROOT: mlRoot(), SAGEMAKER_MODEL_SERVER_TIMEOUT: '3601', PATH: '' },
    })
    expect(p.exitCode).toBe(1)
    expect(p.stderr.toString()).toContain('SAGEMAKER_MODEL_SERVER_TIMEOUT="3601" must be a number from 0.001 to 3600')
  })
})

describe('serverless inference', () => {
  test('one worker (AWS guidance) serves the 4 MB serverless maximum with the default limit', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': linearClassifierModel({ features: 4, classes: 3 }) }), {
      SAGEMAKER_MODEL_SERVER_WORKERS: '1',
    })
    try {
      expect(s.log()).toMatch(/execution provider cpu; 1 workers x \d+ intra-op threads/)
      const line = '0.25,0.5,0.75,1\n'
      const body = line.repeat(Math.floor((4 * 1000 * 1000) / line.length))
      const res = await fetch(`${s.url}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv' } })
      expect(res.status).toBe(200)
      expect((await res.text()).split('\n').length - 1).toBe(body.length / line.length)
    } finally {
      await s.stop()
    }
  })
})
