/**
 * One inference on a session. A model whose first dimension is fixed at 1 (no batch axis) gets its
 * records one run at a time, and the outputs are stacked back in order.
 */
import { type InferenceSession, Tensor } from 'onnxruntime-node'
import type { Feeds } from './feeds'
import type { Signature } from './signature'

export async function runModel(session: InferenceSession, signature: Signature, feeds: Feeds, records: number) {
  const fixedOne = signature.inputs.every((i) => i.shape[0] === 1)
  if (!fixedOne || records === 1) return session.run(feeds)
  const parts: Array<Record<string, Tensor>> = []
  for (let r = 0; r < records; r++) {
    const one: Feeds = {}
    for (const [name, t] of Object.entries(feeds)) one[name] = sliceRecord(t, r, records)
    parts.push(await session.run(one))
  }
  const stacked: Record<string, Tensor> = {}
  for (const name of Object.keys(parts[0])) stacked[name] = stack(parts.map((p) => p[name]))
  return stacked
}

function sliceRecord(t: Tensor, r: number, records: number): Tensor {
  const per = t.data.length / records
  const data = (t.data as any).slice(r * per, (r + 1) * per)
  return new Tensor(t.type as any, data, [1, ...t.dims.slice(1)])
}

function stack(tensors: Tensor[]): Tensor {
  const first = tensors[0]
  const per = first.data.length
  const data: any = Array.isArray(first.data) ? [] : new (first.data.constructor as any)(per * tensors.length)
  tensors.forEach((t, i) => {
    if (Array.isArray(data)) data.push(...(t.data as unknown[]))
    else data.set(t.data, i * per)
  })
  return new Tensor(first.type as any, data, [tensors.length, ...first.dims.slice(1)])
}
