/**
 * The inside of a model Worker: loads the session on `init`, then answers `invoke` messages. Messages
 * that arrive while the session loads wait in order. Each request is decoded and checked against the
 * model here (a bad one is answered alone), then run, merged with others by the Batcher when batching is on.
 */
import { ByocError, errors, firstLine } from '../errors'
import { CODECS } from '../formats'
import { MEDIA_TYPES } from '../formats/media-types'
import type { DecodeOptions } from '../formats/types'
import { log, setLogFormat, setLogLevel } from '../log'
import { Batcher, type Ran, timedRun } from './batcher'
import { buildFeeds } from './feeds'
import { runModel } from './fixed-batch'
import { type HandlerRuntime, invokeHandler, startHandler } from './handler-invoke'
import { IdleCollector } from './idle-gc'
import { runFailure } from './ort-message'
import { Outbox } from './outbox'
import { type OutputPlan, planOutputs, selectOutputs } from './output-plan'
import type { FromWorker, ToWorker, WorkerInit } from './protocol'
import { enterRun, leaveRun } from './run-guard'
import { createSession, type LoadedSession } from './session'
import { hasBatchAxis, valuesPerRecord } from './signature'
import type { Feeds, Results } from './tensors'
import { warmUp } from './warm-up'
import { NO_TIMING, packAnswers, unpackRequests, type WireRequest } from './wire'

interface State {
  /** Every run goes through this: it refuses new runs once the Worker is retiring (see below). */
  run: (feeds: Feeds, records: number) => Promise<Results>
  loaded: LoadedSession
  plan: OutputPlan
  decodeOptions: DecodeOptions
  /** Null when batching is off (maxBatchSize ≤ 1, or an input without a symbolic first dimension). */
  batcher: Batcher | null
  /** The model's handler (code/handler.ts), loaded in this Worker; null when it has none. */
  handler: HandlerRuntime | null
}

/**
 * A Worker is never terminated from outside while ONNX Runtime runs in it: a run that completes after
 * terminate() aborts the whole process (measured: N-API error, exit 134). The pool sends `retire`
 * instead; the Worker refuses further runs and closes itself once no run is in progress.
 */
interface Lifecycle {
  retiring: boolean
  running: number
  close: () => void
}

/** Longest an answer waits for the next batch's answers. */
const ANSWER_HOLD_MS = 2

