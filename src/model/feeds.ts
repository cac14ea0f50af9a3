/**
 * Turns a decoded request into ONNX Runtime feeds: one tensor per model input, cast to the input's
 * dtype, checked against its shape. Every mismatch is the client's to fix, so it is a 400 that says what
 * the model expects.
 */
import { Tensor } from 'onnxruntime-node'
import { errors } from '../errors'
import type { DecodedBody, DecodedTensor } from '../formats/types'
import { type Signature, shapeText, type ValueInfo, valuesPerRecord } from './signature'
import type { Feeds } from './tensors'

export function buildFeeds(body: DecodedBody, signature: Signature): Feeds {
  const inputs = signature.inputs
  const named = !isTensor(body.tensors)
  let feeds: Feeds
  if (named) {
    const given = body.tensors as Record<string, DecodedTensor>
    const unknown = Object.keys(given).filter((k) => !inputs.some((i) => i.name === k))
    if (unknown.length) throw errors.badInput(`unknown input "${unknown[0]}"; the model's inputs are ${names(inputs)}`)
    feeds = {}
    for (const input of inputs) {
      const t = given[input.name]
      if (!t) throw errors.badInput(`missing input "${input.name}"; the model's inputs are ${names(inputs)}`)
      feeds[input.name] = toTensor(t, input, body.records, (r, v) => `record ${r + 1}, field "${input.name}"${v}`)
    }
  } else {
    const t = body.tensors as DecodedTensor
    feeds =
      inputs.length === 1
        ? { [inputs[0].name]: toTensor(t, inputs[0], body.records) }
        : splitColumns(t, inputs, body.records, body.columns)
  }
  if (inputs.length > 1) checkSharedDims(feeds, inputs)
  return feeds
}

function isTensor(x: DecodedBody['tensors']): x is DecodedTensor {
  return typeof (x as DecodedTensor).dtype === 'string' && Array.isArray((x as DecodedTensor).shape)
}

const names = (inputs: ValueInfo[]) => inputs.map((i) => `"${i.name}"`).join(', ')

/**
 * Inputs that name the same dimension (`sequence` in input_ids and attention_mask) must agree on its
 * size: refused here, naming both, rather than by ONNX Runtime's broadcast message.
 */
function checkSharedDims(feeds: Feeds, inputs: ValueInfo[]): void {
  const seen = new Map<string, { input: string; size: number }>()
  for (const input of inputs) {
    const dims = feeds[input.name].dims
    input.shape.forEach((d, k) => {
      if (typeof d !== 'string' || d === '' || k >= dims.length) return
      const size = dims[k]
      const first = seen.get(d)
      if (!first) seen.set(d, { input: input.name, size })
      else if (first.size !== size)
        throw errors.badInput(
          `inputs "${first.input}" and "${input.name}" share the dimension "${d}" but differ in it: ` +
            `"${first.input}" has ${first.size}, "${input.name}" has ${size} (shapes ${shapeText(inputs.find((i) => i.name === first.input)!)} and ${shapeText(input)})`,
        )
    })
  }
}

/**
 * A flat record (CSV row) for a multi-input model: columns are dealt to the inputs in declared order,
 * or by name when a header row names every input (a DataFrame's `to_csv()` of skl2onnx's per-column inputs).
 */
function splitColumns(t: DecodedTensor, inputs: ValueInfo[], records: number, header?: string[]): Feeds {
  const widths = inputs.map(valuesPerRecord)
  if (widths.some((w) => w === null))
    throw errors.badInput(
      `the model has ${inputs.length} inputs (${names(inputs)}) of which some have no fixed size; send application/json {"inputs": {"name": [...]}}`,
    )
  const total = (widths as number[]).reduce((a, b) => a + b, 0)
  const cols = t.shape.slice(1).reduce((a, b) => a * b, 1)
  if (cols !== total)
    throw errors.badInput(
      `each record has ${cols} values; the model's inputs ${names(inputs)} take ${total} together (${inputs.map((i, k) => `${i.name}: ${widths[k]}`).join(', ')})`,
    )
  const byName = header ? columnsByName(header, inputs, widths as number[]) : null
  const feeds: Feeds = {}
  let offset = 0
  inputs.forEach((input, k) => {
    const w = widths[k] as number
    const from = byName ? byName[k] : offset
    const values = sliceColumns(t.values, records, cols, from, w)
    const where: Where = (r, _value, i) => {
      const name = header?.[from + i]?.trim()
      return `row ${r + 1}, column ${from + i + 1}${name ? ` ("${name}")` : ''}`
    }
    feeds[input.name] = toTensor({ dtype: t.dtype, shape: [records, w], values }, input, records, where)
    offset += w
  })
  return feeds
}

