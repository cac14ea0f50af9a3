/**
 * Evaluation metrics and the log lines SageMaker scrapes them from. The line format is a stable contract
 * (documented in src/train/README.md): `<channel>:<metric>=<value>;` with the value printed to 6
 * significant digits, e.g. `train:accuracy=0.973333;` — match it with `train:accuracy=([0-9.eE+-]+);`.
 */
export type Metrics = Record<string, number>

/** accuracy, error, logloss (natural log, probabilities clipped to [1e-15, 1 − 1e-15] as scikit-learn does). */
export function classificationMetrics(prob: Float64Array, y: Int32Array, k: number): Metrics {
  const n = y.length
  let correct = 0
  let loss = 0
  for (let r = 0; r < n; r++) {
    const o = r * k
    let arg = 0
    for (let c = 1; c < k; c++) if (prob[o + c] > prob[o + arg]) arg = c
    if (arg === y[r]) correct++
    loss -= Math.log(Math.min(Math.max(prob[o + y[r]], 1e-15), 1 - 1e-15))
  }
  return { accuracy: correct / n, error: 1 - correct / n, logloss: loss / n }
}

/** rmse, mae and r2 (coefficient of determination). */
export function regressionMetrics(pred: Float64Array, y: Float64Array): Metrics {
  const n = y.length
  let se = 0
  let ae = 0
  let mean = 0
  for (let r = 0; r < n; r++) mean += y[r] / n
  let ss = 0
  for (let r = 0; r < n; r++) {
    const d = pred[r] - y[r]
    se += d * d
    ae += Math.abs(d)
    ss += (y[r] - mean) ** 2
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: ss > 0 ? 1 - se / ss : 0 }
}

/** Whether a larger value of the metric is better. */
export function higherIsBetter(metric: string): boolean {
  return metric === 'accuracy' || metric === 'r2'
}

export function formatValue(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v)
}

/** `train:accuracy=0.973333; train:logloss=0.0812;` for the given names, in order. */
export function metricLine(channel: string, metrics: Metrics, names: string[] = Object.keys(metrics)): string {
  return names.map((m) => `${channel}:${m}=${formatValue(metrics[m])};`).join(' ')
}
