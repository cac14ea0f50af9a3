/**
 * HTTP/1.1 over a bare TCP socket, for what fetch() hides: exact bytes on the wire, pipelining, half-close,
 * keep-alive connections driven one request at a time, and when each request was fully handed to the kernel.
 */
import type { Socket } from 'bun'

/** Sends `bytes` to 127.0.0.1:port (optionally half-closing), collects what comes back until close or `waitMs`. */
export function rawExchange(
  port: number,
  bytes: string | Uint8Array,
  opts: { halfClose?: boolean; waitMs?: number } = {},
): Promise<string> {
  let text = ''
  return new Promise((resolve) => {
    let done = false
    const finish = () => {
      if (done) return
      done = true
      resolve(text)
    }
    void Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(s) {
          writeAll(s, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).then(() => {
            if (opts.halfClose) s.shutdown()
          })
          setTimeout(() => {
            s.end()
            finish()
          }, opts.waitMs ?? 1000)
        },
        drain,
        data(_s, d) {
          text += d.toString('latin1')
        },
        close: finish,
        error: finish,
        connectError: finish,
      },
    })
  })
}

/** The status lines of every response in `text`. */
export const statusLines = (text: string): string[] => text.match(/^HTTP\/1\.1 \d{3}[^\r]*/gm) ?? []

const pendingWrites = new WeakMap<Socket<unknown>, { rest: Uint8Array; done: () => void }>()

/** Writes all of `bytes`, waiting on backpressure; resolves once the kernel holds the last byte. */
export function writeAll(s: Socket<unknown>, bytes: Uint8Array): Promise<void> {
  const n = s.write(bytes)
  if (n >= bytes.length) return Promise.resolve()
  return new Promise((done) => pendingWrites.set(s, { rest: bytes.subarray(Math.max(0, n)), done }))
}

function drain(s: Socket<unknown>): void {
  const p = pendingWrites.get(s)
  if (!p) return
  const n = s.write(p.rest)
  if (n >= p.rest.length) {
    pendingWrites.delete(s)
    p.done()
  } else p.rest = p.rest.subarray(Math.max(0, n))
}

export interface KeepAliveStats {
  /** Responses received in full. */
  answered: number
  /** Requests handed to the kernel in full before `cutoff` whose connection closed without their response. */
  lost: number
  /** Statuses seen, with counts. */
  statuses: Map<number, number>
  /** Responses that carried `Connection: close`. */
  closing: number
}

/**
 * `connections` keep-alive connections, each sending `request` again as soon as the last answer is in,
 * reconnecting when the server closes, until `until()` says stop. `cutoff()` is the moment (performance.now)
 * after which a request no longer counts as lost if unanswered; Infinity until it is set.
 */
export async function keepAliveLoad(
  port: number,
  request: Uint8Array,
  connections: number,
  until: () => boolean,
  cutoff: () => number,
): Promise<KeepAliveStats> {
  const stats: KeepAliveStats = { answered: 0, lost: 0, statuses: new Map(), closing: 0 }
  const one = async () => {
    while (!until()) {
      const closed = await connection()
      if (closed === 'refused') return
    }
  }
  const connection = () =>
    new Promise<'closed' | 'refused'>((resolve) => {
      let buffer = Buffer.alloc(0)
      let sentAt = -1 // performance.now() when the outstanding request was fully written; -1 when none
      let opened = false
      const send = (s: Socket<unknown>) => {
        if (until()) return void s.end()
        sentAt = -1
        void writeAll(s, request).then(() => (sentAt = performance.now()))
      }
      const settle = () => {
        if (sentAt >= 0 && sentAt < cutoff()) stats.lost++
        sentAt = -1
        resolve(opened ? 'closed' : 'refused')
      }
      void Bun.connect({
        hostname: '127.0.0.1',
        port,
        socket: {
          open(s) {
            opened = true
            send(s)
          },
          drain,
          data(s, d) {
            buffer = Buffer.concat([buffer, d])
            for (;;) {
              const end = buffer.indexOf('\r\n\r\n')
              if (end < 0) return
              const head = buffer.subarray(0, end).toString('latin1')
              const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
              if (buffer.length < end + 4 + length) return
              buffer = buffer.subarray(end + 4 + length)
              const status = Number(head.slice(9, 12))
              stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1)
              stats.answered++
              sentAt = -1
              if (/\r\nconnection: *close/i.test(head)) {
                stats.closing++
                s.end()
                return
              }
              send(s)
            }
          },
          close: settle,
          error: settle,
          connectError: settle,
        },
      }).catch(settle)
    })
  await Promise.all(Array.from({ length: connections }, one))
  return stats
}
