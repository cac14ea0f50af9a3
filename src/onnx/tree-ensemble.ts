/**
 * ONNX models for trained tree ensembles; what `byoc train` exports. See tree-scores.ts for how trees are
 * encoded (thresholds as float32, NaN routing) and why post-transforms are split between ORT and the graph.
 *
 * Classifier, binary (two class labels), two styles, told apart by the leaf weights:
 *  - single score: every leaf weight has target 0 and baseValues has at most one entry. The score is for
 *    class 1 (classLabels[1]): P1 = sigmoid(score) with LOGISTIC (gradient boosting), P1 = score with NONE
 *    (e.g. an averaged class-1 probability), P1 = probit(score) with PROBIT; P0 = 1 - P1.
 *    SOFTMAX / SOFTMAX_ZERO are rejected in this style (give two targets instead).
 *  - two targets: target 0 scores class 0, target 1 scores class 1, post-transformed like multiclass.
 * Multiclass (K labels): one target per class, target k scores classLabels[k].
 * 'probabilities' is float32 [N, K] in classLabels order; 'label' [N] = classLabels[argmax] (first on ties),
 * int64 for numeric labels, string for string labels.
 */
import { GraphBuilder } from './builder.ts'
import { addTreeScores, type TreeEnsembleSpec } from './tree-scores.ts'

export type { TreeEnsembleSpec, TreeNodeSpec } from './tree-scores.ts'

/** Outputs 'label' [N] and 'probabilities' float32 [N, K]; input 'input' float32 [N, features]. */
export function treeEnsembleClassifierModel(spec: TreeEnsembleSpec & { classLabels: number[] | string[] }): Uint8Array {
  const labels = spec.classLabels
  const k = labels.length
  if (k < 2) throw new Error(`classLabels needs at least two classes, got ${k}`)
  const stringLabels = labels.some((l) => typeof l === 'string')
  if (!stringLabels && !labels.every((l) => Number.isInteger(l)))
    throw new Error(`numeric classLabels must be integers, got [${labels}]`)
  const g = new GraphBuilder('tree_ensemble_classifier')
  const usesTarget1 = spec.trees.some((t) => t.some((n) => n.kind === 'leaf' && n.weights.some((w) => w.target !== 0)))
  const singleScore = k === 2 && !usesTarget1 && (spec.baseValues ?? []).length <= 1
  if (singleScore) {
    const post = spec.postTransform ?? 'NONE'
    if (post === 'SOFTMAX' || post === 'SOFTMAX_ZERO')
      throw new Error(`postTransform ${post} needs one target per class; a single class-1 score takes LOGISTIC or NONE`)
    addTreeScores(g, spec, 1, 'p1')
    g.initializer('one', { dtype: 'float32', dims: [], values: [1] })
      .node('Sub', ['one', 'p1'], ['p0'])
      .node('Concat', ['p0', 'p1'], ['probabilities'], { axis: 1 })
  } else {
    addTreeScores(g, spec, k, 'probabilities')
  }
  g.initializer(
    'class_labels',
    stringLabels
      ? { dtype: 'string', dims: [k], values: labels.map(String) }
      : { dtype: 'int64', dims: [k], values: labels as number[] },
  )
    .node('ArgMax', ['probabilities'], ['class_index'], { axis: 1, keepdims: 0 })
    .node('Gather', ['class_labels', 'class_index'], ['label'], { axis: 0 })
  return g
    .output('label', stringLabels ? 'string' : 'int64', ['N'])
    .output('probabilities', 'float32', ['N', k])
    .toBytes({ docString: 'byoc tree ensemble classifier' })
}

/** Output 'prediction' float32 [N, targets] = postTransform(tree sums + baseValues); input as above. */
export function treeEnsembleRegressorModel(spec: TreeEnsembleSpec & { targets?: number }): Uint8Array {
  const targets = spec.targets ?? 1
  if (!Number.isInteger(targets) || targets < 1) throw new Error(`targets must be a positive integer, got ${targets}`)
  const g = new GraphBuilder('tree_ensemble_regressor')
  addTreeScores(g, spec, targets, 'prediction')
  return g.output('prediction', 'float32', ['N', targets]).toBytes({ docString: 'byoc tree ensemble regressor' })
}
