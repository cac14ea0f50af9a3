/**
 * A small HTTP/1.1 front on the public port, relaying to the Bun.serve server (http-front.ts) on a unix
 * socket. It exists for what Bun 1.4.5's server gets wrong and byoc cannot change inside it: a request
 * pipelined behind a pending (asynchronous) answer, or a client half-closing while it waits, makes Bun
 * close the connection with nothing answered; methods outside its parser's list are closed silently; its
 * parser's 400/431/505 have empty bodies. The front frames each request itself (request-head.ts, strict),
 * answers the malformed ones with our one-line message, and hands Bun one request at a time per client
 * connection, holding pipelined ones until the answer ahead of them is complete. Bodies and answers are
 * streamed with backpressure, never buffered whole.
 */
import type { Socket, TCPSocketListener } from 'bun'
import { ChunkedReader, MAX_HEAD_BYTES, parseRequestHead } from './request-head'

/** Pipelined bytes held per connection before the front stops reading from that client. */
const MAX_HELD_BYTES = 1024 * 1024

interface Held {
  /** Bytes received but not yet written to the backend. */
  pieces: Uint8Array[]
  complete: boolean
  method: string
  /** Answered by the front itself (the connection closes after it). */
  refusal: Uint8Array | null
  /** Answered early (a 413 before the body): the rest of its body is read and dropped. */
  discard: boolean
}

interface Conn {
  client: Socket<Conn>
  inbuf: Buffer<ArrayBufferLike>
  reading: 'head' | 'length' | 'chunked' | 'stopped'
  bodyLeft: number
  chunks: ChunkedReader | null
  queue: Held[]
  backend: Socket<undefined> | null
  backendState: 'none' | 'connecting' | 'open'
  toBackend: Uint8Array[]
  toClient: Uint8Array[]
  answerBuf: Buffer<ArrayBufferLike>
  answerHead: boolean
  answerLeft: number
  answerChunks: ChunkedReader | null
  answerUntilClose: boolean
  answerCloses: boolean
  /** No more requests will come (half-closed, Connection: close, or shutting down). */
  noMore: boolean
  closing: boolean
  closed: boolean
}

export interface RawFront {
  port: number
  /** Connections with a request in progress (held, forwarded or being answered). */
  busy: () => number
  /** Stops accepting and closes idle connections; the others close after their current answer. */
  stop: () => void
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
}