/** Column index per input when the header names every (one-column) input; else null (dealt in order). */
function columnsByName(header: string[], inputs: ValueInfo[], widths: number[]): number[] | null {
  if (widths.some((w) => w !== 1)) return null
  const cells = header.map((h) => h.trim())
  const at = inputs.map((i) => {
    const exact = cells.indexOf(i.name)
    return exact >= 0 ? exact : cells.findIndex((c) => c.toLowerCase() === i.name.toLowerCase())
  })
  return at.every((c) => c >= 0) && new Set(at).size === at.length ? at : null
}

function sliceColumns(values: DecodedTensor['values'], rows: number, cols: number, from: number, width: number) {
  const out: any = Array.isArray(values) ? new Array(rows * width) : new (values.constructor as any)(rows * width)
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) out[r * width + c] = values[r * cols + from + c]
  return out as DecodedTensor['values']
}

/**
 * Names a value for messages from its record, its place in the record as text (", value 3", or '' for a
 * one-value record) and its index in the record; by default "record 2, value 3".
 */
export type Where = (record: number, value: string, index: number) => string

/** Casts and reshapes one decoded tensor to a model input; the record count stays first. */
export function toTensor(t: DecodedTensor, input: ValueInfo, records: number, where?: Where): Tensor {
  const perRecord = t.shape.slice(1).reduce((a, b) => a * b, 1)
  const expected = valuesPerRecord(input)
  if (expected !== null && perRecord !== expected)
    throw errors.badInput(
      `each record has ${perRecord} value${perRecord === 1 ? '' : 's'}; the model input "${input.name}" expects ${expected} (shape ${shapeText(input)})`,
    )
  const dims = dimsFor(input, t, records)
  const name = where ?? ((r: number, v: string) => `record ${r + 1}${v}`)
  const at = (i: number) =>
    name(Math.floor(i / perRecord), perRecord === 1 ? '' : `, value ${(i % perRecord) + 1}`, i % perRecord)
  return new Tensor(input.type as any, cast(t, input, at) as any, dims)
}

function dimsFor(input: ValueInfo, t: DecodedTensor, records: number): number[] {
  // A scalar input takes a one-value request as a scalar.
  if (input.shape.length === 0) return records === 1 && t.values.length === 1 ? [] : t.shape
  if (input.shape.length === 1) return [records]
  if (valuesPerRecord(input) === null) {
    if (t.shape.length !== input.shape.length)
      throw errors.badInput(
        `input "${input.name}" has rank ${input.shape.length} (shape ${shapeText(input)}); records have rank ${t.shape.length - 1}`,
      )
    input.shape.forEach((d, k) => {
      if (k > 0 && typeof d === 'number' && d >= 0 && t.shape[k] !== d)
        throw errors.badInput(
          `input "${input.name}" has shape ${shapeText(input)}; the records have shape [${t.shape.slice(1).join(', ')}] (dimension ${k + 1} must be ${d})`,
        )
    })
    return t.shape
  }
  return [records, ...input.shape.slice(1).map((d) => d as number)]
}

