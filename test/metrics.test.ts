/**
 * Observability over real HTTP with the compiled binary: GET /metrics checked by Prometheus's own
 * promtool and scraped by a real Prometheus server, the JSON log format, and Server-Timing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'bun'
import { identityClassifier, slowModel } from './fixtures/models'
import { handlerRoot } from './helpers/handler-root'
import { promtoolCheck, requireTool, samples, startPrometheus } from './helpers/prometheus'
import { BINARY, mlRoot, type Running, startServer, waitForLog } from './helpers/server'

const classifier = identityClassifier(4, 3)

const csv = (server: Running, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/invocations`, { method: 'POST', body, headers: { 'content-type': 'text/csv', ...headers } })

describe('GET /metrics', () => {
  let server: Running
  beforeAll(async () => {
    server = await startServer(mlRoot({ 'model.onnx': classifier }))
  })
  afterAll(() => server.stop())

  test('after known requests the counters and histograms moved by exactly those, and promtool accepts it', async () => {
    for (let i = 0; i < 5; i++) expect((await csv(server, '0,0,1,0\n1,0,0,0\n0,1,0,0\n')).status).toBe(200)
    expect((await csv(server, '0,x,1,0\n')).status).toBe(400) // decode
    expect((await csv(server, '0,x,1,0\n')).status).toBe(400) // decode
    expect((await csv(server, '0,1\n')).status).toBe(400) // validation: 2 values, the model takes 4
    expect((await csv(server, '{}', { 'content-type': 'application/x-nope' })).status).toBe(415) // validation
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    const res = await fetch(`${server.url}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await res.text()

    const check = promtoolCheck(text)
    expect(check).toEqual({ code: 0, output: '' })

    const m = samples(text)
    expect(m.get('byoc_requests_total{route="/invocations",code="200"}')).toBe(5)
    expect(m.get('byoc_requests_total{route="/invocations",code="400"}')).toBe(3)
    expect(m.get('byoc_requests_total{route="/invocations",code="415"}')).toBe(1)
    expect(m.get('byoc_requests_total{route="other",code="404"}')).toBe(1)
    // startServer polled /ping until 200: at least one.
    expect(m.get('byoc_requests_total{route="/ping",code="200"}')).toBeGreaterThanOrEqual(1)
    expect(m.get('byoc_request_duration_seconds_count{route="/invocations"}')).toBe(9)
    expect(m.get('byoc_request_errors_total{kind="decode"}')).toBe(2)
    expect(m.get('byoc_request_errors_total{kind="validation"}')).toBe(2)
    expect(m.get('byoc_request_errors_total{kind="timeout"}')).toBe(0)
    // The split is recorded for each successful invocation; the run sizes add up to the records sent.
    for (const stage of ['queue', 'decode', 'run', 'encode']) {
      expect(m.get(`byoc_${stage}_duration_seconds_count`)).toBe(5)
      expect(m.get(`byoc_${stage}_duration_seconds_sum`)).toBeGreaterThan(0)
    }
    expect(m.get('byoc_model_run_rows_sum')).toBe(15)
    expect(m.get('byoc_model_run_rows_bucket{le="+Inf"}')).toBe(m.get('byoc_model_run_rows_count'))
    expect(m.get('byoc_model_run_rows_bucket{le="2"}')).toBe(0)
    expect(m.get('byoc_model_run_rows_bucket{le="4"}')).toBe(5)
    expect(m.get('byoc_request_body_bytes_total{route="/invocations"}')).toBeGreaterThan(5 * 24)
    expect(m.get('byoc_requests_in_flight')).toBe(0)
    expect(m.get('byoc_requests_queued')).toBe(0)
    expect(m.get('byoc_workers_ready')).toBeGreaterThanOrEqual(1)
    expect(m.get('byoc_worker_restarts_total{reason="crash"}')).toBe(0)
    expect(m.get('byoc_model_load_seconds')).toBeGreaterThan(0)
    expect(m.get('byoc_model_load_seconds')).toBeLessThan(20)
    expect([...m.keys()].find((k) => k.startsWith('byoc_build_info'))).toMatch(
      /^byoc_build_info\{version="\d+\.\d+\.\d+",onnxruntime="\d+\.\d+\.\d+",provider="cpu",cuda_major="",driver=""\}$/,
    )
    // process_*: the real process, read from the kernel.
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(20 * 2 ** 20)
    expect(m.get('process_cpu_seconds_total')).toBeGreaterThan(0)
    expect(Math.abs(m.get('process_start_time_seconds')! - Date.now() / 1000)).toBeLessThan(60)
    expect(m.get('process_open_fds')).toBeGreaterThan(3)
    expect(m.get('process_max_fds')).toBeGreaterThanOrEqual(m.get('process_open_fds')!)
  })

  test('a second scrape counts the first: /metrics itself is a route', async () => {
    const before = samples(await (await fetch(`${server.url}/metrics`)).text())
    const after = samples(await (await fetch(`${server.url}/metrics`)).text())
    const key = 'byoc_requests_total{route="/metrics",code="200"}'
    expect(after.get(key)).toBe((before.get(key) ?? 0) + 1)
  })

  test('Server-Timing is off by default', async () => {
    expect((await csv(server, '0,0,1,0\n')).headers.get('server-timing')).toBeNull()
  })
})

describe('handler requests report the same decode / run / encode split', () => {
  /** Busy for `ms` on the Worker's thread: a stage whose share the split must show. */
  const SPIN = 'const spin = (ms) => { const t = performance.now(); while (performance.now() - t < ms) {} }\n'
  const N = 4
  const split = async (handler: string) => {
    const s = await startServer(handlerRoot(classifier, { 'code/handler.js': SPIN + handler }))
    try {
      for (let i = 0; i < N; i++)
        expect((await csv(s, '0,0,1,0\n1,0,0,0\n0,1,0,0\n', { accept: 'application/json' })).status).toBe(200)
      const m = samples(await (await fetch(`${s.url}/metrics`)).text())
      for (const stage of ['queue', 'decode', 'run', 'encode'])
        expect(m.get(`byoc_${stage}_duration_seconds_count`)).toBe(N)
      const sum = (stage: string) => m.get(`byoc_${stage}_duration_seconds_sum`)!
      return { decode: sum('decode'), run: sum('run'), encode: sum('encode'), rows: m.get('byoc_model_run_rows_sum') }
    } finally {
      await s.stop()
    }
  }

  test('decode and preprocess are decode, the run is run, postprocess and encode are encode', async () => {
    const t = await split(`export function decode() { spin(20) }
export function preprocess(records) { spin(10); return { input: { data: records.tensors.values, dims: records.tensors.shape } } }
export function postprocess(outputs) { spin(25); return Array.from(outputs.label.data, Number) }
export function encode(answer) { spin(5); return JSON.stringify(answer) }
`)
    expect(t.decode).toBeGreaterThanOrEqual(N * 0.03)
    expect(t.encode).toBeGreaterThanOrEqual(N * 0.03)
    // The hooks' own time is not the run's: a 3-row run of this model takes microseconds.
    expect(t.run).toBeGreaterThan(0)
    expect(t.run).toBeLessThan(N * 0.01)
    expect(t.rows).toBe(N * 3)
  })

  test('invoke(): its own time is decode, every ctx.run it awaits is run', async () => {
    const t = await split(`export async function invoke(request, ctx) {
  const { tensors } = ctx.codecs.decode(request.body, request.contentType)
  const feeds = { input: { data: tensors.values, dims: tensors.shape } }
  spin(15)
  const first = await ctx.run(feeds)
  spin(15)
  await ctx.run(feeds)
  return Array.from(first.label.data, Number)
}
`)
    expect(t.decode).toBeGreaterThanOrEqual(N * 0.03)
    expect(t.run).toBeGreaterThan(0)
    expect(t.run).toBeLessThan(N * 0.01)
    expect(t.encode).toBeLessThan(N * 0.01)
    expect(t.rows).toBeGreaterThanOrEqual(N * 3)
  })
})

