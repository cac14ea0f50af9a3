/**
 * Where a request's machine time goes: one byoc server under wrk, the CPU of each of its threads per
 * request answered (from /proc/<pid>/task, by thread name; the main thread is the HTTP loop) and the
 * machine's idle time per request (from /proc/stat), after a warm-up at the same load.
 * Usage: bun bench/thread-cpu.ts <model index in models.ts> <rows> [seconds] [connections] [binary]
 * with extra server environment as JSON in BYOC_BENCH_ENV, e.g. '{"BYOC_MAX_BATCH_SIZE":"0"}'.
 */
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchModels, csvBody } from './models'
import { machineCpuSeconds, threadCpuSeconds } from './proc-cpu'
import { modelRoot, startServer } from './server'
import { wrk } from './wrk'

const [modelArg = '0', rowsArg = '1', secondsArg = '6', connectionsArg = '64', binary] = process.argv.slice(2)
const model = benchModels()[Number(modelArg)]
const rows = Number(rowsArg)
const connections = Number(connectionsArg)
const server = await startServer(modelRoot(model.bytes), JSON.parse(process.env.BYOC_BENCH_ENV ?? '{}'), binary)
try {
  const body = join(tmpdir(), `thread-cpu-${model.features}x${rows}.csv`)
  writeFileSync(body, csvBody(rows, model.features))
  await wrk(server.url, body, connections, 2)
  const [t0, m0] = [threadCpuSeconds(server.pid), machineCpuSeconds()]
  const r = await wrk(server.url, body, connections, Number(secondsArg))
  const [t1, m1] = [threadCpuSeconds(server.pid), machineCpuSeconds()]
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
