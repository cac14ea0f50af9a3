/**
 * The listening socket, in front of the Elysia app: Bun.serve with our own fetch and error handlers rather
 * than Elysia's listen(), so that what Bun would answer itself (its HTML error page, which shows the stack
 * and working directory outside production) is our one-line message, request heads RFC 9112 forbids are
 * refused before routing, and shutdown can drain: once `drain()` is called every answer carries
 * `Connection: close`, so keep-alive clients leave after their current answer instead of being cut off.
 */
import type { Server } from 'bun'
import { toResponse } from './answer'
import { errorResponse } from './error-response'
import { DOT_SEGMENT, routeRefusal } from './route-refusal'

export type FrontOptions = { idleTimeout: number; reusePort?: boolean } & (
  | { hostname: string; port: number }
  | { unix: string }
)

export interface Front {
  server: Server<undefined>
  /** From now on every answer closes its connection. */
  drain: () => void
  /** Requests Bun has dispatched and not yet answered, any route. */
  pending: () => number
}

/** Refused before routing (route-refusal.ts). */
function refusal(request: Request): Response | null {
  let path: string | null = null
  try {
    path = new URL(request.url).pathname
  } catch {}
  const headers = request.headers
  const answer = routeRefusal(request.method, path, headers.get('host'), headers.get('accept'))
  return answer && toResponse(answer)
}

/**
 * The request as the router can match it. Elysia finds the path by searching for "/" from index 11 of the
 * URL, so a Host shorter than 4 characters ("http://a/ping") hides the path and every route is a 404; and
 * dot segments ("/invocations/../ping"), which URL resolves (RFC 3986 §5.2.4), are passed through
 * unresolved. Both are rewritten onto a fixed origin, as URL resolves them.
 */
function routable(request: Request): Request {
  const url = request.url
  const pathStart = url.indexOf('/', url.indexOf('//') + 2)
  if (pathStart >= 11 && !DOT_SEGMENT.test(url)) return request
  const { pathname, search } = new URL(url)
  return new Request(`http://localhost${pathname}${search}`, request)
}

export function listen(handle: (request: Request) => Response | Promise<Response>, o: FrontOptions): Front {
  let draining = false
  const closing = (response: Response) => {
    if (draining) response.headers.set('connection', 'close')
    return response
  }
  const where = 'unix' in o ? { unix: o.unix } : { hostname: o.hostname, port: o.port }
  const server = Bun.serve({
    ...(where as { hostname: string; port: number }),
    idleTimeout: o.idleTimeout,
    // A stale server on the same port must fail this start, not silently share the port; only byoc's own
    // HTTP loops share it (http-loops.ts), after an exclusive bind has checked it is free.
    reusePort: o.reusePort ?? false,
    // Our own check (app.ts readBody) answers 413 with a message before reading an oversized body; Bun's
    // limit would answer first with an empty 413, so it is set out of the way.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    development: false,
    // Not async: a promise would make even /ping a pending response, and Bun closes a connection that
    // pipelines a request behind a pending one.
    fetch(request) {
      const response = refusal(request) ?? handle(routable(request))
      return response instanceof Promise ? response.then(closing) : closing(response)
    },
    error: (error) => closing(errorResponse(error, null)),
  })
  return { server, drain: () => void (draining = true), pending: () => server.pendingRequests }
}