test('timeouts, a full queue and the Worker restart are counted by kind and reason', async () => {
  // One Worker, a queue of one, runs far longer than the 1 s timeout (2 s on a fast machine, where 1,000
  // MatMuls took 0.8 s and the first request was answered in time): the first request times out (its Worker is replaced); two sent while it is in flight find
  // the queue full.
  const s = await startServer(mlRoot({ 'model.onnx': slowModel({ features: 4, work: 2500 }) }), {
    SAGEMAKER_MODEL_SERVER_TIMEOUT: '1',
    MODEL_SERVER_WORKERS: '1',
    BYOC_MAX_QUEUE_SIZE: '1',
  })
  const scrape = async () => samples(await (await fetch(`${s.url}/metrics`)).text())
  try {
    const first = csv(s, '1,2,3,4\n').then((r) => r.status)
    const until = performance.now() + 900
    while ((await scrape()).get('byoc_requests_queued') !== 1 && performance.now() < until) await Bun.sleep(5)
    const refused = await Promise.all([0, 1].map(() => csv(s, '1,2,3,4\n').then((r) => r.status)))
    expect(refused).toEqual([503, 503])
    expect(await first).toBe(504)
    const m = await scrape()
    expect(m.get('byoc_request_errors_total{kind="timeout"}')).toBe(1)
    expect(m.get('byoc_request_errors_total{kind="overload"}')).toBe(2)
    expect(m.get('byoc_worker_restarts_total{reason="timeout"}')).toBe(1)
    expect(m.get('byoc_requests_total{route="/invocations",code="503"}')).toBe(2)
    expect(m.get('byoc_requests_total{route="/invocations",code="504"}')).toBe(1)
  } finally {
    await s.stop()
  }
}, 60_000)

