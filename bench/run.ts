/**
 * `bun run bench`: builds the benchmark models, starts dist/byoc for each measurement, drives load with
 * wrk from a separate process, and writes bench/RESULTS.md. See bench/README.md for what each figure means.
 * Options: --seconds N (per load run, default 3), --rounds N (interleaved rounds: against the seed stack,
 * default 5; metrics on/off), --baseline PATH (another byoc binary, say main's, measured in the same rounds
 * as the seed comparison: before/after); --only metrics runs just the metrics on/off comparison and writes
 * bench/METRICS_RESULTS.md; --skip-metrics leaves that comparison out of a full run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { bigBatch } from './big-batch'
import { CORE_LAYOUTS, coreScaling, haveTaskset } from './cores'
import { type BenchModel, benchModels, csvBody } from './models'
import { type OverheadCase, overheadCase } from './overhead'
import { cpuSeconds } from './proc-cpu'
import { compareWithSeed, median, SEED_CONNECTIONS, type SeedComparison } from './seed-compare'
import { modelRoot, type Server, startServer } from './server'
import { ensureWrk, type LoadResult, wrk } from './wrk'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const SECONDS = arg('--seconds', 3)
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null
const ROUNDS = arg('--rounds', 5)
const BASELINE = process.argv.includes('--baseline') ? process.argv[process.argv.indexOf('--baseline') + 1] : null
const MODEL_WORKERS = Math.max(1, cpus().length)
const ROWS = [1, 150, 1000]
const CONNECTIONS = [1, 8, 64]

if (!ensureWrk()) {
  console.error('bench needs wrk on PATH and could not install it: apt-get update && apt-get install -y wrk')
  process.exit(1)
}

const work = mkdtempSync(join(tmpdir(), 'byoc-bench-bodies-'))
const models = benchModels()
const roots = new Map(models.map((m) => [m, modelRoot(m.bytes)]))
const bodyFile = (m: BenchModel, rows: number) => {
  const path = join(work, `${m.features}x${rows}.csv`)
  writeFileSync(path, csvBody(rows, m.features))
  return path
}
const say = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`)
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')

async function withServer<T>(m: BenchModel, env: Record<string, string>, f: (s: Server) => Promise<T>): Promise<T> {
  const s = await startServer(roots.get(m)!, env)
  try {
    return await f(s)
  } finally {
    await s.stop()
  }
}

async function measure(
  s: Server,
  m: BenchModel,
  rows: number,
  connections: number,
  seconds = SECONDS,
): Promise<LoadResult> {
  const file = bodyFile(m, rows)
  await wrk(s.url, file, Math.min(connections, 8), 1) // warm caches and JIT
  const r = await wrk(s.url, file, connections, seconds)
  say(
    `${m.name} ${rows} rows x${connections}: ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms${r.errors ? ` errors ${r.errors}` : ''}`,
  )
  return r
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]
const f0 = (x: number) => x.toFixed(0)
const f2 = (x: number) => x.toFixed(2)

/** GET /metrics once a second while `f` runs (SageMaker scrapes every 10-300 s: this is harsher). */
async function scraping<T>(url: string, f: () => Promise<T>): Promise<T> {
  let on = true
  const loop = (async () => {
    while (on) {
      await (await fetch(`${url}/metrics`)).text()
      await Bun.sleep(1000)
    }
  })()
  try {
    return await f()
  } finally {
    on = false
    await loop
  }
}

/** One load run on a server, with the server's CPU per request answered: whole process and HTTP thread. */
async function loaded(s: Server, file: string, scrape = false) {
  const cpu0 = cpuSeconds(s.pid)
  const http0 = cpuSeconds(s.pid, true)
  const r = scrape ? await scraping(s.url, () => wrk(s.url, file, 64, SECONDS)) : await wrk(s.url, file, 64, SECONDS)
  const n = Math.max(1, r.requests)
  return { ...r, cpuUs: ((cpuSeconds(s.pid) - cpu0) / n) * 1e6, httpUs: ((cpuSeconds(s.pid, true) - http0) / n) * 1e6 }
}

