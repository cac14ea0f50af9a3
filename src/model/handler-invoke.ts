/**
 * One request through a model's handler, in the model Worker: decode -> preprocess -> run -> postprocess
 * -> encode, each step the handler's hook when it has one and byoc's own otherwise, or invoke() for the
 * middle of it. What the handler throws stays inside this request: a ByocError (ctx.error) answers with
 * its status, anything else 500 with the message only, the stack going to the log.
 */
import { ByocError, errors, firstLine } from '../errors'
import { CODECS } from '../formats'
import { DECODABLE_TYPES, MEDIA_TYPES, mediaTypeIndex } from '../formats/media-types'
import type { DecodedBody, DecodeOptions } from '../formats/types'
import { log } from '../log'
import { type Batcher, timedRun } from './batcher'
import { buildFeeds } from './feeds'
import { isAnswered, type Written, writeAnswer } from './handler-answer'
import { type HandlerSettings, type ModelContext, modelContext, requestContext } from './handler-context'
import { handlerFeeds } from './handler-feeds'
import { frameIn, type LoadedHandler, loadHandler } from './handler-load'
import { CUSTOM_TYPE, NO_META, packAnswerMeta, parseRequestMeta } from './handler-meta'
import { type OutputPlan, selectOutputs } from './output-plan'
import type { Signature } from './signature'
import type { Feeds, Results } from './tensors'
import { NO_TIMING, type WireAnswer, type WireRequest } from './wire'

export interface HandlerRuntime {
  handler: LoadedHandler
  ctx: ModelContext
  signature: Signature
  plan: OutputPlan
  decodeOptions: DecodeOptions
}

export interface ModelRunner {
  run: (feeds: Feeds, records: number) => Promise<Results>
  batcher: Batcher | null
}

/** Imports the handler and runs its load(ctx); any failure fails this Worker's start, naming file:line. */
export async function startHandler(
  settings: HandlerSettings,
  worker: number,
  signature: Signature,
  plan: OutputPlan,
  decodeOptions: DecodeOptions,
  runner: ModelRunner,
  /** Called as the import starts: the pool times the import and load() from here. */
  loading: () => void = () => {},
): Promise<HandlerRuntime> {
  loading()
  const handler = await loadHandler(settings.path)
  if (worker === 0) for (const w of handler.warnings) log.warn(w)
  const runFeeds = (feeds: Feeds, records: number) =>
    runner.batcher && Object.values(feeds).every((t) => t.dims[0] === records)
      ? runner.batcher.submit(feeds, records)
      : timedRun(runner.run, feeds, records)
  const ctx = modelContext(settings, worker, signature, decodeOptions, runFeeds)
  if (handler.hooks.load)
    try {
      await handler.hooks.load(ctx)
    } catch (error) {
      const at = frameIn(error, ctx.codeDir)
      log.error(`handler load() failed: ${(error as Error)?.stack ?? String(error)}`)
      throw new Error(`handler ${settings.path}: load() failed: ${firstLine(error)}${at ? ` (${at})` : ''}`)
    }
  return { handler, ctx, signature, plan, decodeOptions }
}

type Answer = Omit<WireAnswer, 'body' | 'kind'> & { body: Uint8Array | string; kind?: WireAnswer['kind'] }

