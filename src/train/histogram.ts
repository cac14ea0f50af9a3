/**
 * Gradient histograms and the split search over them (XGBoost's `hist` method): per feature and bin, the
 * sums of gradients and hessians of a node's rows; a split is a bin boundary, scored with XGBoost's gain
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) (with L1 `alpha` soft-thresholding G). Rows with a missing value
 * are tried on both sides (the learned default direction), plus "present left, missing right".
 */
import type { Bins } from './bins'

export interface HistParams {
  lambda: number
  alpha: number
  minChildWeight: number
}

export interface BinSplit {
  feature: number
  /** Left when bin ≤ bin; bin = counts[f] - 1 means "every present value left, missing right". */
  bin: number
  defaultLeft: boolean
  gain: number
  GL: number
  HL: number
}

/** Interleaved [g, h] per (feature, bin); width (missing + 1) bins per feature. */
export function newHistogram(bins: Bins): Float64Array {
  return new Float64Array(bins.features * (bins.missing + 1) * 2)
}

/** Adds the gradients of rows[start..end) into hist (which must be zeroed). */
export function buildHistogram(
  hist: Float64Array,
  bins: Bins,
  rows: Int32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  feats: Int32Array,
): void {
  const F = bins.features
  const W = bins.missing + 1
  const codes = bins.codes
  const nf = feats.length
  if (nf === F) {
    for (let i = start; i < end; i++) {
      const r = rows[i]
      const g = grad[r]
      const h = hess[r]
      const o = r * F
      for (let f = 0, base = 0; f < F; f++, base += W) {
        const idx = (base + codes[o + f]) << 1
        hist[idx] += g
        hist[idx + 1] += h
      }
    }
    return
  }
  for (let i = start; i < end; i++) {
    const r = rows[i]
    const g = grad[r]
    const h = hess[r]
    const o = r * F
    for (let j = 0; j < nf; j++) {
      const f = feats[j]
      const idx = (f * W + codes[o + f]) << 1
      hist[idx] += g
      hist[idx + 1] += h
    }
  }
}

/** into = into − other, over all entries (the larger child from the parent and the smaller child). */
export function subtractHistogram(into: Float64Array, other: Float64Array): void {
  for (let i = 0; i < into.length; i++) into[i] -= other[i]
}

/** L1 soft-threshold of a gradient sum (XGBoost's ThresholdL1). */
const l1 = (G: number, alpha: number) => (G > alpha ? G - alpha : G < -alpha ? G + alpha : 0)

function score(G: number, H: number, p: HistParams): number {
  const g = l1(G, p.alpha)
  return (g * g) / (H + p.lambda)
}

/** Leaf weight −G/(H+λ) (L1-thresholded), before the learning rate. */
export function leafWeight(G: number, H: number, p: HistParams): number {
  return -l1(G, p.alpha) / (H + p.lambda)
}

/** Best split of a node with sums G, H; null when no split gains more than XGBoost's 1e-6. */
export function findSplit(
  hist: Float64Array,
  bins: Bins,
  G: number,
  H: number,
  feats: Int32Array,
  p: HistParams,
): BinSplit | null {
  const W = bins.missing + 1
  const { minChildWeight: mcw, lambda, alpha } = p
  const parent = score(G, H, p)
  let bestGain = 1e-6
  let bf = -1
  let bb = 0
  let bLeft = false
  let bGL = 0
  let bHL = 0
  for (let j = 0; j < feats.length; j++) {
    const f = feats[j]
    const nb = bins.counts[f]
    const base = f * W * 2
    const Gm = hist[base + bins.missing * 2]
    const Hm = hist[base + bins.missing * 2 + 1]
    let GL = 0
    let HL = 0
    // b = nb - 1 with missing values: every present value left, missing right
    const last = Hm > 0 ? nb : nb - 1
    for (let b = 0; b < last; b++) {
      GL += hist[base + 2 * b]
      HL += hist[base + 2 * b + 1]
      // missing (if any) right
      let HR = H - HL
      if (HL >= mcw && HR >= mcw && HL > 0 && HR > 0) {
        const gl = alpha > 0 ? l1(GL, alpha) : GL
        const gr = alpha > 0 ? l1(G - GL, alpha) : G - GL
        const gain = (gl * gl) / (HL + lambda) + (gr * gr) / (HR + lambda) - parent
        if (gain > bestGain) {
          bestGain = gain
          bf = f
          bb = b
          // no missing value seen: NaN at inference follows the heavier side
          bLeft = Hm > 0 ? false : HL >= HR
          bGL = GL
          bHL = HL
        }
      }
      if (Hm > 0 && b < nb - 1) {
        // missing left
        const GL2 = GL + Gm
        const HL2 = HL + Hm
        HR = H - HL2
        if (HL2 >= mcw && HR >= mcw && HR > 0) {
          const gl = alpha > 0 ? l1(GL2, alpha) : GL2
          const gr = alpha > 0 ? l1(G - GL2, alpha) : G - GL2
          const gain = (gl * gl) / (HL2 + lambda) + (gr * gr) / (HR + lambda) - parent
          if (gain > bestGain) {
            bestGain = gain
            bf = f
            bb = b
            bLeft = true
            bGL = GL2
            bHL = HL2
          }
        }
      }
    }
  }
  return bf < 0 ? null : { feature: bf, bin: bb, defaultLeft: bLeft, gain: bestGain, GL: bGL, HL: bHL }
}