/**
 * 7. What recording metrics costs: 150-row CSV over 64 connections, a server with metrics on (scraped
 * every second) and one with BYOC_METRICS=false, both up for the whole comparison.
 * - Alternating rounds, one server loaded at a time: medians of requests/s and of CPU per request.
 * - Side by side, both loaded at once (other load on the machine then hits both alike), and right after
 *   each such round a control pair of two identical metrics-off servers, which shows how far the method
 *   strays on this machine at this time.
 * The verdict is the HTTP thread's extra CPU per request over the whole process's CPU per request:
 * recording happens only on the HTTP thread (the Workers do the same work either way), and a CPU-bound
 * server's requests/s is inversely proportional to its CPU per request; this holds up on a shared
 * machine far better than requests/s itself.
 */
async function metricsCost(rounds = 5) {
  type Run = Awaited<ReturnType<typeof loaded>>
  interface Result {
    m: BenchModel
    on: Run[]
    off: Run[]
    /** Side by side: [metrics on, off] and [control off, off] per round. */
    paired: Array<[Run, Run]>
    control: Array<[Run, Run]>
    counted: number
  }
  const out: Result[] = []
  for (const m of [models[0], models[1]]) {
    const file = bodyFile(m, 150)
    const on = await startServer(roots.get(m)!, {})
    const off = await startServer(roots.get(m)!, { BYOC_METRICS: 'false' })
    const off2 = await startServer(roots.get(m)!, { BYOC_METRICS: 'false' })
    try {
      const res: Result = { m, on: [], off: [], paired: [], control: [], counted: 0 }
      for (const s of [on, off, off2]) await wrk(s.url, file, 8, 1) // warm caches and JIT
      for (let i = 0; i < rounds; i++)
        for (const k of i % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
          const r = await loaded(k === 'on' ? on : off, file, k === 'on')
          say(`${m.name} metrics ${k}: ${f0(r.rps)} req/s, CPU ${f0(r.cpuUs)} µs/request (HTTP thread ${f0(r.httpUs)})`)
          res[k].push(r)
        }
      for (let i = 0; i < rounds; i++) {
        const pair = await Promise.all([loaded(on, file, true), loaded(off, file)])
        const ctrl = await Promise.all([loaded(off2, file), loaded(off, file)])
        say(
          `${m.name} side by side: on ${f0(pair[0].rps)} / off ${f0(pair[1].rps)} req/s; control ${f0(ctrl[0].rps)} / ${f0(ctrl[1].rps)}`,
        )
        res.paired.push(pair)
        res.control.push(ctrl)
      }
      const text = await (await fetch(`${on.url}/metrics`)).text()
      res.counted = Number(/^byoc_requests_total\{route="\/invocations",code="200"\} (\d+)$/m.exec(text)?.[1] ?? 0)
      out.push(res)
    } finally {
      await off2.stop()
      await on.stop()
      await off.stop()
    }
  }
  const micro = Bun.spawnSync([process.execPath, join(import.meta.dir, 'metrics-record.ts')])
  const rec = JSON.parse(micro.stdout.toString().trim()) as { nsPerRequest: number; scrapeMs: number }
  /** Extra HTTP-thread CPU of a over b, as a share of b's whole CPU per request. */
  const extra = ([a, b]: [Run, Run]) => (a.httpUs - b.httpUs) / b.cpuUs
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  const lines: string[] = []
  const row = (...cells: Array<string | number>) => lines.push(`| ${cells.join(' | ')} |`)
  lines.push('## Cost of metrics: on vs BYOC_METRICS=false', '')
  lines.push(
    `150-row CSV, 64 connections, ${SECONDS} s per load run, ${rounds} rounds of each kind, medians (single rounds in brackets). The metrics-on server was scraped every second. CPU is per request answered, from /proc: the whole process, and its HTTP thread (where the metrics are recorded). "Cost" is the HTTP thread's extra CPU per request over the whole CPU per request, side by side; "control" is the same figure for two identical metrics-off servers.`,
    '',
  )
  row(
    'model',
    'alternating: on / off req/s',
    'alternating: on / off CPU µs/req (HTTP thread)',
    'side by side: on / off req/s',
    'control: off / off req/s',
    '**cost**',
    'control',
  )
  row('---', '---:', '---:', '---:', '---:', '---:', '---:')
  const costs: number[] = []
  const spreads: number[] = []
  for (const o of out) {
    const med = (runs: Run[], f: (r: Run) => number) => median(runs.map(f))
    const cost = median(o.paired.map(extra))
    costs.push(cost)
    spreads.push(...o.control.map((c) => Math.abs(extra(c))))
    row(
      o.m.name,
      `${f0(med(o.on, (r) => r.rps))} / ${f0(med(o.off, (r) => r.rps))}`,
      `${f0(med(o.on, (r) => r.cpuUs))} (${f0(med(o.on, (r) => r.httpUs))}) / ${f0(med(o.off, (r) => r.cpuUs))} (${f0(med(o.off, (r) => r.httpUs))})`,
      `${f2(median(o.paired.map(([a, b]) => a.rps / b.rps)))} (${o.paired.map(([a, b]) => f2(a.rps / b.rps)).join(', ')})`,
      `${f2(median(o.control.map(([a, b]) => a.rps / b.rps)))} (${o.control.map(([a, b]) => f2(a.rps / b.rps)).join(', ')})`,
      `**${pct(cost)}** (${o.paired.map((p) => pct(extra(p))).join(', ')})`,
      `${pct(median(o.control.map(extra)))} (${o.control.map((c) => pct(extra(c))).join(', ')})`,
    )
  }
  lines.push(
    '',
    `In process (bench/metrics-record.ts), recording one invocation (request counter and latency, four stage histograms, the run size) takes ${rec.nsPerRequest.toFixed(0)} ns on the HTTP thread, and rendering /metrics ${rec.scrapeMs.toFixed(2)} ms per scrape.`,
    `The metrics-on servers counted ${out.map((o) => o.counted).join(' and ')} successful invocations in byoc_requests_total (warm-ups included).`,
    '',
  )
  return { lines, worst: Math.max(...costs), spread: median(spreads) }
}

