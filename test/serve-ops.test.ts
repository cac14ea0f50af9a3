/**
 * Operating the server: start-up from archives, broken models, load, timeouts, limits and shutdown,
 * always through the compiled binary.
 */
import { describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { GraphBuilder } from '../src/onnx/builder'
import { brokenModelBytes, identityClassifier, linearClassifierModel, slowModel } from './fixtures/models'
import { BINARY, mlRoot, startServer, waitForLog, waitForPing } from './helpers/server'
import { tarGz } from './helpers/tar'

const classifier = linearClassifierModel({ features: 4, classes: 3 })
const csv = (rows: number, cols: number) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i + j) % 7).join(',')).join('\n') +
  '\n'

describe('command line', () => {
  test('--version and --help exit 0; an unknown or missing verb prints usage to stderr and exits 2', async () => {
    const run = (...args: string[]) => Bun.spawnSync([BINARY, ...args], { cwd: '/' })
    const version = run('--version')
    expect(version.exitCode).toBe(0)
    expect(version.stdout.toString()).toMatch(/^byoc \d+\.\d+\.\d+/)
    expect(run('--help').stdout.toString()).toContain('usage: byoc')
    for (const args of [['bogus'], []]) {
      const r = run(...args)
      expect(r.exitCode).toBe(2)
      expect(r.stderr.toString()).toContain('usage: byoc')
    }
  })
})

describe('model loading', () => {
  test('starts from a directory holding node_modules (protobufjs must not load packages from the cwd)', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), {}, { cwd: join(import.meta.dir, '..') })
    try {
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv' },
      })
      expect(res.status).toBe(200)
    } finally {
      await s.stop()
    }
  })
  test('a broken model is never reported healthy: /ping and /invocations answer 503 and the log says why', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': brokenModelBytes() }), {}, { waitReady: false })
    try {
      await Bun.sleep(1500)
      for (let i = 0; i < 5; i++) expect((await fetch(`${s.url}/ping`)).status).toBe(503)
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv' },
      })
      expect(res.status).toBe(503)
      expect(s.log()).toContain('model failed to load')
    } finally {
      await s.stop()
    }
  })
  test('an empty model dir is 503 with a log line that says what is missing', async () => {
    const s = await startServer(mlRoot(), {}, { waitReady: false })
    try {
      await Bun.sleep(800)
      expect((await fetch(`${s.url}/ping`)).status).toBe(503)
      expect(s.log()).toMatch(/model failed to load: .*(empty|no)/i)
    } finally {
      await s.stop()
    }
  })
  test('BYOC_DEVICE=cuda without CUDA fails the load clearly instead of running on CPU', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), { BYOC_DEVICE: 'cuda' }, { waitReady: false })
    try {
      await Bun.sleep(1000)
      expect((await fetch(`${s.url}/ping`)).status).toBe(503)
      expect(s.log()).toContain('cuda session failed')
    } finally {
      await s.stop()
    }
  })
  test('model.tar.gz is extracted and served', async () => {
    const root = mlRoot({ 'model.tar.gz': tarGz([{ name: 'model.onnx', data: classifier }]) })
    const s = await startServer(root)
    try {
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv' },
      })
      expect(res.status).toBe(200)
    } finally {
      await s.stop()
    }
  })
  test('a model.tar.gz holding ../x writes nothing outside the model dir and is never healthy', async () => {
    const root = mlRoot({
      'model.tar.gz': tarGz([
        { name: 'model.onnx', data: classifier },
        { name: '../x', data: 'escaped' },
      ]),
    })
    const s = await startServer(root, {}, { waitReady: false })
    try {
      await Bun.sleep(1000)
      expect((await fetch(`${s.url}/ping`)).status).toBe(503)
      expect(existsSync(join(root, 'x'))).toBe(false)
      expect(s.log()).toContain('../x')
    } finally {
      await s.stop()
    }
  })
  test('a symlink out of the model dir is refused', async () => {
    const root = mlRoot({
      'model.tar.gz': tarGz([
        { name: 'evil', type: '2', link: '/etc' },
        { name: 'evil/passwd', data: 'x' },
        { name: 'model.onnx', data: classifier },
      ]),
    })
    const s = await startServer(root, {}, { waitReady: false })
    try {
      // The refusal itself, not just a server that has not loaded yet: the log names the link.
      const log = await waitForLog(s, /model failed to load: .*evil/, 10_000)
      expect(log).toMatch(/model failed to load: .*"evil".*outside the model directory/)
      expect((await fetch(`${s.url}/ping`)).status).toBe(503)
      expect(existsSync(join(root, 'model', 'evil'))).toBe(false)
    } finally {
      await s.stop()
    }
  })
  test('byoc.json chooses outputs and names classes; custom attributes are echoed when asked', async () => {
    const config = {
      outputs: ['label'],
      classLabels: ['setosa', 'versicolor', 'virginica'],
      echoCustomAttributes: true,
    }
    const s = await startServer(
      mlRoot({
        'model.onnx': identityClassifier(4, 3),
        'byoc.json': JSON.stringify(config),
      }),
    )
    try {
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '0,0,1,0\n1,0,0,0\n',
        headers: { 'content-type': 'text/csv', accept: 'text/csv', 'X-Amzn-SageMaker-Custom-Attributes': 'trace=7' },
      })
      expect(await res.text()).toBe('virginica\nsetosa\n')
      expect(res.headers.get('x-amzn-sagemaker-custom-attributes')).toBe('trace=7')
    } finally {
      await s.stop()
    }
  })
  test('a model that fails at run time is a 500 naming the failure, and the server stays up', async () => {
    // Reshape to [-1, 3] fails whenever a batch's value count is not a multiple of 3.
    const model = new GraphBuilder('reshape')
      .input('input', 'float32', ['N', 4])
      .initializer('shape', { dtype: 'int64', dims: [2], values: [-1, 3] })
      .node('Reshape', ['input', 'shape'], ['y'])
      .output('y', 'float32', ['M', 3])
      .toBytes()
    const s = await startServer(mlRoot({ 'model.onnx': model }))
    try {
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
      })
      expect(res.status).toBe(500)
      const error = ((await res.json()) as any).error as string
      expect(error).toStartWith('model failed:')
      expect(error).not.toContain('    at ')
      expect((await fetch(`${s.url}/ping`)).status).toBe(200)
    } finally {
      await s.stop()
    }
  })
})

