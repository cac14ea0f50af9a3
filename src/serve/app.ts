/**
 * The HTTP surface SageMaker talks to: /ping, /invocations, /execution-parameters, /metrics. Bodies are read raw
 * (Elysia's parser mangles application/x-npy and rejects application/jsonlines), media types are
 * negotiated here so a 415/406 never costs a trip to a Worker, and the model work happens in Workers.
 */
import { type AnyElysia, Elysia } from 'elysia'
import { ByocError, type ErrorKind, errors } from '../errors'
import { DECODABLE_TYPES, ENCODABLE_TYPES } from '../formats/media-types'
import { CONTENT_TYPE as METRICS_TYPE } from '../metrics/registry'
import { packRequestMeta } from '../model/handler-meta'
import type { WorkerPool } from '../model/pool'
import type { Timing } from '../model/protocol'
import { accessLog, serverTiming } from './access-log'
import { type Answer, type FrontRoutes, type Incoming, requestIncoming, toResponse } from './answer'
import { errorAnswer, errorResponse } from './error-response'
import { checkRequestType, responseType, wireType } from './handler-routing'
import { cutHeaderValue } from './header-cut'
import { requestContentType, requestMediaType } from './media-type'
import type { Route, ServeMetrics } from './serve-metrics'
import { invokeSplit, splittable } from './split-batch'

/** Mutable readiness, flipped by the loader; /ping reads it on every call. */
export interface ServerState {
  ready: boolean
  reason: string
  pool: WorkerPool | null
  /** /invocations requests between arrival and answer, uploads included: SIGTERM waits for them. */
  active: number
}

export interface AppOptions {
  state: ServerState
  maxPayloadBytes: number
  /** SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT or the model config's defaultAccept. */
  defaultAccept: () => string | null
  echoCustomAttributes: () => boolean
  executionParameters: () => object
  /** Null when BYOC_METRICS=false: no GET /metrics and nothing recorded. */
  metrics?: ServeMetrics | null
  /** BYOC_SERVER_TIMING: a Server-Timing header on /invocations answers. */
  serverTiming?: boolean
  /** A multi-model endpoint's /models routes (multi-model-routes.ts), when SAGEMAKER_MULTI_MODEL=true. */
  multiModelRoutes?: AnyElysia
  /** The same endpoint's POST /models/<name>/invoke, for byoc's own front. */
  modelInvocation?: (name: string, incoming: Incoming) => Promise<Answer>
  /** The model an invocation is for, in metrics (a multi-model endpoint's per-model options set it). */
  modelName?: string
  /** Batch transform (MULTI_RECORD): big CSV requests are split across this many Workers (split-batch.ts). */
  splitBatch?: { workers: number; csvHeader: () => string } | null
}

const CUSTOM_ATTRIBUTES = 'x-amzn-sagemaker-custom-attributes'

export function createApp(o: AppOptions) {
  const metrics = o.metrics ?? null
  const count = (route: Route, status: number, started: number, bytesOut = 0) =>
    metrics?.request(route, status, performance.now() - started, 0, bytesOut)
  // onError first: Elysia applies hooks to the routes registered after them.
  const app = new Elysia()
    .onError(({ code, error, request }) => {
      const t0 = performance.now()
      const res =
        code === 'NOT_FOUND'
          ? errorResponse(
              errors.notFound(
                `no route ${request.method} ${new URL(request.url).pathname}; byoc serves GET /ping, POST /invocations, GET /execution-parameters${metrics ? ', GET /metrics' : ''}`,
              ),
              request.headers.get('accept'),
            )
          : errorResponse(error, request.headers.get('accept'))
      count('other', res.status, t0)
      return res
    })
    .get('/ping', ({ request }) => ping(request, o))
    .get('/execution-parameters', () => {
      const t0 = performance.now()
      const res = Response.json(o.executionParameters())
      count('/execution-parameters', 200, t0)
      return res
    })
    .post('/invocations', ({ request }) => invocations(request, o), { parse: 'none' })
    .use(o.multiModelRoutes ?? new Elysia())
  if (!metrics) return app
  return app.get('/metrics', () => {
    const t0 = performance.now()
    const body = metrics.expose()
    count('/metrics', 200, t0, body.length)
    return new Response(body, { headers: { 'content-type': METRICS_TYPE } })
  })
}

/** The routes for either front: plain invocation and ping for byoc's own, fetch for everything else. */
export function frontRoutes(o: AppOptions, app: { fetch: (r: Request) => Response | Promise<Response> }): FrontRoutes {
  return {
    invocation: (incoming) => invocationAnswer(incoming, o),
    ping: (incoming) => pingAnswer(incoming, o),
    modelInvocation: o.modelInvocation,
    fetch: withHotRoutes(o, app),
  }
}

/**
 * The app's fetch with the two routes SageMaker calls all the time taken first: POST /invocations and
 * GET /ping go straight to their handlers (the same ones the Elysia routes call), without Elysia's
 * per-request context and hooks, which cost the HTTP thread ~10 us a request (bench/http-edge.ts). Both
 * handlers answer every error themselves. Everything else, HEAD /ping included, goes to the app.
 */