if (ONLY === 'metrics') {
  const startedOnly = new Date()
  const before = load()
  const { lines, worst, spread } = await metricsCost(arg('--rounds', 5))
  const head = [
    '# Metrics cost',
    '',
    `Written by \`bun bench/run.ts --only metrics\` on ${startedOnly.toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; load average at start ${before}, at end ${load()}.`,
    '',
    `Verdict: metrics cost ${(worst * 100).toFixed(1)}% of the CPU per request (worst model; the HTTP thread's extra CPU, side by side); the same figure for two identical servers strayed by ${(spread * 100).toFixed(1)}% (median) in the same run.`,
    '',
  ]
  writeFileSync(join(import.meta.dir, 'METRICS_RESULTS.md'), [...head, ...lines].join('\n'))
  console.log([...head, ...lines].join('\n'))
  process.exit(0)
}

const startedAt = new Date()
const loadBefore = load()
say(`wrk, ${SECONDS} s per run; load average ${loadBefore}`)

// 0. The seed's stack against byoc (and a baseline binary), interleaved rounds.
const seed: SeedComparison | string = await compareWithSeed(ROUNDS, SECONDS, BASELINE, say)
if (typeof seed === 'string') say(`seed stack comparison skipped: ${seed}`)
const irisRoot = typeof seed === 'string' ? null : seed.root

