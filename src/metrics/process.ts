/**
 * The standard process_* metrics, with the names and meanings of Prometheus's client libraries (Go's
 * process collector), read at scrape time: CPU of every thread (the model Workers included), resident
 * and virtual memory, start time, and file descriptors used and allowed.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { Registry } from './registry'

export function registerProcessMetrics(registry: Registry): void {
  const cpu = registry.counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.')
  const rss = registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.')
  const vsize = registry.gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.')
  const start = registry.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.')
  const fds = registry.gauge('process_open_fds', 'Number of open file descriptors.')
  const maxFds = registry.gauge('process_max_fds', 'Maximum number of open file descriptors.')
  const threads = registry.gauge('process_threads', 'Number of OS threads in the process.')
  // performance.timeOrigin is when this process (its main thread) started, in epoch milliseconds.
  start.labels().set(Math.round(performance.timeOrigin) / 1000)
  const maxOpen = readMaxFds()
  if (maxOpen !== null) maxFds.labels().set(maxOpen)
  registry.onCollect(() => {
    // getrusage(RUSAGE_SELF): all threads of the process.
    const usage = process.cpuUsage()
    cpu.labels().set((usage.user + usage.system) / 1e6)
    rss.labels().set(process.memoryUsage.rss())
    const status = procStatus()
    if (status.vmSize !== null) vsize.labels().set(status.vmSize)
    if (status.threads !== null) threads.labels().set(status.threads)
    const open = openFds()
    if (open !== null) fds.labels().set(open)
  })
}

function procStatus(): { vmSize: number | null; threads: number | null } {
  try {
    const text = readFileSync('/proc/self/status', 'utf8')
    const vm = /^VmSize:\s+(\d+) kB/m.exec(text)
    const th = /^Threads:\s+(\d+)/m.exec(text)
    return { vmSize: vm ? Number(vm[1]) * 1024 : null, threads: th ? Number(th[1]) : null }
  } catch {
    return { vmSize: null, threads: null }
  }
}

function openFds(): number | null {
  try {
    // The listing itself holds one descriptor while it runs.
    return readdirSync('/proc/self/fd').length - 1
  } catch {
    return null
  }
}

function readMaxFds(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}
