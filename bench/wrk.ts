/**
 * Drives load with wrk (a separate process, C, one thread): POSTs one body over N connections for a few
 * seconds and returns requests/s and latency percentiles parsed from post.lua's summary line.
 */
import { join } from 'node:path'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  max: number
  requests: number
  /** Answers that were not 2xx, plus socket errors and timeouts. */
  errors: number
}

export function haveWrk(): boolean {
  return Bun.spawnSync(['sh', '-c', 'command -v wrk']).exitCode === 0
}

/** Installs wrk with apt-get when it is missing and we are root on Debian/Ubuntu (a fresh machine, CI). */
export function ensureWrk(): boolean {
  if (haveWrk()) return true
  const canApt = process.getuid?.() === 0 && Bun.spawnSync(['sh', '-c', 'command -v apt-get']).exitCode === 0
  if (!canApt) return false
  console.error('wrk is missing: apt-get install -y wrk')
  const r = Bun.spawnSync(
    ['sh', '-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk'],
    { stdout: 'inherit', stderr: 'inherit' },
  )
  return r.exitCode === 0 && haveWrk()
}

export async function wrk(
  url: string,
  bodyFile: string,
  connections: number,
  seconds: number,
  contentType = 'text/csv',
  /** Multi-model: rotate requests over /models/m000/invoke … /models/m<N-1>/invoke (post-models.lua). */
  models = 0,
): Promise<LoadResult> {
  const proc = Bun.spawn(
    [
      'wrk',
      '-t',
      '1',
      '-c',
      String(connections),
      '-d',
      `${Math.max(1, Math.round(seconds))}s`,
      '--timeout',
      '30s',
      '-s',
      join(import.meta.dir, models ? 'post-models.lua' : 'post.lua'),
      models ? url : `${url}/invocations`,
    ],
    {
      env: { ...process.env, BODY_FILE: bodyFile, CONTENT_TYPE: contentType, MODELS: String(models) },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  const out = await new Response(proc.stdout).text()
  await proc.exited
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (!line) throw new Error(`wrk printed no summary:\n${out}\n${await new Response(proc.stderr).text()}`)
  const j = JSON.parse(line.slice('WRK_JSON '.length))
  return {
    rps: j.requests / (j.duration_us / 1e6),
    p50: j.p50_us / 1000,
    p99: j.p99_us / 1000,
    max: j.max_us / 1000,
    requests: j.requests,
    errors: j.non2xx + j.connect + j.read + j.write + j.timeout,
  }
}