// 0b. Requests/s at 1 and 2 cores (taskset), one HTTP loop and two; 0c. big batch-transform requests.
const cores = irisRoot && haveTaskset() ? await coreScaling(irisRoot, 3, SECONDS, say) : null
const bigRequests = irisRoot ? await bigBatch(irisRoot, work, typeof seed === 'string' ? null : seed.optMl, say) : null

// 1. Throughput and latency matrix, default settings; RSS after each model's load.
const matrix = new Map<string, LoadResult>()
const rss = new Map<BenchModel, { idle: number; after: number; log: string }>()
for (const m of models) {
  await withServer(m, {}, async (s) => {
    const idle = s.rssMiB()
    for (const rows of ROWS)
      for (const c of CONNECTIONS) matrix.set(`${m.name}|${rows}|${c}`, await measure(s, m, rows, c))
    rss.set(m, { idle, after: s.rssMiB(), log: s.log() })
  })
}

// 2. Cold start of the tree model: exec to first /ping 200, five times.
const tree = models[0]
const colds: number[] = []
const readyLines: number[] = []
for (let i = 0; i < 5; i++) {
  await withServer(tree, {}, async (s) => {
    colds.push(s.coldStartMs)
    const m = /ready in (\d+) ms/.exec(s.log())
    if (m) readyLines.push(Number(m[1]))
  })
}
say(`cold start (tree): ${colds.map(f0).join(', ')} ms; "ready in" ${readyLines.join(', ')} ms`)

// 3. /ping while /invocations saturates the CPU (big MLP, 150 rows, 64 connections).
const big = models[2]
const pings = await withServer(big, {}, async (s) => {
  const file = bodyFile(big, 150)
  const saturating = wrk(s.url, file, 64, SECONDS + 2)
  await Bun.sleep(1000)
  const times: number[] = []
  const until = performance.now() + SECONDS * 1000
  while (performance.now() < until) {
    const t0 = performance.now()
    const res = await fetch(`${s.url}/ping`)
    await res.arrayBuffer()
    if (res.status === 200) times.push(performance.now() - t0)
    await Bun.sleep(10)
  }
  const loadResult = await saturating
  return { times, loadResult }
})
say(
  `/ping under load: p50 ${f2(pct(pings.times, 50))} ms p99 ${f2(pct(pings.times, 99))} ms (${pings.times.length} pings)`,
)

// 4. Batching on vs off: 1-row requests at 64 connections, to the small MLP (the issue's case) and to the
// big one, whose run dominates the per-request cost (where batching pays most).
const small = models[1]
const batching: Record<string, LoadResult> = {}
const batchingBig: Record<string, LoadResult> = {}
for (const [label, size] of [
  ['on', '64'],
  ['off', '0'],
] as const) {
  batching[label] = await withServer(small, { BYOC_MAX_BATCH_SIZE: size }, (s) => measure(s, small, 1, 64))
  batchingBig[label] = await withServer(big, { BYOC_MAX_BATCH_SIZE: size }, (s) => measure(s, big, 1, 64))
}
say(
  `batching on/off: small MLP ${f2(batching.on.rps / batching.off.rps)}x, big MLP ${f2(batchingBig.on.rps / batchingBig.off.rps)}x`,
)

// 5. Worker layouts: 2 Workers x 1 thread vs 1 Worker x 2 threads.
const layouts: Array<{ model: BenchModel; rows: number; c: number; two: LoadResult; one: LoadResult }> = []
for (const m of models)
  for (const [rows, c] of [
    [1, 64],
    [150, 8],
  ]) {
    const two = await withServer(m, { MODEL_SERVER_WORKERS: '2', BYOC_INTRA_OP_THREADS: '1' }, (s) =>
      measure(s, m, rows, c),
    )
    const one = await withServer(m, { MODEL_SERVER_WORKERS: '1', BYOC_INTRA_OP_THREADS: '2' }, (s) =>
      measure(s, m, rows, c),
    )
    layouts.push({ model: m, rows, c, two, one })
  }

