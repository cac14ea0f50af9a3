/**
 * The binary framing of the invocation messages between the HTTP thread and a model Worker. A batch
 * of requests (or answers) travels as ONE transferred ArrayBuffer instead of an array of objects:
 * structured clone has a fixed cost per object that a profile of the HTTP thread showed, a copy into
 * one buffer costs next to nothing, and answer bodies arrive as bytes the HTTP thread hands to Response
 * without copying or encoding.
 *
 * Request item: u32 id, u8 content-type index, u8 accept index, u32 length, body bytes.
 * Answer item:  u32 id, u16 status (200 = result), u8 content-type index, u32 length, body bytes
 *               (the encoded response, or the UTF-8 error message).
 * Media types travel as indices into formats/media-types.ts MEDIA_TYPES, resolved once on the HTTP thread.
 */

const utf8 = new TextEncoder()
const text = new TextDecoder()

/** Byte offsets inside one request item; the body starts at REQUEST_HEADER. */
const REQ = { id: 0, contentType: 4, accept: 5, length: 6 } as const
const REQUEST_HEADER = 10
/** Byte offsets inside one answer item; the body starts at ANSWER_HEADER. */
const ANS = { id: 0, status: 4, contentType: 6, length: 7 } as const
const ANSWER_HEADER = 11

export interface WireRequest {
  id: number
  /** Index into MEDIA_TYPES of the request body's type. */
  contentType: number
  /** Index into MEDIA_TYPES of the negotiated response type. */
  accept: number
  body: Uint8Array
}

export interface WireAnswer {
  id: number
  /** 200 for a result, else the error's HTTP status. */
  status: number
  /** Index into MEDIA_TYPES of the body's type (0 for an error). */
  contentType: number
  /** The response body, or for an error its message as UTF-8. */
  body: Uint8Array
}

export function packRequests(items: WireRequest[]): ArrayBuffer {
  let size = 0
  for (const r of items) size += REQUEST_HEADER + r.body.byteLength
  const buf = new ArrayBuffer(size)
  const view = new DataView(buf)
  const bytes = new Uint8Array(buf)
  let o = 0
  for (const r of items) {
    view.setUint32(o + REQ.id, r.id, true)
    view.setUint8(o + REQ.contentType, r.contentType)
    view.setUint8(o + REQ.accept, r.accept)
    view.setUint32(o + REQ.length, r.body.byteLength, true)
    bytes.set(r.body, o + REQUEST_HEADER)
    o += REQUEST_HEADER + r.body.byteLength
  }
  return buf
}

export function unpackRequests(buf: ArrayBuffer): WireRequest[] {
  const view = new DataView(buf)
  const out: WireRequest[] = []
  for (let o = 0; o < buf.byteLength; ) {
    const length = view.getUint32(o + REQ.length, true)
    out.push({
      id: view.getUint32(o + REQ.id, true),
      contentType: view.getUint8(o + REQ.contentType),
      accept: view.getUint8(o + REQ.accept),
      body: new Uint8Array(buf, o + REQUEST_HEADER, length),
    })
    o += REQUEST_HEADER + length
  }
  return out
}

/** Bodies given as strings are UTF-8 encoded here, in the Worker, off the HTTP thread. */
export function packAnswers(items: Array<Omit<WireAnswer, 'body'> & { body: Uint8Array | string }>): ArrayBuffer {
  const bodies = items.map((a) => (typeof a.body === 'string' ? utf8.encode(a.body) : a.body))
  let size = 0
  for (const b of bodies) size += ANSWER_HEADER + b.byteLength
  const buf = new ArrayBuffer(size)
  const view = new DataView(buf)
  const bytes = new Uint8Array(buf)
  let o = 0
  items.forEach((a, k) => {
    const body = bodies[k]
    view.setUint32(o + ANS.id, a.id, true)
    view.setUint16(o + ANS.status, a.status, true)
    view.setUint8(o + ANS.contentType, a.status === 200 ? a.contentType : 0)
    view.setUint32(o + ANS.length, body.byteLength, true)
    bytes.set(body, o + ANSWER_HEADER)
    o += ANSWER_HEADER + body.byteLength
  })
  return buf
}

export function unpackAnswers(buf: ArrayBuffer): WireAnswer[] {
  const view = new DataView(buf)
  const out: WireAnswer[] = []
  for (let o = 0; o < buf.byteLength; ) {
    const length = view.getUint32(o + ANS.length, true)
    out.push({
      id: view.getUint32(o + ANS.id, true),
      status: view.getUint16(o + ANS.status, true),
      contentType: view.getUint8(o + ANS.contentType),
      body: new Uint8Array(buf, o + ANSWER_HEADER, length),
    })
    o += ANSWER_HEADER + length
  }
  return out
}

export const errorText = (body: Uint8Array) => text.decode(body)
