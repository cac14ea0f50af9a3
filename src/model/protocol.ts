/** Messages between the HTTP thread and the model Workers. Plain data only (structured clone). */
import type { SerializedError } from '../errors'
import type { Level } from '../log'
import type { SessionSettings } from './session'
import type { Signature } from './signature'

export interface WorkerInit {
  type: 'init'
  index: number
  session: SessionSettings
  outputs: string[] | null
  classLabels: string[] | null
  labelOutput: string
  csvHeader: 'auto' | 'present' | 'absent'
  batching: { maxBatchSize: number; maxQueueDelayMs: number; maxQueueSize: number }
  logLevel: Level
}

export interface InvokeRequest {
  type: 'invoke'
  id: number
  body: Uint8Array
  /** Canonical media types, already negotiated by the HTTP thread. */
  contentType: string
  accept: string
}

export type ToWorker = WorkerInit | InvokeRequest

export interface WorkerReady {
  type: 'ready'
  index: number
  provider: 'cuda' | 'cpu'
  fallbacks: string[]
  signature: Signature
  outputs: string[]
  warmUpMs: number
  batching: boolean
}

export interface WorkerFailed {
  type: 'failed'
  index: number
  message: string
}

export interface InvokeResult {
  type: 'result'
  id: number
  body: Uint8Array | string
  contentType: string
  records: number
}

export interface InvokeError {
  type: 'error'
  id: number
  error: SerializedError
}

export type FromWorker = WorkerReady | WorkerFailed | InvokeResult | InvokeError
