/**
 * The `ctx` a handler's hooks receive (types/handler.d.ts): the model, byoc's helpers, and per request
 * its headers, types, a logger carrying its inference id, response headers and ctx.error(). The handler
 * cannot import byoc (it lives inside the executable), so this argument is the whole interface.
 */
import { dirname } from 'node:path'
import { ByocError, errors, firstLine } from '../errors'
import { CODECS } from '../formats'
import { DECODABLE_TYPES, ENCODABLE_TYPES, mediaTypeIndex } from '../formats/media-types'
import type { DecodedBody, DecodeOptions, EncodeInput } from '../formats/types'
import { log } from '../log'
import type { Ran } from './batcher'
import { handlerFeeds, toTensor } from './handler-feeds'
import { HANDLER_HEADERS, type RequestMeta } from './handler-meta'
import type { Signature } from './signature'
import { concatFeeds, type Feeds, type Results, sliceRecords, stack } from './tensors'

export interface HandlerSettings {
  /** Absolute path of the handler file. */
  path: string
  modelDir: string
  /** byoc.json, as read at start (plain data). */
  config: Record<string, unknown> | null
  /** How long the import and load(ctx) may take before the pool gives the Worker up (BYOC_HANDLER_LOAD_TIMEOUT). */
  loadTimeoutMs?: number
}

export interface ModelContext {
  modelDir: string
  codeDir: string
  worker: number
  signature: Signature
  config: Readonly<Record<string, unknown>> | null
  run: (feeds: Feeds) => Promise<Results>
  codecs: typeof CODEC_HELPERS
  tensors: typeof TENSOR_HELPERS
  log: Logger
  state: Record<string, unknown>
}

export interface RequestContext extends ModelContext {
  headers: RequestHeaders
  contentType: string
  accept: string
  setHeader: (name: string, value: string) => void
  error: (status: number, message: string) => never
  /** Set by setHeader; read by the Worker when it answers. */
  responseHeaders: Record<string, string> | null
  /** Added to by ctx.run; read by the Worker when it answers (the metrics' run share). */
  runs: RunTally
}

export interface RunTally {
  /** Model run time of the runs this request took part in (batcher.ts Ran.runMs). */
  runMs: number
  /** Wall time spent awaiting ctx.run, the wait for a batch included: not the hooks' own time. */
  waitedMs: number
  /** Records of the first run this request reports for the metrics (Ran.runRows), else 0. */
  runRows: number
}

interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

const logger = (suffix: string, inferenceId: string | null = null): Logger => {
  const fields = { event: 'handler', inference_id: inferenceId ?? undefined }
  return {
    debug: (m) => log.debug(`handler: ${m}${suffix}`, fields),
    info: (m) => log.info(`handler: ${m}${suffix}`, fields),
    warn: (m) => log.warn(`handler: ${m}${suffix}`, fields),
    error: (m) => log.error(`handler: ${m}${suffix}`, fields),
  }
}

let decodeOptions: DecodeOptions = { csvHeader: 'auto', textInput: false }

const CODEC_HELPERS = Object.freeze({
  decodable: DECODABLE_TYPES,
  encodable: ENCODABLE_TYPES,
  decode(body: Uint8Array, contentType: string): DecodedBody {
    const decode = CODECS[mediaTypeIndex(contentType)]?.decode
    if (!decode) throw errors.unsupportedMediaType(contentType, DECODABLE_TYPES)
    return decode(body, decodeOptions)
  },
  encode(answer: EncodeInput, accept: string): Uint8Array | string {
    const encode = CODECS[mediaTypeIndex(accept)]?.encode
    if (!encode) throw errors.notAcceptable(accept, ENCODABLE_TYPES)
    return encode(answer)
  },
})

const TENSOR_HELPERS = Object.freeze({
  tensor: (type: string, data: ArrayLike<unknown>, dims: readonly number[]) => toTensor(type, data, dims),
  concat: (tensors: Results[string][]) => concatFeeds(tensors.map((t) => ({ t }))).t,
  slice: (t: Results[string], from: number, count: number) => sliceRecords(t, from, count, t.dims[0]),
  stack,
})

/** Each model context's ctx.run, timed into a request's tally. */
const timedRuns = new WeakMap<ModelContext, (given: Feeds, tally: RunTally | null) => Promise<Results>>()

export function modelContext(
  settings: HandlerSettings,
  worker: number,
  signature: Signature,
  options: DecodeOptions,
  runFeeds: (feeds: Feeds, records: number) => Promise<Ran>,
): ModelContext {
  decodeOptions = options
  // Errors of the run itself are the model's (500 "model failed"), not the hook's that called it.
  const run = async (given: Feeds, tally: RunTally | null) => {
    const { feeds, records } = handlerFeeds(given, signature, 'ctx.run')
    const t0 = performance.now()
    try {
      const ran = await runFeeds(feeds, records)
      if (tally) {
        tally.runMs += ran.runMs
        tally.runRows ||= ran.runRows
      }
      return ran.results
    } catch (error) {
      throw error instanceof ByocError ? error : errors.modelFailed(firstLine(error))
    } finally {
      if (tally) tally.waitedMs += performance.now() - t0
    }
  }
  const ctx: ModelContext = {
    modelDir: settings.modelDir,
    codeDir: dirname(settings.path),
    worker,
    signature,
    config: settings.config ? Object.freeze(structuredClone(settings.config)) : null,
    run: (given: Feeds) => run(given, null),
    codecs: CODEC_HELPERS,
    tensors: TENSOR_HELPERS,
    log: logger(''),
    state: {},
  }
  timedRuns.set(ctx, run)
  return ctx
}

interface RequestHeaders {
  customAttributes: string | null
  inferenceId: string | null
  targetModel: string | null
  targetVariant: string | null
  sessionId: string | null
  enableExplanations: string | null
  get(name: string): string | null
}

function requestHeaders(values: Array<string | null>): RequestHeaders {
  return {
    customAttributes: values[0],
    inferenceId: values[1],
    targetModel: values[2],
    targetVariant: values[3],
    sessionId: values[4],
    enableExplanations: values[5],
    get: (name: string) => values[HANDLER_HEADERS.indexOf(name.toLowerCase() as never)] ?? null,
  }
}

/** Hop-by-hop and framing headers are byoc's to set. */
const RESERVED = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'])

export function requestContext(base: ModelContext, meta: RequestMeta, id: number): RequestContext {
  const headers = requestHeaders(meta.headers)
  const ctx = Object.create(base) as RequestContext
  ctx.headers = headers
  ctx.contentType = meta.contentType
  ctx.accept = meta.accept
  ctx.responseHeaders = null
  const runs: RunTally = { runMs: 0, waitedMs: 0, runRows: 0 }
  ctx.runs = runs
  const run = timedRuns.get(base)
  if (run) ctx.run = (given: Feeds) => run(given, runs)
  ctx.log = logger(headers.inferenceId ? ` inference-id=${headers.inferenceId}` : ` request=${id}`, headers.inferenceId)
  ctx.setHeader = (name: string, value: string) => {
    const key = String(name).toLowerCase()
    if (RESERVED.has(key) || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(key))
      throw new TypeError(`ctx.setHeader: "${name}" cannot be set by a handler`)
    ;(ctx.responseHeaders ??= {})[key] = String(value).replace(/[\r\n]+/g, ' ')
  }
  ctx.error = (status: number, message: string): never => {
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new TypeError(`ctx.error: status ${status} is not an HTTP error status (400-599)`)
    throw new ByocError(status, String(message))
  }
  return ctx
}
