/**
 * The binary framing of the invocation messages between the HTTP thread and a model Worker. A batch
 * of requests (or answers) travels as ONE transferred ArrayBuffer instead of an array of objects:
 * structured clone has a fixed cost per object that a profile of the HTTP thread showed, a copy into
 * one buffer costs next to nothing, and answer bodies arrive as bytes the HTTP thread hands to Response
 * without copying or encoding.
 *
 * Request item: u32 id, u8 content-type index, u8 accept index, u32 length, u32 meta length, body bytes,
 *               meta bytes.
 * Answer item:  u32 id, u16 status (200 = result), u8 content-type index, u8 error-kind index, u32 length,
 *               u32 decode µs, u32 run µs, u32 encode µs, u32 run rows, u32 meta length, body bytes (the
 *               encoded response, or the UTF-8 error message), meta bytes.
 * The meta is empty unless the model has a handler (handler-meta.ts: its headers, types of its own).
 * Media types travel as indices into formats/media-types.ts MEDIA_TYPES, resolved once on the HTTP thread;
 * error kinds as indices into errors.ts ERROR_KINDS. The timings ride on the answer so the HTTP thread
 * records them (metrics, logs, Server-Timing) without a message of their own. `runRows` is the size of the
 * model run the request was part of, carried by one answer per run only, so runs are counted once.
 */
import { ERROR_KINDS, type ErrorKind } from '../errors'

const utf8 = new TextEncoder()
const text = new TextDecoder()

/** Byte offsets inside one request item; the body starts at REQUEST_HEADER. */
const REQ = { id: 0, contentType: 4, accept: 5, length: 6, meta: 10 } as const
const REQUEST_HEADER = 14
/** Byte offsets inside one answer item; the body starts at ANSWER_HEADER. */
const ANS = {
  id: 0,
  status: 4,
  contentType: 6,
  kind: 7,
  length: 8,
  decode: 12,
  run: 16,
  encode: 20,
  runRows: 24,
  meta: 28,
} as const
const ANSWER_HEADER = 32

export interface WireRequest {
  id: number
  /** Index into MEDIA_TYPES of the request body's type. */
  contentType: number
  /** Index into MEDIA_TYPES of the negotiated response type. */
  accept: number
  body: Uint8Array
  /** Handler meta (handler-meta.ts); empty without a handler. */
  meta?: Uint8Array
}

export interface WireAnswer {
  id: number
  /** 200 for a result, else the error's HTTP status. */
  status: number
  /** Index into MEDIA_TYPES of the body's type (0 for an error). */
  contentType: number
  /** The response body, or for an error its message as UTF-8. */
  body: Uint8Array
  /** For an error: what went wrong (ignored for a result). */
  kind: ErrorKind
  /** Time spent in the Worker, in milliseconds (µs resolution on the wire). */
  decodeMs: number
  runMs: number
  encodeMs: number
  /** Records in the model run this request took part in, on one answer per run; else 0. */
  runRows: number
  /** Handler meta (handler-meta.ts); empty without a handler. */
  meta?: Uint8Array
}

/** The timing fields of an answer that has none to report (an error before or without a run). */
export const NO_TIMING = { decodeMs: 0, runMs: 0, encodeMs: 0, runRows: 0 } as const

/**
 * A buffer for one message, left uninitialised: every byte of it is written (headers, bodies, metas), and
 * zero-filling a fresh one costs the HTTP thread more than copying the bodies into it for large requests.
 * allocUnsafeSlow gives a buffer of its own (never a slice of Buffer's shared pool), so it can be transferred.
 */
const messageBuffer = (size: number): ArrayBuffer => Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer

const micros = (ms: number) => Math.min(0xffffffff, Math.max(0, Math.round(ms * 1000)))

export function packRequests(items: WireRequest[]): ArrayBuffer {
  let size = 0
  for (const r of items) size += REQUEST_HEADER + r.body.byteLength + (r.meta?.byteLength ?? 0)
  const buf = messageBuffer(size)
  const view = new DataView(buf)
  const bytes = new Uint8Array(buf)
  let o = 0
  for (const r of items) {
    view.setUint32(o + REQ.id, r.id, true)
    view.setUint8(o + REQ.contentType, r.contentType)
    view.setUint8(o + REQ.accept, r.accept)
    view.setUint32(o + REQ.length, r.body.byteLength, true)
    o = packMeta(view, bytes, o, REQ.meta, REQUEST_HEADER, r.body, r.meta)
  }
  return buf
}

