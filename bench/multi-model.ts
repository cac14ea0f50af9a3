/**
 * `bun bench/multi-model.ts` (after `bun run build`): multi-model endpoint figures for docs/multi-model.md
 * and bench/MULTI_MODEL_RESULTS.md. Per kind of model (the bench tree and the 20→256→256→2 MLP):
 * load time, cold (first) and warm invoke latency, resident memory per loaded model; warm requests/s
 * with 1, 20 and 200 models loaded against the single-model server with the same model; the latency of
 * a loaded model's requests while other (large) models load; RSS over load/invoke/unload cycles.
 * Options: --seconds N per load run (default 3), --cycles N rounds of 20 load/invoke/unload (default 10).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { mlpModel } from '../test/fixtures/models'
import { benchModels, csvBody } from './models'
import { modelRoot, type Server, startServer } from './server'
import { ensureWrk, type LoadResult, wrk } from './wrk'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const SECONDS = arg('--seconds', 3)
const CYCLES = arg('--cycles', 10)
const onlyAt = process.argv.indexOf('--only')
/** --only per-model,throughput,beside,cycles runs those sections alone (and writes no results file). */
const only = onlyAt >= 0 ? process.argv[onlyAt + 1].split(',') : null
const run = (section: string) => !only || only.includes(section)
if (!ensureWrk()) throw new Error('bench needs wrk: apt-get install -y wrk')

const [tree, mlp] = benchModels()
const MME = { SAGEMAKER_MULTI_MODEL: 'true', BYOC_LOG_LEVEL: 'warn' }
const out: string[] = []
const say = (s: string) => {
  console.log(s)
  out.push(s)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** A models dir holding `count` copies of `bytes` as m000, m001, … */
function mmeRoot(bytes: Uint8Array, count: number): string {
  const root = mkdtempSync(join(tmpdir(), 'byoc-bench-mme-'))
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'models', name(i), 'model')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'model.onnx'), bytes)
  }
  return root
}
const name = (i: number) => `m${String(i).padStart(3, '0')}`