export function withHotRoutes(o: AppOptions, app: { fetch: (r: Request) => Response | Promise<Response> }) {
  return (request: Request): Response | Promise<Response> => {
    const url = request.url
    const start = url.indexOf('/', url.indexOf('//') + 2)
    const query = url.indexOf('?', start)
    const path = query < 0 ? url.slice(start) : url.slice(start, query)
    const method = request.method
    if (path === '/invocations' && method === 'POST') return invocations(request, o)
    if (path === '/ping' && method === 'GET') return ping(request, o)
    return app.fetch(request)
  }
}

const ping = (request: Request, o: AppOptions): Response => toResponse(pingAnswer(requestIncoming(request), o))

export function pingAnswer(incoming: Incoming, o: AppOptions): Answer {
  const t0 = performance.now()
  // A multi-model endpoint is ready with or without models: it has no pool of its own.
  const ready = o.state.ready && (o.state.pool?.healthy ?? true)
  const res: Answer = ready
    ? { status: 200, headers: {}, body: null }
    : { status: 503, headers: {}, body: `${o.state.reason}\n` }
  const ms = performance.now() - t0
  const bytesOut = ready ? 0 : o.state.reason.length + 1
  o.metrics?.request('/ping', res.status, ms, 0, bytesOut)
  accessLog('GET', '/ping', res.status, ms, 0, bytesOut, incoming.header(INFERENCE_ID))
  return res
}

const INFERENCE_ID = 'x-amzn-sagemaker-inference-id'

/** One invocation of the model `o.state.pool` serves; a multi-model endpoint calls it per model and path. */
export async function invocations(
  request: Request,
  o: AppOptions,
  path = '/invocations',
  route: Route = '/invocations',
): Promise<Response> {
  return toResponse(await invocationAnswer(requestIncoming(request), o, path, route))
}

export async function invocationAnswer(
  incoming: Incoming,
  o: AppOptions,
  path = '/invocations',
  route: Route = '/invocations',
): Promise<Answer> {
  o.state.active++
  try {
    return await answer(incoming, o, path, route)
  } finally {
    o.state.active--
  }
}

async function answer(request: Incoming, o: AppOptions, path: string, route: Route): Promise<Answer> {
  const started = performance.now()
  const metrics = o.metrics ?? null
  const header = request.header
  const acceptHeader = header('accept')
  const echo = o.echoCustomAttributes() ? header(CUSTOM_ATTRIBUTES) : null
  const extra: Record<string, string> = echo ? { [CUSTOM_ATTRIBUTES]: cutHeaderValue(echo, 1024) } : {}
  let bytesIn: number | null = null
  const seen = { bytes: 0 }
  let inFlight = 0
  let bytesOut = 0
  let timing: Timing | null = null
  let failure: ErrorKind | null = null
  let response: Answer
  try {
    const pool = o.state.pool
    if (!o.state.ready || !pool) throw errors.notReady(o.state.reason)
    const declared = requestContentType(header)
    // No Content-Type at all: CSV, the SageMaker convention for tabular data (see README).
    const contentType = declared ? requestMediaType(declared) : 'text/csv'
    const handler = pool.handler
    checkRequestType(contentType, handler)
    const fallback = o.defaultAccept() ?? (ENCODABLE_TYPES.includes(contentType) ? contentType : 'application/json')
    const accept = responseType(acceptHeader, fallback, handler)
    const body = await request.body(o.maxPayloadBytes, seen)
    bytesIn = body.length
    // Only bytes read count as in flight (a refused body's count is for the log).
    if (metrics) {
      metrics.bytesInFlight += body.length
      inFlight = body.length
    }
    if (body.length === 0) throw errors.badInput(`empty body; send records as ${DECODABLE_TYPES.join(', ')}`)
    // A model with a handler also gets the request's SageMaker headers and types by name (handler-meta.ts).
    const meta = handler?.perRequest ? packRequestMeta(header, contentType, accept) : undefined
    // A handler sees each request whole, as sent: only byoc's own pipeline splits a big batch request.
    const split =
      !handler && o.splitBatch && splittable(body, wireType(contentType), wireType(accept), o.splitBatch.csvHeader())
    const result = split
      ? await invokeSplit(pool, body, o.splitBatch!.workers)
      : await pool.invoke(body, wireType(contentType), wireType(accept), meta)
    timing = result.timing
    bytesOut = result.body.byteLength
    response = {
      status: 200,
      headers: { ...extra, ...result.headers, 'content-type': result.contentType },
      body: result.body,
    }
  } catch (error) {
    failure = error instanceof ByocError ? error.kind : 'model'
    response = errorAnswer(error, acceptHeader, extra)
    bytesOut = Number(response.headers['content-length'] ?? 0)
    bytesIn ??= await request.bytesSent(o.maxPayloadBytes, seen)
  }
  const ms = performance.now() - started
  if (o.serverTiming) response.headers['server-timing'] = serverTiming(ms, timing)
  const sent = bytesIn ?? 0
  if (metrics) {
    metrics.bytesInFlight -= inFlight
    metrics.request(route, response.status, ms, sent, bytesOut)
    const model = metrics.model(o.modelName)
    if (timing) model.served(timing)
    if (failure) model.failed(failure)
  }
  accessLog('POST', path, response.status, ms, sent, bytesOut, header(INFERENCE_ID), timing)
  return response
}
