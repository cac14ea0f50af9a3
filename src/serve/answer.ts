/**
 * What the hot routes read and answer, without Request and Response objects: byoc's own HTTP front
 * (direct-front.ts) hands them parsed heads and whole bodies and writes the answer's bytes itself, since
 * building a Request, its Headers and a Response in JavaScript would cost nearly as much again as all the
 * rest of a small request's HTTP work (bench/http-edge.ts). Bun.serve's path wraps its Request into the
 * same shape.
 */
import { errors } from '../errors'

export interface Incoming {
  /** A header's value by lower-case name (repeated fields joined with ", "), or null. */
  header(name: string): string | null
  /** The whole body; a 413 (ByocError) past `limit`, which `seen` counts towards for a chunked body. */
  body(limit: number, seen: { bytes: number }): Promise<Uint8Array>
  /** For the log, the size of a body refused before it was read: declared, or what was seen of it. */
  bytesSent(limit: number, seen: { bytes: number }): Promise<number>
}

export interface Answer {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  body: Uint8Array | string | null
}

/** The two routes SageMaker calls all the time as plain values, and the app's fetch for the rest. */
export interface FrontRoutes {
  invocation: (incoming: Incoming) => Promise<Answer>
  ping: (incoming: Incoming) => Answer
  /** POST /models/<name>/invoke on a multi-model endpoint. */
  modelInvocation?: (name: string, incoming: Incoming) => Promise<Answer>
  fetch: (request: Request) => Response | Promise<Response>
}

export function toResponse(a: Answer): Response {
  return new Response(a.body, { status: a.status, headers: a.headers })
}

/** A Request seen as an Incoming: a declared Content-Length is checked before the body is read. */
export function requestIncoming(request: Request): Incoming {
  return {
    header: (name) => request.headers.get(name),
    async body(limit, seen) {
      const declared = request.headers.get('content-length')
      if (declared !== null) {
        const length = Number(declared)
        if (length > limit) throw errors.payloadTooLarge(length, limit)
        return new Uint8Array(await request.arrayBuffer())
      }
      const chunks: Uint8Array[] = []
      for await (const chunk of request.body ?? []) {
        seen.bytes += chunk.byteLength
        if (seen.bytes > limit) throw errors.payloadTooLarge(seen.bytes, limit)
        chunks.push(chunk)
      }
      return Buffer.concat(chunks)
    },
    async bytesSent(limit, seen) {
      const declared = request.headers.get('content-length')
      if (declared !== null) return Number(declared) || 0
      if (request.bodyUsed || !request.body) return seen.bytes
      try {
        for await (const chunk of request.body) {
          seen.bytes += chunk.byteLength
          if (seen.bytes > limit) break
        }
      } catch {}
      return seen.bytes
    },
  }
}
