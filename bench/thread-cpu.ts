/**
 * Where a request's machine time goes: one byoc server under wrk, the CPU of each of its threads per
 * request answered (from /proc/<pid>/task, by thread name; the main thread is the HTTP loop) and the
 * machine's idle time per request (from /proc/stat), after a warm-up at the same load.
 * Usage: bun bench/thread-cpu.ts <model index in models.ts> <rows> [seconds] [connections] [binary]
 * with extra server environment as JSON in BYOC_BENCH_ENV, e.g. '{"BYOC_MAX_BATCH_SIZE":"0"}'.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchModels, csvBody } from './models'
import { modelRoot, startServer } from './server'
import { wrk } from './wrk'

const [modelArg = '0', rowsArg = '1', secondsArg = '6', connectionsArg = '64', binary] = process.argv.slice(2)
const TICKS = 100 // USER_HZ: /proc counts CPU time in these

/** CPU seconds so far of each thread name (threads of one name summed). */
function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const name = task === String(pid) ? 'http' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS
    } catch {} // a thread that ended between the listing and the read
  }
  return out
}

/** Idle and total CPU seconds of the whole machine. */
function machine(): { idle: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number)
  return { idle: (f[3] + f[4]) / TICKS, total: f.reduce((a, b) => a + b, 0) / TICKS }
}

const model = benchModels()[Number(modelArg)]
const rows = Number(rowsArg)
const connections = Number(connectionsArg)
const server = await startServer(modelRoot(model.bytes), JSON.parse(process.env.BYOC_BENCH_ENV ?? '{}'), binary)
try {
  const body = join(tmpdir(), `thread-cpu-${model.features}x${rows}.csv`)
  writeFileSync(body, csvBody(rows, model.features))
  await wrk(server.url, body, connections, 2)
  const [t0, m0] = [threadCpu(server.pid), machine()]
  const r = await wrk(server.url, body, connections, Number(secondsArg))
  const [t1, m1] = [threadCpu(server.pid), machine()]
  const us = (seconds: number) => Math.round((seconds * 1e6 * 10) / r.requests) / 10
  const threads = Object.fromEntries(
    Object.keys(t1)
      .map((k) => [k, us(t1[k] - (t0[k] ?? 0))] as const)
      .filter(([, v]) => v > 0.5),
  )
  console.log(
    JSON.stringify({
      model: model.name,
      rows,
      connections,
      rps: Math.round(r.rps),
      p99: r.p99,
      errors: r.errors,
      usPerRequest: threads,
      idleUsPerRequest: us(m1.idle - m0.idle),
      machineUsPerRequest: us(m1.total - m0.total),
    }),
  )
} finally {
  await server.stop()
}
