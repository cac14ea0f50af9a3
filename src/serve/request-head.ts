/**
 * Strict parsing of an HTTP/1.1 request head and of chunked framing, for byoc's own front
 * (direct-front.ts). Anything ambiguous is refused rather than guessed at, so a request means one thing to
 * us and to any proxy before us (no smuggling): no obsolete line folding, no bare CR or LF, one Host, one Content-Length made of
 * digits, Transfer-Encoding exactly `chunked` and never together with Content-Length.
 */

/** Bun.serve's header limit, kept so that both fronts take the same heads. */
export const MAX_HEAD_BYTES = 16 * 1024

/** The methods Bun.serve's parser takes (it closes the connection on any other without answering). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Field values: visible characters, spaces, tabs and obs-text; no other control characters.
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
/** The same characters plus the line ends, for the whole head at once. */
const HEAD_CHARS = /^[\t\r\n\x20-\x7e\x80-\xff]*$/
const BARE_CR_LF = /\r(?!\n)|(?<!\r)\n/
const WIDE = /[\x80-\xff]/

export interface RequestHead {
  method: string
  /** As sent: origin-form (/path?query), absolute-form, authority-form or `*`. */
  target: string
  /** Fields by lower-case name; a repeated field's values joined with ", " (as Bun and fetch do). */
  headers: Map<string, string>
  /** `Expect: 100-continue`: the client waits for a 100 before it sends the body. */
  expectContinue: boolean
  /** Body framing: a byte count (0 when none), or chunked. */
  length: number | 'chunked'
  /** The client asked for the connection to close after this answer (Connection: close, or HTTP/1.0). */
  close: boolean
}

export interface HeadRefusal {
  status: number
  message: string
}

const refuse = (status: number, message: string): HeadRefusal => ({ status, message })

export function parseRequestHead(head: string): RequestHead | HeadRefusal {
  const lines = head.split('\r\n')
  if (BARE_CR_LF.test(head)) return refuse(400, 'the request head holds a bare CR or LF; lines end with CRLF')
  // Whole-head checks first: the common head has no control characters and is all ASCII, so the
  // per-field tests below run only when these find something.
  const clean = HEAD_CHARS.test(head)
  const wide = WIDE.test(head)
  const m = /^(\S+) (\S+) HTTP\/(\d)\.(\d)$/.exec(lines[0])
  if (!m) return refuse(400, `malformed request line "${lines[0].slice(0, 100)}"; expected METHOD /path HTTP/1.1`)
  const [, method, target, major, minor] = m
  if (major !== '1' || (minor !== '1' && minor !== '0'))
    return refuse(505, `HTTP/${major}.${minor} is not supported; use HTTP/1.1`)
  if (!TOKEN.test(method) || !METHODS.has(method))
    return refuse(
      501,
      `method ${method.slice(0, 40)} is not implemented; byoc serves GET /ping, POST /invocations, GET /execution-parameters`,
    )
  let hosts = 0
  let contentLength: string | null = null
  let chunked = false
  let close = minor === '0'
  let expectContinue = false
  const headers = new Map<string, string>()
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    if (line[0] === ' ' || line[0] === '\t') return refuse(400, 'obsolete line folding in the request head')
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon) : ''
    if (!TOKEN.test(name)) return refuse(400, `malformed header line "${line.slice(0, 60)}"`)
    const value = line.slice(colon + 1).trim()
    if (!clean && !VALUE.test(value)) return refuse(400, `header ${name} holds a control character`)
    const lower = name.toLowerCase()
    const before = headers.get(lower)
    // The head is read one byte a character; values are text in UTF-8, as Bun decodes them.
    const text = wide && WIDE.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value
    headers.set(lower, before === undefined ? text : `${before}, ${text}`)
    switch (lower) {
      case 'host':
        hosts++
        break
      case 'content-length':
        if (contentLength !== null) return refuse(400, 'the request has more than one Content-Length header')
        contentLength = value
        break
      case 'transfer-encoding':
        if (chunked || value.toLowerCase() !== 'chunked')
          return refuse(
            501,
            `Transfer-Encoding "${value.slice(0, 60)}" is not supported; send Content-Length or chunked`,
          )
        chunked = true
        break
      case 'connection': {
        const options = value
          .toLowerCase()
          .split(',')
          .map((o) => o.trim())
        if (options.includes('close')) close = true
        else if (minor === '0' && options.includes('keep-alive')) close = false
        break
      }
      case 'expect':
        if (value.toLowerCase() === '100-continue') expectContinue = true
        break
    }
  }
  if (hosts > 1) return refuse(400, 'the request has more than one Host header')
  if (hosts === 0 && minor === '1') return refuse(400, 'the request has no Host header (HTTP/1.1 requires one)')
  if (chunked && contentLength !== null)
    return refuse(400, 'the request has both Content-Length and Transfer-Encoding; send one')
  if (chunked && minor === '0') return refuse(400, 'chunked bodies need HTTP/1.1')
  if (contentLength !== null && !/^\d{1,15}$/.test(contentLength))
    return refuse(400, `Content-Length "${contentLength.slice(0, 40)}" is not a number of bytes`)
  return { method, target, headers, expectContinue, length: chunked ? 'chunked' : Number(contentLength ?? 0), close }
}

/**
 * An incremental reader of chunked framing: feed() consumes bytes and says how many belonged to the body
 * (the rest is the next message), or why the framing is bad.
 */
export class ChunkedReader {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size'
  private line = ''
  private left = 0
  private trailerBytes = 0

  get done(): boolean {
    return this.state === 'done'
  }

  /**
   * Bytes of `buf` from `start` that belong to this message (framing included), or an error message;
   * `onData` is given the body's own bytes, as views of `buf`.
   */
  feed(buf: Uint8Array, start: number, onData?: (data: Uint8Array) => void): number | string {
    let i = start
    while (i < buf.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, buf.length - i)
        onData?.(buf.subarray(i, i + n))
        i += n
        this.left -= n
        if (this.left === 0) this.state = 'data-end'
        continue
      }
      // Line-oriented states: collect up to CRLF.
      const byte = buf[i++]
      if (byte !== 0x0a) {
        this.line += String.fromCharCode(byte)
        if (this.line.length > 4096) return 'a chunk-size or trailer line is too long'
        continue
      }
      if (!this.line.endsWith('\r')) return 'chunked body: a line ends with a bare LF'
      const line = this.line.slice(0, -1)
      this.line = ''
      if (this.state === 'data-end') {
        if (line !== '') return 'chunked body: chunk data is longer than its size'
        this.state = 'size'
      } else if (this.state === 'size') {
        const m = /^([0-9a-fA-F]{1,12})(;[^\r\n]*)?$/.exec(line)
        if (!m) return `chunked body: "${line.slice(0, 40)}" is not a chunk size`
        this.left = Number.parseInt(m[1], 16)
        this.state = this.left === 0 ? 'trailer' : 'data'
      } else {
        this.trailerBytes += line.length
        if (this.trailerBytes > MAX_HEAD_BYTES) return 'chunked body: the trailer is too long'
        if (line === '') this.state = 'done'
      }
    }
    return i - start
  }
}