function cast(t: DecodedTensor, input: ValueInfo, where: (i: number) => string) {
  const v = t.values
  switch (input.type) {
    case 'float32':
      // A typed-array constructor copies natively; .from() with a map function is ~30x slower (bench).
      return v instanceof Float32Array
        ? v
        : Array.isArray(v)
          ? Float32Array.from(v, (s, i) => parseNumber(s, where(i), input))
          : numeric(v, Float32Array)
    case 'float64':
      return v instanceof Float64Array
        ? v
        : Array.isArray(v)
          ? Float64Array.from(v, (s, i) => parseNumber(s, where(i), input))
          : numeric(v, Float64Array)
    case 'int32':
    case 'int64':
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'uint32':
    case 'uint64':
      return castIntegers(t, input, where)
    case 'bool': {
      if (v instanceof Uint8Array) return v
      return Uint8Array.from(v as ArrayLike<unknown>, (x, i) => {
        // pandas writes a bool column as True/False; JSON text cells may say true/false.
        const word = typeof x === 'string' ? BOOL_WORDS[x.trim().toLowerCase()] : undefined
        const n = word ?? (typeof x === 'string' ? parseNumber(x, where(i), input) : Number(x))
        if (n !== 0 && n !== 1)
          throw errors.badInput(`${where(i)}: ${x} is not a boolean (input "${input.name}" is bool)`)
        return n
      })
    }
    case 'string':
      return Array.isArray(v) ? v : Array.from(v as ArrayLike<number | bigint>, (x) => String(x))
    default:
      throw errors.badInput(`input "${input.name}" has type ${input.type}, which byoc cannot feed`)
  }
}

const BOOL_WORDS: Record<string, number> = { true: 1, false: 0 }

function numeric<T>(v: DecodedTensor['values'], A: new (v: ArrayLike<number>) => T): T {
  // BigInt64Array cannot be copied into a float array by the constructor.
  return v instanceof BigInt64Array ? new A(Array.from(v, Number)) : new A(v as ArrayLike<number>)
}

function parseNumber(s: string, where: string, input: ValueInfo): number {
  const n = s.trim() === '' ? Number.NaN : Number(s)
  if (Number.isNaN(n) && !/^\s*(nan)?\s*$/i.test(s))
    throw errors.badInput(`${where}: "${s}" is not a number (input "${input.name}" takes ${input.type})`)
  return n
}

const INT_ARRAYS: Record<string, any> = {
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
}

/**
 * Whole-number ranges per input type. Text and JSON numbers arrive as doubles, so int64/uint64 values
 * are exact only up to 2^53: beyond it they are refused rather than silently rounded (npy int64 keeps
 * every value exactly).
 */
const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
}

function castIntegers(t: DecodedTensor, input: ValueInfo, where: (i: number) => string) {
  const v = t.values
  const big = input.type === 'int64' || input.type === 'uint64'
  if (input.type === 'int64' && v instanceof BigInt64Array) return v
  if (input.type === 'int32' && v instanceof Int32Array) return v
  const [min, max] = INT_RANGE[input.type]
  const n = v.length
  const out = big
    ? input.type === 'int64'
      ? new BigInt64Array(n)
      : new BigUint64Array(n)
    : new INT_ARRAYS[input.type](n)
  for (let i = 0; i < n; i++) {
    const x = v[i] as number | bigint | string
    if (typeof x === 'bigint') {
      if (input.type === 'uint64' ? x < 0n : !big && (x < BigInt(min) || x > BigInt(max)))
        throw errors.badInput(`${where(i)}: ${x} is outside the range of ${input.type} (input "${input.name}")`)
      out[i] = big ? x : Number(x)
      continue
    }
    const num = typeof x === 'string' ? parseNumber(x, where(i), input) : x
    if (!Number.isInteger(num))
      throw errors.badInput(
        `${where(i)}: ${Number.isNaN(num) ? 'empty or NaN' : num} is not an integer (input "${input.name}" is ${input.type})`,
      )
    if (num < min || num > max)
      throw errors.badInput(
        `${where(i)}: ${num} is outside ${min}..${max}, the range input "${input.name}" (${input.type}) takes exactly`,
      )
    out[i] = big ? BigInt(num) : num
  }
  return out
}
