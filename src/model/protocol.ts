/**
 * Messages between the HTTP thread and the model Workers. Invocations travel in batches packed into
 * one transferred ArrayBuffer (wire.ts); the rest is plain data (structured clone).
 */
import type { Level, LogFormat } from '../log'
import type { HandlerSettings } from './handler-context'
import type { HandlerInfo } from './handler-load'
import type { SessionSettings } from './session'
import type { Signature, ValueInfo } from './signature'
import type { WarmUpResult } from './warm-up'

export interface WorkerInit {
  type: 'init'
  index: number
  session: SessionSettings
  outputs: string[] | null
  classLabels: string[] | null
  labelOutput: string
  csvHeader: 'auto' | 'present' | 'absent'
  batching: { maxBatchSize: number; maxQueueDelayMs: number; mergeBudgetMs?: number }
  logLevel: Level
  logFormat: LogFormat
  /** The model's handler file, or null (handler-load.ts findHandler). */
  handler?: HandlerSettings | null
  /** Shared with the pool: is a run in progress (run-guard.ts). */
  guard?: Int32Array
}

/**
 * Requests dispatched to this Worker during one event-loop turn, packed by wire.packRequests. Posted as
 * the bare transferred buffer: Bun clones that several microseconds faster than one inside an object.
 */
export type InvokeBatch = ArrayBuffer

/** Stop taking work and close once no run is in progress (never terminate() a Worker mid-run). */
export interface Retire {
  type: 'retire'
}

/** Requests already answered 504 by the pool: drop them if they have not started (decoded, queued to run). */
export interface Cancel {
  type: 'cancel'
  ids: number[]
}

export type ToWorker = WorkerInit | InvokeBatch | Retire | Cancel

export interface WorkerReady {
  type: 'ready'
  index: number
  provider: 'cuda' | 'cpu'
  fallbacks: string[]
  signature: Signature
  outputs: string[]
  /** Non-tensor outputs left out of the default choice. */
  skippedOutputs: ValueInfo[]
  warmUp: WarmUpResult
  batching: boolean
  /** Where libonnxruntime.so.1 was loaded from (null when running from source). */
  library: string | null
  handler: HandlerInfo | null
}

export interface WorkerFailed {
  type: 'failed'
  index: number
  message: string
}

/** Answers finished during one event-loop turn, packed by wire.packAnswers; bare, as InvokeBatch. */
export type AnswerBatch = ArrayBuffer

/**
 * The Worker starts importing the handler and running its load(ctx): the pool's time limit starts (a
 * load() stuck in a loop holds the Worker's thread, so only the pool can time it).
 */
export interface WorkerLoadingHandler {
  type: 'loading-handler'
  index: number
}

export type FromWorker = WorkerReady | WorkerFailed | AnswerBatch | WorkerLoadingHandler

/**
 * Where an invocation's time went inside the pool, in milliseconds: waiting (to be dispatched, in the
 * Worker's queue, in the batcher, and the messages both ways), decoding and checking the body against the
 * model, the model run it took part in, and selecting and encoding the outputs.
 */
export interface Timing {
  queueMs: number
  decodeMs: number
  runMs: number
  encodeMs: number
}

/** What the pool resolves an invocation with. */
export interface InvokeResult {
  body: Uint8Array
  contentType: string
  timing: Timing
  /** Response headers a handler set. */
  headers?: Record<string, string>
}
