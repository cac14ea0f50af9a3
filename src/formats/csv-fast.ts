/**
 * The CSV hot path: a body without any `"` cannot quote, so fields are plain bytes between commas and
 * line breaks. One pass over the request's bytes (no text decoding, no per-cell strings) parses numbers
 * straight into a Float64Array through numbers.ts scanDecimal; rare spellings (nan, inf, long mantissas)
 * and errors go through parseCell, so results equal Number() on every accepted spelling.
 */
import { errors } from '../errors'
import { parseCell, scanDecimal, scanned } from './numbers'
import { plural } from './text'

export interface NumericTable {
  values: Float64Array | Float32Array
  rows: number
  cols: number
}

const utf8 = new TextDecoder()
const POW10 = new Float64Array(Array.from({ length: 23 }, (_, i) => 10 ** i))

/** The text of bytes [a, b), for messages and the general parser. */
export const textOf = (buf: Uint8Array, a: number, b: number) => utf8.decode(buf.subarray(a, b))

/** Parses buf[start, end) (no quotes, trailing blank lines already cut) as rows of numbers. */
export function scanNumericCsv(
  buf: Uint8Array,
  start: number,
  end: number,
  rowName: (row: number) => string,
  float32 = false,
): NumericTable {
  const Values = float32 ? Float32Array : Float64Array
  let cols = 1
  for (let i = start; i < end; i++) {
    const c = buf[i]
    if (c === 44) cols++
    else if (c === 10 || c === 13) break
  }
  let lines = 1
  for (let i = buf.indexOf(10, start); i >= 0 && i < end; i = buf.indexOf(10, i + 1)) lines++
  let values: Float64Array | Float32Array = new Values(lines * cols)

  let i = start
  let row = 0
  let col = 0
  let k = 0
  for (;;) {
    if (col === cols) throw ragged(buf, i, end, rowName(row), cols)
    if (k === values.length) {
      // Lone CR line breaks were not counted above: grow.
      const bigger = new Values(values.length * 2)
      bigger.set(values)
      values = bigger
    }
    const fieldStart = i
    // Inline fast path for the common spelling, `[-]digits[.digits]` right up to the delimiter: the same
    // exact arithmetic as scanDecimal (at most 15 significant digits, one division by an exact power of
    // ten), without a call per field. Anything else starts over on the general path below.
    let c = i < end ? buf[i] : 10
    let neg = false
    if (c === 45) {
      neg = true
      c = ++i < end ? buf[i] : 10
    }
    let m = 0
    let digits = 0
    let exp = 0
    let seen = false
    while (c >= 48 && c <= 57) {
      seen = true
      if (m !== 0 || c !== 48) {
        m = m * 10 + (c - 48)
        digits++
      }
      c = ++i < end ? buf[i] : 10
    }
    if (c === 46) {
      c = ++i < end ? buf[i] : 10
      while (c >= 48 && c <= 57) {
        seen = true
        if (m !== 0 || c !== 48) {
          m = m * 10 + (c - 48)
          digits++
        }
        exp--
        c = ++i < end ? buf[i] : 10
      }
    }
    let v: number
    if (seen && digits <= 15 && exp >= -22 && (c === 44 || c === 10 || c === 13)) {
      v = exp === 0 ? m : m / POW10[-exp]
      if (neg) v = -v
    } else {
      i = fieldStart
      c = i < end ? buf[i] : 10
      while (c === 32 || c === 9) c = ++i < end ? buf[i] : 10
      const afterSpaces = i
      v = scanDecimal(buf, i, end)
      i = scanned.stop
      const empty = i === afterSpaces
      c = i < end ? buf[i] : 10
      while (c === 32 || c === 9) c = ++i < end ? buf[i] : 10
      const delimited = c === 44 || c === 10 || c === 13
      if (v !== v || !delimited) {
        if (empty && delimited)
          v = Number.NaN // empty field: missing value
        else {
          // Rare spellings (nan, inf, long mantissas, big exponents) and errors: the general parser decides.
          i = fieldEnd(buf, fieldStart, end)
          c = i < end ? buf[i] : 10
          const cell = textOf(buf, fieldStart, i)
          const parsed = parseCell(cell)
          if (parsed === null) throw errors.badInput(`${rowName(row)}, column ${col + 1}: "${cell}" is not a number`)
          v = parsed
        }
      }
    }
    values[k++] = v
    col++
    if (c === 44) {
      i++
      continue
    }
    // End of the line (or of the body).
    if (col !== cols) throw ragged(buf, fieldStart, end, rowName(row), cols)
    row++
    col = 0
    if (i >= end) break
    i++
    if (c === 13 && i < end && buf[i] === 10) i++
  }
  return { values: k === values.length ? values : values.slice(0, k), rows: row, cols }
}

function fieldEnd(buf: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = buf[i]
    if (c === 44 || c === 10 || c === 13) return i
  }
  return end
}

/** The error for a row with the wrong field count, counting the whole line for the message. */
function ragged(buf: Uint8Array, anyIndexInLine: number, end: number, row: string, cols: number) {
  let a = anyIndexInLine
  while (a > 0 && buf[a - 1] !== 10 && buf[a - 1] !== 13) a--
  let fields = 1
  let blank = true
  for (let j = a; j < end; j++) {
    const c = buf[j]
    if (c === 10 || c === 13) break
    if (c === 44) fields++
    else if (c !== 32 && c !== 9) blank = false
  }
  if (fields === 1 && blank) return errors.badInput(`${row} is empty, expected ${plural(cols, 'field')}`)
  return errors.badInput(`${row} has ${plural(fields, 'field')}, expected ${cols}`)
}
