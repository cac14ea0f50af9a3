/**
 * Writes a handler's answer when its encode() does not (absent, or returned undefined): byoc's own
 * answer (Answered) and model outputs by name in any type byoc writes; bytes and strings as they are;
 * any other value (a label, an object, an array of them) as JSON, JSON Lines, or CSV rows.
 */
import { errors } from '../errors'
import { CODECS } from '../formats'
import { ENCODABLE_TYPES, mediaTypeIndex } from '../formats/media-types'
import type { EncodeInput, OutputTensor } from '../formats/types'
import { handlerBug, isTensorLike } from './handler-feeds'
import { checkRecordsFirst } from './tensors'

export interface Written {
  body: Uint8Array | string
  contentType: string
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v)

export const isAnswered = (v: unknown): v is EncodeInput =>
  isObject(v) && typeof v.records === 'number' && Array.isArray(v.outputs)

/** A plain object whose every value is a tensor: model outputs, perhaps renamed or filtered. */
const isOutputs = (v: unknown): boolean =>
  isObject(v) && !ArrayBuffer.isView(v) && Object.keys(v).length > 0 && Object.values(v).every(isTensorLike)

export function writeAnswer(answer: unknown, accept: string): Written {
  if (answer instanceof Uint8Array || typeof answer === 'string') return { body: answer, contentType: accept }
  if (answer === undefined) throw handlerBug('answered nothing (postprocess or invoke returned undefined)')
  const tensors = isAnswered(answer) ? answer : isOutputs(answer) ? fromOutputs(answer as Record<string, any>) : null
  if (tensors) {
    const codec = CODECS[mediaTypeIndex(accept)]
    if (!codec?.encode) throw errors.notAcceptable(accept, ENCODABLE_TYPES)
    return { body: codec.encode(tensors), contentType: accept }
  }
  switch (accept) {
    case 'application/json':
      return { body: json(answer), contentType: accept }
    case 'application/jsonlines':
      return { body: `${(Array.isArray(answer) ? answer : [answer]).map(json).join('\n')}\n`, contentType: accept }
    case 'text/csv':
      if (Array.isArray(answer)) return { body: `${answer.map(csvRow).join('\n')}\n`, contentType: accept }
  }
  throw errors.notAcceptable(
    accept,
    Array.isArray(answer)
      ? ['application/json', 'application/jsonlines', 'text/csv']
      : ['application/json', 'application/jsonlines'],
  )
}

function fromOutputs(outputs: Record<string, any>): EncodeInput {
  const entries = Object.entries(outputs)
  const records = entries[0][1].dims[0] ?? 1
  const list: OutputTensor[] = entries.map(([name, t]) => {
    checkRecordsFirst(name, t, records)
    return { name, dtype: t.type ?? 'float32', dims: [...t.dims], data: t.data }
  })
  return { records, outputs: list }
}

/** JSON with typed arrays as arrays and BigInt as numbers (ids, int64 labels). */
const json = (v: unknown) =>
  JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : ArrayBuffer.isView(x) ? Array.from(x as any) : x))

function csvRow(row: unknown): string {
  const cells = Array.isArray(row) || ArrayBuffer.isView(row) ? Array.from(row as ArrayLike<unknown>) : [row]
  return cells.map(csvCell).join(',')
}

function csvCell(x: unknown): string {
  const s = typeof x === 'string' ? x : typeof x === 'object' && x !== null ? json(x) : String(x)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
