/**
 * Where byoc's own front (direct-front.ts) sends a framed request: POST /invocations, GET /ping and a
 * multi-model endpoint's POST /models/<name>/invoke to their plain handlers, a request refused before routing to its answer (route-refusal.ts), and anything
 * else to the app as a Request, its Response read back into an Answer.
 */
import type { Answer, FrontRoutes, Incoming } from './answer'
import type { RequestHead } from './request-head'
import { DOT_SEGMENT, routeRefusal } from './route-refusal'

/** The path and query of the target, resolved as URL resolves them; null when the target is not a path. */
function resolveTarget(target: string): { path: string; search: string } | null {
  if (target[0] === '/' && target[1] !== '/' && !DOT_SEGMENT.test(target)) {
    const q = target.indexOf('?')
    return q < 0 ? { path: target, search: '' } : { path: target.slice(0, q), search: target.slice(q) }
  }
  try {
    const url = target[0] === '/' ? new URL(`http://localhost${target}`) : new URL(target)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return { path: url.pathname, search: url.search }
  } catch {
    return null
  }
}

const MODEL_INVOKE = /^\/models\/([^/]+)\/invoke$/

/** The model name of a POST /models/<name>/invoke path, as the app's router decodes it; else null. */
function modelOf(path: string | undefined): string | null {
  const m = path ? MODEL_INVOKE.exec(path) : null
  if (!m) return null
  try {
    return decodeURIComponent(m[1])
  } catch {
    return null
  }
}

export function directRoute(head: RequestHead, incoming: Incoming, routes: FrontRoutes): Answer | Promise<Answer> {
  const { method, target, headers } = head
  const resolved = resolveTarget(target)
  if (resolved?.path === '/invocations' && method === 'POST') return routes.invocation(incoming)
  if (resolved?.path === '/ping' && method === 'GET') return routes.ping(incoming)
  const model = routes.modelInvocation && method === 'POST' ? modelOf(resolved?.path) : null
  if (model !== null) return routes.modelInvocation!(model, incoming)
  const refused = routeRefusal(
    method,
    resolved?.path ?? null,
    headers.get('host') ?? null,
    headers.get('accept') ?? null,
  )
  if (refused) return refused
  return viaApp(head, incoming, routes, `http://localhost${resolved!.path}${resolved!.search}`)
}

async function viaApp(head: RequestHead, incoming: Incoming, routes: FrontRoutes, url: string): Promise<Answer> {
  const { method, headers } = head
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const request = new Request(url, {
    method,
    headers: [...headers],
    body: hasBody ? await incoming.body(Number.MAX_SAFE_INTEGER, { bytes: 0 }) : undefined,
  })
  const response = await routes.fetch(request)
  const out: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    out[name] = value
  })
  return { status: response.status, headers: out, body: new Uint8Array(await response.arrayBuffer()) }
}
