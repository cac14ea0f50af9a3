/**
 * `bun bench/mme-layouts.ts`: how models map to Workers, measured without HTTP (docs/multi-model.md).
 * Two layouts for M models of the 20→256→256→2 MLP: "shared" (a session for every model in each of
 * two Workers, requests to the less busy one) and "own" (a Worker per model, byoc's choice). For each:
 * resident memory per model, requests/s with 64 requests in flight spread over all models (1-row CSV
 * through decode → run → encode), and how long loading one more model blocks the Worker doing it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchModels, csvBody } from './models'

const [, mlp] = benchModels()
const dir = mkdtempSync(join(tmpdir(), 'byoc-layouts-'))
const path = join(dir, 'model.onnx')
writeFileSync(path, mlp.bytes)
const body = new TextEncoder().encode(csvBody(1, mlp.features))
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024

if (process.argv[2] === 'child') {
  const [layout, modelsText] = process.argv.slice(3)
  const models = Number(modelsText)
  const before = rss()
  const workerCount = layout === 'shared' ? 2 : models
  const workers = Array.from(
    { length: workerCount },
    () => new Worker(new URL('./mme-layouts-worker.ts', import.meta.url).href),
  )
  const inflight = new Array(workerCount).fill(0)
  const waiting = new Map<number, () => void>()
  const loads: Promise<number>[] = workers.map(
    (w, k) =>
      new Promise<number>((resolve) => {
        w.onmessage = (e) => {
          if (e.data.type === 'loaded') return resolve(e.data.ms)
          inflight[k]--
          waiting.get(e.data.id)?.()
          waiting.delete(e.data.id)
        }
        w.postMessage(
          layout === 'shared'
            ? { type: 'load', path, first: 0, count: models }
            : { type: 'load', path, first: k, count: 1 },
        )
      }),
  )
  const loadMs = await Promise.all(loads)
  await Bun.sleep(200)
  const perModel = (rss() - before) / models
  let id = 0
  const send = (model: number) =>
    new Promise<void>((resolve) => {
      const k = layout === 'shared' ? (inflight[0] <= inflight[1] ? 0 : 1) : model
      inflight[k]++
      const n = id++
      waiting.set(n, resolve)
      workers[k].postMessage({ type: 'invoke', id: n, model, body })
    })
  const drive = async (ms: number) => {
    let done = 0
    const until = performance.now() + ms
    let turn = 0
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (performance.now() < until) {
          await send(turn++ % models)
          done++
        }
      }),
    )
    return done / (ms / 1000)
  }
  await drive(1000)
  const rps = await drive(3000)
  // One more model loaded into the first Worker: in "shared" that Worker also serves every other model.
  const extra = await new Promise<number>((resolve) => {
    workers[0].onmessage = (e) => e.data.type === 'loaded' && resolve(e.data.ms)
    workers[0].postMessage({ type: 'load', path, first: models, count: 1 })
  })
  console.log(JSON.stringify({ perModel, rps, loadMs: loadMs.reduce((a, b) => a + b, 0) / models, extra }))
  process.exit(0)
}

console.log('| layout | models | RSS per model | requests/s (64 in flight, spread) | one more load blocks its Worker |')
console.log('|---|---:|---:|---:|---:|')
for (const models of [1, 20, 200])
  for (const layout of ['shared', 'own']) {
    const r = Bun.spawnSync([process.execPath, import.meta.path, 'child', layout, String(models)], {
      env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    })
    if (r.exitCode !== 0) throw new Error(r.stderr.toString())
    const j = JSON.parse(r.stdout.toString().trim().split('\n').pop()!)
    console.log(
      `| ${layout === 'shared' ? 'a session per model in each of 2 Workers' : 'a Worker per model'} | ${models} | ${j.perModel.toFixed(2)} MiB | ${j.rps.toFixed(0)} | ${j.extra.toFixed(0)} ms |`,
    )
  }
