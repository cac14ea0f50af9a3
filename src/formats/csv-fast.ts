/**
 * The CSV hot path: a body without any `"` cannot quote, so fields are plain text between commas and
 * line breaks. One pass over the string parses numbers straight into a Float64Array, with no per-cell
 * strings. Simple decimals (≤15 significant digits, |exponent| ≤ 22) are computed exactly (Clinger's fast
 * path: one correctly rounded multiply or divide of two exact doubles); anything else goes through
 * parseCell, so results equal Number() on every accepted spelling (measured in bench/csv-decode.ts).
 */
import { errors } from '../errors'
import { parseCell } from './numbers'
import { plural } from './text'

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)

export interface NumericTable {
  values: Float64Array
  rows: number
  cols: number
}

/** Parses text[start, end) (no quotes, trailing blank lines already cut) as rows of numbers. */
export function scanNumericCsv(
  text: string,
  start: number,
  end: number,
  rowName: (row: number) => string,
): NumericTable {
  let cols = 1
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 44) cols++
    else if (c === 10 || c === 13) break
  }
  let lines = 1
  for (let i = text.indexOf('\n', start); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) lines++
  let values = new Float64Array(lines * cols)

  let i = start
  let row = 0
  let col = 0
  let k = 0
  for (;;) {
    if (col === cols) throw ragged(text, i, rowName(row), cols)
    if (k === values.length) {
      // Lone CR line breaks were not counted above: grow.
      const bigger = new Float64Array(values.length * 2)
      bigger.set(values)
      values = bigger
    }
    const fieldStart = i
    let c = i < end ? text.charCodeAt(i) : 10
    while (c === 32 || c === 9) c = ++i < end ? text.charCodeAt(i) : 10
    const afterSpaces = i
    let neg = false
    if (c === 45 || c === 43) {
      neg = c === 45
      c = ++i < end ? text.charCodeAt(i) : 10
    }
    let m = 0
    let digits = 0
    let seen = false
    let exp = 0
    while (c >= 48 && c <= 57) {
      seen = true
      if (m !== 0 || c !== 48) {
        m = m * 10 + (c - 48)
        digits++
      }
      c = ++i < end ? text.charCodeAt(i) : 10
    }
    if (c === 46) {
      c = ++i < end ? text.charCodeAt(i) : 10
      while (c >= 48 && c <= 57) {
        seen = true
        if (m !== 0 || c !== 48) {
          m = m * 10 + (c - 48)
          digits++
        }
        exp--
        c = ++i < end ? text.charCodeAt(i) : 10
      }
    }
    let ok = seen && digits <= 15
    if (ok && (c === 101 || c === 69)) {
      c = ++i < end ? text.charCodeAt(i) : 10
      let eneg = false
      if (c === 45 || c === 43) {
        eneg = c === 45
        c = ++i < end ? text.charCodeAt(i) : 10
      }
      let e = 0
      let edigits = 0
      while (c >= 48 && c <= 57 && edigits < 6) {
        e = e * 10 + (c - 48)
        edigits++
        c = ++i < end ? text.charCodeAt(i) : 10
      }
      ok = edigits > 0
      exp += eneg ? -e : e
    }
    const empty = i === afterSpaces
    while (c === 32 || c === 9) c = ++i < end ? text.charCodeAt(i) : 10
    let v: number
    if (ok && (c === 44 || c === 10 || c === 13) && exp >= -22 && exp <= 22) {
      v = exp === 0 ? m : exp > 0 ? m * POW10[exp] : m / POW10[-exp]
      if (neg) v = -v
    } else if (empty && (c === 44 || c === 10 || c === 13)) {
      v = NaN // empty field: missing value
    } else {
      // Rare spellings (nan, inf, long mantissas, big exponents) and errors: the general parser decides.
      i = fieldEnd(text, fieldStart, end)
      c = i < end ? text.charCodeAt(i) : 10
      const cell = text.slice(fieldStart, i)
      const parsed = parseCell(cell)
      if (parsed === null) throw errors.badInput(`${rowName(row)}, column ${col + 1}: "${cell}" is not a number`)
      v = parsed
    }
    values[k++] = v
    col++
    if (c === 44) {
      i++
      continue
    }
    // End of the line (or of the body).
    if (col !== cols) throw ragged(text, fieldStart, rowName(row), cols)
    row++
    col = 0
    if (i >= end) break
    i++
    if (c === 13 && i < end && text.charCodeAt(i) === 10) i++
  }
  return { values: k === values.length ? values : values.slice(0, k), rows: row, cols }
}

function fieldEnd(text: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 44 || c === 10 || c === 13) return i
  }
  return end
}

/** The error for a row with the wrong field count, counting the whole line for the message. */
function ragged(text: string, anyIndexInLine: number, row: string, cols: number) {
  let a = anyIndexInLine
  while (a > 0 && text.charCodeAt(a - 1) !== 10 && text.charCodeAt(a - 1) !== 13) a--
  let fields = 1
  let blank = true
  for (let j = a; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (c === 10 || c === 13) break
    if (c === 44) fields++
    else if (c !== 32 && c !== 9) blank = false
  }
  if (fields === 1 && blank) return errors.badInput(`${row} is empty, expected ${plural(cols, 'field')}`)
  return errors.badInput(`${row} has ${plural(fields, 'field')}, expected ${cols}`)
}
