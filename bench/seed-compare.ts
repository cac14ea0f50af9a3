/**
 * byoc against the seed's stack on the seed's own case: the iris tree, the 150-row iris CSV body, wrk at
 * 64 connections (and byoc at 1 and 8 for latency), in interleaved rounds on the same machine, so that
 * the ratio holds whatever else the machine is doing. Optionally a baseline byoc binary (say, main's)
 * joins every round for before/after figures. Usage alone: bun bench/seed-compare.ts [--rounds 5]
 * [--seconds 3] [--baseline path/to/byoc]; bench/run.ts calls it first.
 */
import { ensureSeedStack, SEED_ONNX, SEED_PAYLOAD, startSeed, trainSeedModel } from './seed-stack'
import { BINARY, modelRoot, startServer } from './server'
import { type LoadResult, wrk } from './wrk'

export interface SeedComparison {
  rounds: number
  seconds: number
  /** Per round, in order. */
  seed: LoadResult[]
  byoc: Record<number, LoadResult[]>
  baseline: Record<number, LoadResult[]> | null
  seedColdMs: number[]
  byocColdMs: number[]
  ratios: number[]
  /** The seed's trained /opt/ml root and byoc's model root for the iris tree, for later sections. */
  optMl: string
  root: string
}

export const SEED_CONNECTIONS = [1, 8, 64]
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

export async function compareWithSeed(
  rounds: number,
  seconds: number,
  baselineBinary: string | null,
  say: (s: string) => void,
): Promise<SeedComparison | string> {
  const missing = ensureSeedStack()
  if (missing) return missing
  const optMl = trainSeedModel()
  const root = modelRoot(new Uint8Array(await Bun.file(SEED_ONNX).arrayBuffer()))
  const expected = (await Bun.file(SEED_PAYLOAD.replace(/\.csv$/, '.expected.csv')).text()).trim().split('\n')
  const out: SeedComparison = {
    rounds,
    seconds,
    seed: [],
    byoc: {},
    baseline: baselineBinary ? {} : null,
    seedColdMs: [],
    byocColdMs: [],
    ratios: [],
    optMl,
    root,
  }
  const byocRun = async (binary: string, into: Record<number, LoadResult[]>, label: string) => {
    const s = await startServer(root, {}, binary)
    try {
      if (binary === BINARY) out.byocColdMs.push(s.coldStartMs)
      const answer = await (
        await fetch(`${s.url}/invocations`, {
          method: 'POST',
          body: Bun.file(SEED_PAYLOAD),
          headers: { 'content-type': 'text/csv' },
        })
      ).text()
      const labels = answer
        .trim()
        .split('\n')
        .map((l) => l.split(',')[0])
      if (labels.join() !== expected.join()) throw new Error(`${label} answered labels unlike the seed's`)
      for (const c of SEED_CONNECTIONS) {
        await wrk(s.url, SEED_PAYLOAD, Math.min(c, 8), 1)
        const r = await wrk(s.url, SEED_PAYLOAD, c, seconds)
        ;(into[c] ??= []).push(r)
        say(
          `${label} iris 150 rows x${c}: ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`,
        )
      }
    } finally {
      await s.stop()
    }
  }
  const seedRun = async () => {
    const s = await startSeed(optMl)
    try {
      out.seedColdMs.push(s.coldStartMs)
      await wrk(s.url, SEED_PAYLOAD, 8, 1)
      const r = await wrk(s.url, SEED_PAYLOAD, 64, seconds)
      out.seed.push(r)
      say(`seed iris 150 rows x64: ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`)
    } finally {
      await s.stop()
    }
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so a drift in the machine's load does not favour one side.
    const steps = [seedRun, () => byocRun(BINARY, out.byoc, 'byoc')]
    if (baselineBinary) steps.push(() => byocRun(baselineBinary, out.baseline!, 'baseline'))
    if (round % 2) steps.reverse()
    for (const step of steps) await step()
    const ratio = out.byoc[64][round].rps / out.seed[round].rps
    out.ratios.push(ratio)
    say(`round ${round + 1}: byoc/seed at 64 connections ${ratio.toFixed(1)}x`)
  }
  return out
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  const say = (s: string) => console.log(`[seed ${new Date().toISOString().slice(11, 19)}] ${s}`)
  const r = await compareWithSeed(
    Number(arg('--rounds') ?? 3),
    Number(arg('--seconds') ?? 3),
    arg('--baseline') ?? null,
    say,
  )
  if (typeof r === 'string') {
    console.error(r)
    process.exit(1)
  }
  say(
    `median ratio ${median(r.ratios).toFixed(1)}x over ${r.rounds} rounds (${r.ratios.map((x) => x.toFixed(1)).join(', ')})`,
  )
}