/** Never throws: every outcome is an answer. */
export async function invokeHandler(rt: HandlerRuntime, m: WireRequest): Promise<Answer> {
  const meta = parseRequestMeta(m.meta ?? NO_META)
  // Without meta (cannot happen from the pool, but keeps a bare request answerable) the indices say it all.
  meta.contentType ||= MEDIA_TYPES[m.contentType] ?? ''
  meta.accept ||= MEDIA_TYPES[m.accept] ?? ''
  const ctx = requestContext(rt.ctx, meta, m.id)
  const hooks = rt.handler.hooks
  // The metrics' split, as on byoc's own path: the hooks' own time (time awaiting ctx.run taken out) up
  // to the run is decode, after it encode; invoke()'s own time counts as decode.
  const own = () => performance.now() - ctx.runs.waitedMs
  const t0 = own()
  let t1 = t0
  let stage = 'decode'
  try {
    let answer: unknown
    if (hooks.invoke) {
      stage = 'invoke'
      answer = await hooks.invoke(invokeRequest(m.body, meta.contentType, meta.accept), ctx)
      t1 = own()
    } else {
      let records = hooks.decode ? await hooks.decode(m.body, meta.contentType, ctx) : undefined
      stage = 'byoc'
      records ??= decodeBody(m.body, meta.contentType, rt.decodeOptions)
      let feeds: Feeds
      let n: number
      if (hooks.preprocess) {
        stage = 'preprocess'
        ;({ feeds, records: n } = handlerFeeds(await hooks.preprocess(records, ctx), rt.signature, 'preprocess'))
      } else if (isDecoded(records)) {
        if (records.records === 0) throw errors.badInput('the request holds no records')
        n = records.records
        feeds = buildFeeds(records, rt.signature)
      } else ({ feeds, records: n } = handlerFeeds(records, rt.signature, 'decode'))
      stage = 'byoc'
      t1 = own()
      const results = await ctx.run(feeds)
      if (hooks.postprocess) {
        stage = 'postprocess'
        answer = await hooks.postprocess(results, records, ctx)
      } else answer = { records: n, outputs: selectOutputs(results, rt.plan, n) }
    }
    let written: Written | undefined
    if (hooks.encode) {
      stage = 'encode'
      written = encoded(await hooks.encode(answer, meta.accept, ctx), meta.accept)
    }
    stage = 'byoc'
    written ??= writeAnswer(answer, meta.accept)
    const index = mediaTypeIndex(written.contentType)
    const custom = index < 0 ? written.contentType : undefined
    return {
      id: m.id,
      status: 200,
      body: written.body,
      contentType: index < 0 ? CUSTOM_TYPE : index,
      meta: packAnswerMeta({ contentType: custom, headers: ctx.responseHeaders ?? undefined }),
      decodeMs: t1 - t0,
      runMs: ctx.runs.runMs,
      encodeMs: own() - t1,
      runRows: ctx.runs.runRows,
    }
  } catch (error) {
    const where = `invocation ${m.id}${ctx.headers.inferenceId ? ` (inference-id=${ctx.headers.inferenceId})` : ''}`
    let e: ByocError
    if (error instanceof ByocError || stage === 'byoc') {
      e = error instanceof ByocError ? error : errors.modelFailed(firstLine(error))
      if (e.status >= 500) log.error(`${where}: ${e.message}`)
    } else {
      // The client gets the handler's message; the log gets the stack, for whoever wrote the handler.
      log.error(`${where}: handler ${stage} threw: ${(error as Error)?.stack ?? String(error)}`)
      e = new ByocError(500, `handler ${stage} failed: ${firstLine(error)}`)
    }
    return { id: m.id, status: e.status, body: e.message, contentType: 0, kind: e.kind, ...NO_TIMING }
  }
}

function decodeBody(body: Uint8Array, contentType: string, options: DecodeOptions): DecodedBody {
  const codec = CODECS[mediaTypeIndex(contentType)]
  if (!codec?.decode) throw errors.unsupportedMediaType(contentType, DECODABLE_TYPES)
  try {
    return codec.decode(body, options)
  } catch (error) {
    if (error instanceof ByocError) throw error
    throw errors.badInput(`the ${contentType} body could not be decoded: ${firstLine(error)}`)
  }
}

const isDecoded = (v: unknown): v is DecodedBody =>
  typeof v === 'object' && v !== null && typeof (v as DecodedBody).records === 'number' && 'tensors' in v

/** What encode() returned: bytes or text in the negotiated type, {body, contentType}, or undefined for byoc's. */
function encoded(out: unknown, accept: string): Written | undefined {
  if (out === undefined) return undefined
  if (out instanceof Uint8Array || typeof out === 'string') return { body: out, contentType: accept }
  const o = out as Written
  if (o && (o.body instanceof Uint8Array || typeof o.body === 'string') && typeof o.contentType === 'string')
    return { body: o.body, contentType: o.contentType }
  if (isAnswered(out)) return undefined
  throw new TypeError('encode() must return a Uint8Array, a string, {body, contentType} or undefined')
}

function invokeRequest(body: Uint8Array, contentType: string, accept: string) {
  return {
    body,
    contentType,
    accept,
    text: () => new TextDecoder().decode(body),
    json: () => {
      try {
        return JSON.parse(new TextDecoder().decode(body))
      } catch (error) {
        throw errors.badInput(`the body is not JSON: ${firstLine(error)}`)
      }
    },
  }
}
