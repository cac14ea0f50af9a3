/**
 * Logging to stdout/stderr, which SageMaker ships to CloudWatch. One line per event, prefixed with an
 * ISO time and a level, so CloudWatch Insights and metric regexes can parse it.
 *
 * Info and debug lines are gathered for the rest of the event-loop turn and written with one write():
 * one write per access-log line took 14% of the HTTP thread at 11k requests/s (profiled). Warnings and
 * errors flush what is pending and go out at once, and so does everything when the process exits.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
let threshold = order.info
let pending = ''
let scheduled = false

/** Set once at start from the config (BYOC_LOG_LEVEL). */
export function setLogLevel(level: Level): void {
  threshold = order[level]
}

/** Writes the gathered info/debug lines now. */
export function flushLog(): void {
  scheduled = false
  if (!pending) return
  const out = pending
  pending = ''
  process.stdout.write(out)
}

process.on('exit', flushLog)

function write(level: Level, message: string): void {
  if (order[level] < threshold) return
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}\n`
  if (level === 'error' || level === 'warn') {
    flushLog()
    process.stderr.write(line)
    return
  }
  pending += line
  if (!scheduled) {
    scheduled = true
    setImmediate(flushLog)
  }
}

export const log = {
  debug: (message: string) => write('debug', message),
  info: (message: string) => write('info', message),
  warn: (message: string) => write('warn', message),
  error: (message: string) => write('error', message),
}
