/**
 * The listening socket, in front of the Elysia app: Bun.serve with our own fetch and error handlers rather
 * than Elysia's listen(), so that what Bun would answer itself (its HTML error page, which shows the stack
 * and working directory outside production) is our one-line message, request heads RFC 9112 forbids are
 * refused before routing, and shutdown can drain: once `drain()` is called every answer carries
 * `Connection: close`, so keep-alive clients leave after their current answer instead of being cut off.
 */
import type { Server } from 'bun'
import { errors } from '../errors'
import { errorResponse } from './error-response'

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

/** The methods each route answers; any other method on them is a 405 naming these. */
const ROUTES: Record<string, string> = {
  '/ping': 'GET',
  '/invocations': 'POST',
  '/execution-parameters': 'GET',
  '/metrics': 'GET',
}

/**
 * A request the app must not see: several Host fields (RFC 9112 §3.2: 400), CONNECT or an asterisk or
 * authority target (a proxy's business), or a method the route does not answer (405 with Allow).
 */
function refusal(request: Request): Response | null {
  const accept = request.headers.get('accept')
  const host = request.headers.get('host')
  // Bun joins repeated fields with ", "; a host name never holds a comma.
  if (host?.includes(',')) return errorResponse(errors.badInput('the request has more than one Host header'), accept)
  const method = request.method
  let path: string | null = null
  try {
    path = new URL(request.url).pathname
  } catch {}
  if (method === 'CONNECT' || method === 'TRACE') {
    const allowed = Object.entries(ROUTES)
      .map(([p, m]) => `${m} ${p}`)
      .join(', ')
    return errorResponse(errors.methodNotAllowed(method, path ?? 'here', allowed), accept, { allow: 'GET, POST' })
  }
  if (path === null) return errorResponse(errors.badInput(`the request target of ${method} is not a path`), accept)
  const allowed = ROUTES[path]
  if (allowed && method !== allowed && !(method === 'HEAD' && allowed === 'GET'))
    return errorResponse(errors.methodNotAllowed(method, path, `${allowed} ${path}`), accept, { allow: allowed })
  return null
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
  if (pathStart >= 11 && !/\/(\.|%2e){1,2}(\/|\?|#|$)/i.test(url)) return request
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
