/**
 * Micro-benchmark of CSV decoding (not a test): the quote-free fast path against papaparse in its default
 * and fastMode, each ending in the same Float64Array, plus a split/Number() baseline; and float32 CSV
 * formatting. Run: node_modules/.bin/bun bench/csv-decode.ts
 */
import Papa from 'papaparse'
import { decodeCsv, encodeCsv } from '../src/formats/csv'
import { parseCell } from '../src/formats/numbers'

const options = { csvHeader: 'absent', textInput: false } as const

function body(rows: number, cols: number): string {
  let seed = 7
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 10
  let s = ''
  for (let r = 0; r < rows; r++) s += `${Array.from({ length: cols }, () => rand().toFixed(4)).join(',')}\n`
  return s
}

function toFloat64(rows: string[][]): Float64Array {
  const cols = rows[0].length
  const out = new Float64Array(rows.length * cols)
  let k = 0
  for (const row of rows) for (const cell of row) out[k++] = parseCell(cell) ?? NaN
  return out
}

const utf8 = new TextDecoder()

// Each candidate starts from the request bytes (decodeCsv decodes UTF-8 itself).
const candidates: Record<string, (bytes: Uint8Array) => unknown> = {
  'fast path (decodeCsv)': (bytes) => decodeCsv(bytes, options),
  'split + Number()': (bytes) => {
    const text = utf8.decode(bytes)
    const lines = text.trimEnd().split('\n')
    const cols = lines[0].split(',').length
    const out = new Float64Array(lines.length * cols)
    let k = 0
    for (const line of lines) for (const cell of line.split(',')) out[k++] = parseCell(cell) ?? NaN
    return out
  },
  'papaparse default': (bytes) =>
    toFloat64(Papa.parse<string[]>(utf8.decode(bytes).trimEnd(), { delimiter: ',' }).data),
  'papaparse fastMode': (bytes) =>
    toFloat64(Papa.parse<string[]>(utf8.decode(bytes).trimEnd(), { delimiter: ',', fastMode: true }).data),
}

function time(fn: () => unknown, minMs = 300): number {
  for (let i = 0; i < 20; i++) fn()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < minMs) {
    fn()
    n++
  }
  return ((performance.now() - start) * 1000) / n // µs per call
}

for (const [rows, cols] of [
  [150, 4],
  [1000, 20],
]) {
  const text = body(rows, cols)
  const bytes = new TextEncoder().encode(text)
  console.log(`\n${rows} rows x ${cols} cols (${bytes.length} bytes)`)
  let base = 0
  for (const [name, fn] of Object.entries(candidates)) {
    const us = time(() => fn(bytes))
    if (!base) base = us
    console.log(`  ${name.padEnd(24)} ${us.toFixed(1).padStart(9)} µs   ${(us / base).toFixed(2)}x`)
  }
}

const n = 20000
const probs = new Float32Array(n).map((_, i) => Math.fround(Math.sin(i) ** 2))
const output = (data: Float32Array) => ({
  records: n,
  outputs: [{ name: 'p', dtype: 'float32' as const, dims: [n], data }],
})
console.log(`\nCSV encoding of ${n} float32 values`)
const shortest = time(() => encodeCsv(output(probs)))
const naive = time(() => Array.from(probs, (v) => String(v)).join('\n'))
const p9 = time(() => Array.from(probs, (v) => String(Number(v.toPrecision(9)))).join('\n'))
console.log(`  shortest float32 (encodeCsv)   ${shortest.toFixed(0).padStart(7)} µs`)
console.log(`  String(v) (float64 repr)       ${naive.toFixed(0).padStart(7)} µs   ${(naive / shortest).toFixed(2)}x`)
console.log(`  toPrecision(9) (not shortest)  ${p9.toFixed(0).padStart(7)} µs   ${(p9 / shortest).toFixed(2)}x`)