// 6. End-to-end overhead: HTTP at the matrix's best connection count against the same steps in one
// process and against a bare server answering the same bytes (bench/overhead.ts), alternating.
const OVERHEAD_ROUNDS = 3
const OVERHEAD_WARM_SECONDS = 5
const overhead: OverheadCase[] = []
for (const m of models.slice(0, 2))
  for (const rows of ROWS) {
    const best = CONNECTIONS.reduce((a, c) =>
      matrix.get(`${m.name}|${rows}|${c}`)!.rps > matrix.get(`${m.name}|${rows}|${a}`)!.rps ? c : a,
    )
    const o = {
      rounds: OVERHEAD_ROUNDS,
      seconds: SECONDS,
      warmSeconds: OVERHEAD_WARM_SECONDS,
      loops: MODEL_WORKERS,
      say,
    }
    overhead.push(await overheadCase(m, rows, best, o))
  }

const metrics = process.argv.includes('--skip-metrics') ? null : await metricsCost()
const loadAfter = load()

// The report.
const cpu = cpus()[0]?.model ?? 'unknown CPU'
const lines: string[] = []
const row = (...cells: Array<string | number>) => lines.push(`| ${cells.join(' | ')} |`)
lines.push('# Benchmark results', '')
lines.push(`Written by \`bun run bench\` (bench/run.ts) on ${startedAt.toISOString()}.`, '')
lines.push(
  `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}/${process.arch}, Bun ${Bun.version}`,
)
lines.push(
  `- Load average (1/5/15 min) at start: ${loadBefore}; at end: ${loadAfter} (other work shares this machine; compare ratios within this run, not absolute figures across runs)`,
)
lines.push(
  `- Load generator: wrk 1 thread, ${SECONDS} s per run after a 1 s warm-up, a separate process; server defaults unless said (access log on)`,
)
lines.push('')

lines.push('## Targets', '')
// HTTP end to end against the in-process loop: the best connection count, every row count, tree and small MLP.
// The ceiling: a server whose HTTP side costs what a bare Bun.serve's does and whose model steps cost what
// the in-process loop's do, on the same cores, reaches bare / (bare + in-process) of the loop.
const ceiling = (o: OverheadCase) => median(o.bareRatios.map((b) => b / (1 + b)))
const inprocessRatios = overhead.map((o) => ({ ...o, ratio: median(o.ratios), ceiling: ceiling(o) }))
const worstInprocess = Math.min(...inprocessRatios.map((r) => r.ratio))
const overCeiling = inprocessRatios.filter((r) => r.ceiling < 0.7)
const batchRatio = batching.on.rps / batching.off.rps
// Batching removes at most the run; even a free one leaves the bare server's cost, and batching off
// costs at least the bare server's plus the whole in-process step: on/off ≤ 1 + bare / in-process.
const oneRowMlp = overhead.find((o) => o.model === models[1] && o.rows === 1)!
const batchCeiling = 1 + median(oneRowMlp.bareRatios)
const ping99 = pct(pings.times, 99)
const coldMedian = median(colds)
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**')
row('target', 'measured', 'verdict')
row('---', '---', '---')
if (typeof seed !== 'string') {
  const ratio = median(seed.ratios)
  row(
    `≥ 20× the seed stack's req/s, iris tree, 150-row CSV, 64 connections (median of ${seed.rounds} interleaved rounds)`,
    `${ratio.toFixed(1)}× (rounds: ${seed.ratios.map((x) => x.toFixed(1)).join(', ')})`,
    verdict(ratio >= 20),
  )
  if (seed.baseline)
    for (const c of [1, 8]) {
      const now = median(seed.byoc[c].map((r) => r.p99))
      const before = median(seed.baseline[c].map((r) => r.p99))
      row(
        `p99 at ${c} connection${c > 1 ? 's' : ''} not above the baseline's (same rounds)`,
        `${f2(now)} ms vs ${f2(before)} ms`,
        verdict(now <= before),
      )
    }
} else row("≥ 20× the seed stack's req/s", `not measured: ${seed}`, '**missed**')
row(
  `HTTP ≥ 70% of the in-process loop on ${MODEL_WORKERS} model threads, 1/150/1000-row CSV, tree and small MLP (worst case)`,
  `${f0(worstInprocess * 100)}%` +
    (overCeiling.length
      ? `; this machine's ceiling is below 70% for ${overCeiling.map((r) => `${r.model.name} ${r.rows} row${r.rows > 1 ? 's' : ''} (${f0(r.ceiling * 100)}%)`).join(', ')}`
      : ''),
  verdict(worstInprocess >= 0.7),
)
row(
  'batching on ≥ 3× batching off (1-row, small MLP, 64 connections)',
  `${f2(batchRatio)}× (${f0(batching.on.rps)} vs ${f0(batching.off.rps)} req/s); ceiling on this machine ${f2(batchCeiling)}×`,
  verdict(batchRatio >= 3),
)
row('/ping p99 ≤ 10 ms while /invocations saturates the CPU', `${f2(ping99)} ms`, verdict(ping99 <= 10))
row('cold start median ≤ 80 ms, tree model', `${f0(coldMedian)} ms`, verdict(coldMedian <= 80))
if (metrics)
  row(
    'metrics cost ≤ 2% (HTTP thread extra CPU per request over the whole, 150-row CSV, 64 connections; worst model)',
    `${(metrics.worst * 100).toFixed(1)}% (control pair: ${(metrics.spread * 100).toFixed(1)}%)`,
    verdict(metrics.worst <= 0.02),
  )
