/**
 * Logging to stdout/stderr, which SageMaker ships to CloudWatch. One line per event: by default text
 * prefixed with an ISO time and a level; with BYOC_LOG_FORMAT=json one JSON object per line, `time`,
 * `level` and `msg` (the text line's message) plus the event's own fields, for CloudWatch Logs Insights.
 *
 * Info and debug lines are gathered for the rest of the event-loop turn and written with one write():
 * one write per access-log line took 14% of the HTTP thread at 11k requests/s (profiled). Warnings and
 * errors flush what is pending and go out at once, and so does everything when the process exits.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'
export type LogFormat = 'text' | 'json'
/** Structured fields of one line (JSON format only); the text format shows the message alone. */
export type Fields = Record<string, string | number | boolean | null | undefined | readonly unknown[]>
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
let threshold = order.info
let json = false
let pending = ''
let scheduled = false

/** Set once at start from the config (BYOC_LOG_LEVEL). */
export function setLogLevel(level: Level): void {
  threshold = order[level]
}

/** Set once at start from the config (BYOC_LOG_FORMAT). */
export function setLogFormat(format: LogFormat): void {
  json = format === 'json'
}

/** True in the JSON format: callers build a line's fields only when they will be written. */
export const jsonLogs = (): boolean => json

/** Writes the gathered info/debug lines now. */
export function flushLog(): void {
  scheduled = false
  if (!pending) return
  const out = pending
  pending = ''
  process.stdout.write(out)
}

process.on('exit', flushLog)

let stampMs = -1
let stamp = ''

/** The ISO time of now, formatted once per millisecond: at thousands of lines a second most share one. */
function now(): string {
  const ms = Date.now()
  if (ms !== stampMs) {
    stampMs = ms
    stamp = new Date(ms).toISOString()
  }
  return stamp
}

function write(level: Level, message: string, fields?: Fields): void {
  if (order[level] < threshold) return
  const time = now()
  const line = json
    ? `${JSON.stringify({ time, level, msg: message, ...fields })}\n`
    : `${time} ${level.toUpperCase()} ${message}\n`
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
  debug: (message: string, fields?: Fields) => write('debug', message, fields),
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
}
