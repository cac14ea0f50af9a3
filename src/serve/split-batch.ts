/**
 * A big batch-transform CSV request split by records across the model Workers: the body is cut at line
 * breaks into pieces of about PIECE bytes, a few pieces per Worker are in flight at a time (so the
 * memory a piece's decoding, outputs and answer take stays bounded instead of growing with the body),
 * and the answers are joined in the body's order. One CSV answer line per record makes this exact:
 * the pieces' answers must hold one line per line of their piece, or the whole body is sent as one
 * request after all, as it is when any piece fails, so that errors name the same rows they would
 * unsplit (a header, a bad row) and nothing depends on where the cuts fell.
 */
import { MEDIA_TYPES } from '../formats/media-types'
import type { WorkerPool } from '../model/pool'
import type { InvokeResult, Timing } from '../model/protocol'

/** Bodies up to this size go whole: splitting pays only once decoding and running take a while. */
export const SPLIT_MIN_BYTES = 4 << 20
const PIECE = 1 << 20
const IN_FLIGHT_PER_WORKER = 2
const CSV = MEDIA_TYPES.indexOf('text/csv')

/** Whether a request is one to split: CSV in and out, over the size, and its first line not a header. */
export function splittable(body: Uint8Array, contentType: number, accept: number, csvHeader: string): boolean {
  if (contentType !== CSV || accept !== CSV || body.length < SPLIT_MIN_BYTES) return false
  if (csvHeader === 'present' || body.indexOf(34) >= 0) return false // quoted fields may hold line breaks
  return csvHeader === 'absent' || numericLine(body)
}

/** True when the first line holds only number characters, so 'auto' cannot take it for a header. */
function numericLine(body: Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c === 10 || c === 13) return i > 0
    const ok = (c >= 48 && c <= 57) || c === 44 || c === 46 || c === 45 || c === 43 || c === 32 || c === 101 || c === 69
    if (!ok) return false
  }
  return body.length > 0
}

/** Pieces of about PIECE bytes, each ending just after a line feed (the last one at the body's end). */
function pieces(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  let start = 0
  while (start < body.length) {
    let end = Math.min(body.length, start + PIECE)
    if (end < body.length) {
      const lf = body.indexOf(10, end)
      end = lf < 0 ? body.length : lf + 1
    }
    out.push(body.subarray(start, end))
    start = end
  }
  return out
}

function lines(bytes: Uint8Array): number {
  let n = 0
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++
  return bytes.length && bytes[bytes.length - 1] !== 10 ? n + 1 : n
}

export async function invokeSplit(pool: WorkerPool, body: Uint8Array, workers: number): Promise<InvokeResult> {
  const parts = pieces(body)
  const answers: Uint8Array[] = new Array(parts.length)
  let next = 0
  let failed = false
  let contentType: string = MEDIA_TYPES[CSV]
  // The pieces' timings added up: work done in parallel adds up past the request's wall time.
  const timing: Timing = { queueMs: 0, decodeMs: 0, runMs: 0, encodeMs: 0 }
  const lane = async () => {
    while (!failed && next < parts.length) {
      const k = next++
      try {
        const r = await pool.invoke(parts[k], CSV, CSV)
        // A line the Worker took for a header, or a lone CR it counted as a break: not safe to join.
        if (lines(r.body) !== lines(parts[k])) failed = true
        answers[k] = r.body
        contentType = r.contentType
        for (const key of ['queueMs', 'decodeMs', 'runMs', 'encodeMs'] as const) timing[key] += r.timing[key]
      } catch {
        failed = true
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, workers) * IN_FLIGHT_PER_WORKER }, lane))
  if (failed) return pool.invoke(body, CSV, CSV)
  let size = 0
  for (const a of answers) size += a.length
  const joined = new Uint8Array(size)
  let at = 0
  for (const a of answers) {
    joined.set(a, at)
    at += a.length
  }
  return { body: joined, contentType, timing }
}
