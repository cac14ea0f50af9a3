/**
 * Requests the app must not see, answered the same by either front: several Host fields (RFC 9112 §3.2:
 * 400), CONNECT or TRACE or a target that is not a path (a proxy's business), or a method the route does
 * not answer (405 with Allow). Also the dot-segment test both fronts use before matching a path.
 */
import { errors } from '../errors'
import type { Answer } from './answer'
import { errorAnswer } from './error-response'

/** Dot segments, plain or escaped, that URL resolution would remove (RFC 3986 §5.2.4). */
export const DOT_SEGMENT = /\/(\.|%2e){1,2}(\/|\?|#|$)/i

/** The methods each route answers; any other method on them is a 405 naming these. */
const ROUTES: Record<string, string> = {
  '/ping': 'GET',
  '/invocations': 'POST',
  '/execution-parameters': 'GET',
  '/metrics': 'GET',
}

/** `path` is null when the request target is not a path; `host` as the request has it (joined with ", "). */
export function routeRefusal(
  method: string,
  path: string | null,
  host: string | null,
  accept: string | null,
): Answer | null {
  // Repeated fields are joined with ", "; a host name never holds a comma.
  if (host?.includes(',')) return errorAnswer(errors.badInput('the request has more than one Host header'), accept)
  if (method === 'CONNECT' || method === 'TRACE') {
    const allowed = Object.entries(ROUTES)
      .map(([p, m]) => `${m} ${p}`)
      .join(', ')
    return errorAnswer(errors.methodNotAllowed(method, path ?? 'here', allowed), accept, { allow: 'GET, POST' })
  }
  if (path === null) return errorAnswer(errors.badInput(`the request target of ${method} is not a path`), accept)
  const allowed = ROUTES[path]
  if (allowed && method !== allowed && !(method === 'HEAD' && allowed === 'GET'))
    return errorAnswer(errors.methodNotAllowed(method, path, `${allowed} ${path}`), accept, { allow: allowed })
  return null
}
