/**
 * text/csv: RFC 4180, one record per line, no header unless configured or detected; an empty field is
 * NaN (the missing value). Quote-free numeric bodies (nearly all real traffic) take csv-fast.ts;
 * bodies with quotes, and text models, go through papaparse.
 * Responses: exactly one line per record, each ending in `\n` (batch transform joins outputs by line).
 */
import Papa from 'papaparse'
import { errors } from '../errors'
import { encodeCsvBytes } from './csv-encode'
import { scanNumericCsv, textOf } from './csv-fast'
import { parseCell } from './numbers'
import { csvFormatter, outputViews } from './output-views'
import { bodyText, plural, trimmedEnd } from './text'
import type { Codec, DecodedBody, DecodeOptions, EncodeInput } from './types'

/** Names record r (0-based) for messages; with a header the file line differs, so give both. */
function rowNamer(header: boolean) {
  return header ? (r: number) => `row ${r + 1} (line ${r + 2})` : (r: number) => `row ${r + 1}`
}

const isNumeric = (cell: string) => parseCell(cell) !== null
const isWord = (cell: string) => cell.trim() !== '' && !isNumeric(cell)

const sameName = (cell: string, name: string) => cell.trim().toLowerCase() === name.toLowerCase()

/**
 * Whether the first row is a header. 'auto': its fields are the model's input names (in any order, as
 * pandas' `to_csv()` writes a DataFrame converted with one input per column); or a column that takes
 * numbers holds a word there while the second row has a number (or nothing) in every numeric column. A
 * lone row counts as a header only when every numeric column holds a word, so `1,abc,3` is reported as a
 * bad number instead of silently becoming a header with no records. Text columns alone cannot tell.
 */
export function hasHeader(options: DecodeOptions, first: string[], second: string[] | undefined): boolean {
  if (options.csvHeader !== 'auto') return options.csvHeader === 'present'
  const columns = options.columns?.length === first.length ? options.columns : null
  const names = columns?.map((c) => c.name)
  if (names?.every((n) => n !== null) && first.every((cell) => names.some((n) => sameName(cell, n as string))))
    return true
  const numeric = columns ? columns.map((c) => c.numeric) : first.map(() => !options.textInput)
  if (!first.some((cell, i) => numeric[i] && isWord(cell))) return false
  if (second === undefined) return first.every((cell, i) => !numeric[i] || isWord(cell))
  return second.every((cell, i) => !numeric[i] || isNumeric(cell) || cell.trim() === '')
}

const columnName = (c: number, header: string[] | null) =>
  `column ${c + 1}${header?.[c]?.trim() ? ` ("${header[c].trim()}")` : ''}`

function noRecords(header: string[]): never {
  const shown = header.join(',').slice(0, 80)
  throw errors.badInput(`CSV body holds only one row, "${shown}", taken as a header (not all numbers), and no records`)
}

export function decodeCsv(body: Uint8Array, options: DecodeOptions): DecodedBody {
  if (!options.textInput && body.indexOf(34) < 0) return decodeFast(body, options)
  // Blank lines before the first record are not records (a one-column body's blank line inside is NaN).
  const text = bodyText(body).replace(/^[\r\n]+/, '')
  const end = trimmedEnd(text)
  const quoted = text.indexOf('"') >= 0
  // A model that takes one text column (skl2onnx's CountVectorizer) gets each unquoted line whole: a
  // document per line, as batch transform splits a text file, commas and all.
  const oneText = options.columns?.length === 1 && !options.columns[0].numeric
  const lines = quoted ? null : text.slice(0, end).split(/\r\n|\n|\r/)
  const rows = lines ? lines.map((l) => (oneText ? [l] : l.split(','))) : parseQuoted(text.slice(0, end))
  return fromRows(rows, options)
}

