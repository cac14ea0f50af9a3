/**
 * The public listening socket, one of two ways (BYOC_HTTP_FRONT): `bun` (default) puts Bun.serve
 * (http-front.ts) on the port; `raw` puts byoc's own HTTP/1.1 front (raw-front.ts) on the port and
 * Bun.serve behind it on a unix socket, which answers the HTTP edges Bun gets wrong (pipelining behind
 * a pending answer, half-close, unknown methods, parser refusals without a message) at a cost in
 * throughput for small requests (every byte is relayed through JavaScript). Either way the backlog is raised (listen-backlog.ts), and shutdown is
 * drain (answers say Connection: close), stop accepting, wait for what is in progress.
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { log } from '../log'
import { listen } from './http-front'
import { raiseListenBacklog } from './listen-backlog'
import { listenRawFront } from './raw-front'

/** Connections the kernel queues before accept(): a burst of thousands must not overflow it (capped by somaxconn). */
const LISTEN_BACKLOG = 4096

export interface Listener {
  port: number
  /** From now on every answer closes its connection. */
  drain: () => void
  /** Stops accepting; resolves once nothing is in progress or at `until` (performance.now()). */
  stop: (until: number) => Promise<void>
}

export function startListener(
  handle: (request: Request) => Response | Promise<Response>,
  /** reusePort: the port is shared with byoc's other HTTP loops (http-loops.ts; `bun` mode only). */
  o: { hostname: string; port: number; idleTimeout: number; mode: 'raw' | 'bun'; reusePort?: boolean },
): Listener {
  if (o.mode === 'bun') {
    const front = listen(handle, o)
    const port = front.server.port as number
    backlog(port)
    return {
      port,
      drain: front.drain,
      stop: async (until) => {
        const closed = front.server.stop(false)
        while (front.pending() > 0 && performance.now() < until) await Bun.sleep(5)
        await Promise.race([closed, Bun.sleep(Math.max(100, until - performance.now()))])
      },
    }
  }
  const unix = join(tmpdir(), `byoc-${process.pid}.sock`)
  rmSync(unix, { force: true })
  const inner = listen(handle, { unix, idleTimeout: o.idleTimeout })
  const raw = listenRawFront({ hostname: o.hostname, port: o.port, backend: unix, idleTimeout: o.idleTimeout || 3600 })
  backlog(raw.port)
  return {
    port: raw.port,
    drain: inner.drain,
    stop: async (until) => {
      raw.stop()
      while ((raw.busy() > 0 || inner.pending() > 0) && performance.now() < until) await Bun.sleep(5)
      inner.server.stop(true)
      rmSync(unix, { force: true })
    },
  }
}

function backlog(port: number): void {
  const set = raiseListenBacklog(port, LISTEN_BACKLOG)
  if (typeof set === 'string') log.warn(`listen backlog left at Bun's default: ${set}`)
}
