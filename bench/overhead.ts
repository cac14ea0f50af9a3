/**
 * HTTP end to end against the same decode → run → encode loop in process, and against a ceiling: a bare
 * Bun.serve (bench/http-edge.ts --serve bun) that reads the same body and answers the model's own answer
 * bytes without running anything. Each side is warmed at the measured load until the JIT has settled
 * (compiling goes on for seconds after the first requests), and the three alternate within each round,
 * since this machine's speed drifts between minutes.
 * Usage alone: bun bench/overhead.ts [rounds] [seconds] [warm-up seconds] [connections]
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BenchModel, benchModels, csvBody } from './models'
import { pingReady } from './ping-ready'
import { median } from './seed-compare'
import { modelRoot, startServer } from './server'
import { wrk } from './wrk'

export interface InProcess {
  rps: number
  decodeMs: number
  feedsMs: number
  runMs: number
  encodeMs: number
}

export interface OverheadCase {
  model: BenchModel
  rows: number
  connections: number
  /** Medians over the rounds. */
  http: number
  bare: number
  inProcess: InProcess
  /** HTTP / in-process and bare / in-process, per round. */
  ratios: number[]
  bareRatios: number[]
}

export interface OverheadOptions {
  rounds: number
  seconds: number
  warmSeconds: number
  /** Model threads: one in-process loop each, and the server's default Worker count. */
  loops: number
  say: (line: string) => void
}

/** The in-process loop, one process per model thread with one intra-op thread each, all at once. */
async function inProcess(modelPath: string, body: string, o: OverheadOptions): Promise<InProcess> {
  const script = join(import.meta.dir, 'inprocess.ts')
  const args = [modelPath, body, String(o.seconds), '1', String(o.warmSeconds)]
  const procs = Array.from({ length: o.loops }, () =>
    Bun.spawn([process.execPath, script, ...args], { stdout: 'pipe', stderr: 'pipe' }),
  )
  const all = await Promise.all(
    procs.map(async (p) => {
      const out = await new Response(p.stdout).text()
      if ((await p.exited) !== 0) throw new Error(`inprocess.ts failed: ${await new Response(p.stderr).text()}`)
      return JSON.parse(out.trim().split('\n').pop()!)
    }),
  )
  const mean = (k: string) => Number((all.reduce((n, j) => n + j[k], 0) / all.length).toFixed(4))
  return {
    rps: all.reduce((n, x) => n + x.rps, 0),
    decodeMs: mean('decodeMs'),
    feedsMs: mean('feedsMs'),
    runMs: mean('runMs'),
    encodeMs: mean('encodeMs'),
  }
}

/** A bare Bun.serve answering `answerFile`'s bytes to every POST /invocations. */
async function bareServer(answerFile: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = 19800 + Math.floor(Math.random() * 400)
  const script = join(import.meta.dir, 'http-edge.ts')
  const proc = Bun.spawn([process.execPath, script, '--serve', 'bun', String(port), answerFile], { stdout: 'ignore' })
  const url = `http://127.0.0.1:${port}`
  await pingReady(url)
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}

export async function overheadCase(
  model: BenchModel,
  rows: number,
  connections: number,
  o: OverheadOptions,
): Promise<OverheadCase> {
  const dir = mkdtempSync(join(tmpdir(), 'byoc-overhead-'))
  const root = modelRoot(model.bytes)
  const body = join(dir, 'body.csv')
  writeFileSync(body, csvBody(rows, model.features))
  const answerFile = join(dir, 'answer.csv')
  const loaded = async (url: string) => {
    await wrk(url, body, connections, o.warmSeconds)
    return (await wrk(url, body, connections, o.seconds)).rps
  }
  const http: number[] = []
  const bare: number[] = []
  const local: InProcess[] = []
  const sides: Array<() => Promise<unknown>> = [
    async () => {
      const s = await startServer(root, {})
      try {
        const answer = await fetch(`${s.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', accept: 'text/csv' },
          body: Bun.file(body),
        })
        writeFileSync(answerFile, new Uint8Array(await answer.arrayBuffer()))
        http.push(await loaded(s.url))
      } finally {
        await s.stop()
      }
    },
    async () => local.push(await inProcess(join(root, 'model', 'model.onnx'), body, o)),
    async () => {
      const s = await bareServer(answerFile)
      try {
        bare.push(await loaded(s.url))
      } finally {
        await s.stop()
      }
    },
  ]
  for (let r = 0; r < o.rounds; r++) {
    // byoc first in every round (the bare server answers its recorded answer); the other two swap.
    const order = r % 2 ? [0, 2, 1] : [0, 1, 2]
    for (const i of order) await sides[i]()
  }
  const ratios = http.map((h, i) => h / local[i].rps)
  const bareRatios = bare.map((b, i) => b / local[i].rps)
  const mid = local.find((x) => x.rps === median(local.map((y) => y.rps))) ?? local[0]
  const c: OverheadCase = {
    model,
    rows,
    connections,
    http: median(http),
    bare: median(bare),
    inProcess: mid,
    ratios,
    bareRatios,
  }
  const pct = (xs: number[]) => xs.map((x) => `${(x * 100).toFixed(0)}%`).join(', ')
  o.say(
    `${model.name} ${rows} rows x${connections}: HTTP ${c.http.toFixed(0)}, bare ${c.bare.toFixed(0)}, in process ${mid.rps.toFixed(0)} it/s; HTTP/in-process ${pct(ratios)}; bare/in-process ${pct(bareRatios)}`,
  )
  return c
}

if (import.meta.main) {
  const [rounds = '2', seconds = '3', warm = '3', connections = '64'] = process.argv.slice(2)
  const o: OverheadOptions = {
    rounds: Number(rounds),
    seconds: Number(seconds),
    warmSeconds: Number(warm),
    loops: Math.max(1, navigator.hardwareConcurrency),
    say: (s) => console.log(s),
  }
  const only = process.env.CASES?.split(',') // e.g. CASES=0:1,1:150 (model index:rows)
  for (const [mi, model] of benchModels().slice(0, 2).entries())
    for (const rows of [1, 150, 1000])
      if (!only || only.includes(`${mi}:${rows}`)) await overheadCase(model, rows, Number(connections), o)
}