/** The same one-line JSON error app answers with (error-response.ts), closing the connection. */
function refusalBytes(status: number, message: string): Uint8Array {
  const body = JSON.stringify({ error: message.replace(/[\r\n]+/g, ' ') })
  return Buffer.from(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}

export function listenRawFront(o: { hostname: string; port: number; backend: string; idleTimeout: number }): RawFront {
  const conns = new Set<Conn>()
  let stopped = false

  const idle = (c: Conn) => c.queue.length === 0 && c.inbuf.length === 0 && c.reading === 'head'

  const close = (c: Conn) => {
    if (c.closed) return
    c.closing = true
    dropBackend(c)
    if (c.toClient.length === 0) {
      c.closed = true
      conns.delete(c)
      c.client.end()
    }
  }

  /** Forgets Bun's connection before ending it: ending may report its close at once. */
  const dropBackend = (c: Conn) => {
    const b = c.backend
    c.backend = null
    c.backendState = 'none'
    c.toBackend = []
    b?.end()
  }

  const writeClient = (c: Conn, bytes: Uint8Array) => {
    if (c.closed) return
    if (c.toClient.length) return void c.toClient.push(bytes)
    const n = c.client.write(bytes)
    if (n < bytes.length) {
      c.toClient.push(bytes.subarray(Math.max(0, n)))
      c.backend?.pause()
    }
  }

  const clientDrained = (c: Conn) => {
    while (c.toClient.length) {
      const bytes = c.toClient[0]
      const n = c.client.write(bytes)
      if (n < bytes.length) return void (c.toClient[0] = bytes.subarray(Math.max(0, n)))
      c.toClient.shift()
    }
    c.backend?.resume()
    if (c.closing) close(c)
    else if (held(c) <= MAX_HELD_BYTES) c.client.resume()
  }

  const writeBackend = (c: Conn, bytes: Uint8Array) => {
    if (c.backendState !== 'open' || c.toBackend.length) return void c.toBackend.push(bytes)
    const n = c.backend!.write(bytes)
    if (n < bytes.length) c.toBackend.push(bytes.subarray(Math.max(0, n)))
  }

  const backendDrained = (c: Conn) => {
    while (c.backendState === 'open' && c.toBackend.length) {
      const bytes = c.toBackend[0]
      const n = c.backend!.write(bytes)
      if (n < bytes.length) return void (c.toBackend[0] = bytes.subarray(Math.max(0, n)))
      c.toBackend.shift()
    }
  }

  const openBackend = (c: Conn) => {
    c.backendState = 'connecting'
    c.answerBuf = Buffer.alloc(0)
    c.answerHead = false
    let mine: Socket<undefined> | null = null
    const gone = () => {
      if (mine && c.backend !== mine) return // an old connection, already replaced
      backendClosed(c)
    }
    Bun.connect({
      unix: o.backend,
      socket: {
        open(s) {
          mine = s
          if (c.closing || c.backendState !== 'connecting') return void s.end()
          c.backend = s
          c.backendState = 'open'
          backendDrained(c)
        },
        drain: () => backendDrained(c),
        data: (s, d) => {
          if (c.backend === s) onAnswer(c, d)
        },
        close: gone,
        error: gone,
        connectError: () => backendClosed(c),
      },
    }).catch(() => backendClosed(c))
  }

  const backendClosed = (c: Conn) => {
    c.backend = null
    c.backendState = 'none'
    c.toBackend = []
    if (c.answerUntilClose) return finishAnswer(c)
    // Bun closed before or during an answer: nothing more can be said on this connection.
    if (c.queue.length && !c.queue[0].refusal) close(c)
  }

  /** Starts on the request at the head of the queue. */
  const advance = (c: Conn) => {
    const r = c.queue[0]
    if (!r) {
      if (c.noMore || stopped) close(c)
      else c.client.timeout(o.idleTimeout)
      return
    }
    c.client.timeout(0)
    if (r.discard) return
    if (r.refusal) {
      writeClient(c, r.refusal)
      return close(c)
    }
    if (c.backendState === 'none') openBackend(c)
    for (const p of r.pieces.splice(0)) writeBackend(c, p)
  }

  /** An answer from Bun, relayed as it comes; its head says where it ends. */
  const onAnswer = (c: Conn, d: Uint8Array) => {
    let buf: Buffer<ArrayBufferLike> = Buffer.from(d)
    while (buf.length && !c.closed) {
      if (!c.answerHead) {
        c.answerBuf = c.answerBuf.length ? Buffer.concat([c.answerBuf, buf]) : buf
        const end = c.answerBuf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = c.answerBuf.subarray(0, end).toString('latin1')
        writeClient(c, c.answerBuf.subarray(0, end + 4))
        buf = c.answerBuf.subarray(end + 4)
        c.answerBuf = Buffer.alloc(0)
        const status = Number(head.slice(9, 12))
        if (status < 200) continue // 100 Continue: the real answer follows
        c.answerHead = true
        c.answerCloses = /\r\nconnection: *close/i.test(head)
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)
        c.answerChunks = null
        c.answerUntilClose = false
        c.answerLeft = 0
        if (c.queue[0]?.method === 'HEAD' || status === 204 || status === 304) c.answerLeft = 0
        else if (length) c.answerLeft = Number(length[1])
        else if (/\r\ntransfer-encoding: *chunked/i.test(head)) c.answerChunks = new ChunkedReader()
        else c.answerUntilClose = true
        if (!c.answerChunks && !c.answerUntilClose && c.answerLeft === 0) finishAnswer(c)
        continue
      }
      let n = buf.length
      if (c.answerChunks) {
        const r = c.answerChunks.feed(buf, 0)
        if (typeof r === 'number') n = r
      } else if (!c.answerUntilClose) n = Math.min(c.answerLeft, buf.length)
      writeClient(c, buf.subarray(0, n))
      buf = buf.subarray(n)
      if (!c.answerChunks && !c.answerUntilClose) c.answerLeft -= n
      if (c.answerChunks ? c.answerChunks.done : !c.answerUntilClose && c.answerLeft === 0) finishAnswer(c)
    }
  }

  const finishAnswer = (c: Conn) => {
    c.answerHead = false
    c.answerUntilClose = false
    const r = c.queue[0]
    if (c.answerCloses) return close(c)
    if (r && !r.complete) {
      // Answered before its body was all sent: the rest of the body is dropped, and Bun's connection,
      // left mid-body, is replaced for the next request.
      r.discard = true
      r.pieces = []
      dropBackend(c)
      return
    }
    c.queue.shift()
    advance(c)
  }

  const held = (c: Conn) => {
    let n = c.inbuf.length
    for (let i = 1; i < c.queue.length; i++) for (const p of c.queue[i].pieces) n += p.length
    return n
  }

  /** Bytes of the request being read: streamed to Bun when it is at the head of the queue, else held. */
  const take = (c: Conn, r: Held, bytes: Uint8Array) => {
    if (r.discard) return
    const copy = Uint8Array.from(bytes)
    if (c.queue[0] === r && c.backendState !== 'none') writeBackend(c, copy)
    else r.pieces.push(copy)
  }

  const complete = (c: Conn, r: Held) => {
    r.complete = true
    c.reading = c.noMore ? 'stopped' : 'head'
    c.chunks = null
    if (r.discard && c.queue[0] === r) {
      c.queue.shift()
      advance(c)
    }
  }

  /** A malformed request: answered by the front after the answers ahead of it; then the connection closes. */
  const refuse = (c: Conn, status: number, message: string) => {
    c.reading = 'stopped'
    c.inbuf = Buffer.alloc(0)
    // A request whose body turned out malformed is never completed: it is dropped, and if Bun already has
    // its head, Bun's connection goes with it.
    const last = c.queue[c.queue.length - 1]
    if (last && !last.complete) {
      c.queue.pop()
      if (c.queue.length === 0) {
        dropBackend(c)
      }
    }
    c.queue.push({ pieces: [], complete: true, method: '', refusal: refusalBytes(status, message), discard: false })
    if (c.queue.length === 1) advance(c)
  }

  const onClientData = (c: Conn, d: Uint8Array) => {
    if (c.reading === 'stopped') return
    c.inbuf = c.inbuf.length ? Buffer.concat([c.inbuf, d]) : Buffer.from(d)
    while (c.inbuf.length && (c.reading as Conn['reading']) !== 'stopped') {
      if (c.reading === 'head') {
        const end = c.inbuf.indexOf('\r\n\r\n')
        if (end < 0 ? c.inbuf.length > MAX_HEAD_BYTES : end + 4 > MAX_HEAD_BYTES)
          return refuse(c, 431, `the request head is more than ${MAX_HEAD_BYTES} bytes`)
        if (end < 0) return
        const head = c.inbuf.subarray(0, end + 4)
        const parsed = parseRequestHead(head.subarray(0, end).toString('latin1'))
        if ('status' in parsed) return refuse(c, parsed.status, parsed.message)
        c.inbuf = c.inbuf.subarray(end + 4)
        const r: Held = {
          pieces: [Uint8Array.from(head)],
          complete: false,
          method: parsed.method,
          refusal: null,
          discard: false,
        }
        c.queue.push(r)
        if (parsed.close) c.noMore = true
        if (c.queue.length === 1) advance(c)
        if (parsed.length === 'chunked') {
          c.reading = 'chunked'
          c.chunks = new ChunkedReader()
        } else if (parsed.length > 0) {
          c.reading = 'length'
          c.bodyLeft = parsed.length
        } else complete(c, r)
        continue
      }
      const r = c.queue[c.queue.length - 1]
      let n: number
      if (c.reading === 'length') {
        n = Math.min(c.bodyLeft, c.inbuf.length)
        c.bodyLeft -= n
      } else {
        const got = c.chunks!.feed(c.inbuf, 0)
        if (typeof got === 'string') return refuse(c, 400, got)
        n = got
      }
      take(c, r, c.inbuf.subarray(0, n))
      c.inbuf = c.inbuf.subarray(n)
      if (c.reading === 'length' ? c.bodyLeft === 0 : c.chunks!.done) complete(c, r)
    }
    if (held(c) > MAX_HELD_BYTES) c.client.pause()
  }

  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: o.hostname,
    port: o.port,
    allowHalfOpen: true,
    socket: {
      open(client) {
        const c: Conn = {
          client,
          inbuf: Buffer.alloc(0),
          reading: 'head',
          bodyLeft: 0,
          chunks: null,
          queue: [],
          backend: null,
          backendState: 'none',
          toBackend: [],
          toClient: [],
          answerBuf: Buffer.alloc(0),
          answerHead: false,
          answerLeft: 0,
          answerChunks: null,
          answerUntilClose: false,
          answerCloses: false,
          noMore: false,
          closing: false,
          closed: false,
        }
        client.data = c
        conns.add(c)
        if (stopped) return close(c)
        client.timeout(o.idleTimeout)
      },
      data: (client, d) => onClientData(client.data, d),
      drain: (client) => clientDrained(client.data),
      end(client) {
        // Half-closed: the requests already sent are still answered, then the connection closes.
        const c = client.data
        c.noMore = true
        if (idle(c)) close(c)
      },
      timeout(client) {
        // Idle between requests, or a head that never completes (slowloris).
        if (client.data.queue.length === 0) close(client.data)
      },
      close(client) {
        const c = client.data
        c.closed = true
        conns.delete(c)
        c.backend?.end()
      },
      error: (client) => close(client.data),
    },
  })

  return {
    port: listener.port,
    busy: () => {
      let n = 0
      for (const c of conns) if (!idle(c)) n++
      return n
    },
    stop: () => {
      stopped = true
      listener.stop(false)
      for (const c of conns) {
        c.noMore = true
        if (idle(c)) close(c)
      }
    },
  }
}
