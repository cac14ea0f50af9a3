/**
 * Moving records between ONNX Runtime tensors along dim 0: merging requests into one batch and splitting
 * the batch's outputs back (the batcher), and slicing a batch into single records and stacking their
 * outputs (models whose first dimension is fixed at 1). Every output must hold the records first.
 */
import { Tensor } from 'onnxruntime-node'
import { errors } from '../errors'

export type Feeds = Record<string, Tensor>
export type Results = Record<string, Tensor>

/** Typed-array constructors and string[] alike: ORT tensors hold one or the other. */
type TensorData = Tensor['data']

function allocLike(data: TensorData, length: number): any {
  return Array.isArray(data) ? new Array(length) : new (data.constructor as any)(length)
}

/**
 * The one check that an output holds `records` records along dim 0: a 500 naming the output, because
 * a model whose outputs do not keep records apart cannot be answered record by record.
 */
export function checkRecordsFirst(name: string, t: Tensor, records: number): void {
  const dims = t.dims
  const perRecord = dims.slice(1).reduce((a, b) => a * b, 1)
  if (dims.length === 0 || dims[0] !== records || t.data.length !== records * perRecord)
    throw errors.modelFailed(
      `output "${name}" has shape [${dims.join(', ')}]; expected ${records} record${records === 1 ? '' : 's'} first`,
    )
}

/** Concatenates each input along dim 0, in the given order. */
export function concatFeeds(all: Feeds[]): Feeds {
  const out: Feeds = {}
  for (const name of Object.keys(all[0])) {
    const tensors = all.map((f) => f[name])
    const first = tensors[0]
    out[name] = concat(tensors, [tensors.reduce((n, t) => n + t.dims[0], 0), ...first.dims.slice(1)])
  }
  return out
}

/** Stacks single-record results (dims [1, ...]) into one tensor of `tensors.length` records. */
export function stack(tensors: Tensor[]): Tensor {
  return concat(tensors, [tensors.length, ...tensors[0].dims.slice(1)])
}

function concat(tensors: Tensor[], dims: number[]): Tensor {
  const first = tensors[0]
  const data = allocLike(
    first.data,
    tensors.reduce((n, t) => n + t.data.length, 0),
  )
  let at = 0
  for (const t of tensors) {
    if (Array.isArray(data)) for (let i = 0; i < t.data.length; i++) data[at + i] = t.data[i]
    else data.set(t.data, at)
    at += t.data.length
  }
  return new Tensor(first.type as any, data, dims)
}

/** Records [from, from + count) of a tensor that holds `records` records. */
export function sliceRecords(t: Tensor, from: number, count: number, records: number): Tensor {
  const per = t.data.length / records
  const data = (t.data as any).slice(from * per, (from + count) * per)
  return new Tensor(t.type as any, data, [count, ...t.dims.slice(1)])
}

/** Splits every output by record counts, in order; each output must hold the batch's records first. */
export function splitResults(results: Results, counts: number[]): Results[] {
  const total = counts.reduce((a, b) => a + b, 0)
  const parts: Results[] = counts.map(() => ({}))
  for (const [name, t] of Object.entries(results)) {
    checkRecordsFirst(name, t, total)
    let row = 0
    counts.forEach((n, i) => {
      parts[i][name] = sliceRecords(t, row, n, total)
      row += n
    })
  }
  return parts
}