lines.push('')

if (typeof seed !== 'string') {
  lines.push("## Against the seed's stack (iris tree, 150-row CSV)", '')
  lines.push(
    `The seed's nginx → gunicorn (sync, ${MODEL_WORKERS} workers) → Flask + pandas + scikit-learn, from ` +
      '../shared/reference-stack/, and byoc serving the same tree exported to ONNX (it answers the label and ' +
      `the three probabilities; the seed, the label only), ${seed.rounds} interleaved rounds of ${seed.seconds} s ` +
      `per run (bench/seed-compare.ts). Medians over the rounds.${seed.baseline ? ` Baseline: \`${BASELINE}\`.` : ''}`,
    '',
  )
  row('server', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'rounds (req/s)')
  row('---', '---:', '---:', '---:', '---:', '---')
  const show = (name: string, c: number, rs: LoadResult[]) =>
    row(
      name,
      c,
      f0(median(rs.map((r) => r.rps))),
      f2(median(rs.map((r) => r.p50))),
      f2(median(rs.map((r) => r.p99))),
      rs.map((r) => f0(r.rps)).join(', '),
    )
  show('seed stack', 64, seed.seed)
  for (const c of SEED_CONNECTIONS) show('byoc', c, seed.byoc[c])
  if (seed.baseline) for (const c of SEED_CONNECTIONS) show('baseline byoc', c, seed.baseline[c])
  lines.push(
    '',
    `byoc / seed at 64 connections: **${median(seed.ratios).toFixed(1)}×** (per round ${seed.ratios.map((x) => x.toFixed(1)).join(', ')}). ` +
      `Cold start (exec to first /ping 200), medians: seed ${f0(median(seed.seedColdMs))} ms, byoc ${f0(median(seed.byocColdMs))} ms.`,
    '',
  )
}

if (cores) {
  lines.push('## Scaling with cores (iris tree, 150-row CSV, 64 connections)', '')
  lines.push(
    'The server pinned with `taskset` (wrk is not: at 1 core it has the other core to itself), 3 interleaved rounds, medians (bench/cores.ts).',
    '',
  )
  row('layout', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/request', 'HTTP thread µs/request', 'rounds (req/s)')
  row('---', '---:', '---:', '---:', '---:', '---:', '---')
  for (const l of CORE_LAYOUTS) {
    const rs = cores.get(l.name)!
    row(
      l.name,
      f0(median(rs.map((r) => r.rps))),
      f2(median(rs.map((r) => r.p50))),
      f2(median(rs.map((r) => r.p99))),
      // With two loops /proc shows loop 0's process; the other loop is another process.
      l.env.BYOC_HTTP_LOOPS === '1'
        ? f0(median(rs.map((r) => r.cpuUs)))
        : `${f0(median(rs.map((r) => r.cpuUs)))} (loop 0's process)`,
      l.env.BYOC_HTTP_LOOPS === '1'
        ? f0(median(rs.map((r) => r.httpUs)))
        : `${f0(median(rs.map((r) => r.httpUs)))} (loop 0)`,
      rs.map((r) => f0(r.rps)).join(', '),
    )
  }
  lines.push('')
}

