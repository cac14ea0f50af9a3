/**
 * The best-split search of CART over presorted rows, as scikit-learn's BestSplitter does it: every
 * feature, every boundary between two distinct values, the split minimising the children's weighted
 * impurity (Gini, entropy or squared error); the first of equally good splits wins. Node statistics are
 * updated incrementally so a scan is one pass over the node's rows per feature. Missing values (NaN, kept
 * at the end of each feature's order) are tried on both sides, plus "all present values left, missing
 * right", as scikit-learn ≥ 1.3 does.
 */
export type Criterion = 'gini' | 'entropy' | 'squared_error'

export interface Split {
  feature: number
  /** Rows with a present value that go left: the first `presentLeft` of the feature's sorted order. */
  presentLeft: number
  /** Largest value going left and smallest going right (the threshold lies between). */
  below: number
  above: number
  missingLeft: boolean
  /** Weighted child impurity (lower is better), in the criterion's own units. */
  proxy: number
}

export interface SplitData {
  n: number
  cols: Float32Array[]
  /** Rows ordered by each feature: order[f * n + i]; a node owns [start, end) of every feature's part. */
  order: Int32Array
  /** Class index per row (classification), or the target (regression). */
  classes: Int32Array | null
  target: Float64Array | null
  k: number
}

export class Splitter {
  private L: Float64Array
  private R: Float64Array
  private miss: Float64Array
  /** x·log2(x) for counts 0..n (entropy). */
  private xlogx: Float64Array | null = null
  best: Split = { feature: -1, presentLeft: 0, below: 0, above: 0, missingLeft: false, proxy: Infinity }

  constructor(
    private d: SplitData,
    criterion: Criterion,
    private minLeaf: number,
  ) {
    this.L = new Float64Array(d.k)
    this.R = new Float64Array(d.k)
    this.miss = new Float64Array(d.k)
    if (criterion === 'entropy') {
      this.xlogx = new Float64Array(d.n + 1)
      for (let i = 1; i <= d.n; i++) this.xlogx[i] = i * Math.log2(i)
    }
  }

  reset(): void {
    this.best.feature = -1
    this.best.proxy = Infinity
  }

  private take(
    f: number,
    presentLeft: number,
    below: number,
    above: number,
    missingLeft: boolean,
    proxy: number,
  ): void {
    const b = this.best
    b.feature = f
    b.presentLeft = presentLeft
    b.below = below
    b.above = above
    b.missingLeft = missingLeft
    b.proxy = proxy
  }

  /** Scans feature f for the node owning [start, end); `stats` are its class counts or [sum, sum of squares]. */
  scan(f: number, start: number, end: number, stats: Float64Array): void {
    const { order, cols, n } = this.d
    const col = cols[f]
    const base = f * n
    let e = end
    while (e > start && col[order[base + e - 1]] !== col[order[base + e - 1]]) e--
    const m = end - e
    const nm = e - start
    if (nm === 0 || (m === 0 && !(col[order[base + e - 1]] > col[order[base + start]]))) return
    if (this.d.classes) this.scanClasses(f, base, start, e, m, stats)
    else this.scanTarget(f, base, start, e, m, stats)
  }

  private scanClasses(f: number, base: number, start: number, e: number, m: number, counts: Float64Array): void {
    const { order, k } = this.d
    const y = this.d.classes!
    const col = this.d.cols[f]
    const { L, R, miss, minLeaf } = this
    const T = this.xlogx
    const gini = T === null
    if (m === 0) {
      if (gini) this.giniPresent(f, base, start, e, counts)
      else this.entropyPresent(f, base, start, e, counts)
      return
    }
    miss.fill(0)
    for (let i = e; i < e + m; i++) miss[y[order[base + i]]]++
    L.fill(0)
    let aL = 0
    let aLm = 0
    let aR = 0
    let aRm = 0
    for (let c = 0; c < k; c++) {
      const r = (R[c] = counts[c] - miss[c])
      const mk = miss[c]
      if (gini) {
        aR += r * r
        aRm += (r + mk) * (r + mk)
        aLm += mk * mk
      } else {
        aR += T[r]
        aRm += T[r + mk]
        aLm += T[mk]
      }
    }
    const nm = e - start
    for (let i = start; i < e - 1; i++) {
      const row = order[base + i]
      const c = y[row]
      const l = L[c]
      const r = R[c]
      const mk = miss[c]
      if (gini) {
        aL += 2 * l + 1
        aLm += 2 * (l + mk) + 1
        aR -= 2 * r - 1
        aRm -= 2 * (r + mk) - 1
      } else {
        aL += T[l + 1] - T[l]
        aLm += T[l + mk + 1] - T[l + mk]
        aR += T[r - 1] - T[r]
        aRm += T[r + mk - 1] - T[r + mk]
      }
      L[c] = l + 1
      R[c] = r - 1
      const v = col[row]
      const next = col[order[base + i + 1]]
      if (!(next > v)) continue
      const nl = i - start + 1
      const nr = nm - nl
      if (nl >= minLeaf && nr + m >= minLeaf) {
        const p = gini ? nl - aL / nl + (nr + m) - aRm / (nr + m) : T[nl] - aL + T[nr + m] - aRm
        if (p < this.best.proxy) this.take(f, nl, v, next, false, p)
      }
      if (m > 0 && nl + m >= minLeaf && nr >= minLeaf) {
        const p = gini ? nl + m - aLm / (nl + m) + nr - aR / nr : T[nl + m] - aLm + T[nr] - aR
        if (p < this.best.proxy) this.take(f, nl, v, next, true, p)
      }
    }
    if (m > 0 && nm >= minLeaf && m >= minLeaf) {
      let a = 0
      let b = 0
      for (let c = 0; c < k; c++) {
        const present = counts[c] - miss[c]
        a += gini ? present * present : T![present]
        b += gini ? miss[c] * miss[c] : T![miss[c]]
      }
      const p = gini ? nm - a / nm + m - b / m : T![nm] - a + T![m] - b
      if (p < this.best.proxy) this.take(f, nm, col[order[base + e - 1]], Infinity, false, p)
    }
  }

