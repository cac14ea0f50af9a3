/**
 * byoc's own HTTP/1.1 server on the public port (BYOC_HTTP_FRONT=raw, the default), on Bun's TCP sockets.
 * It frames each request itself (request-head.ts, strict), and hands POST /invocations and GET /ping to
 * their handlers as plain values (answer.ts), writing the answer's bytes itself (building a Request, its
 * Headers and a Response for each would nearly double the HTTP cost of a small request: bench/http-edge.ts).
 * Other routes get a Request and the app's fetch. It also answers what Bun.serve gets wrong: pipelined
 * requests are answered in order, one at a time, and a client that half-closes still gets its answers;
 * unknown methods and malformed heads get our one-line message. Bodies are read whole (up to the payload
 * limit; past it a 413 at once, the rest of the body read and dropped); answers are written with
 * backpressure.
 */
import type { Socket, TCPSocketListener } from 'bun'
import { ByocError, errors } from '../errors'
import { log } from '../log'
import type { Answer, FrontRoutes, Incoming } from './answer'
import { answerBytes } from './answer-bytes'
import { directRoute } from './direct-route'
import { errorAnswer } from './error-response'
import { ChunkedReader, MAX_HEAD_BYTES, parseRequestHead, type RequestHead } from './request-head'

/** Bytes of complete requests held behind the one being answered before the front stops reading. */
const MAX_HELD_BYTES = 1024 * 1024
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n')

interface Req {
  head: RequestHead
  pieces: Uint8Array[]
  bytes: number
  /** The body passed the limit (declared, or read so far): answered 413, the rest dropped. */
  tooLarge: number
  /** Answered by the front itself, then the connection closes. */
  refusal: Answer | null
  ready: boolean
  continueSent: boolean
  /** Decided when its answer is written: the connection closes after it. */
  closeAfter: boolean
}

interface Conn {
  socket: Socket<Conn>
  inbuf: Buffer<ArrayBufferLike>
  reading: 'head' | 'length' | 'chunked' | 'stopped'
  bodyLeft: number
  chunks: ChunkedReader | null
  /** The request whose body is being read. */
  current: Req | null
  /** Requests in order; the first is being answered when `busy`. */
  queue: Req[]
  busy: boolean
  /** The answer to the first request is being written. */
  sending: boolean
  out: Uint8Array[]
  /** No more requests will be read (half-closed, Connection: close, a refusal, shutting down). */
  noMore: boolean
  closed: boolean
}

export interface DirectFront {
  port: number
  /** Connections with a request in progress. */
  busy: () => number
  /** From now on every answer closes its connection. */
  drain: () => void
  /** Stops accepting and closes idle connections; the others close after their current answer. */
  stop: () => void
  /** Closes every connection. */
  closeAll: () => void
}

export interface DirectFrontOptions {
  hostname: string
  port: number
  idleTimeout: number
  reusePort: boolean
  maxPayloadBytes: number
  routes: FrontRoutes
}

const NO_HEAD: RequestHead = {
  method: '',
  target: '',
  headers: new Map(),
  expectContinue: false,
  length: 0,
  close: true,
}

