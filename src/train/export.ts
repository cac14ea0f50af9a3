/**
 * Trained models → ONNX (ai.onnx.ml tree ensembles, via src/onnx/tree-ensemble.ts) and the model config
 * `byoc.json` that `serve` reads. Thresholds are already float32 (see thresholds.ts), so the exported
 * model takes the same branch as training on every row. Class labels go into the graph itself (int64 when
 * every class is an integer, else strings), so serve needs no classLabels mapping.
 */
import type { ModelConfig } from '../model-config'
import { type TreeNodeSpec, treeEnsembleClassifierModel, treeEnsembleRegressorModel } from '../onnx/tree-ensemble'
import type { BoostedModel } from './boosting'
import type { Classes } from './labels'
import type { Tree } from './tree'

/** One tree as ONNX node specs; `weights(node)` gives a leaf's (target, value) pairs. */
export function treeSpec(
  tree: Tree,
  weights: (node: number) => Array<{ target: number; value: number }>,
): TreeNodeSpec[] {
  return Array.from(
    tree.feature,
    (f, i): TreeNodeSpec =>
      f < 0
        ? { kind: 'leaf', weights: weights(i) }
        : {
            kind: 'split',
            feature: f,
            threshold: tree.threshold[i],
            left: tree.left[i],
            right: tree.right[i],
            missingGoesLeft: tree.missingLeft[i] === 1,
          },
  )
}

export function decisionTreeOnnx(tree: Tree, features: number, classes: Classes | null): Uint8Array {
  if (!classes)
    return treeEnsembleRegressorModel({
      features,
      trees: [treeSpec(tree, (i) => [{ target: 0, value: tree.value[i] }])],
    })
  const k = classes.length
  // every class gets a weight (zeros too), so ONNX Runtime never takes its one-score binary shortcut
  const spec = treeSpec(tree, (i) => Array.from({ length: k }, (_, c) => ({ target: c, value: tree.value[i * k + c] })))
  return treeEnsembleClassifierModel({ features, trees: [spec], postTransform: 'NONE', classLabels: classes })
}

export function boostedOnnx(model: BoostedModel, classes: Classes | null): Uint8Array {
  const k = model.target.k
  const trees = model.trees.map((t, i) => treeSpec(t, (node) => [{ target: i % k, value: t.value[node] }]))
  const { features, base } = model
  if (model.target.kind === 'regression') return treeEnsembleRegressorModel({ features, trees, baseValues: base })
  if (model.target.kind === 'binary')
    // one class-1 score, probabilities sigmoid(score) and 1 − that (tree-ensemble.ts's single-score style)
    return treeEnsembleClassifierModel({
      features,
      trees,
      baseValues: base,
      postTransform: 'LOGISTIC',
      classLabels: classes!,
    })
  return treeEnsembleClassifierModel({
    features,
    trees,
    baseValues: base,
    postTransform: 'SOFTMAX',
    classLabels: classes!,
  })
}

export function modelConfig(features: number, classification: boolean, training: Record<string, unknown>): ModelConfig {
  return classification
    ? { model: 'model.onnx', outputs: ['label', 'probabilities'], features, labelOutput: 'label', training }
    : { model: 'model.onnx', outputs: ['prediction'], features, training }
}
