/**
 * One line per request, as the contract asks: method, path, status, latency, bytes, inference id; in the
 * JSON format also the split of the latency (see model/protocol.ts Timing) as fields.
 */
import { jsonLogs, log } from '../log'
import type { Timing } from '../model/protocol'

const round = (ms: number) => Math.round(ms * 1000) / 1000

export function accessLog(
  method: string,
  path: string,
  status: number,
  durationMs: number,
  bytesIn: number,
  bytesOut: number,
  inferenceId: string | null,
  timing: Timing | null = null,
): void {
  log.info(
    `${method} ${path} ${status} ${durationMs.toFixed(2)}ms in=${bytesIn} out=${bytesOut}${inferenceId ? ` inference-id=${inferenceId}` : ''}`,
    jsonLogs()
      ? {
          event: 'access',
          method,
          path,
          status,
          duration_ms: round(durationMs),
          queue_ms: timing && round(timing.queueMs),
          decode_ms: timing && round(timing.decodeMs),
          run_ms: timing && round(timing.runMs),
          encode_ms: timing && round(timing.encodeMs),
          bytes_in: bytesIn,
          bytes_out: bytesOut,
          inference_id: inferenceId,
        }
      : undefined,
  )
}

/** The Server-Timing header value (durations in milliseconds, as the header defines them). */
export function serverTiming(durationMs: number, timing: Timing | null): string {
  const d = (ms: number) => ms.toFixed(3)
  const parts = timing
    ? [
        `queue;dur=${d(timing.queueMs)}`,
        `decode;dur=${d(timing.decodeMs)}`,
        `run;dur=${d(timing.runMs)}`,
        `encode;dur=${d(timing.encodeMs)}`,
      ]
    : []
  parts.push(`total;dur=${d(durationMs)}`)
  return parts.join(', ')
}
