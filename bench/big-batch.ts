/**
 * Batch transform at full machine: one MULTI_RECORD CSV request of 1, 10 and 100 MB of iris rows
 * (SAGEMAKER_BATCH=true, SAGEMAKER_MAX_PAYLOAD_IN_MB=100), split across the Workers, against the same
 * body unsplit (batch mode off, same payload limit) and against the seed stack (whose nginx takes at most
 * 5 MB). MB/s is body bytes over the request's wall time; peak RSS is the server's VmHWM.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SEED_PAYLOAD, startSeed } from './seed-stack'
import { startServer } from './server'

export interface BigResult {
  mb: number
  split: { seconds: number; peakMiB: number; idleMiB: number }
  whole: { seconds: number; peakMiB: number; idleMiB: number }
  seed: { seconds: number; status: number } | null
}

const vm = (pid: number, key: string) =>
  Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

/** An iris body of about `mb` MB (whole lines), written once into `dir`. */
function body(dir: string, mb: number): string {
  const rows = readFileSync(SEED_PAYLOAD, 'utf8')
  const path = join(dir, `iris-${mb}mb.csv`)
  writeFileSync(path, rows.repeat(Math.max(1, Math.round((mb * 1e6) / rows.length))))
  return path
}

async function post(url: string, file: string) {
  const t0 = performance.now()
  const res = await fetch(`${url}/invocations`, {
    method: 'POST',
    body: Bun.file(file),
    headers: { 'content-type': 'text/csv' },
  })
  await res.arrayBuffer()
  return { seconds: (performance.now() - t0) / 1000, status: res.status }
}

export async function bigBatch(root: string, dir: string, seedOptMl: string | null, say: (s: string) => void) {
  const out: BigResult[] = []
  for (const mb of [1, 10, 100]) {
    const file = body(dir, mb)
    const run = async (env: Record<string, string>) => {
      const s = await startServer(root, { SAGEMAKER_MAX_PAYLOAD_IN_MB: '100', ...env })
      try {
        const idleMiB = vm(s.pid, 'VmRSS')
        const r = await post(s.url, file)
        if (r.status !== 200) throw new Error(`${mb} MB body answered ${r.status}`)
        return { seconds: r.seconds, peakMiB: vm(s.pid, 'VmHWM'), idleMiB }
      } finally {
        await s.stop()
      }
    }
    const split = await run({ SAGEMAKER_BATCH: 'true' })
    const whole = await run({})
    let seed: BigResult['seed'] = null
    if (seedOptMl) {
      const s = await startSeed(seedOptMl)
      try {
        seed = await post(s.url, file)
      } finally {
        await s.stop()
      }
    }
    say(
      `${mb} MB batch request: split ${(mb / split.seconds).toFixed(1)} MB/s peak ${split.peakMiB.toFixed(0)} MiB; ` +
        `unsplit ${(mb / whole.seconds).toFixed(1)} MB/s peak ${whole.peakMiB.toFixed(0)} MiB` +
        (seed
          ? `; seed ${seed.status === 200 ? `${(mb / seed.seconds).toFixed(1)} MB/s` : `HTTP ${seed.status}`}`
          : ''),
    )
    out.push({ mb, split, whole, seed })
  }
  return out
}
