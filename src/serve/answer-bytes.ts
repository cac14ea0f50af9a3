/**
 * An Answer as HTTP/1.1 bytes, for byoc's own front (direct-front.ts): the status line with its reason,
 * the headers (Content-Length and Connection are the front's own), a Date, and the body. A small answer is
 * one buffer, so it is one write.
 */
import { STATUS_CODES } from 'node:http'
import type { Answer } from './answer'

/** Above this the body is written after the head rather than copied behind it. */
const COPY_LIMIT = 64 * 1024
const NO_BODY = new Uint8Array(0)

let dateSecond = 0
let dateText = ''
/** RFC 9110 §6.6.1: an origin server with a clock sends Date; formatted once a second. */
function httpDate(): string {
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    dateText = new Date(now).toUTCString()
  }
  return dateText
}

/** Values are sanitised where they are set; control characters left here would split the answer. */
const unsafe = (s: string) => /[\0\r\n]/.test(s)

export function answerBytes(a: Answer, o: { head: boolean; close: boolean; keepAlive10: boolean }): Uint8Array[] {
  const body = a.body === null ? NO_BODY : typeof a.body === 'string' ? Buffer.from(a.body) : a.body
  let head = `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? 'Unknown'}\r\n`
  for (const name in a.headers) {
    if (name === 'content-length' || name === 'connection') continue
    const value = a.headers[name]
    if (unsafe(name) || unsafe(value)) continue
    // Values are text, written as UTF-8 (as Bun does); the head itself is written one byte a character.
    head += `${name}: ${/[\u0080-\uffff]/.test(value) ? Buffer.from(value).toString('latin1') : value}\r\n`
  }
  if (a.status !== 204 && a.status !== 304) head += `content-length: ${body.length}\r\n`
  if (o.close) head += 'connection: close\r\n'
  else if (o.keepAlive10) head += 'connection: keep-alive\r\n'
  head += `date: ${httpDate()}\r\n\r\n`
  const send = o.head || a.status === 204 || a.status === 304 ? NO_BODY : body
  const headLength = Buffer.byteLength(head, 'latin1')
  if (send.length > COPY_LIMIT) return [Buffer.from(head, 'latin1'), send]
  const out = Buffer.allocUnsafe(headLength + send.length)
  out.write(head, 0, 'latin1')
  out.set(send, headLength)
  return [out]
}