describe('limits', () => {
  test('a body over SAGEMAKER_MAX_PAYLOAD_IN_MB is 413, and /execution-parameters reports the limit', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), {
      SAGEMAKER_MAX_PAYLOAD_IN_MB: '1',
      SAGEMAKER_BATCH: 'true',
    })
    try {
      const big = csv(140000, 4) // 8 bytes a row: 1.12 MB
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: big,
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
      })
      expect(res.status).toBe(413)
      expect(((await res.json()) as any).error).toContain('1048576')
      expect(((await (await fetch(`${s.url}/execution-parameters`)).json()) as any).MaxPayloadInMB).toBe(1)
      // Far over the limit (Bun's own limit used to answer an empty 413 here), and chunked with no length.
      const huge = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: csv(400000, 4),
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
      })
      expect(huge.status).toBe(413)
      expect(((await huge.json()) as any).error).toContain('the limit is 1048576 bytes')
      const chunk = new TextEncoder().encode(csv(20000, 4))
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 10) controller.enqueue(chunk)
          else controller.close()
        },
      })
      const chunked = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: stream,
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
      })
      expect(chunked.status).toBe(413)
      expect(((await chunked.json()) as any).error).toContain('the limit is 1048576 bytes')
      const ok = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: csv(1000, 4),
        headers: { 'content-type': 'text/csv' },
      })
      expect(ok.status).toBe(200)
    } finally {
      await s.stop()
    }
  })
  test('past SAGEMAKER_MODEL_SERVER_TIMEOUT the answer is 504; the stuck run finishes without taking the process down', async () => {
    // A run many times longer than the 0.05 s timeout, with room for faster machines (an eighth as many
    // MatMuls finished within it on one): the Worker is retired mid-run and must not abort the process
    // when that run completes (terminate() mid-run did: exit 134).
    const s = await startServer(mlRoot({ 'model.onnx': slowModel({ features: 4, work: 500 }) }), {
      SAGEMAKER_MODEL_SERVER_TIMEOUT: '0.05',
      MODEL_SERVER_WORKERS: '1',
    })
    try {
      const slow = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv', accept: 'application/json' },
      })
      expect(slow.status).toBe(504)
      expect(((await slow.json()) as any).error).toContain('0.05 s')
      expect(s.log()).toContain('replacing model worker 0')
      await waitForPing(s, 200)
      // Let the abandoned run (and the replacement's warm-up) complete, then check the server is alive.
      await Bun.sleep(1500)
      expect(s.proc.exitCode).toBeNull()
      expect((await fetch(`${s.url}/ping`)).status).toBe(200)
      const again = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv' },
      })
      expect(again.status).toBe(504)
      await Bun.sleep(1500)
      expect(s.proc.exitCode).toBeNull()
      expect(s.log()).not.toContain('panic')
    } finally {
      await s.stop()
    }
  }, 15_000)
  test("a timeout longer than Bun's idle limit keeps requests alive; one beyond an hour is refused at start", async () => {
    const refused = Bun.spawnSync([BINARY, 'serve'], {
      env: { PATH: '/usr/bin:/bin', BYOC_ML_ROOT: mlRoot(), MODEL_SERVER_TIMEOUT: '100000' },
      cwd: '/',
    })
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr.toString()).toContain('MODEL_SERVER_TIMEOUT="100000"')
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), { MODEL_SERVER_TIMEOUT: '600' })
    try {
      expect(
        (
          await fetch(`${s.url}/invocations`, {
            method: 'POST',
            body: '1,2,3,4\n',
            headers: { 'content-type': 'text/csv' },
          })
        ).status,
      ).toBe(200)
    } finally {
      await s.stop()
    }
  })
  test('SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT is parsed like a header; an unusable one stops the start', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), {
      SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'Application/JSON; charset=utf-8',
    })
    try {
      const res = await fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: '1,2,3,4\n',
        headers: { 'content-type': 'text/csv' },
      })
      expect(res.headers.get('content-type')).toStartWith('application/json')
    } finally {
      await s.stop()
    }
    const refused = Bun.spawnSync([BINARY, 'serve'], {
      env: { PATH: '/usr/bin:/bin', BYOC_ML_ROOT: mlRoot(), SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/plain' },
      cwd: '/',
    })
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr.toString()).toContain('text/plain')
  })
})

