/**
 * Bursts against dist/byoc on 127.0.0.1, bounded in count and time:
 *   connections: N TCP connections opened at once (default 2,000), each then sends GET /ping; reports the
 *     connect latency (a full listen backlog shows as ~1 s: the kernel drops the SYN and the client
 *     retransmits) and the time to each answer (the server accepted and answered), p50/p99/max.
 *   bodies: K requests of ~6 MB CSV bodies (default 16, 8 at a time), RSS before, during (peak) and after
 *     (1 s, 5 s and 10 s later) the burst.
 * Usage: bun bench/burst.ts [--connections 2000] [--bodies 48] (run `bun run build` first).
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { linearClassifierModel } from '../test/fixtures/models'
import { modelRoot, startServer } from './server'

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '2000' }, bodies: { type: 'string', default: '16' } },
})
const CONNECTIONS = Math.min(10_000, Number(values.connections))
const BODIES = Math.min(1000, Number(values.bodies))

/** Extra server environment from BURST_ENV="A=1 B=2" (to compare allocator settings). */
function envFromArgs(): Record<string, string> {
  return Object.fromEntries(
    (process.env.BURST_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((kv) => kv.split('=', 2)),
  )
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? Number.NaN
}
const summary = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`

/** Opens `n` connections at once; each sends GET /ping once open. Bounded by a 20 s deadline. */
async function connectionBurst(port: number, n: number) {
  const connect: number[] = []
  const answer: number[] = []
  let failed = 0
  const t0 = performance.now()
  const deadline = t0 + 20_000
  const sockets: { end(): void }[] = []
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          let done = false
          const finish = (ok: boolean) => {
            if (done) return
            done = true
            clearTimeout(timer)
            if (!ok) failed++
            resolve()
          }
          const timer = setTimeout(() => finish(false), deadline - performance.now())
          Bun.connect({
            hostname: '127.0.0.1',
            port,
            socket: {
              open(s) {
                connect.push(performance.now() - t0)
                sockets.push(s)
                s.write('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
              },
              data(s, d) {
                const ok = d.toString('latin1').startsWith('HTTP/1.1 200')
                if (ok) answer.push(performance.now() - t0)
                finish(ok)
                s.end()
              },
              close: () => finish(false),
              error: () => finish(false),
              connectError: () => finish(false),
            },
          }).catch(() => finish(false))
        }),
    ),
  )
  for (const s of sockets) s.end()
  return { connect, answer, failed, totalMs: performance.now() - t0 }
}

function csvBody(bytes: number): string {
  const row = '0.25,1.5,-3.125,42\n'
  return row.repeat(Math.floor(bytes / row.length))
}

async function bodyBurst(url: string, rss: () => number, n: number) {
  const body = csvBody(5.9 * 1024 * 1024)
  let peak = rss()
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50)
  const statuses = new Map<number, number>()
  let next = 0
  const t0 = performance.now()
  const lane = async () => {
    while (next++ < n) {
      const res = await fetch(`${url}/invocations`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/csv', accept: 'text/csv' },
      })
      await res.arrayBuffer()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: 8 }, lane))
  clearInterval(sampler)
  return { peak, statuses: Object.fromEntries(statuses), ms: performance.now() - t0, bytes: body.length }
}

/** The kernel's TcpExt ListenOverflows and ListenDrops counters (all sockets): a full accept queue shows here. */
function listenDrops(): { overflows: number; drops: number } {
  const lines = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('TcpExt:'))
  const names = lines[0].split(/\s+/)
  const values = lines[1].split(/\s+/).map(Number)
  return { overflows: values[names.indexOf('ListenOverflows')], drops: values[names.indexOf('ListenDrops')] }
}

const server = await startServer(modelRoot(linearClassifierModel({ features: 4, classes: 3 })), envFromArgs())
try {
  const port = Number(new URL(server.url).port)
  const ss = Bun.spawnSync(['ss', '-ltnH', `sport = :${port}`])
    .stdout.toString()
    .trim()
  console.log(`listen socket (ss: state recv-q send-q=backlog local peer): ${ss || 'ss not available'}`)
  const before = listenDrops()
  const b = await connectionBurst(port, CONNECTIONS)
  const after = listenDrops()
  console.log(
    `${CONNECTIONS} connections at once: ${b.answer.length} answered, ${b.failed} failed, ${b.totalMs.toFixed(0)} ms`,
  )
  console.log(`  connect  ${summary(b.connect)}`)
  console.log(`  answered ${summary(b.answer)}`)
  console.log(
    `  kernel ListenOverflows +${after.overflows - before.overflows}, ListenDrops +${after.drops - before.drops} ` +
      `(machine-wide; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`,
  )
  await Bun.sleep(500)
  const idle = server.rssMiB()
  const r = await bodyBurst(server.url, server.rssMiB, BODIES)
  const rssAfter = [server.rssMiB()]
  for (const wait of [1000, 4000, 5000]) {
    await Bun.sleep(wait)
    rssAfter.push(server.rssMiB())
  }
  console.log(
    `${BODIES} bodies of ${(r.bytes / 1024 / 1024).toFixed(1)} MiB, 8 at a time, ${r.ms.toFixed(0)} ms, statuses ${JSON.stringify(r.statuses)}`,
  )
  console.log(
    `  RSS MiB: idle ${idle.toFixed(0)}, peak ${r.peak.toFixed(0)}, after 0/1/5/10 s ${rssAfter.map((x) => x.toFixed(0)).join(' / ')}`,
  )
} finally {
  await server.stop()
}
