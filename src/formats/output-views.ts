/**
 * What every encoder needs from a model output: how many values make one record, checked against the
 * request's record count, and how to spell one value as CSV or JSON text.
 */
import { formatFloat32, formatFloat64 } from './numbers'
import type { EncodeInput, OutputDtype, OutputTensor } from './types'

export interface OutputView {
  output: OutputTensor
  /** Values per record: the product of dims[1..] (1 for a 1-D output). */
  perRecord: number
  /** dims[1..]: the shape of one record's value. */
  recordShape: number[]
  data: ArrayLike<number | bigint | string | boolean>
}

/** Views over the outputs, which the model layer has checked hold `records` records first. */
export function outputViews(input: EncodeInput): OutputView[] {
  return input.outputs.map((output) => {
    const recordShape = output.dims.slice(1)
    const perRecord = recordShape.reduce((a, b) => a * b, 1)
    return { output, perRecord, recordShape, data: values(output) }
  })
}

/** float16 may arrive as raw bits (Uint16Array, ORT's storage without Float16Array): read them as numbers. */
function values(output: OutputTensor): ArrayLike<number | bigint | string | boolean> {
  const d = output.data
  if (output.dtype === 'float16' && d instanceof Uint16Array && typeof Float16Array !== 'undefined') {
    return new Float16Array(d.buffer, d.byteOffset, d.length)
  }
  return d
}

type Formatter = (v: number | bigint | string | boolean) => string

const f16round: (x: number) => number = (Math as { f16round?: (x: number) => number }).f16round ?? Math.fround

function numberFormatter(dtype: OutputDtype): (v: number) => string {
  if (dtype === 'float32') return (v) => formatFloat32(v)
  if (dtype === 'float16') return (v) => formatFloat32(v, f16round)
  return formatFloat64
}

/** RFC 4180: quote only when the field holds a comma, quote or line break; double inner quotes. */
export function csvQuote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** CSV text of one value: numbers shortest in their own precision, NaN `nan`, bools `true`/`false`. */
export function csvFormatter(dtype: OutputDtype): Formatter {
  const num = numberFormatter(dtype)
  const bool = dtype === 'bool'
  return (v) => {
    if (typeof v === 'number') return bool ? (v ? 'true' : 'false') : num(v)
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    return csvQuote(String(v))
  }
}

/** JSON text of one value: like CSV, but JSON has no NaN/Infinity, so they are `null`. */
export function jsonFormatter(dtype: OutputDtype): Formatter {
  const num = numberFormatter(dtype)
  const bool = dtype === 'bool'
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'null'
      return bool ? (v ? 'true' : 'false') : num(v)
    }
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    return JSON.stringify(String(v))
  }
}

/**
 * JSON text of one record of an output: an object {key: value} when the output's values are keyed (a
 * former ZipMap), a scalar when the record holds one value, else the nested array of the record's shape.
 */
export function jsonRecord(view: OutputView, record: number, format: Formatter): string {
  const { data, perRecord, recordShape } = view
  const base = record * perRecord
  const keys = view.output.keys
  if (keys && keys.length === perRecord) {
    let s = '{'
    for (let i = 0; i < perRecord; i++) s += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:${format(data[base + i])}`
    return `${s}}`
  }
  if (perRecord === 1) return format(data[base])
  let k = base
  const nest = (depth: number): string => {
    const n = recordShape[depth]
    let s = '['
    for (let i = 0; i < n; i++) {
      if (i > 0) s += ','
      s += depth === recordShape.length - 1 ? format(data[k++]) : nest(depth + 1)
    }
    return `${s}]`
  }
  return nest(0)
}

/** Each record's JSON text, in order (shared with application/json's `predictions`). */
export function jsonRecordLines(input: EncodeInput): string[] {
  const views = outputViews(input)
  const formats = views.map((v) => jsonFormatter(v.output.dtype))
  const lines: string[] = new Array(input.records)
  if (views.length === 1) {
    for (let r = 0; r < input.records; r++) lines[r] = jsonRecord(views[0], r, formats[0])
    return lines
  }
  const keys = views.map((v) => `${JSON.stringify(v.output.name)}:`)
  for (let r = 0; r < input.records; r++) {
    let s = '{'
    for (let o = 0; o < views.length; o++) s += (o > 0 ? ',' : '') + keys[o] + jsonRecord(views[o], r, formats[o])
    lines[r] = `${s}}`
  }
  return lines
}
