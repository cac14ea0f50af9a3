/**
 * Creates the ONNX Runtime session for a model, trying execution providers in the planned order, and
 * warms it with one run so the first real request does not pay for lazy initialisation.
 */

import * as ort from 'onnxruntime-node'
import type { GraphOptimization } from '../config'
import { firstLine } from '../errors'
import type { ProviderAttempt } from './execution-provider'
import { type Signature, signatureOf, type ValueInfo } from './signature'

export interface SessionSettings {
  modelPath: string
  plan: ProviderAttempt[]
  intraOpThreads: number
  allowSpinning: boolean
  graphOptimization: GraphOptimization
}

export interface LoadedSession {
  session: ort.InferenceSession
  provider: 'cuda' | 'cpu'
  signature: Signature
  /** Why earlier attempts failed (e.g. CUDA libraries missing), for the log. */
  fallbacks: string[]
}

export async function createSession(settings: SessionSettings): Promise<LoadedSession> {
  const fallbacks: string[] = []
  for (const attempt of settings.plan) {
    try {
      const session = await ort.InferenceSession.create(settings.modelPath, {
        executionProviders: attempt.providers as any,
        intraOpNumThreads: settings.intraOpThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: settings.graphOptimization,
        // Spinning threads burn the cores other Workers need between runs; see README "Workers".
        extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
      })
      return { session, provider: attempt.name, signature: signatureOf(session), fallbacks }
    } catch (error) {
      const message = firstLine(error, 400)
      if (attempt.fatal) throw new Error(`${attempt.name} session failed: ${message}`)
      fallbacks.push(`${attempt.name} unavailable (${message})`)
    }
  }
  throw new Error('no execution provider could load the model')
}

/** One run on a single all-zero record; returns the milliseconds it took. */
export async function warmUp(session: ort.InferenceSession, inputs: ValueInfo[]): Promise<number> {
  const feeds: Record<string, ort.Tensor> = {}
  for (const input of inputs) feeds[input.name] = zeroTensor(input)
  const t0 = performance.now()
  await session.run(feeds)
  return performance.now() - t0
}

function zeroTensor(input: ValueInfo): ort.Tensor {
  // Symbolic and unknown dimensions become 1: one record of the smallest legal shape.
  const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1))
  const n = dims.reduce((a, b) => a * b, 1)
  switch (input.type) {
    case 'string':
      return new ort.Tensor('string', new Array(n).fill(''), dims)
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(n), dims)
    case 'uint64':
      return new ort.Tensor('uint64', new BigUint64Array(n), dims)
    case 'bool':
      return new ort.Tensor('bool', new Uint8Array(n), dims)
    default: {
      const arrays: Record<string, any> = {
        float32: Float32Array,
        float64: Float64Array,
        int32: Int32Array,
        int8: Int8Array,
        uint8: Uint8Array,
        int16: Int16Array,
        uint16: Uint16Array,
        uint32: Uint32Array,
        float16: Uint16Array,
      }
      const A = arrays[input.type]
      if (!A) throw new Error(`cannot warm up input "${input.name}" of type ${input.type}`)
      return new ort.Tensor(input.type as any, new A(n), dims)
    }
  }
}