export function startModelWorker(port: Worker, library: string | null, early: MessageEvent[] = []): void {
  let state: State | null = null
  // Releasing the session frees its native memory now rather than whenever the Worker's heap is torn down.
  const close = () => {
    void state?.loaded.session.release().catch(() => {})
    ;(port as unknown as { close(): void }).close()
  }
  const life: Lifecycle = { retiring: false, running: 0, close }
  const waiting: WireRequest[] = []
  const cancelled = new Set<number>()
  /** A request the pool gave up on (timed out) is not started: it would only hold up the ones behind it. */
  const live = (m: WireRequest) => !cancelled.delete(m.id)
  const post = (message: FromWorker) => port.postMessage(message)
  // While the Batcher has requests queued for its next batch, answers wait to go with that batch's:
  // requests that merge a few at a time (a 150-row MLP request) otherwise cost the HTTP thread one
  // message per batch.
  const answers = new Outbox<Answer>(
    (items) => {
      const batch = packAnswers(items)
      port.postMessage(batch satisfies FromWorker, [batch])
    },
    { holdWhile: () => (state?.batcher?.waiting ?? 0) > 0, maxHoldMs: ANSWER_HOLD_MS },
  )

  const handle = async (event: MessageEvent<ToWorker>) => {
    const message = event.data
    if (message instanceof ArrayBuffer) {
      const requests = unpackRequests(message)
      if (!state) waiting.push(...requests)
      // Not awaited: with batching on, the requests of one message can share a run.
      else for (const m of requests) if (live(m)) void invoke(state, m, answers)
      return
    }
    if (message.type === 'retire') {
      life.retiring = true
      if (life.running === 0) life.close()
      return
    }
    if (message.type === 'cancel') {
      for (const id of message.ids) cancelled.add(id)
      // Ids of requests that finished while their cancel was on its way are never looked up: keep the set small.
      for (const id of cancelled) if (cancelled.size > 4096) cancelled.delete(id)
      return
    }
    if (message.type === 'init') {
      try {
        state = await load(message, life, () => post({ type: 'loading-handler', index: message.index }))
        const { loaded, plan } = state
        // Through the real path; the HTTP thread logs the outcome once, for the first Worker.
        const warm = await warmUp(loaded.signature, plan, state.run)
        if (warm.verdict === 'broken')
          throw new Error(`the model cannot answer a well-formed request (warm-up): ${warm.problem}`)
        post({
          type: 'ready',
          index: message.index,
          provider: loaded.provider,
          fallbacks: loaded.fallbacks,
          signature: loaded.signature,
          outputs: plan.names,
          skippedOutputs: plan.skipped,
          warmUp: warm,
          batching: state.batcher !== null,
          library,
          handler: state.handler?.handler.info ?? null,
        })
        // Not awaited: requests that queued during loading may share a batch.
        for (const m of waiting.splice(0)) if (live(m)) void invoke(state, m, answers)
      } catch (error) {
        post({ type: 'failed', index: message.index, message: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  port.onmessage = handle
  for (const event of early.splice(0)) void handle(event)
}

async function load(init: WorkerInit, life: Lifecycle, loadingHandler: () => void): Promise<State> {
  setLogLevel(init.logLevel)
  setLogFormat(init.logFormat)
  log.debug(`worker ${init.index}: creating the session`)
  const loaded = await createSession(init.session)
  log.debug(`worker ${init.index}: session created on ${loaded.provider}`)
  const plan = planOutputs(loaded.signature.outputs, init.outputs, init.classLabels, init.labelOutput, loaded.classKeys)
  const { inputs } = loaded.signature
  // Text cells stay text when an input takes strings or bools (pandas writes True/False); each column
  // is cast to its own input's dtype later.
  const textInput = inputs.some((i) => i.type === 'string' || i.type === 'bool')
  // Only the planned outputs are fetched, so a non-tensor left out of the plan does not stop batching.
  const batchable = inputs.every(hasBatchAxis)
  const { maxBatchSize, maxQueueDelayMs, mergeBudgetMs } = init.batching
  const run = async (feeds: Feeds, records: number): Promise<Results> => {
    if (life.retiring || !enterRun(init.guard)) throw errors.notReady('model worker is retiring')
    life.running++
    try {
      return await runModel(loaded.session, loaded.signature, feeds, records, plan.names)
    } finally {
      leaveRun(init.guard)
      life.running--
      if (life.retiring && life.running === 0) life.close()
    }
  }
  const batcher =
    batchable && maxBatchSize > 1 ? new Batcher({ maxBatchSize, maxQueueDelayMs, mergeBudgetMs, run }) : null
  // A fixed record width lets sparse formats pad to it and refuse wider ones (see DecodeOptions).
  const widths = inputs.map(valuesPerRecord)
  const features = widths.every((w) => w !== null) ? (widths as number[]).reduce((a, b) => a + b, 0) : null
  const columns = widths.every((w) => w !== null)
    ? inputs.flatMap((input, k) =>
        Array.from({ length: widths[k] as number }, () => ({
          name: widths[k] === 1 ? input.name : null,
          // A bool column's True/False would look like a header word.
          numeric: input.type !== 'string' && input.type !== 'bool',
        })),
      )
    : null
  // Without a handler nothing but byoc's own feeds see a decoded body: a float32 model's numbers can be
  // held as float32 from the start (a handler's hooks get the documented Float64Array).
  const float32Input = !init.handler && inputs.length === 1 && inputs[0].type === 'float32'
  const decodeOptions: DecodeOptions = { csvHeader: init.csvHeader, textInput, features, columns, float32Input }
  const handler = init.handler
    ? await startHandler(
        init.handler,
        init.index,
        loaded.signature,
        plan,
        decodeOptions,
        { run, batcher },
        loadingHandler,
      )
    : null
  return { run, loaded, plan, decodeOptions, batcher, handler }
}

type Answer = Parameters<typeof packAnswers>[0][number]

const collector = new IdleCollector()
let inProgress = 0

async function invoke(state: State, m: WireRequest, answers: Outbox<Answer>) {
  if (state.handler?.handler.info.perRequest) return answers.push(await invokeHandler(state.handler, m))
  // The stage reached so far names the error kind: a body that does not parse, then one that does not fit.
  let stage: 'decode' | 'validation' | null = 'decode'
  inProgress++
  try {
    const t0 = performance.now()
    const decoded = decode(m, state.decodeOptions)
    stage = 'validation'
    if (decoded.records === 0) throw errors.badInput('the request holds no records')
    const feeds = buildFeeds(decoded, state.loaded.signature)
    stage = null
    const t1 = performance.now()
    const ran: Ran = state.batcher
      ? await state.batcher.submit(feeds, decoded.records)
      : await timedRun(state.run, feeds, decoded.records)
    const t2 = performance.now()
    const outputs = selectOutputs(ran.results, state.plan, decoded.records)
    const body = CODECS[m.accept].encode!({ records: decoded.records, outputs })
    answers.push({
      id: m.id,
      status: 200,
      body,
      contentType: m.accept,
      decodeMs: t1 - t0,
      runMs: ran.runMs,
      encodeMs: performance.now() - t2,
      runRows: ran.runRows,
    })
  } catch (error) {
    const e = runFailure(error)
    if (e.status >= 500) log.error(`invocation ${m.id}: ${e.message}`)
    const kind = stage && e.status < 500 ? stage : e.kind
    answers.push({ id: m.id, status: e.status, body: e.message, contentType: 0, kind, ...NO_TIMING })
  } finally {
    inProgress--
    collector.noteDone(m.body.byteLength, inProgress > 0)
  }
}

/** Anything a decoder throws is about the body (e.g. JSON nested too deep for the stack): a 400. */
function decode(m: WireRequest, options: DecodeOptions) {
  try {
    return CODECS[m.contentType].decode!(m.body, options)
  } catch (error) {
    if (error instanceof ByocError) throw error
    throw errors.badInput(`the ${MEDIA_TYPES[m.contentType]} body could not be decoded: ${firstLine(error)}`)
  }
}
