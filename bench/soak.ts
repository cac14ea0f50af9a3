/**
 * A bounded soak of dist/byoc on 127.0.0.1: C connections (default 16) send a mix of small good and bad
 * requests back to back for S seconds (default 60, at most 600), and RSS is sampled every 5 s. Reports
 * requests, statuses, latency p50/p99 and RSS over time (start, every sample, 5 s after the load stops).
 * Usage: bun bench/soak.ts [--seconds 60] [--connections 16] (run `bun run build` first).
 */
import { parseArgs } from 'node:util'
import { linearClassifierModel } from '../test/fixtures/models'
import { modelRoot, startServer } from './server'

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, connections: { type: 'string', default: '16' } },
})
const SECONDS = Math.min(600, Number(values.seconds))
const CONNECTIONS = Math.min(256, Number(values.connections))

const BODIES: { body: string; type: string }[] = [
  { body: '1,2,3,4\n5,6,7,8\n', type: 'text/csv' },
  { body: `${'0.5,1.5,2.5,3.5\n'.repeat(150)}`, type: 'text/csv' },
  { body: '{"instances":[[1,2,3,4],[5,6,7,8]]}', type: 'application/json' },
  { body: '[1,2,3,4]\n[5,6,7,8]\n', type: 'application/jsonlines' },
  { body: '1,2,3\n', type: 'text/csv' }, // wrong width: 400
  { body: '{"instances": [', type: 'application/json' }, // not JSON: 400
  { body: '1,2,3,4\n', type: 'image/png' }, // 415
]

const server = await startServer(modelRoot(linearClassifierModel({ features: 4, classes: 3 })))
try {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  const samples: string[] = [`0 s ${server.rssMiB().toFixed(0)}`]
  const t0 = performance.now()
  const until = t0 + SECONDS * 1000
  const sampler = setInterval(
    () => samples.push(`${((performance.now() - t0) / 1000).toFixed(0)} s ${server.rssMiB().toFixed(0)}`),
    5000,
  )
  let i = 0
  const lane = async () => {
    while (performance.now() < until) {
      const b = BODIES[i++ % BODIES.length]
      const start = performance.now()
      const res = await fetch(`${server.url}/invocations`, {
        method: 'POST',
        body: b.body,
        headers: { 'content-type': b.type },
      })
      await res.arrayBuffer()
      latencies.push(performance.now() - start)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, lane))
  clearInterval(sampler)
  await Bun.sleep(5000)
  samples.push(`+5 s idle ${server.rssMiB().toFixed(0)}`)
  latencies.sort((a, b) => a - b)
  const p = (q: number) => latencies[Math.floor((latencies.length - 1) * q)].toFixed(1)
  console.log(
    `soak ${SECONDS} s, ${CONNECTIONS} connections: ${latencies.length} requests (${(latencies.length / SECONDS).toFixed(0)}/s), ` +
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
  )
  console.log(`RSS MiB over time: ${samples.join(', ')}`)
} finally {
  await server.stop()
}