export function unpackRequests(buf: ArrayBuffer): WireRequest[] {
  const view = new DataView(buf)
  const out: WireRequest[] = []
  for (let o = 0; o < buf.byteLength; ) {
    const length = view.getUint32(o + REQ.length, true)
    const metaLength = view.getUint32(o + REQ.meta, true)
    out.push({
      id: view.getUint32(o + REQ.id, true),
      contentType: view.getUint8(o + REQ.contentType),
      accept: view.getUint8(o + REQ.accept),
      body: new Uint8Array(buf, o + REQUEST_HEADER, length),
      meta: new Uint8Array(buf, o + REQUEST_HEADER + length, metaLength),
    })
    o += REQUEST_HEADER + length + metaLength
  }
  return out
}

/** Bodies given as strings are UTF-8 encoded here, in the Worker, off the HTTP thread. */
export function packAnswers(
  items: Array<Omit<WireAnswer, 'body' | 'kind'> & { body: Uint8Array | string; kind?: ErrorKind }>,
): ArrayBuffer {
  const bodies = items.map((a) => (typeof a.body === 'string' ? utf8.encode(a.body) : a.body))
  let size = 0
  items.forEach((a, k) => {
    size += ANSWER_HEADER + bodies[k].byteLength + (a.meta?.byteLength ?? 0)
  })
  const buf = messageBuffer(size)
  const view = new DataView(buf)
  const bytes = new Uint8Array(buf)
  let o = 0
  items.forEach((a, k) => {
    const body = bodies[k]
    view.setUint32(o + ANS.id, a.id, true)
    view.setUint16(o + ANS.status, a.status, true)
    view.setUint8(o + ANS.contentType, a.status === 200 ? a.contentType : 0)
    view.setUint8(o + ANS.kind, a.status === 200 ? 0 : Math.max(0, ERROR_KINDS.indexOf(a.kind ?? 'model')))
    view.setUint32(o + ANS.length, body.byteLength, true)
    view.setUint32(o + ANS.decode, micros(a.decodeMs), true)
    view.setUint32(o + ANS.run, micros(a.runMs), true)
    view.setUint32(o + ANS.encode, micros(a.encodeMs), true)
    view.setUint32(o + ANS.runRows, a.runRows, true)
    o = packMeta(view, bytes, o, ANS.meta, ANSWER_HEADER, body, a.meta)
  })
  return buf
}

export function unpackAnswers(buf: ArrayBuffer): WireAnswer[] {
  const view = new DataView(buf)
  const out: WireAnswer[] = []
  for (let o = 0; o < buf.byteLength; ) {
    const length = view.getUint32(o + ANS.length, true)
    const metaLength = view.getUint32(o + ANS.meta, true)
    out.push({
      id: view.getUint32(o + ANS.id, true),
      status: view.getUint16(o + ANS.status, true),
      contentType: view.getUint8(o + ANS.contentType),
      kind: ERROR_KINDS[view.getUint8(o + ANS.kind)] ?? 'model',
      body: new Uint8Array(buf, o + ANSWER_HEADER, length),
      decodeMs: view.getUint32(o + ANS.decode, true) / 1000,
      runMs: view.getUint32(o + ANS.run, true) / 1000,
      encodeMs: view.getUint32(o + ANS.encode, true) / 1000,
      runRows: view.getUint32(o + ANS.runRows, true),
      meta: new Uint8Array(buf, o + ANSWER_HEADER + length, metaLength),
    })
    o += ANSWER_HEADER + length + metaLength
  }
  return out
}

/** Writes an item's meta length, body and meta after its fixed header; returns the next item's offset. */
function packMeta(
  view: DataView,
  bytes: Uint8Array,
  o: number,
  metaField: number,
  header: number,
  body: Uint8Array,
  meta: Uint8Array | undefined,
): number {
  const metaLength = meta?.byteLength ?? 0
  view.setUint32(o + metaField, metaLength, true)
  bytes.set(body, o + header)
  if (metaLength) bytes.set(meta!, o + header + body.byteLength)
  return o + header + body.byteLength + metaLength
}

export const errorText = (body: Uint8Array) => text.decode(body)
