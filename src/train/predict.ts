/** In-memory predictions of trained models: what the exported ONNX model must reproduce. */
import { type BoostedModel, boostedMargins, type Matrix } from './boosting'
import { transform } from './objectives'
import { leafOf, type Tree } from './tree'

/** Class probabilities (rows × classes) or regression values (rows) of a decision tree. */
export function predictTree(tree: Tree, m: Matrix): Float64Array {
  const w = tree.width
  const out = new Float64Array(m.rows * w)
  for (let r = 0; r < m.rows; r++) {
    const leaf = leafOf(tree, m.x, r * m.features)
    for (let c = 0; c < w; c++) out[r * w + c] = tree.value[leaf * w + c]
  }
  return out
}

/** Class probabilities (rows × classes, 2 for binary) or regression values of a boosted model. */
export function predictBoosted(model: BoostedModel, m: Matrix): Float64Array {
  return transform({ ...model.target, classes: null, values: null }, boostedMargins(model, m), m.rows)
}

/** Index of the largest probability per row (the first on ties, as ONNX ArgMax and numpy do). */
export function argmax(prob: Float64Array, k: number): Int32Array {
  const rows = prob.length / k
  const out = new Int32Array(rows)
  for (let r = 0; r < rows; r++) {
    let arg = 0
    for (let c = 1; c < k; c++) if (prob[r * k + c] > prob[r * k + arg]) arg = c
    out[r] = arg
  }
  return out
}