  // The two loops below are the common case (no missing value in the node for this feature), kept free of
  // the missing-value bookkeeping: the general loop in scanClasses is about twice as slow.
  private giniPresent(f: number, base: number, start: number, e: number, counts: Float64Array): void {
    const { order, k } = this.d
    const y = this.d.classes!
    const col = this.d.cols[f]
    const { L, R, minLeaf } = this
    L.fill(0)
    let aL = 0
    let aR = 0
    for (let c = 0; c < k; c++) {
      R[c] = counts[c]
      aR += counts[c] * counts[c]
    }
    const nm = e - start
    let best = this.best.proxy
    for (let i = start; i < e - 1; i++) {
      const row = order[base + i]
      const c = y[row]
      const l = L[c]
      const r = R[c]
      aL += 2 * l + 1
      aR -= 2 * r - 1
      L[c] = l + 1
      R[c] = r - 1
      const v = col[row]
      const next = col[order[base + i + 1]]
      if (!(next > v)) continue
      const nl = i - start + 1
      const nr = nm - nl
      if (nl >= minLeaf && nr >= minLeaf) {
        const p = nl - aL / nl + nr - aR / nr
        if (p < best) {
          best = p
          this.take(f, nl, v, next, false, p)
        }
      }
    }
  }

  private entropyPresent(f: number, base: number, start: number, e: number, counts: Float64Array): void {
    const { order, k } = this.d
    const y = this.d.classes!
    const col = this.d.cols[f]
    const { L, R, minLeaf } = this
    const T = this.xlogx!
    L.fill(0)
    let aL = 0
    let aR = 0
    for (let c = 0; c < k; c++) {
      R[c] = counts[c]
      aR += T[counts[c]]
    }
    const nm = e - start
    let best = this.best.proxy
    for (let i = start; i < e - 1; i++) {
      const row = order[base + i]
      const c = y[row]
      const l = L[c]
      const r = R[c]
      aL += T[l + 1] - T[l]
      aR += T[r - 1] - T[r]
      L[c] = l + 1
      R[c] = r - 1
      const v = col[row]
      const next = col[order[base + i + 1]]
      if (!(next > v)) continue
      const nl = i - start + 1
      const nr = nm - nl
      if (nl >= minLeaf && nr >= minLeaf) {
        const p = T[nl] - aL + T[nr] - aR
        if (p < best) {
          best = p
          this.take(f, nl, v, next, false, p)
        }
      }
    }
  }

  private scanTarget(f: number, base: number, start: number, e: number, m: number, stats: Float64Array): void {
    const { order } = this.d
    const y = this.d.target!
    const col = this.d.cols[f]
    const minLeaf = this.minLeaf
    let sM = 0
    for (let i = e; i < e + m; i++) sM += y[order[base + i]]
    const total = stats[0]
    let sL = 0
    const nm = e - start
    // maximise sum²/n over the children, i.e. minimise -Σ sum²/n (the squared error up to a constant)
    for (let i = start; i < e - 1; i++) {
      const row = order[base + i]
      sL += y[row]
      const v = col[row]
      const next = col[order[base + i + 1]]
      if (!(next > v)) continue
      const nl = i - start + 1
      const nr = nm - nl
      const sR = total - sM - sL
      if (nl >= minLeaf && nr + m >= minLeaf) {
        const p = -((sL * sL) / nl + ((sR + sM) * (sR + sM)) / (nr + m))
        if (p < this.best.proxy) this.take(f, nl, v, next, false, p)
      }
      if (m > 0 && nl + m >= minLeaf && nr >= minLeaf) {
        const p = -(((sL + sM) * (sL + sM)) / (nl + m) + (sR * sR) / nr)
        if (p < this.best.proxy) this.take(f, nl, v, next, true, p)
      }
    }
    if (m > 0 && nm >= minLeaf && m >= minLeaf) {
      const sP = total - sM
      const p = -((sP * sP) / nm + (sM * sM) / m)
      if (p < this.best.proxy) this.take(f, nm, col[order[base + e - 1]], Infinity, false, p)
    }
  }
}
