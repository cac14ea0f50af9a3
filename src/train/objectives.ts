/**
 * Boosting objectives: gradients and hessians of the loss at the current margins, the starting margin, and
 * the margin → prediction transform. Formulas are XGBoost's (softmax hessian 2p(1−p), hessians floored at
 * 1e-16); the starting margin is the data's average, as XGBoost ≥ 2 and LightGBM's boost_from_average do.
 */
import { regressionMetrics } from './metrics'

export type ObjectiveKind = 'binary' | 'multi' | 'regression'

export interface Target {
  kind: ObjectiveKind
  /** Margins per row: 1 (binary, regression) or k (multi). */
  k: number
  classes: Int32Array | null
  values: Float64Array | null
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m))

export function baseMargins(t: Target): number[] {
  const n = (t.classes ?? t.values)!.length
  if (t.kind === 'multi') return new Array(t.k).fill(0)
  let mean = 0
  for (let r = 0; r < n; r++) mean += ((t.classes ? t.classes[r] : t.values![r]) as number) / n
  if (t.kind === 'regression') return [mean]
  const p = Math.min(Math.max(mean, 1e-6), 1 - 1e-6)
  return [Math.log(p / (1 - p))]
}

/** Fills grad[c], hess[c] (one array per margin) from margins (rows × k). */
export function gradients(t: Target, margins: Float64Array, grad: Float64Array[], hess: Float64Array[]): void {
  const n = grad[0].length
  if (t.kind === 'regression') {
    const y = t.values!
    const g = grad[0]
    const h = hess[0]
    for (let r = 0; r < n; r++) {
      g[r] = margins[r] - y[r]
      h[r] = 1
    }
  } else if (t.kind === 'binary') {
    const y = t.classes!
    const g = grad[0]
    const h = hess[0]
    for (let r = 0; r < n; r++) {
      const p = sigmoid(margins[r])
      g[r] = p - y[r]
      h[r] = Math.max(p * (1 - p), 1e-16)
    }
  } else {
    const y = t.classes!
    const k = t.k
    const p = new Float64Array(k)
    for (let r = 0; r < n; r++) {
      softmax(margins, r * k, k, p, 0)
      for (let c = 0; c < k; c++) {
        grad[c][r] = p[c] - (y[r] === c ? 1 : 0)
        hess[c][r] = Math.max(2 * p[c] * (1 - p[c]), 1e-16)
      }
    }
  }
}

export function softmax(m: Float64Array, o: number, k: number, out: Float64Array, oo: number): void {
  let max = -Infinity
  for (let c = 0; c < k; c++) max = Math.max(max, m[o + c])
  let sum = 0
  for (let c = 0; c < k; c++) sum += out[oo + c] = Math.exp(m[o + c] - max)
  for (let c = 0; c < k; c++) out[oo + c] /= sum
}

/** Margins → class probabilities (rows × classes) or regression values (rows). */
export function transform(t: Target, margins: Float64Array, rows: number): Float64Array {
  if (t.kind === 'regression') return margins.slice(0, rows)
  if (t.kind === 'binary') {
    const out = new Float64Array(rows * 2)
    for (let r = 0; r < rows; r++) {
      const p = sigmoid(margins[r])
      out[2 * r] = 1 - p
      out[2 * r + 1] = p
    }
    return out
  }
  const out = new Float64Array(rows * t.k)
  for (let r = 0; r < rows; r++) softmax(margins, r * t.k, t.k, out, r * t.k)
  return out
}

/**
 * Metrics straight from margins, without materialising predictions (it runs every round): the same values
 * classificationMetrics/regressionMetrics give on transform(margins).
 */
export function marginMetrics(t: Target, margins: Float64Array, rows: number): Record<string, number> {
  // For regression the margins are the predictions.
  if (t.kind === 'regression') return regressionMetrics(margins.subarray(0, rows), t.values!.subarray(0, rows))
  const y = t.classes!
  let correct = 0
  let loss = 0
  const clip = (p: number) => Math.min(Math.max(p, 1e-15), 1 - 1e-15)
  if (t.kind === 'binary') {
    for (let r = 0; r < rows; r++) {
      const p = sigmoid(margins[r])
      if ((p > 1 - p ? 1 : 0) === y[r]) correct++
      loss -= Math.log(clip(y[r] === 1 ? p : 1 - p))
    }
  } else {
    const k = t.k
    const p = new Float64Array(k)
    for (let r = 0; r < rows; r++) {
      softmax(margins, r * k, k, p, 0)
      let arg = 0
      for (let c = 1; c < k; c++) if (p[c] > p[arg]) arg = c
      if (arg === y[r]) correct++
      loss -= Math.log(clip(p[y[r]]))
    }
  }
  return { accuracy: correct / rows, error: 1 - correct / rows, logloss: loss / rows }
}
