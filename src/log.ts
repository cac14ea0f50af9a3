/**
 * Logging to stdout/stderr, which SageMaker ships to CloudWatch. One line per event, prefixed with an
 * ISO time and a level, so CloudWatch Insights and metric regexes can parse it.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
let threshold = order.info

/** Set once at start from the config (BYOC_LOG_LEVEL). */
export function setLogLevel(level: Level): void {
  threshold = order[level]
}

function write(level: Level, message: string): void {
  if (order[level] < threshold) return
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}\n`
  if (level === 'error' || level === 'warn') process.stderr.write(line)
  else process.stdout.write(line)
}

export const log = {
  debug: (message: string) => write('debug', message),
  info: (message: string) => write('info', message),
  warn: (message: string) => write('warn', message),
  error: (message: string) => write('error', message),
}
