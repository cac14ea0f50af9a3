/**
 * application/x-recordio-protobuf, the SageMaker built-in algorithms' format: RecordIO frames (uint32 LE
 * magic 0xced7230a, uint32 LE length whose top 3 bits are MXNet's continuation flag, payload, zero padding
 * to 4 bytes), each an `aialgs.data.Record` whose `features["values"]` holds a Float32/Float64/Int32Tensor.
 * Requests: one record per frame; a dense tensor (no keys) is the record's values, shaped by `shape` when
 * given; a sparse one (keys + shape) is expanded, absent entries NaN (as in text/libsvm).
 * Responses: one Record per output record, `features["values"]` a dense Float32Tensor of every output's
 * values for that record, side by side.
 */

import { errors } from '../errors'
import type protobufType from '../protobuf'
import { outputViews } from './output-views'
import schema from './record.proto' with { type: 'text' }
import { plural } from './text'
import {
  type Codec,
  type DecodedBody,
  type DecodedDtype,
  type DecodeOptions,
  type EncodeInput,
  MAX_SPARSE_WIDTH,
} from './types'

const MAGIC = 0xced7230a

// resolveAll() applies `[packed = true]` (protobufjs 7.5 leaves it unapplied until the root is resolved).
// protobufjs is loaded and the schema (record.proto, embedded as text) parsed on first use: most servers
// never see RecordIO, and loading protobufjs at start would add to every Worker's cold start.
let recordType: protobufType.Type | null = null
function recordProto(): protobufType.Type {
  if (recordType) return recordType
  const protobuf: typeof protobufType = require('../protobuf').default
  return (recordType = protobuf.parse(schema, { keepCase: true }).root.resolveAll().lookupType('aialgs.data.Record'))
}

interface Tensor {
  values: number[]
  keys?: (number | { toNumber(): number })[]
  shape?: (number | { toNumber(): number })[]
}
interface ValueMessage {
  float32_tensor?: Tensor
  float64_tensor?: Tensor
  int32_tensor?: Tensor
  bytes?: unknown
}

const KINDS: [keyof ValueMessage, DecodedDtype][] = [
  ['float32_tensor', 'float32'],
  ['float64_tensor', 'float64'],
  ['int32_tensor', 'int32'],
]

/** Splits the body into record payloads. */
export function frames(body: Uint8Array): Uint8Array[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const out: Uint8Array[] = []
  let at = 0
  while (at < body.length) {
    const n = out.length + 1
    if (at + 8 > body.length) throw errors.badInput(`record ${n}: RecordIO frame header is truncated`)
    if (view.getUint32(at, true) !== MAGIC)
      throw errors.badInput(`record ${n}: RecordIO magic number missing at byte ${at}`)
    const length = view.getUint32(at + 4, true) & ((1 << 29) - 1)
    if (at + 8 + length > body.length) throw errors.badInput(`record ${n}: RecordIO payload is truncated`)
    out.push(body.subarray(at + 8, at + 8 + length))
    at += 8 + length + ((4 - (length % 4)) % 4)
  }
  return out
}

const num = (v: number | { toNumber(): number }) => (typeof v === 'number' ? v : v.toNumber())

export function decodeRecordIO(
  body: Uint8Array,
  options: DecodeOptions = { csvHeader: 'absent', textInput: false },
): DecodedBody {
  if (body.length === 0) throw errors.badInput('empty body')
  const payloads = frames(body)
  let dtype: DecodedDtype | null = null
  let recordShape: number[] = []
  let width = 0
  const rows: ArrayLike<number>[] = []
  payloads.forEach((payload, r) => {
    let message: { features?: Record<string, ValueMessage> }
    try {
      message = recordProto().decode(payload) as unknown as typeof message
    } catch (e) {
      throw errors.badInput(`record ${r + 1}: not an aialgs.data.Record protobuf (${(e as Error).message})`)
    }
    const value = message.features?.values
    const kind = value && KINDS.find(([key]) => value[key] !== undefined && value[key] !== null)
    if (!value || !kind)
      throw errors.badInput(`record ${r + 1}: features["values"] holds no float32, float64 or int32 tensor`)
    const tensor = value[kind[0]] as Tensor
    const shape = (tensor.shape ?? []).map(num)
    const keys = (tensor.keys ?? []).map(num)
    let values: ArrayLike<number> = tensor.values ?? []
    const declared = shape.reduce((a, b) => a * b, 1)
    const limit = options.features ?? MAX_SPARSE_WIDTH
    // The shape is the client's word: check it before it sizes anything.
    if (shape.length > 0 && declared > limit)
      throw errors.badInput(
        `record ${r + 1}: shape [${shape.join(', ')}] holds ${declared} values; ${options.features ? `the model takes ${options.features}` : `at most ${MAX_SPARSE_WIDTH} are accepted`}`,
      )
    if (keys.length === 0 && shape.length > 0 && declared !== values.length)
      throw errors.badInput(
        `record ${r + 1}: shape [${shape.join(', ')}] holds ${declared} values but the tensor has ${values.length}`,
      )
    if (keys.length > 0) {
      if (shape.length === 0) throw errors.badInput(`record ${r + 1}: a sparse tensor (keys) needs a shape`)
      const dense = new Array<number>(declared).fill(NaN)
      keys.forEach((k, i) => {
        if (k >= dense.length) throw errors.badInput(`record ${r + 1}: key ${k} is outside shape [${shape.join(', ')}]`)
        dense[k] = values[i]
      })
      values = dense
    }
    const thisShape = shape.length > 0 ? shape : [values.length]
    if (r === 0) {
      dtype = kind[1]
      recordShape = thisShape
      width = values.length
    } else if (kind[1] !== dtype) {
      throw errors.badInput(`record ${r + 1} holds ${kind[1]} values, record 1 holds ${dtype}`)
    }
    if (values.length !== width)
      throw errors.badInput(`record ${r + 1} has ${plural(values.length, 'value')}, expected ${width}`)
    rows.push(values)
  })
  const n = rows.length
  const out =
    dtype === 'float64'
      ? new Float64Array(n * width)
      : dtype === 'int32'
        ? new Int32Array(n * width)
        : new Float32Array(n * width)
  rows.forEach((row, r) => {
    out.set(row, r * width)
  })
  return { records: n, tensors: { dtype: dtype ?? 'float32', shape: [n, ...recordShape], values: out } }
}

/** One frame: magic, length, payload, zero padding to 4 bytes. */
export function frame(payload: Uint8Array): Uint8Array {
  const padded = payload.length + ((4 - (payload.length % 4)) % 4)
  const out = new Uint8Array(8 + padded)
  const view = new DataView(out.buffer)
  view.setUint32(0, MAGIC, true)
  view.setUint32(4, payload.length, true)
  out.set(payload, 8)
  return out
}

export function encodeRecordIO(input: EncodeInput): Uint8Array {
  const views = outputViews(input)
  const text = views.find((v) => v.output.dtype === 'string')
  if (text) throw errors.cannotEncodeStrings('application/x-recordio-protobuf', text.output.name)
  const chunks: Uint8Array[] = []
  for (let r = 0; r < input.records; r++) {
    const values: number[] = []
    for (const { data, perRecord } of views) {
      for (let j = r * perRecord, e = j + perRecord; j < e; j++) values.push(Number(data[j]))
    }
    const message = recordProto().fromObject({ features: { values: { float32_tensor: { values } } } })
    chunks.push(frame(recordProto().encode(message).finish()))
  }
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

export const recordIOCodec: Codec = {
  type: 'application/x-recordio-protobuf',
  decode: decodeRecordIO,
  encode: encodeRecordIO,
}