/** Quote-free numeric bodies, read as bytes: the same rules as bodyText, without decoding the body. */
function decodeFast(body: Uint8Array, options: DecodeOptions): DecodedBody {
  // Text checks bodyText makes, kept byte-wise: valid UTF-8 (only worth checking when a byte is not
  // ASCII), one BOM dropped, an all-blank body is empty.
  if (!isAscii(body)) bodyText(body)
  let start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0
  while (start < body.length && (body[start] === 10 || body[start] === 13)) start++
  let end = body.length
  while (end > start && (body[end - 1] === 32 || body[end - 1] === 9 || body[end - 1] === 10 || body[end - 1] === 13))
    end--
  if (end === start) throw errors.badInput('empty body')
  const bodyStart = start
  let columns: string[] | null = null
  if (options.csvHeader !== 'absent') {
    const firstEnd = lineEnd(body, start, end)
    let secondStart = firstEnd < end ? firstEnd + 1 : end
    if (body[firstEnd] === 13 && body[secondStart] === 10) secondStart++
    const first = textOf(body, start, firstEnd).split(',')
    const second = secondStart < end ? textOf(body, secondStart, lineEnd(body, secondStart, end)).split(',') : undefined
    if (hasHeader(options, first, second)) {
      if (secondStart >= end) noRecords(first)
      start = secondStart
      columns = first
    }
  }
  const table = scanNumericCsv(body, start, end, rowNamer(start > bodyStart), options.float32Input)
  return {
    records: table.rows,
    tensors: { dtype: 'number', shape: [table.rows, table.cols], values: table.values },
    ...(columns ? { columns } : {}),
  }
}

function lineEnd(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buf[i]
    if (c === 10 || c === 13) return i
  }
  return end
}

function isAscii(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] > 127) return false
  return true
}

function parseQuoted(text: string): string[][] {
  const result = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: false })
  const problem = result.errors[0]
  if (problem) {
    const where = problem.row === undefined ? '' : `row ${problem.row + 1}: `
    throw errors.badInput(`malformed CSV: ${where}${problem.message.toLowerCase()}`)
  }
  return result.data
}

function fromRows(rows: string[][], options: DecodeOptions): DecodedBody {
  const header = hasHeader(options, rows[0], rows[1])
  const first = header ? 1 : 0
  if (first >= rows.length) noRecords(rows[0])
  const name = rowNamer(header)
  const withHeader = header ? { columns: rows[0] } : {}
  const records = rows.length - first
  const cols = rows[first].length
  const check = (row: string[], r: number) => {
    if (row.length === cols) return
    if (row.length === 1 && row[0].trim() === '')
      throw errors.badInput(`${name(r)} is empty, expected ${plural(cols, 'field')}`)
    throw errors.badInput(`${name(r)} has ${plural(row.length, 'field')}, expected ${cols}`)
  }
  if (options.textInput) {
    const values: string[] = new Array(records * cols)
    for (let r = 0, k = 0; r < records; r++) {
      const row = rows[first + r]
      check(row, r)
      for (let c = 0; c < cols; c++) values[k++] = row[c]
    }
    return { records, tensors: { dtype: 'string', shape: [records, cols], values }, ...withHeader }
  }
  const values = new Float64Array(records * cols)
  for (let r = 0, k = 0; r < records; r++) {
    const row = rows[first + r]
    check(row, r)
    for (let c = 0; c < cols; c++) {
      const v = parseCell(row[c])
      if (v === null)
        throw errors.badInput(`${name(r)}, ${columnName(c, header ? rows[0] : null)}: "${row[c]}" is not a number`)
      values[k++] = v
    }
  }
  return { records, tensors: { dtype: 'number', shape: [records, cols], values }, ...withHeader }
}

/** One line per record: every output's values for the record, flattened, in output order. */
export function encodeCsv(input: EncodeInput): string {
  const views = outputViews(input)
  const formats = views.map((v) => csvFormatter(v.output.dtype))
  let out = ''
  for (let r = 0; r < input.records; r++) {
    let line = ''
    let first = true
    for (let o = 0; o < views.length; o++) {
      const { data, perRecord } = views[o]
      const format = formats[o]
      for (let j = 0, k = r * perRecord; j < perRecord; j++, k++) {
        if (first) first = false
        else line += ','
        line += format(data[k])
      }
    }
    out += `${line}\n`
  }
  return out
}

export const csvCodec: Codec = {
  type: 'text/csv',
  decode: decodeCsv,
  encode: (input) => encodeCsvBytes(input) ?? encodeCsv(input),
}
