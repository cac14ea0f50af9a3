/**
 * The public listening socket, one of two ways (BYOC_HTTP_FRONT): `raw` (default) is byoc's own HTTP/1.1
 * server on Bun's TCP sockets (direct-front.ts), which hands the hot routes plain values and answers the
 * HTTP edges Bun.serve gets wrong (pipelining behind a pending answer, half-close, unknown methods, parser
 * refusals without a message); `bun` is Bun.serve (http-front.ts). Either way the backlog is raised
 * (listen-backlog.ts), and shutdown is drain (answers say Connection: close), stop accepting, wait for
 * what is in progress.
 */
import { log } from '../log'
import type { FrontRoutes } from './answer'
import { listenDirect } from './direct-front'
import { listen } from './http-front'
import { raiseListenBacklog } from './listen-backlog'

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
  routes: FrontRoutes,
  /** reusePort: the port is shared with byoc's other HTTP loops (http-loops.ts). */
  o: {
    hostname: string
    port: number
    idleTimeout: number
    mode: 'raw' | 'bun'
    reusePort?: boolean
    maxPayloadBytes: number
  },
): Listener {
  if (o.mode === 'bun') {
    const front = listen(routes.fetch, o)
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
  const direct = listenDirect({
    hostname: o.hostname,
    port: o.port,
    idleTimeout: o.idleTimeout,
    reusePort: o.reusePort ?? false,
    maxPayloadBytes: o.maxPayloadBytes,
    routes,
  })
  backlog(direct.port)
  return {
    port: direct.port,
    drain: direct.drain,
    stop: async (until) => {
      direct.stop()
      while (direct.busy() > 0 && performance.now() < until) await Bun.sleep(5)
      direct.closeAll()
    },
  }
}

function backlog(port: number): void {
  const set = raiseListenBacklog(port, LISTEN_BACKLOG)
  if (typeof set === 'string') log.warn(`listen backlog left at Bun's default: ${set}`)
}