if (bigRequests) {
  lines.push('## Batch transform: one big MULTI_RECORD request (iris rows, CSV)', '')
  lines.push(
    'SAGEMAKER_BATCH=true and SAGEMAKER_MAX_PAYLOAD_IN_MB=100: split by records across the Workers (src/serve/split-batch.ts). ' +
      '"Unsplit": the same body with batch mode off (one Worker decodes, runs and encodes it whole). MB/s: body MB over the wall time; ' +
      "peak RSS: the server's VmHWM (bench/big-batch.ts). The seed's nginx refuses bodies over 5 MB (413).",
    '',
  )
  row(
    'body MB',
    'split MB/s',
    'split peak RSS MiB',
    'peak RSS / body',
    'unsplit MB/s',
    'unsplit peak RSS MiB',
    'seed MB/s',
  )
  row('---:', '---:', '---:', '---:', '---:', '---:', '---:')
  for (const b of bigRequests)
    row(
      b.mb,
      f2(b.mb / b.split.seconds),
      f0(b.split.peakMiB),
      `${((b.split.peakMiB * 2 ** 20) / (b.mb * 1e6)).toFixed(1)}×`,
      f2(b.mb / b.whole.seconds),
      f0(b.whole.peakMiB),
      b.seed ? (b.seed.status === 200 ? f2(b.mb / b.seed.seconds) : `HTTP ${b.seed.status}`) : 'not run',
    )
  lines.push('')
}

lines.push('## Requests/s and latency (CSV in, CSV out; default settings)', '')
row('model', 'rows', 'connections', 'req/s', 'rows/s', 'p50 ms', 'p99 ms', 'errors')
row('---', '---:', '---:', '---:', '---:', '---:', '---:', '---:')
for (const m of models)
  for (const rows of ROWS)
    for (const c of CONNECTIONS) {
      const r = matrix.get(`${m.name}|${rows}|${c}`)!
      if (r.requests === 0) row(m.name, rows, c, `none finished in ${SECONDS} s`, '', '', '', r.errors)
      else row(m.name, rows, c, f0(r.rps), f0(r.rps * rows), f2(r.p50), f2(r.p99), r.errors)
    }
lines.push('')

lines.push('## Cold start (tree model)', '')
lines.push(
  `Exec to first /ping 200, five starts: ${colds.map(f0).join(', ')} ms; median **${f0(coldMedian)} ms**. The server's own "ready in" log line (process start to model warm): ${readyLines.join(', ')} ms.`,
  '',
)

lines.push('## /ping while /invocations saturates the CPU', '')
lines.push(
  `${pings.times.length} pings, one every 10 ms, while wrk sent 150-row CSV to the 512→2048→2048→10 MLP over 64 connections (${f0(pings.loadResult.rps)} req/s): p50 ${f2(pct(pings.times, 50))} ms, p99 **${f2(ping99)} ms**, max ${f2(Math.max(...pings.times))} ms.`,
  '',
)

