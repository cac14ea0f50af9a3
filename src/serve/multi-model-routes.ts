/**
 * The multi-model endpoint routes SageMaker calls when SAGEMAKER_MULTI_MODEL=true (CONTRACT.md §3):
 * POST /models (load), GET /models (list, paged), GET /models/<name>, DELETE /models/<name> (unload),
 * POST /models/<name>/invoke. Management answers are JSON, errors `{"error": "..."}`; an invoke is
 * answered exactly as /invocations would be for that model. The models themselves live in
 * model/model-registry.ts.
 */
import { Elysia } from 'elysia'
import { errors } from '../errors'
import type { LoadedModel, ModelRegistry } from '../model/model-registry'
import { accessLog } from './access-log'
import { type Answer, type Incoming, requestIncoming, toResponse } from './answer'
import { type AppOptions, invocationAnswer } from './app'
import { errorAnswer, errorResponse } from './error-response'

export interface MultiModelOptions {
  registry: ModelRegistry
  /** The app's options; each model gets a copy with its own state and byoc.json settings. */
  app: Omit<AppOptions, 'state' | 'multiModelRoutes'>
  /** A model's response type when the client sends no Accept (its byoc.json, else the deployment's). */
  defaultAccept: (m: LoadedModel) => string | null
}

const TARGET_MODEL = 'x-amzn-sagemaker-target-model'
/** GET /models page size: MMS's default and cap. */
const PAGE = 100
const MAX_PAGE = 1000

export function multiModelRoutes(o: MultiModelOptions) {
  const perModel = new WeakMap<LoadedModel, AppOptions>()
  const optionsFor = (m: LoadedModel): AppOptions => {
    let options = perModel.get(m)
    if (!options) {
      options = {
        ...o.app,
        state: m,
        modelName: m.name,
        defaultAccept: () => o.defaultAccept(m),
        echoCustomAttributes: () => m.modelConfig?.echoCustomAttributes ?? false,
      }
      perModel.set(m, options)
    }
    return options
  }
  const routes = new Elysia()
    .post('/models', ({ request }) => manage(o, request, '/models', () => load(request, o.registry)), {
      parse: 'none',
    })
    .get('/models', ({ request }) => manage(o, request, '/models', async () => list(request, o.registry)))
    .get('/models/:name', ({ request, params }) =>
      manage(o, request, `/models/${params.name}`, async () => describe(needLoaded(o.registry, params.name))),
    )
    .delete('/models/:name', ({ request, params }) =>
      manage(o, request, `/models/${params.name}`, async () => {
        await o.registry.unload(params.name)
        return { status: `model ${params.name} unloaded` }
      }),
    )
    .post(
      '/models/:name/invoke',
      async ({ request, params }) => toResponse(await invoke(params.name, requestIncoming(request))),
      { parse: 'none' },
    )
  /** POST /models/<name>/invoke, for either front: an unknown model is a 404 (Bun.serve: before the body is read). */
  const invoke = async (name: string, incoming: Incoming): Promise<Answer> => {
    const path = withTarget(`/models/${name}/invoke`, incoming.header(TARGET_MODEL))
    const m = o.registry.get(name)
    if (!m) {
      // SageMaker loads the model and retries.
      const t0 = performance.now()
      const res = errorAnswer(errors.notFound(`model ${name} is not loaded`), incoming.header('accept'))
      const ms = performance.now() - t0
      const out = Number(res.headers['content-length'])
      o.app.metrics?.request('/models/invoke', 404, ms, 0, out)
      accessLog('POST', path, 404, ms, 0, out, null)
      return res
    }
    o.registry.busy(m)
    return await invocationAnswer(incoming, optionsFor(m), path, '/models/invoke')
  }
  return { routes, invoke }
}

/** The client's TargetModel (its S3 key) is for logging only: the model is chosen by the path. */
function withTarget(path: string, target: string | null): string {
  return target ? `${path} target-model=${target.slice(0, 300).replace(/\s/g, '_')}` : path
}

/** A management call: JSON answer or `{"error"}`, and an access-log line. */
async function manage(
  o: MultiModelOptions,
  request: Request,
  path: string,
  work: () => Promise<object>,
): Promise<Response> {
  const t0 = performance.now()
  let res: Response
  try {
    const body = JSON.stringify(await work())
    res = new Response(body, {
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    })
  } catch (error) {
    // Always JSON: SageMaker reads `{"error": ...}` whatever it sent as Accept.
    res = errorResponse(error, null)
  }
  const out = Number(res.headers.get('content-length') ?? 0)
  const ms = performance.now() - t0
  o.app.metrics?.request('/models', res.status, ms, 0, out)
  accessLog(request.method, withTarget(path, request.headers.get(TARGET_MODEL)), res.status, ms, 0, out, null)
  return res
}

async function load(request: Request, registry: ModelRegistry): Promise<object> {
  let body: unknown
  try {
    body = JSON.parse(await request.text())
  } catch {
    throw errors.badInput('the body must be JSON: {"model_name": "...", "url": "/opt/ml/models/<name>/model"}')
  }
  const { model_name: name, url } = (body ?? {}) as { model_name?: unknown; url?: unknown }
  if (typeof name !== 'string' || typeof url !== 'string')
    throw errors.badInput('the body must hold "model_name" and "url" as strings')
  const m = await registry.load(name, url)
  return { status: `model ${m.name} loaded` }
}

function needLoaded(registry: ModelRegistry, name: string): LoadedModel {
  const m = registry.get(name)
  if (!m) throw errors.notFound(`model ${name} is not loaded`)
  return m
}

const describe = (m: LoadedModel) => ({ modelName: m.name, modelUrl: m.url })

/**
 * A page of the loaded models, sorted by name. The token is the page's last name (encoded), so loads and
 * unloads between pages neither repeat nor skip a model; the last page carries no token.
 */
function list(request: Request, registry: ModelRegistry): object {
  const query = new URL(request.url).searchParams
  const token = query.get('next_page_token')
  const limitText = query.get('limit')
  const limit = limitText === null ? PAGE : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw errors.badInput(`limit "${limitText}" must be a whole number from 1 to ${MAX_PAGE}`)
  let after: string | null = null
  if (token !== null) {
    after = Buffer.from(token, 'base64url').toString('utf8')
    if (!after || Buffer.from(after, 'utf8').toString('base64url') !== token)
      throw errors.badInput(`next_page_token "${token.slice(0, 100)}" is not one this server gave`)
  }
  const all = registry.loaded()
  const start = after === null ? 0 : all.findIndex((m) => m.name > after)
  const page = start < 0 ? [] : all.slice(start, start + limit)
  const more = start >= 0 && start + limit < all.length
  return {
    models: page.map(describe),
    ...(more ? { nextPageToken: Buffer.from(page[page.length - 1].name, 'utf8').toString('base64url') } : {}),
  }
}
