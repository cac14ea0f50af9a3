/**
 * JSON records → tensors, shared by application/json and application/jsonlines. A list of per-record
 * values becomes one tensor [records, ...recordShape]: every record must have the shape of the first
 * (ragged → 400 naming the record), and all leaves one kind: numbers/null (null = NaN), strings, or
 * bools. Objects as records are named inputs, stacked by name; `{"features": [...]}` is one unnamed record.
 */
import { errors } from '../errors'
import { plural } from './text'
import type { DecodedBody, DecodedTensor } from './types'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type Label = (record: number) => string

export const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const show = (v: Json) => {
  const s = JSON.stringify(v)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/**
 * Stacks records into one tensor. A scalar record gives shape [n, 1] (one feature per record), or [n]
 * with `scalarColumn` false (a JSON tensor given whole, where the first dimension is the record).
 */
export function stack(records: Json[], label: Label, textInput: boolean, scalarColumn = true): DecodedTensor {
  const recordShape: number[] = []
  for (let v = records[0]; Array.isArray(v); v = v[0]) {
    recordShape.push(v.length)
    if (v.length === 0) break
  }
  const perRecord = recordShape.reduce((a, b) => a * b, 1)
  const leaves: Json[] = new Array(records.length * perRecord)
  let k = 0
  const path: number[] = []
  const walk = (v: Json, depth: number, r: number) => {
    const at = () => `[${path.join('][')}]`
    if (depth === recordShape.length) {
      if (Array.isArray(v)) throw errors.badInput(`${label(r)}: unexpected nested array at ${at()}; expected a value`)
      if (isObject(v)) throw errors.badInput(`${label(r)}: an object ${show(v)} is not a value`)
      leaves[k++] = v
      return
    }
    const dim = recordShape[depth]
    if (!Array.isArray(v)) {
      if (depth === 0) throw errors.badInput(`${label(r)} is ${show(v)}, expected an array of ${dim} values`)
      throw errors.badInput(`${label(r)}: expected an array of ${dim} values at ${at()}, found ${show(v)}`)
    }
    if (v.length !== dim) {
      if (depth === 0) throw errors.badInput(`${label(r)} has ${plural(v.length, 'value')}, expected ${dim}`)
      throw errors.badInput(`${label(r)}: the array at ${at()} has ${plural(v.length, 'value')}, expected ${dim}`)
    }
    for (let i = 0; i < dim; i++) {
      path.push(i)
      walk(v[i], depth + 1, r)
      path.pop()
    }
  }
  for (let r = 0; r < records.length; r++) walk(records[r], 0, r)

  const shape = [records.length, ...(recordShape.length > 0 || !scalarColumn ? recordShape : [1])]
  return { shape, ...typed(leaves, perRecord, label, textInput) }
}

function typed(leaves: Json[], perRecord: number, label: Label, textInput: boolean): Omit<DecodedTensor, 'shape'> {
  if (textInput) return { dtype: 'string', values: leaves.map((v) => (v === null ? '' : String(v))) }
  const kind = (v: Json) => (v === null || typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'bool')
  const first = leaves.length > 0 ? kind(leaves[0]) : 'number'
  for (let i = 1; i < leaves.length; i++) {
    const other = kind(leaves[i])
    if (other !== first) {
      const r = Math.floor(i / perRecord)
      throw errors.badInput(`${label(r)} mixes ${first}s and ${other}s (${show(leaves[i])}); use one type`)
    }
  }
  if (first === 'string') return { dtype: 'string', values: leaves as string[] }
  if (first === 'bool') return { dtype: 'bool', values: Uint8Array.from(leaves as boolean[], (b) => (b ? 1 : 0)) }
  return {
    dtype: 'number',
    values: Float64Array.from(leaves as (number | null)[], (v) => (v === null ? NaN : v)),
  }
}

/**
 * A list of records as sent in `instances` or JSON lines: arrays/scalars (one unnamed tensor),
 * `{"features": ...}` objects (unnamed), or objects of named inputs (one tensor per name).
 */
export function fromRecords(records: Json[], label: Label, textInput: boolean): DecodedBody {
  // textInput applies to the unnamed tensor only; named inputs keep their JSON types.
  if (records.length === 0) throw errors.badInput('no records')
  const objects = records.map(isObject)
  const firstObject = objects[0]
  const odd = objects.findIndex((o) => o !== firstObject)
  if (odd >= 0) {
    throw errors.badInput(
      `${label(odd)} is ${firstObject ? 'not an object' : 'an object'} unlike ${label(0)}; mix not allowed`,
    )
  }
  if (!firstObject) return { records: records.length, tensors: stack(records, label, textInput) }
  const rows = records as { [key: string]: Json }[]
  // {"features": [...]} is one unnamed record; a model input named "features" comes with its siblings.
  if (rows.every((o) => 'features' in o && Object.keys(o).length === 1)) {
    return {
      records: rows.length,
      tensors: stack(
        rows.map((o) => o.features),
        label,
        textInput,
      ),
    }
  }
  const names = Object.keys(rows[0])
  if (names.length === 0) throw errors.badInput(`${label(0)} is an empty object`)
  // A set, not names.includes: a record of many keys would make the check quadratic.
  const known = new Set(names)
  rows.forEach((o, r) => {
    const keys = Object.keys(o)
    const missing = names.find((n) => !Object.hasOwn(o, n))
    const extra = keys.find((n) => !known.has(n))
    if (missing !== undefined) throw errors.badInput(`${label(r)} has no input '${missing}' (${label(0)} has it)`)
    if (extra !== undefined) throw errors.badInput(`${label(r)} has input '${extra}' that ${label(0)} does not`)
  })
  const tensors: Record<string, DecodedTensor> = {}
  for (const name of names) {
    tensors[name] = stack(
      rows.map((o) => o[name]),
      (r) => `${label(r)}, input '${name}'`,
      false, // named inputs keep their JSON types: textInput describes the unnamed (first) input only
    )
  }
  return { records: rows.length, tensors }
}

/** JSON.parse, with a 400 that says where the bad JSON was. */
export function parseJson(text: string, where = 'JSON body'): Json {
  try {
    return JSON.parse(text) as Json
  } catch (e) {
    throw errors.badInput(`${where} is not valid JSON: ${(e as Error).message}`)
  }
}
