/**
 * One inference on a session. A model whose first dimension is fixed at 1 (no batch axis) gets its
 * records one run at a time, and the outputs are stacked back in order.
 */
import type { InferenceSession } from 'onnxruntime-node'
import type { Signature } from './signature'
import { type Feeds, type Results, sliceRecords, stack } from './tensors'

/**
 * ONNX Runtime logs a failed run itself, in ANSI colour, on stderr; byoc reports the same failure in its
 * own words (ort-message.ts), so a run logs only what is fatal.
 */
const RUN_OPTIONS = { logSeverityLevel: 4 } as const

/** Runs the model for `fetches` only: ONNX Runtime computes just the nodes those outputs need. */
export async function runModel(
  session: InferenceSession,
  signature: Signature,
  feeds: Feeds,
  records: number,
  fetches: string[],
) {
  const fixedOne = signature.inputs.every((i) => i.shape[0] === 1)
  if (!fixedOne || records === 1) return session.run(feeds, fetches, RUN_OPTIONS)
  const parts: Results[] = []
  for (let r = 0; r < records; r++) {
    const one: Feeds = {}
    for (const [name, t] of Object.entries(feeds)) one[name] = sliceRecords(t, r, 1, records)
    parts.push(await session.run(one, fetches, RUN_OPTIONS))
  }
  const stacked: Results = {}
  for (const name of Object.keys(parts[0])) stacked[name] = stack(parts.map((p) => p[name]))
  return stacked
}
