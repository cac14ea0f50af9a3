/** One line per request, as the contract asks: method, path, status, latency, bytes, inference id. */
import { log } from '../log'

export function accessLog(
  method: string,
  path: string,
  status: number,
  startedMs: number,
  bytesIn: number,
  bytesOut: number,
  inferenceId: string | null,
): void {
  const ms = (performance.now() - startedMs).toFixed(2)
  log.info(
    `${method} ${path} ${status} ${ms}ms in=${bytesIn} out=${bytesOut}${inferenceId ? ` inference-id=${inferenceId}` : ''}`,
  )
}