async function call(s: Server, method: string, path: string, body?: string): Promise<number> {
  const t0 = performance.now()
  const res = await fetch(`${s.url}${path}`, {
    method,
    body,
    headers: { 'content-type': method === 'POST' && path === '/models' ? 'application/json' : 'text/csv' },
  })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status}\n${s.log()}`)
  return performance.now() - t0
}
const load = (s: Server, i: number) =>
  call(s, 'POST', '/models', JSON.stringify({ model_name: name(i), url: `/opt/ml/models/${name(i)}/model` }))
const invoke = (s: Server, i: number, body: string) => call(s, 'POST', `/models/${name(i)}/invoke`, body)

async function perModel(label: string, bytes: Uint8Array, features: number) {
  const s = await startServer(mmeRoot(bytes, 20), MME)
  try {
    const body = csvBody(1, features)
    const before = s.rssMiB()
    const loads: number[] = []
    const colds: number[] = []
    const warms: number[] = []
    for (let i = 0; i < 20; i++) {
      loads.push(await load(s, i))
      colds.push(await invoke(s, i, body))
      for (let k = 0; k < 20; k++) warms.push(await invoke(s, i, body))
    }
    await Bun.sleep(200)
    const per = (s.rssMiB() - before) / 20
    say(
      `| ${label} | ${(bytes.length / 1024).toFixed(0)} KiB | ${per.toFixed(1)} MiB | ${median(loads).toFixed(0)} ms | ${median(colds).toFixed(2)} ms | ${median(warms).toFixed(2)} ms |`,
    )
  } finally {
    await s.stop()
  }
}

async function throughput(features: number, bytes: Uint8Array) {
  const work = mkdtempSync(join(tmpdir(), 'byoc-bench-mme-body-'))
  const file = join(work, 'body.csv')
  writeFileSync(file, csvBody(1, features))
  const run = async (s: Server, models: number, connections: number): Promise<LoadResult> => {
    await wrk(s.url, file, Math.min(connections, 8), 1, 'text/csv', models)
    return await wrk(s.url, file, connections, SECONDS, 'text/csv', models)
  }
  const row = (label: string, r8: LoadResult, r64: LoadResult, rss: number) =>
    say(
      `| ${label} | ${r8.rps.toFixed(0)} | ${r8.p50.toFixed(2)} / ${r8.p99.toFixed(2)} | ${r64.rps.toFixed(0)} | ${r64.p50.toFixed(2)} / ${r64.p99.toFixed(2)} | ${rss.toFixed(0)} MiB |${r8.errors + r64.errors ? ` errors ${r8.errors + r64.errors}` : ''}`,
    )
  const single = await startServer(modelRoot(bytes), { BYOC_LOG_LEVEL: 'warn' })
  try {
    row('single-model server', await run(single, 0, 8), await run(single, 0, 64), single.rssMiB())
  } finally {
    await single.stop()
  }
  const s = await startServer(mmeRoot(bytes, 200), MME)
  try {
    let loaded = 0
    for (const count of [1, 20, 200]) {
      while (loaded < count) {
        await Promise.all(Array.from({ length: Math.min(4, count - loaded) }, (_, k) => load(s, loaded + k)))
        loaded = Math.min(count, loaded + 4)
      }
      row(`MME, ${count} loaded, requests spread over all`, await run(s, count, 8), await run(s, count, 64), s.rssMiB())
    }
  } finally {
    await s.stop()
  }
}

/** Requests to one loaded model while large models load and unload beside it. */
async function loadsBeside() {
  const big = mlpModel({ layers: [512, 2048, 2048, 10] })
  const root = mmeRoot(tree.bytes, 1)
  for (let i = 1; i <= 2; i++) {
    const dir = join(root, 'models', name(i), 'model')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'model.onnx'), big)
  }
  const work = mkdtempSync(join(tmpdir(), 'byoc-bench-mme-body-'))
  const file = join(work, 'body.csv')
  writeFileSync(file, csvBody(1, tree.features))
  const s = await startServer(root, MME)
  try {
    await load(s, 0)
    await wrk(s.url, file, 4, 1, 'text/csv', 1)
    const quiet = await wrk(s.url, file, 4, SECONDS, 'text/csv', 1)
    let loads = 0
    const loadTimes: number[] = []
    let stop = false
    const churn = (async () => {
      while (!stop) {
        for (const i of [1, 2]) loadTimes.push(await load(s, i))
        for (const i of [1, 2]) await call(s, 'DELETE', `/models/${name(i)}`)
        loads += 2
      }
    })()
    const busy = await wrk(s.url, file, 4, SECONDS, 'text/csv', 1)
    stop = true
    await churn
    say(
      `| tree alone | ${quiet.rps.toFixed(0)} | ${quiet.p50.toFixed(2)} | ${quiet.p99.toFixed(2)} | ${quiet.max.toFixed(1)} | |`,
    )
    say(
      `| tree while 512→2048→2048→10 MLPs load and unload (${loads} loads, median ${median(loadTimes).toFixed(0)} ms each) | ${busy.rps.toFixed(0)} | ${busy.p50.toFixed(2)} | ${busy.p99.toFixed(2)} | ${busy.max.toFixed(1)} | |`,
    )
  } finally {
    await s.stop()
  }
}

async function cycles() {
  const s = await startServer(mmeRoot(mlp.bytes, 20), MME)
  const body = csvBody(1, mlp.features)
  const round = async () => {
    for (let i = 0; i < 20; i += 2)
      await Promise.all(
        [i, i + 1].map(async (k) => {
          await load(s, k)
          await invoke(s, k, body)
          await call(s, 'DELETE', `/models/${name(k)}`)
        }),
      )
  }
  try {
    const start = s.rssMiB()
    await round()
    const afterFirst = s.rssMiB()
    const t0 = performance.now()
    for (let r = 1; r < CYCLES; r++) await round()
    const per = (performance.now() - t0) / ((CYCLES - 1) * 20)
    say(
      `RSS: ${start.toFixed(1)} MiB with no model, ${afterFirst.toFixed(1)} MiB after the first 20 load/invoke/unload cycles, ${s.rssMiB().toFixed(1)} MiB after ${CYCLES * 20} (${(((s.rssMiB() - afterFirst) / afterFirst) * 100).toFixed(1)}% over the first round); ${per.toFixed(0)} ms per cycle, two at a time.`,
    )
  } finally {
    await s.stop()
  }
}

say(
  `# Multi-model endpoint bench\n\n${new Date().toISOString()}, ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${SECONDS} s per load run.\n`,
)
if (run('per-model')) {
  say('## Per model (20 models loaded one after another, 1-row CSV)\n')
  say('| model | file | RSS per loaded model | load (POST /models) | cold invoke (first) | warm invoke |')
  say('|---|---:|---:|---:|---:|---:|')
  await perModel(tree.name, tree.bytes, tree.features)
  await perModel(mlp.name, mlp.bytes, mlp.features)
  await perModel('MLP 512→2048→2048→10', mlpModel({ layers: [512, 2048, 2048, 10] }), 512)
}
if (run('throughput')) {
  say(`\n## Warm requests/s, ${mlp.name}, 1-row CSV\n`)
  say('| server | req/s, 8 conn | p50 / p99 ms | req/s, 64 conn | p50 / p99 ms | RSS |')
  say('|---|---:|---:|---:|---:|---:|')
  await throughput(mlp.features, mlp.bytes)
}
if (run('beside')) {
  say('\n## A loaded model while others load (4 connections, 1-row CSV)\n')
  say('| requests to | req/s | p50 ms | p99 ms | max ms | |')
  say('|---|---:|---:|---:|---:|---|')
  await loadsBeside()
}
if (run('cycles')) {
  say('\n## Load/invoke/unload cycles\n')
  await cycles()
}
if (!only) writeFileSync(join(import.meta.dir, 'MULTI_MODEL_RESULTS.md'), `${out.join('\n')}\n`)