test('BYOC_METRICS=false: no /metrics route, and the start-up line says so', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': classifier }), { BYOC_METRICS: 'false' })
  try {
    const res = await fetch(`${s.url}/metrics`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: string }).error).not.toContain('/metrics,')
    expect((await csv(s, '0,0,1,0\n')).status).toBe(200)
    expect(s.log()).toContain('metrics off')
  } finally {
    await s.stop()
  }
})

test('BYOC_SERVER_TIMING=true: each answer carries its split in Server-Timing', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': classifier }), { BYOC_SERVER_TIMING: 'true' })
  try {
    const res = await csv(s, '0,0,1,0\n')
    const header = res.headers.get('server-timing') ?? ''
    const entries = Object.fromEntries(
      header.split(', ').map((e) => {
        const [name, dur] = e.split(';dur=')
        return [name, Number(dur)]
      }),
    )
    expect(Object.keys(entries)).toEqual(['queue', 'decode', 'run', 'encode', 'total'])
    for (const v of Object.values(entries)) expect(v).toBeGreaterThanOrEqual(0)
    const parts = entries.queue + entries.decode + entries.run + entries.encode
    expect(parts).toBeLessThanOrEqual(entries.total)
    expect(entries.total).toBeGreaterThan(0)
    // An error has no split, only its total.
    expect((await csv(s, 'x\n')).headers.get('server-timing')).toMatch(/^total;dur=\d+\.\d{3}$/)
  } finally {
    await s.stop()
  }
})

test('BYOC_LOG_FORMAT=json: every line is one JSON object; access and start-up lines carry their fields', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': classifier }), { BYOC_LOG_FORMAT: 'json' })
  try {
    await csv(s, '0,0,1,0\n', { 'x-amzn-sagemaker-inference-id': 'inv-42' })
    await csv(s, '0,x\n')
    await waitForLog(s, /"status":400/)
  } finally {
    await s.stop()
  }
  const lines = s.log().trimEnd().split('\n')
  const records = lines.map((l) => JSON.parse(l) as Record<string, any>)
  for (const r of records) {
    expect(typeof r.time).toBe('string')
    expect(['debug', 'info', 'warn', 'error']).toContain(r.level)
    expect(typeof r.msg).toBe('string')
  }
  const access = records.find((r) => r.event === 'access' && r.inference_id === 'inv-42')!
  expect(access).toMatchObject({ method: 'POST', path: '/invocations', status: 200, bytes_in: 8 })
  expect(access.bytes_out).toBeGreaterThan(0)
  for (const k of ['duration_ms', 'queue_ms', 'decode_ms', 'run_ms', 'encode_ms'])
    expect(typeof access[k]).toBe('number')
  const failed = records.find((r) => r.event === 'access' && r.status === 400)!
  expect(failed.decode_ms).toBeNull()
  expect(records.find((r) => r.event === 'model')?.model).toMatch(/model\.onnx$/)
  expect(records.find((r) => r.event === 'input')).toMatchObject({ name: 'input', type: 'float32', shape: ['N', 4] })
  expect(records.filter((r) => r.event === 'output').map((r) => r.name)).toEqual(['label', 'probabilities'])
  expect(records.find((r) => r.event === 'provider')).toMatchObject({ provider: 'cpu', workers: expect.any(Number) })
  expect(records.find((r) => r.event === 'provider')?.threads).toBeGreaterThanOrEqual(1)
  expect(records.some((r) => r.event === 'ready')).toBe(true)
  expect(records.some((r) => r.event === 'stopped')).toBe(true)
})

