/**
 * text/libsvm (alias text/x-libsvm), as XGBoost reads it: `label idx:val idx:val ...` per line, one
 * record per line. The label (a first token without `:`) is optional and ignored; `qid:` tokens and
 * `# comments` are skipped; blank lines are ignored. Indices are 1-based (`1:` is the first column).
 * Rows are dense with the model's width when it is fixed (an index beyond it is a 400), else the largest
 * index in the body (at most MAX_SPARSE_WIDTH); absent entries are NaN, which is XGBoost's "missing" (its
 * sparse semantics), not 0.
 */
import { errors } from '../errors'
import { parseCell } from './numbers'
import { bodyText, isBlank } from './text'
import { type Codec, type DecodedBody, type DecodeOptions, MAX_DENSE_VALUES, MAX_SPARSE_WIDTH } from './types'

export function decodeLibsvm(body: Uint8Array, options: DecodeOptions): DecodedBody {
  const limit = options.features ?? MAX_SPARSE_WIDTH
  const lines = bodyText(body).split(/\r\n|\n|\r/)
  const rows: { index: number[]; value: number[] }[] = []
  let width = 0
  for (let n = 0; n < lines.length; n++) {
    const hash = lines[n].indexOf('#')
    const line = hash >= 0 ? lines[n].slice(0, hash) : lines[n]
    if (isBlank(line)) continue
    const tokens = line.trim().split(/\s+/)
    const row = { index: [] as number[], value: [] as number[] }
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]
      const colon = token.indexOf(':')
      if (colon < 0) {
        if (t === 0) continue // the label
        throw errors.badInput(`line ${n + 1}, token ${t + 1}: "${token}" is not index:value`)
      }
      const key = token.slice(0, colon)
      if (key === 'qid') continue
      const index = Number(key)
      if (!/^\d+$/.test(key) || index < 1) {
        throw errors.badInput(
          `line ${n + 1}, token ${t + 1}: index "${key}" must be a whole number from 1 (indices are 1-based)`,
        )
      }
      if (index > limit)
        throw errors.badInput(
          options.features
            ? `line ${n + 1}: index ${index} is beyond the model's ${options.features} features`
            : `line ${n + 1}: index ${index} is beyond ${MAX_SPARSE_WIDTH}, the widest record accepted`,
        )
      const value = parseCell(token.slice(colon + 1))
      if (value === null)
        throw errors.badInput(`line ${n + 1}, index ${index}: "${token.slice(colon + 1)}" is not a number`)
      row.index.push(index - 1)
      row.value.push(value)
      if (index > width) width = index
    }
    rows.push(row)
  }
  if (rows.length === 0) throw errors.badInput('empty body')
  if (options.features) width = options.features
  // Sparse lines become dense rows: a few bytes naming a high index would otherwise cost megabytes each.
  if (rows.length * width > MAX_DENSE_VALUES)
    throw errors.badInput(
      `the body expands to ${rows.length} rows x ${width} features = ${rows.length * width} dense values, ` +
        `more than the ${MAX_DENSE_VALUES} accepted; send fewer rows per request`,
    )
  const values = new Float64Array(rows.length * width).fill(NaN)
  rows.forEach((row, r) => {
    row.index.forEach((c, i) => {
      values[r * width + c] = row.value[i]
    })
  })
  return { records: rows.length, tensors: { dtype: 'number', shape: [rows.length, width], values } }
}

export const libsvmCodec: Codec = { type: 'text/libsvm', decode: decodeLibsvm }