export function listenDirect(o: DirectFrontOptions): DirectFront {
  const conns = new Set<Conn>()
  let draining = false
  let stopped = false

  const idle = (c: Conn) => !c.busy && c.queue.length === 0 && c.current === null && c.inbuf.length === 0

  const close = (c: Conn) => {
    if (c.closed) return
    c.closed = true
    conns.delete(c)
    c.socket.end()
  }

  const write = (c: Conn, bytes: Uint8Array) => {
    if (c.closed) return
    if (c.out.length) return void c.out.push(bytes)
    const n = c.socket.write(bytes)
    if (n < bytes.length) c.out.push(bytes.subarray(Math.max(0, n)))
  }

  /** Written out: the next request, or the end of the connection. */
  const flushed = (c: Conn) => {
    const r = c.queue[0]
    if (!c.sending || !r) return
    c.sending = false
    c.busy = false
    c.queue.shift()
    if (r.closeAfter) return close(c)
    if (c.reading !== 'stopped' && held(c) <= MAX_HELD_BYTES) c.socket.resume()
    next(c)
  }

  const drained = (c: Conn) => {
    while (c.out.length) {
      const bytes = c.out[0]
      const n = c.socket.write(bytes)
      if (n < bytes.length) return void (c.out[0] = bytes.subarray(Math.max(0, n)))
      c.out.shift()
    }
    flushed(c)
  }

  const send = (c: Conn, r: Req, a: Answer) => {
    if (c.closed) return
    // A body refused as too large is read and dropped when its length is known and the client sends it
    // unasked; a chunked one, or one waiting for 100 Continue, ends the connection.
    const dropped = r.tooLarge > 0 && (r.head.length === 'chunked' || r.head.expectContinue)
    r.closeAfter = !!r.refusal || r.head.close || draining || dropped
    const keepAlive10 = !r.closeAfter && r.head.headers.get('connection')?.toLowerCase().includes('keep-alive') === true
    const head = r.head.method === 'HEAD'
    c.sending = true
    for (const bytes of answerBytes(a, { head, close: r.closeAfter, keepAlive10 })) write(c, bytes)
    if (c.out.length === 0) flushed(c)
  }

  /** Starts on the first request when it is whole, or asks for its body (100 Continue). */
  const next = (c: Conn) => {
    if (c.closed || c.busy) return
    const r = c.queue[0]
    if (!r) {
      const waiting = c.current
      if (waiting?.head.expectContinue && !waiting.continueSent && !waiting.tooLarge) {
        waiting.continueSent = true
        write(c, CONTINUE)
      }
      if (c.current === null && (c.noMore || stopped)) close(c)
      // Bun restarts the timer on every read, so a body that keeps coming is never cut off.
      else c.socket.timeout(o.idleTimeout)
      return
    }
    if (!r.ready) return
    c.busy = true
    // The client is silent while the model works; the model's own timeout bounds the wait.
    c.socket.timeout(0)
    if (r.refusal) return send(c, r, r.refusal)
    let answer: Answer | Promise<Answer>
    try {
      answer = directRoute(r.head, incoming(r, o.maxPayloadBytes), o.routes)
    } catch (error) {
      answer = errorAnswer(error, r.head.headers.get('accept') ?? null)
    }
    if (answer instanceof Promise)
      answer.then(
        (a) => send(c, r, a),
        (error) => send(c, r, errorAnswer(error, r.head.headers.get('accept') ?? null)),
      )
    else send(c, r, answer)
  }

  const held = (c: Conn) => {
    let n = c.inbuf.length
    for (let i = c.busy ? 1 : 0; i < c.queue.length; i++) n += c.queue[i].bytes
    return n
  }

  /** Ready to answer once whole, or once known to be too large; queued once either way. */
  const enqueue = (c: Conn, r: Req) => {
    if (!r.ready) {
      r.ready = true
      c.queue.push(r)
    }
    next(c)
  }

  const finishBody = (c: Conn, r: Req) => {
    c.reading = c.noMore ? 'stopped' : 'head'
    c.chunks = null
    c.current = null
    enqueue(c, r)
  }

  /** A malformed request: answered after the answers ahead of it; then the connection closes. */
  const refuse = (c: Conn, status: number, message: string) => {
    c.reading = 'stopped'
    c.noMore = true
    c.inbuf = Buffer.alloc(0)
    // A request whose body turned out malformed is dropped unanswered (one refused as too large is
    // already queued, and its 413 closes the connection).
    c.current = null
    const refusal = errorAnswer(new ByocError(status, message), null)
    c.queue.push({ ...emptyReq(NO_HEAD), refusal, ready: true })
    next(c)
  }

  const tooLarge = (c: Conn, r: Req, bytes: number) => {
    r.tooLarge = bytes
    r.pieces = []
    enqueue(c, r)
  }

  const onData = (c: Conn, d: Uint8Array) => {
    if (c.reading === 'stopped') return
    c.inbuf = c.inbuf.length ? Buffer.concat([c.inbuf, d]) : Buffer.from(d.buffer, d.byteOffset, d.byteLength)
    while (c.inbuf.length && (c.reading as Conn['reading']) !== 'stopped') {
      if (c.reading === 'head') {
        const end = c.inbuf.indexOf('\r\n\r\n')
        if (end < 0 ? c.inbuf.length > MAX_HEAD_BYTES : end + 4 > MAX_HEAD_BYTES)
          return refuse(c, 431, `the request head is more than ${MAX_HEAD_BYTES} bytes`)
        if (end < 0) break
        const parsed = parseRequestHead(c.inbuf.toString('latin1', 0, end))
        if ('status' in parsed) return refuse(c, parsed.status, parsed.message)
        c.inbuf = c.inbuf.subarray(end + 4)
        const r = emptyReq(parsed)
        if (parsed.close) c.noMore = true
        if (parsed.length === 0) {
          finishBody(c, r)
          continue
        }
        c.current = r
        if (parsed.length === 'chunked') {
          c.reading = 'chunked'
          c.chunks = new ChunkedReader()
        } else {
          c.reading = 'length'
          c.bodyLeft = parsed.length
          if (parsed.length > o.maxPayloadBytes) tooLarge(c, r, parsed.length)
        }
        next(c)
        continue
      }
      const r = c.current!
      if (c.reading === 'length') {
        const n = Math.min(c.bodyLeft, c.inbuf.length)
        if (!r.tooLarge) r.pieces.push(c.inbuf.subarray(0, n))
        r.bytes += n
        c.bodyLeft -= n
        c.inbuf = c.inbuf.subarray(n)
        if (c.bodyLeft === 0) finishBody(c, r)
        continue
      }
      const got = c.chunks!.feed(c.inbuf, 0, (data) => {
        r.bytes += data.length
        if (r.tooLarge) return
        if (r.bytes > o.maxPayloadBytes) tooLarge(c, r, r.bytes)
        else r.pieces.push(data)
      })
      if (typeof got === 'string') return refuse(c, 400, got)
      c.inbuf = c.inbuf.subarray(got)
      if (c.chunks!.done) finishBody(c, r)
    }
    // Bun hands each read in a buffer of its own, so the pieces are views of it, not copies.
    if (held(c) > MAX_HELD_BYTES) c.socket.pause()
  }

  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: o.hostname,
    port: o.port,
    allowHalfOpen: true,
    // Shared only between byoc's own HTTP loops (http-loops.ts), after an exclusive bind checked the port.
    ...({ reusePort: o.reusePort } as object),
    socket: {
      open(socket) {
        const c: Conn = {
          socket,
          inbuf: Buffer.alloc(0),
          reading: 'head',
          bodyLeft: 0,
          chunks: null,
          current: null,
          queue: [],
          busy: false,
          sending: false,
          out: [],
          noMore: false,
          closed: false,
        }
        socket.data = c
        conns.add(c)
        if (stopped) return close(c)
        socket.timeout(o.idleTimeout)
      },
      data(socket, d) {
        try {
          onData(socket.data, d)
        } catch (error) {
          // A fault of ours must cost this connection only, never the server.
          log.error(`HTTP front: ${(error as Error).stack ?? error}`)
          close(socket.data)
        }
      },
      drain: (socket) => drained(socket.data),
      end(socket) {
        // Half-closed: what was sent is still answered, then the connection closes.
        const c = socket.data
        c.noMore = true
        c.current = null
        c.reading = 'stopped'
        if (!c.busy && c.queue.length === 0) close(c)
        else next(c)
      },
      timeout(socket) {
        // Idle between requests, or a head or body that never completes (slowloris).
        const c = socket.data
        if (!c.busy && c.queue.length === 0) close(c)
      },
      close(socket) {
        const c = socket.data
        c.closed = true
        conns.delete(c)
      },
      error: (socket) => close(socket.data),
    },
  })

  return {
    port: listener.port,
    busy: () => {
      let n = 0
      for (const c of conns) if (!idle(c)) n++
      return n
    },
    drain: () => void (draining = true),
    stop: () => {
      stopped = true
      listener.stop(false)
      for (const c of conns) {
        c.noMore = true
        if (idle(c)) close(c)
      }
    },
    closeAll: () => {
      for (const c of conns) close(c)
    },
  }
}

function emptyReq(head: RequestHead): Req {
  return {
    head,
    pieces: [],
    bytes: 0,
    tooLarge: 0,
    refusal: null,
    ready: false,
    continueSent: false,
    closeAfter: false,
  }
}

/** A framed request as the handlers read it: its body is already whole (or known to be too large). */
function incoming(r: Req, limit: number): Incoming {
  return {
    header: (name) => r.head.headers.get(name) ?? null,
    body: async () => {
      if (r.tooLarge) throw errors.payloadTooLarge(r.tooLarge, limit)
      return r.pieces.length === 1 ? r.pieces[0] : Buffer.concat(r.pieces)
    },
    bytesSent: async () => r.tooLarge || r.bytes,
  }
}