test('the default text log is unchanged: one "time LEVEL message" line per event', async () => {
  const s = await startServer(mlRoot({ 'model.onnx': classifier }))
  try {
    await csv(s, '0,0,1,0\n', { 'x-amzn-sagemaker-inference-id': 'inv-7' })
    const log = await waitForLog(s, /inference-id=inv-7/)
    expect(log).toMatch(/^\S+Z INFO POST \/invocations 200 \d+\.\d\dms in=8 out=\d+ inference-id=inv-7$/m)
    expect(log).not.toContain('{"time"')
  } finally {
    await s.stop()
  }
})

test('a real Prometheus server scrapes the binary and sees the counter move by the requests sent', async () => {
  requireTool('prometheus')
  const s = await startServer(mlRoot({ 'model.onnx': classifier }))
  const prom = await startPrometheus(`127.0.0.1:${s.port}`)
  try {
    const query = 'byoc_requests_total{job="byoc",route="/invocations",code="200"}'
    for (let i = 0; i < 7; i++) expect((await csv(s, '0,0,1,0\n')).status).toBe(200)
    // Scrapes run every second: wait (bounded) for one taken after the seventh request.
    let value: string | null = null
    const until = performance.now() + 30_000
    while (performance.now() < until) {
      const result = await prom.query(query)
      value = result[0]?.value[1] ?? null
      if (value === '7') break
      await Bun.sleep(250)
    }
    expect(value).toBe('7')
    const up = await prom.query('up{job="byoc"}')
    expect(up[0]?.value[1]).toBe('1')
    const batch = await prom.query('byoc_model_run_rows_sum{job="byoc"} / byoc_model_run_rows_count{job="byoc"}')
    expect(Number(batch[0]?.value[1])).toBe(1)
    console.log(`prometheus: ${query} = ${value}; up = 1; mean rows per run = ${batch[0]?.value[1]}`)
  } finally {
    await prom.stop()
    await s.stop()
  }
}, 60_000)

test('byoc train with BYOC_LOG_FORMAT=json: every line JSON, the metric lines SageMaker greps inside msg', async () => {
  const root = mkdtempSync(join(tmpdir(), 'byoc-train-json-'))
  mkdirSync(join(root, 'input', 'config'), { recursive: true })
  mkdirSync(join(root, 'input', 'data', 'training'), { recursive: true })
  writeFileSync(join(root, 'input', 'config', 'hyperparameters.json'), JSON.stringify({ algorithm: 'decision_tree' }))
  writeFileSync(
    join(root, 'input', 'data', 'training', 'iris.csv'),
    readFileSync(join(import.meta.dir, '../local_test/test_dir/input/data/training/iris.csv')),
  )
  const proc = spawnSync([BINARY, 'train'], {
    env: { PATH: process.env.PATH ?? '', BYOC_ML_ROOT: root, BYOC_LOG_FORMAT: 'json' },
    cwd: '/',
  })
  expect(proc.exitCode).toBe(0)
  const lines = `${proc.stdout.toString()}${proc.stderr.toString()}`.trimEnd().split('\n')
  const records = lines.map((l) => JSON.parse(l) as { level: string; msg: string })
  expect(records.length).toBeGreaterThan(3)
  expect(records.some((r) => /^train:accuracy=[0-9.]+; train:error=/.test(r.msg))).toBe(true)
})
