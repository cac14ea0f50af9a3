/**
 * The inside of a model Worker: loads the session on `init`, then answers `invoke` messages. Messages
 * that arrive while the session loads wait in order. Each request is decoded and checked against the
 * model here (a bad one is answered alone), then run, merged with others by the Batcher when batching is on.
 */
import { ByocError, errors } from '../errors'
import { log, setLogLevel } from '../log'
import { decoderFor, encoderFor } from '../serve/codecs'
import type { DecodeOptions } from '../serve/codecs/types'
import { Batcher } from './batcher'
import { buildFeeds } from './feeds'
import { type OutputPlan, planOutputs, selectOutputs } from './outputs'
import { Outbox } from './outbox'
import type { FromWorker, ToWorker, WorkerInit } from './protocol'
import { type WireRequest, packAnswers, unpackRequests } from './wire'
import { type LoadedSession, createSession, warmUp } from './session'
import { runModel } from './run'
import { hasBatchAxis } from './signature'

interface State {
  loaded: LoadedSession
  plan: OutputPlan
  decodeOptions: DecodeOptions
  /** Null when batching is off (maxBatchSize ≤ 1, or an input without a symbolic first dimension). */
  batcher: Batcher | null
}

export function startModelWorker(port: Worker, library: string | null): void {
  let state: State | null = null
  const waiting: WireRequest[] = []
  const post = (message: FromWorker) => port.postMessage(message)
  const answers = new Outbox<Answer>((items) => {
    const batch = packAnswers(items)
    port.postMessage({ type: 'answers', batch } satisfies FromWorker, [batch])
  })

  port.onmessage = async (event: MessageEvent<ToWorker>) => {
    const message = event.data
    if (message.type === 'init') {
      try {
        state = await load(message)
        const { loaded, plan } = state
        // A model may legitimately refuse an all-zero record (fixed reshapes, lookups); it is loaded all
        // the same, so a failed warm-up is logged, not fatal.
        const warmUpMs = await warmUp(loaded.session, loaded.signature.inputs).catch((e: Error) => {
          log.warn(`warm-up run failed, serving anyway: ${firstLine(e)}`)
          return Number.NaN
        })
        post({
          type: 'ready', index: message.index, provider: loaded.provider, fallbacks: loaded.fallbacks,
          signature: loaded.signature, outputs: plan.names, warmUpMs, batching: state.batcher !== null, library,
        })
        // Not awaited: requests that queued during loading may share a batch.
        for (const m of waiting.splice(0)) void invoke(state, m, answers)
      } catch (error) {
        post({ type: 'failed', index: message.index, message: error instanceof Error ? error.message : String(error) })
      }
      return
    }
    const requests = unpackRequests(message.batch)
    if (!state) waiting.push(...requests)
    // Not awaited: with batching on, the requests of one message can share a run.
    else for (const m of requests) void invoke(state, m, answers)
  }
}

async function load(init: WorkerInit): Promise<State> {
  setLogLevel(init.logLevel)
  log.debug(`worker ${init.index}: creating the session`)
  const loaded = await createSession(init.session)
  log.debug(`worker ${init.index}: session created on ${loaded.provider}`)
  const plan = planOutputs(loaded.signature.outputs, init.outputs, init.classLabels, init.labelOutput)
  const textInput = loaded.signature.inputs[0]?.type === 'string'
  const { inputs, outputs } = loaded.signature
  const batchable = inputs.every(hasBatchAxis) && outputs.every((o) => o.type !== 'non-tensor')
  const { maxBatchSize, maxQueueDelayMs } = init.batching
  const batcher = batchable && maxBatchSize > 1
    ? new Batcher({ maxBatchSize, maxQueueDelayMs, run: (feeds, records) => runModel(loaded.session, loaded.signature, feeds, records) })
    : null
  return { loaded, plan, decodeOptions: { csvHeader: init.csvHeader, textInput }, batcher }
}

type Answer = Parameters<typeof packAnswers>[0][number]

async function invoke(state: State, m: WireRequest, answers: Outbox<Answer>) {
  try {
    const decoded = decoderFor(m.contentType)(m.body, state.decodeOptions)
    if (decoded.records === 0) throw errors.badInput('the request holds no records')
    const feeds = buildFeeds(decoded, state.loaded.signature)
    const results = state.batcher
      ? await state.batcher.submit(feeds, decoded.records)
      : await runModel(state.loaded.session, state.loaded.signature, feeds, decoded.records)
    const outputs = selectOutputs(results, state.plan, decoded.records)
    const body = encoderFor(m.accept)({ records: decoded.records, outputs })
    answers.push({ id: m.id, status: 200, body, contentType: m.accept, records: decoded.records })
  } catch (error) {
    const e = error instanceof ByocError ? error : errors.modelFailed(firstLine(error))
    if (e.status >= 500) log.error(`invocation ${m.id}: ${e.message}`)
    answers.push({ id: m.id, status: e.status, body: e.message, contentType: '', records: 0 })
  }
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 500)
