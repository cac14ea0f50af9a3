/**
 * Histogram bins for gradient boosting, as XGBoost's `hist` and LightGBM build them: each feature's values
 * are cut into at most max_bin quantile bins once, before training, and trees then split on bin codes.
 * Cut points are float32 thresholds between two training values (see thresholds.ts), so "bin ≤ b" and
 * "x ≤ cut[b]" agree on every training row and the exported model reproduces training exactly.
 */
import { ColumnSorter } from './sort'
import { splitThreshold } from './thresholds'

export interface Bins {
  rows: number
  features: number
  /** Row-major bin codes, rows × features; `missing` marks NaN. */
  codes: Uint8Array | Uint16Array
  /** The same codes column-major (features × rows): partitioning a node reads one feature of many rows. */
  columns: Uint8Array | Uint16Array
  /** Per feature, the upper threshold of each bin but the last (bin b holds cut[b-1] < x <= cut[b]). */
  cuts: Float32Array[]
  /** Bins per feature (cuts.length + 1; 1 for a constant feature). */
  counts: Int32Array
  /** Code of a missing value; also the histogram width per feature minus one. */
  missing: number
}

/** Cut points of a sorted column (NaN last): all boundaries when it has at most maxBin distinct values, else quantiles. */
export function columnCuts(sorted: Float32Array, maxBin: number): Float32Array {
  let m = sorted.length
  while (m > 0 && sorted[m - 1] !== sorted[m - 1]) m--
  const distinct: number[] = []
  const upto: number[] = [] // rows with a value <= distinct[i]
  for (let i = 0; i < m; i++) {
    if (i + 1 === m || sorted[i + 1] > sorted[i]) {
      distinct.push(sorted[i])
      upto.push(i + 1)
    }
  }
  const cuts: number[] = []
  if (distinct.length <= maxBin) {
    for (let i = 0; i + 1 < distinct.length; i++) cuts.push(splitThreshold(distinct[i], distinct[i + 1]))
  } else {
    // close a bin after the first distinct value that reaches the next quantile of the rows
    let next = 1
    for (let i = 0; i + 1 < distinct.length && next < maxBin; i++) {
      if (upto[i] >= (next * m) / maxBin) {
        cuts.push(splitThreshold(distinct[i], distinct[i + 1]))
        while (next < maxBin && upto[i] >= (next * m) / maxBin) next++
      }
    }
  }
  return Float32Array.from(cuts)
}

/** Bin of a value: the first b with x <= cut[b], else the last bin; NaN gives `missing`. */
export function binOf(cuts: Float32Array, x: number, missing: number): number {
  if (x !== x) return missing
  let lo = 0
  let hi = cuts.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (x <= cuts[mid]) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Bins a row-major float32 matrix. */
export function makeBins(x: Float32Array, rows: number, features: number, maxBin: number): Bins {
  const cuts: Float32Array[] = []
  const col = new Float32Array(rows)
  const sorted = new Float32Array(rows)
  const order = new Int32Array(rows)
  const sorter = new ColumnSorter(rows)
  const missing = maxBin
  // codes are assigned walking each column in sorted order; wide enough for the missing code, narrowed below
  const wide = new Uint16Array(rows * features)
  let maxCode = 0
  for (let f = 0; f < features; f++) {
    for (let r = 0; r < rows; r++) col[r] = x[r * features + f]
    sorter.argsort(col, order)
    for (let i = 0; i < rows; i++) sorted[i] = col[order[i]]
    const c = columnCuts(sorted, maxBin)
    cuts.push(c)
    const o = f * rows
    let b = 0
    for (let i = 0; i < rows; i++) {
      const v = sorted[i]
      if (v !== v) {
        wide[o + order[i]] = missing
        maxCode = missing
        continue
      }
      while (b < c.length && v > c[b]) b++
      wide[o + order[i]] = b
    }
    if (c.length > maxCode) maxCode = c.length
  }
  const columns = maxCode < 256 ? Uint8Array.from(wide) : wide
  const codes = maxCode < 256 ? new Uint8Array(rows * features) : new Uint16Array(rows * features)
  for (let f = 0; f < features; f++) for (let r = 0; r < rows; r++) codes[r * features + f] = columns[f * rows + r]
  return { rows, features, codes, columns, cuts, counts: Int32Array.from(cuts, (c) => c.length + 1), missing }
}