lines.push('## Dynamic batching on vs off', '')
row('model', 'batching', 'req/s', 'p50 ms', 'p99 ms')
row('---', '---', '---:', '---:', '---:')
for (const [name, r] of [
  [small.name, batching],
  [big.name, batchingBig],
] as const)
  for (const k of ['on', 'off'] as const)
    row(
      name,
      k === 'on' ? 'on (max batch 64, delay 0)' : 'off (BYOC_MAX_BATCH_SIZE=0)',
      f0(r[k].rps),
      f2(r[k].p50),
      f2(r[k].p99),
    )
lines.push(
  '',
  `1-row requests over 64 connections: on/off = **${f2(batchRatio)}×** for the 20→256→256→2 MLP (the target's case) and ` +
    `**${f2(batchingBig.on.rps / batchingBig.off.rps)}×** for the 512→2048→2048→10 MLP, whose run is most of a request's cost. ` +
    `The ceiling for the small MLP on this machine is **${f2(batchCeiling)}×**: batching saves at most the model step, and ` +
    `with it off a request costs at least the bare server's HTTP (${f0(oneRowMlp.bare)} req/s) plus the whole in-process step ` +
    `(${f0(oneRowMlp.inProcess.rps)} it/s on ${MODEL_WORKERS} threads), so on/off ≤ 1 + bare / in-process (next section's figures).`,
  '',
)

lines.push('## End-to-end overhead: HTTP vs the same steps in one process', '')
lines.push(
  `In process: decode → buildFeeds → run → select → encode in a loop, ${MODEL_WORKERS} loops at once (one per model Worker the server runs), ` +
    `1 intra-op thread each (bench/inprocess.ts); it/s summed. HTTP: a fresh server at the matrix's best connection count. ` +
    `Bare: Bun.serve reading the same body and answering byoc's own answer bytes, running nothing (bench/overhead.ts). ` +
    `Each side warmed ${OVERHEAD_WARM_SECONDS} s at the measured load, then ${SECONDS} s measured; ${OVERHEAD_ROUNDS} rounds alternating the order; medians, and the ratio per round. ` +
    'Ceiling: bare / (bare + in-process), what a server would reach whose HTTP side cost what the bare one does and whose model steps cost what the loop does, on the same cores.',
  '',
)
row(
  'model',
  'rows',
  'connections',
  'in-process it/s',
  'decode ms',
  'feeds ms',
  'run ms',
  'encode ms',
  'bare req/s',
  'HTTP req/s',
  'HTTP / in-process',
  'ceiling',
  'rounds',
)
row('---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---')
for (const o of inprocessRatios)
  row(
    o.model.name,
    o.rows,
    o.connections,
    f0(o.inProcess.rps),
    o.inProcess.decodeMs,
    o.inProcess.feedsMs,
    o.inProcess.runMs,
    o.inProcess.encodeMs,
    f0(o.bare),
    f0(o.http),
    `**${f0(o.ratio * 100)}%**`,
    `${f0(o.ceiling * 100)}%`,
    o.ratios.map((x) => `${f0(x * 100)}%`).join(', '),
  )
lines.push('')

lines.push('## Worker layout: 2 Workers × 1 thread vs 1 Worker × 2 threads', '')
row('model', 'rows', 'connections', '2×1 req/s', '1×2 req/s', '2×1 p99 ms', '1×2 p99 ms')
row('---', '---:', '---:', '---:', '---:', '---:', '---:')
for (const l of layouts) row(l.model.name, l.rows, l.c, f0(l.two.rps), f0(l.one.rps), f2(l.two.p99), f2(l.one.p99))
lines.push('')

if (metrics) lines.push(...metrics.lines)

lines.push('## Memory', '')
row('model', 'RSS idle MiB', 'RSS after load MiB')
row('---', '---:', '---:')
for (const m of models) row(m.name, f0(rss.get(m)!.idle), f0(rss.get(m)!.after))
lines.push('')

writeFileSync(join(import.meta.dir, 'RESULTS.md'), lines.join('\n'))
say(`wrote bench/RESULTS.md`)
console.log(readFileSync(join(import.meta.dir, 'RESULTS.md'), 'utf8'))
