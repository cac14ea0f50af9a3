/**
 * application/jsonlines (aliases application/x-jsonlines, application/jsonl): one JSON value per line,
 * one record per line, blank lines ignored. A line is an array or scalar (the record's features),
 * `{"features": [...]}`, `{"instances": [one record]}`, or an object of named inputs `{"a": [...], "b": 1}`
 * (stacked by name across lines). Responses: one line per record, ending in `\n`: with one output, the
 * record's value (a scalar when it holds one value, else a nested array); with several, an object
 * `{"outputName": value, ...}`. NaN/Infinity, which JSON cannot spell, are written as null.
 */
import { errors } from '../errors'
import { fromRecords, isObject, type Json, parseJson } from './json-records'
import { jsonRecordLines } from './output-views'
import { bodyText, isBlank } from './text'
import type { Codec, DecodedBody, DecodeOptions, EncodeInput } from './types'

export function decodeJsonLines(body: Uint8Array, options: DecodeOptions): DecodedBody {
  const lines = bodyText(body).split('\n')
  const values: Json[] = []
  const lineNumbers: number[] = []
  for (let i = 0; i < lines.length; i++) {
    if (isBlank(lines[i])) continue
    let value = parseJson(lines[i], `line ${i + 1}`)
    if (isObject(value) && 'instances' in value) {
      const inner = value.instances
      if (!Array.isArray(inner) || inner.length !== 1) {
        throw errors.badInput(
          `line ${i + 1}: "instances" must hold exactly one record in JSON lines (one record per line)`,
        )
      }
      value = inner[0]
    } else if (isObject(value) && 'features' in value && Object.keys(value).length === 1) {
      value = value.features
    }
    values.push(value)
    lineNumbers.push(i + 1)
  }
  return fromRecords(values, (r) => `line ${lineNumbers[r]}`, options.textInput)
}

export function encodeJsonLines(input: EncodeInput): string {
  const lines = jsonRecordLines(input)
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

export const jsonLinesCodec: Codec = {
  type: 'application/jsonlines',
  decode: decodeJsonLines,
  encode: encodeJsonLines,
}
