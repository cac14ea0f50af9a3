/** CPU time from /proc, for the benchmarks' CPU-per-request figures. */
import { readdirSync, readFileSync } from 'node:fs'

/** /proc counts CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS = 100

/** Name and CPU seconds (user + system) of one /proc/.../stat file. */
function readStat(path: string): { name: string; seconds: number } {
  const stat = readFileSync(path, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 (1-based, counting pid and comm).
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    seconds: (Number(fields[11]) + Number(fields[12])) / TICKS,
  }
}

/** CPU seconds used so far: the whole process (all threads), or with `thread` its main thread alone (the HTTP loop). */
export function cpuSeconds(pid: number, thread = false): number {
  return readStat(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`).seconds
}

/** CPU seconds so far of each thread name, threads of one name summed; the main thread is "http". */
export function threadCpuSeconds(pid: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const { name, seconds } = readStat(`/proc/${pid}/task/${task}/stat`)
      const key = task === String(pid) ? 'http' : name
      out[key] = (out[key] ?? 0) + seconds
    } catch {} // a thread that ended between the listing and the read
  }
  return out
}

/** Idle and total CPU seconds of the whole machine. */
export function machineCpuSeconds(): { idle: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number)
  return { idle: (f[3] + f[4]) / TICKS, total: f.reduce((a, b) => a + b, 0) / TICKS }
}
