/**
 * `bun bench/handler-cost.ts`: what a handler costs against no handler, 1-row CSV to the tree model at 64
 * connections. Three servers: no handler; an empty handler (code/handler.ts that exports nothing); one
 * pass-through hook (encode() that returns undefined, so every request goes through the handler path and
 * byoc still writes the answer). They take turns, in a rotating order, within one run, so a shared
 * machine's drift falls on all of them; each turn is compared with the no-handler turn of its round and
 * the median of those ratios is the figure. The servers' CPU time per request (user + system of all
 * threads, from /proc) is shown too: other processes' load moves it less than requests/s. Writes
 * bench/HANDLER_COST.md. Options: --seconds N per turn (default 2), --rounds N (default 6). Build first.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchModels, csvBody } from './models'
import { modelRoot, startServer } from './server'
import { ensureWrk, wrk } from './wrk'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const SECONDS = arg('--seconds', 2)
const ROUNDS = arg('--rounds', 6)
const CONNECTIONS = 64
if (!ensureWrk()) throw new Error('needs wrk on PATH: apt-get install -y wrk')

const tree = benchModels()[0]
const root = (handler: string | null) => {
  const dir = modelRoot(tree.bytes)
  if (handler !== null) {
    mkdirSync(join(dir, 'model/code'))
    writeFileSync(join(dir, 'model/code/handler.ts'), handler)
  }
  return dir
}
const KINDS = {
  none: { label: 'no handler', root: root(null) },
  empty: { label: 'empty handler', root: root('// An empty handler: byoc does everything.\n') },
  hook: { label: 'pass-through encode()', root: root('export const encode = () => undefined\n') },
}
type Kind = keyof typeof KINDS
const body = join(mkdtempSync(join(tmpdir(), 'byoc-handler-cost-')), 'one-row.csv')
writeFileSync(body, csvBody(1, tree.features))

/** CPU seconds (user + system, every thread) the process has used. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const kinds = Object.keys(KINDS) as Kind[]
const servers = Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await startServer(KINDS[k].root)])))
const rps = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>
const cpu = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>
try {
  for (const k of kinds) await wrk(servers[k].url, body, 8, 1) // warm caches and JIT
  for (let round = 0; round < ROUNDS; round++)
    for (let j = 0; j < kinds.length; j++) {
      const k = kinds[(round + j) % kinds.length]
      const s = servers[k]
      const cpu0 = cpuSeconds(s.pid)
      const r = await wrk(s.url, body, CONNECTIONS, SECONDS)
      const us = ((cpuSeconds(s.pid) - cpu0) / r.requests) * 1e6
      if (r.errors) throw new Error(`${k}: ${r.errors} errors`)
      rps[k].push(r.rps)
      cpu[k].push(us)
      console.log(
        `${k.padEnd(5)} ${r.rps.toFixed(0)} req/s, ${us.toFixed(1)} µs CPU a request, p99 ${r.p99.toFixed(2)} ms`,
      )
    }
} finally {
  await Promise.all(kinds.map((k) => servers[k].stop()))
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const ratio = (k: Kind) => median(rps[k].map((x, i) => x / rps.none[i]))
const pct = (x: number) => `${x >= 0 ? '' : '-'}${Math.abs(x * 100).toFixed(1)}%`
const rows = kinds.map(
  (k) =>
    `| ${KINDS[k].label} | ${rps[k].map((x) => x.toFixed(0)).join(', ')} | ${median(rps[k]).toFixed(0)} | ${k === 'none' ? '' : pct(1 - ratio(k))} | ${median(cpu[k]).toFixed(1)} | ${k === 'none' ? '' : pct(median(cpu[k]) / median(cpu.none) - 1)} |`,
)
const report = `# Cost of a handler

${new Date().toISOString()}, load average ${loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')}; \`bun bench/handler-cost.ts\`: ${tree.name}, 1-row CSV,
${CONNECTIONS} connections, ${SECONDS} s a turn, ${ROUNDS} rounds, turns rotated within each round.

| server | req/s by round | median req/s | req/s lost (median of round ratios) | CPU µs a request (median) | more CPU a request |
| --- | --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}

An empty handler costs ${pct(1 - ratio('empty'))} of requests/s (budget: 5%). One with a hook costs ${pct(1 - ratio('hook'))}.
`
writeFileSync(join(import.meta.dir, 'HANDLER_COST.md'), report)
console.log(report)