describe('under load and at shutdown', () => {
  test('/ping answers within 100 ms while 32 large requests run at once', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': slowModel({ features: 20, work: 8 }) }))
    try {
      const body = csv(1000, 20)
      const load = Array.from({ length: 32 }, () =>
        fetch(`${s.url}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv' } }).then(
          (r) => r.status,
        ),
      )
      await Bun.sleep(50)
      const pings: number[] = []
      let done = false
      void Promise.all(load).then(() => (done = true))
      while (!done) {
        const t0 = performance.now()
        expect((await fetch(`${s.url}/ping`)).status).toBe(200)
        pings.push(performance.now() - t0)
        await Bun.sleep(10)
      }
      expect(await Promise.all(load)).toEqual(Array(32).fill(200))
      expect(pings.length).toBeGreaterThan(5)
      expect(Math.max(...pings)).toBeLessThan(100)
    } finally {
      await s.stop()
    }
  })
  test('SIGTERM while a request is still uploading: it is answered, then exit 0', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }))
    const encoder = new TextEncoder()
    let sendRest!: () => void
    const rest = new Promise<void>((r) => (sendRest = r))
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('1,2,3,4\n'))
        await rest
        controller.enqueue(encoder.encode('0,0,1,0\n'))
        controller.close()
      },
    })
    const pending = fetch(`${s.url}/invocations`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/csv', accept: 'text/csv' },
    })
    await Bun.sleep(100)
    s.proc.kill('SIGTERM')
    await Bun.sleep(300)
    sendRest()
    const res = await pending
    expect(res.status).toBe(200)
    expect((await res.text()).split('\n')).toHaveLength(3)
    expect(await s.proc.exited).toBe(0)
  })
  test('SIGTERM with requests in flight: every request is answered, then exit 0', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': slowModel({ features: 4, work: 10 }) }))
    const inflight = Array.from({ length: 8 }, (_, i) =>
      fetch(`${s.url}/invocations`, {
        method: 'POST',
        body: `${i},1,1,1\n`,
        headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      }).then(async (r) => [r.status, await r.text()] as const),
    )
    await Bun.sleep(30)
    s.proc.kill('SIGTERM')
    const answers = await Promise.all(inflight)
    answers.forEach(([status, text], i) => {
      expect(status).toBe(200)
      expect(text).toBe(`${i + 3}\n`)
    })
    expect(await s.proc.exited).toBe(0)
    expect(s.log()).toContain('SIGTERM received')
  })
})
