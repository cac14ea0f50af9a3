/**
 * Arg-sort of float32 columns by two 16-bit LSD radix passes: linear time, no comparator calls, stable.
 * NaN sorts last, which is where the tree builders expect missing values.
 */
import { sortKey } from './thresholds'

export class ColumnSorter {
  private keys: Uint32Array
  private keys2: Uint32Array
  private idx2: Int32Array
  private counts = new Int32Array(65536)

  constructor(private n: number) {
    this.keys = new Uint32Array(n)
    this.keys2 = new Uint32Array(n)
    this.idx2 = new Int32Array(n)
  }

  /** Writes into `out` the indices 0..n-1 ordered by `col` (for the rows listed in `rows`, when given). */
  argsort(col: Float32Array, out: Int32Array, rows?: Int32Array): void {
    const n = rows ? rows.length : this.n
    const { keys, keys2, idx2, counts } = this
    for (let i = 0; i < n; i++) {
      const r = rows ? rows[i] : i
      keys[i] = sortKey(col[r])
      idx2[i] = r
    }
    // pass 1: low 16 bits, idx2/keys → out/keys2
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[keys[i] & 0xffff]++
    for (let i = 0, sum = 0; i < 65536; i++) {
      const c = counts[i]
      counts[i] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const p = counts[keys[i] & 0xffff]++
      out[p] = idx2[i]
      keys2[p] = keys[i]
    }
    // pass 2: high 16 bits, out/keys2 → idx2, then copy back
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[keys2[i] >>> 16]++
    for (let i = 0, sum = 0; i < 65536; i++) {
      const c = counts[i]
      counts[i] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) idx2[counts[keys2[i] >>> 16]++] = out[i]
    out.set(idx2.subarray(0, n))
  }
}
