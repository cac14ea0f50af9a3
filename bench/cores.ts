/**
 * Requests/s as cores are added: the iris tree, 150-row CSV, 64 connections, the server pinned with
 * taskset to 1 core and to 2 (one HTTP loop, and two loops sharing the port), interleaved rounds. wrk
 * is not pinned: at 1 core it has the other core to itself, at 2 it shares them with the server.
 */
import { cpuSeconds } from './proc-cpu'
import { SEED_PAYLOAD } from './seed-stack'
import { startServer } from './server'
import { type LoadResult, wrk } from './wrk'

export const CORE_LAYOUTS = [
  { name: '1 core, 1 HTTP loop', cpus: '0', env: { BYOC_HTTP_LOOPS: '1' } },
  { name: '2 cores, 1 HTTP loop', cpus: '0,1', env: { BYOC_HTTP_LOOPS: '1' } },
  { name: '2 cores, 2 HTTP loops', cpus: '0,1', env: { BYOC_HTTP_LOOPS: '2' } },
] as const

export interface CoreRun extends LoadResult {
  /** CPU microseconds per request: the whole server process, and its HTTP thread (loop 0 only). */
  cpuUs: number
  httpUs: number
}

export const haveTaskset = () => Bun.spawnSync(['sh', '-c', 'command -v taskset']).exitCode === 0

export async function coreScaling(root: string, rounds: number, seconds: number, say: (s: string) => void) {
  const results = new Map<string, CoreRun[]>(CORE_LAYOUTS.map((l) => [l.name, []]))
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...CORE_LAYOUTS].reverse() : CORE_LAYOUTS
    for (const l of order) {
      const s = await startServer(root, { ...l.env }, undefined, ['taskset', '-c', l.cpus])
      try {
        await wrk(s.url, SEED_PAYLOAD, 8, 1)
        const cpu0 = cpuSeconds(s.pid)
        const http0 = cpuSeconds(s.pid, true)
        const load = await wrk(s.url, SEED_PAYLOAD, 64, seconds)
        const n = Math.max(1, load.requests)
        const res = {
          ...load,
          cpuUs: ((cpuSeconds(s.pid) - cpu0) / n) * 1e6,
          httpUs: ((cpuSeconds(s.pid, true) - http0) / n) * 1e6,
        }
        results.get(l.name)!.push(res)
        say(
          `${l.name}: ${res.rps.toFixed(0)} req/s p99 ${res.p99.toFixed(2)} ms; CPU ${res.cpuUs.toFixed(0)} µs/request, HTTP thread ${res.httpUs.toFixed(0)}`,
        )
      } finally {
        await s.stop()
      }
    }
  }
  return results
}
