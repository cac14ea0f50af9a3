/**
 * Feeds a handler made (preprocess, decode, ctx.run) turned into ONNX Runtime tensors and checked against
 * the model. A mismatch is the handler's bug, not the client's: a 500 whose message says which input and
 * what the model takes.
 */
import { Tensor } from 'onnxruntime-node'
import { ByocError } from '../errors'
import type { Signature, ValueInfo } from './signature'
import type { Feeds } from './tensors'

const ARRAYS: Record<string, any> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
}

export const handlerBug = (message: string) => new ByocError(500, `handler ${message}`)

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** True for something shaped like a tensor: data and dims. */
export const isTensorLike = (v: unknown): boolean => isObject(v) && Array.isArray(v.dims) && v.data !== undefined

/** The feeds as ONNX Runtime tensors, and the record count (dims[0] of the first input). */
export function handlerFeeds(given: unknown, signature: Signature, from: string): { feeds: Feeds; records: number } {
  const inputs = signature.inputs
  const names = inputs.map((i) => `"${i.name}"`).join(', ')
  if (!isObject(given))
    throw handlerBug(`${from} returned ${given === null ? 'null' : typeof given}; it must return feeds {${names}}`)
  for (const key of Object.keys(given))
    if (!inputs.some((i) => i.name === key))
      throw handlerBug(`${from} returned a feed "${key}"; the model's inputs are ${names}`)
  const feeds: Feeds = {}
  for (const input of inputs) {
    const like = given[input.name]
    if (!isTensorLike(like)) throw handlerBug(`${from} returned no tensor {data, dims} for input "${input.name}"`)
    feeds[input.name] = makeTensor(like, input, from)
  }
  return { feeds, records: feeds[inputs[0].name].dims[0] ?? 1 }
}

function makeTensor(like: Record<string, any>, input: ValueInfo, from: string): Tensor {
  const type: string = like.type ?? input.type
  if (type !== input.type)
    throw handlerBug(`${from} gave input "${input.name}" as ${type}; the model takes ${input.type}`)
  const dims = (like.dims as unknown[]).map(Number)
  const size = dims.reduce((a, b) => a * b, 1)
  if (dims.some((d) => !Number.isInteger(d) || d < 0) || like.data.length !== size)
    throw handlerBug(
      `${from} gave input "${input.name}" ${like.data.length} values for dims [${dims.join(', ')}] (${size} values)`,
    )
  if (like instanceof Tensor) return like
  return toTensor(type, like.data, dims)
}

/** A tensor of `type` from a typed array of any kind or a plain array (numbers cast, BigInt for 64-bit). */
export function toTensor(type: string, data: ArrayLike<unknown>, dims: readonly number[]): Tensor {
  if (type === 'string') return new Tensor('string', Array.from(data, String), [...dims])
  const A = ARRAYS[type]
  if (!A) throw handlerBug(`gave a tensor of type ${type}, which ONNX Runtime does not take`)
  if (data instanceof A) return new Tensor(type as any, data as any, [...dims])
  const big = type === 'int64' || type === 'uint64'
  const out = new A(data.length)
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number | bigint | boolean
    out[i] = big ? BigInt(typeof x === 'boolean' ? Number(x) : x) : typeof x === 'bigint' ? Number(x) : Number(x)
  }
  return new Tensor(type as any, out, [...dims])
}
