/**
 * application/json. Requests: `{"instances": [...]}` (one entry per record), `{"inputs": {name: tensor}}`
 * (named, first dimension = records) or `{"inputs": tensor}` (unnamed), `{"features": [...]}` (one
 * record, SageMaker built-ins), or a bare array: `[[1,2],[3,4]]` is two records, a flat `[1,2,3]` is ONE.
 * Responses: `{"predictions": [...]}`, one entry per record (see jsonlines.ts for the entry's form).
 */
import { errors } from '../errors'
import { fromRecords, isObject, type Json, parseJson, stack } from './json-records'
import { jsonRecordLines } from './output-views'
import { bodyText, plural } from './text'
import type { Codec, DecodedBody, DecodedTensor, DecodeOptions, EncodeInput } from './types'

const record = (r: number) => `record ${r + 1}`

export function decodeJson(body: Uint8Array, options: DecodeOptions): DecodedBody {
  const value = parseJson(bodyText(body))
  if (Array.isArray(value)) {
    if (value.length === 0) throw errors.badInput('the JSON array is empty: no records')
    // A flat list of values is one record's features; a list of lists (or objects) is a list of records.
    if (value.every((v) => !Array.isArray(v) && !isObject(v))) {
      return { records: 1, tensors: stack([value], record, options.textInput) }
    }
    return fromRecords(value, record, options.textInput)
  }
  if (!isObject(value)) throw errors.badInput(`JSON body is ${JSON.stringify(value)}; ${FORMS}`)
  if ('instances' in value) {
    const instances = value.instances
    if (!Array.isArray(instances)) throw errors.badInput('"instances" must be an array with one entry per record')
    return fromRecords(instances, record, options.textInput)
  }
  if ('inputs' in value) return fromInputs(value.inputs, options)
  if ('features' in value && Object.keys(value).length === 1)
    return { records: 1, tensors: stack([value.features], record, options.textInput) }
  const keys = Object.keys(value)
    .slice(0, 5)
    .map((k) => `"${k}"`)
  throw errors.badInput(`JSON object has keys ${keys.join(', ') || '(none)'}; ${FORMS}`)
}

const FORMS = 'expected {"instances": [...]}, {"inputs": ...}, {"features": [...]} or an array of records'

/** `inputs` holds whole tensors: the first dimension counts records, and every named input must agree. */
function fromInputs(inputs: Json, options: DecodeOptions): DecodedBody {
  if (Array.isArray(inputs)) return whole(inputs, '"inputs"', options.textInput)
  if (!isObject(inputs)) throw errors.badInput('"inputs" must be an array or an object of named arrays')
  const names = Object.keys(inputs)
  if (names.length === 0) throw errors.badInput('"inputs" is an empty object')
  const tensors: Record<string, DecodedTensor> = {}
  let records = -1
  for (const name of names) {
    const value = inputs[name]
    if (!Array.isArray(value)) throw errors.badInput(`input '${name}' must be an array with one entry per record`)
    const t = whole(value, `input '${name}'`, false)
    if (records >= 0 && t.records !== records) {
      throw errors.badInput(`input '${name}' has ${plural(t.records, 'record')}, input '${names[0]}' has ${records}`)
    }
    records = t.records
    tensors[name] = t.tensors as DecodedTensor
  }
  return { records, tensors }
}

function whole(value: Json[], what: string, textInput: boolean): DecodedBody & { tensors: DecodedTensor } {
  if (value.length === 0) throw errors.badInput(`${what} is empty: no records`)
  const label = (r: number) => `${what} record ${r + 1}`
  return { records: value.length, tensors: stack(value, label, textInput, false) }
}

export function encodeJson(input: EncodeInput): string {
  return `{"predictions":[${jsonRecordLines(input).join(',')}]}`
}

export const jsonCodec: Codec = { type: 'application/json', decode: decodeJson, encode: encodeJson }
