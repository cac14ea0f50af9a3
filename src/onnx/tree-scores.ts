/**
 * Tree-ensemble scores in an ONNX graph (ai.onnx.ml TreeEnsembleRegressor, ml opset 3); used by
 * tree-ensemble.ts.
 *
 * Both model factories compute raw per-target sums with TreeEnsembleRegressor and build everything else with
 * standard ops, because ONNX Runtime 1.30 has two quirks measured here:
 *  - with ONE target it silently ignores post_transform LOGISTIC and SOFTMAX (returns the raw sum), so
 *    single-target LOGISTIC is done by a Sigmoid node; with two or more targets every post_transform
 *    (NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT) is applied by the op itself;
 *  - TreeEnsembleClassifier's own label output uses a two-class convention that differs from
 *    scikit-learn's, so the classifier's 'label' is ArgMax(probabilities) -> Gather(class labels):
 *    label and probabilities always agree, ties go to the first class.
 *
 * Thresholds: ORT compares float32 inputs with float32 thresholds (nodes_values); ORT 1.30 rejects double
 * nodes_values_as_tensor for float input ("could not unpack tensor attribute"). A threshold t is written as
 * the largest float32 <= t, which is t itself when t is float32-representable (the trainer rounds it), and
 * otherwise gives the same answer as the exact comparison `x <= t` for every float32 x.
 * NaN inputs go LEFT only when the split has missingGoesLeft (nodes_missing_value_tracks_true = 1).
 */
import { type AttributeValue, type GraphBuilder, ML_DOMAIN } from './builder.ts'

export type TreeNodeSpec =
  | { kind: 'split'; feature: number; threshold: number; left: number; right: number; missingGoesLeft?: boolean }
  | { kind: 'leaf'; weights: Array<{ target: number; value: number }> }

export interface TreeEnsembleSpec {
  /** Input 'input' is float32 [N, features]. */
  features: number
  trees: TreeNodeSpec[][]
  postTransform?: 'NONE' | 'SOFTMAX' | 'LOGISTIC' | 'SOFTMAX_ZERO' | 'PROBIT'
  /** One per target, added to the tree sums before the post-transform. */
  baseValues?: number[]
}

/** Largest float32 that is <= t. */
export function float32AtMost(t: number): number {
  const f = Math.fround(t)
  if (!(f > t)) return f
  const buf = new Float32Array([f])
  const bits = new Int32Array(buf.buffer)
  bits[0] += f > 0 ? -1 : 1 // one float32 step towards -Infinity (sign-magnitude encoding)
  return buf[0]
}

function checkTree(tree: TreeNodeSpec[], t: number, features: number, targets: number): void {
  if (tree.length === 0) throw new Error(`tree ${t} has no nodes`)
  const seen = new Set<number>()
  const stack = [0]
  while (stack.length) {
    const n = stack.pop()!
    if (seen.has(n)) throw new Error(`tree ${t}: node ${n} is reached twice (the nodes must form a tree)`)
    seen.add(n)
    const node = tree[n]
    if (node.kind === 'leaf') {
      for (const w of node.weights)
        if (!Number.isInteger(w.target) || w.target < 0 || w.target >= targets)
          throw new Error(`tree ${t} node ${n}: leaf target ${w.target} is outside 0..${targets - 1}`)
      continue
    }
    if (!Number.isInteger(node.feature) || node.feature < 0 || node.feature >= features)
      throw new Error(`tree ${t} node ${n}: feature ${node.feature} is outside 0..${features - 1}`)
    if (Number.isNaN(node.threshold)) throw new Error(`tree ${t} node ${n}: threshold is NaN`)
    for (const child of [node.left, node.right])
      if (!Number.isInteger(child) || child < 0 || child >= tree.length)
        throw new Error(`tree ${t} node ${n}: child ${child} is outside 0..${tree.length - 1}`)
    stack.push(node.left, node.right)
  }
}

/** TreeEnsembleRegressor attributes for `targets` outputs (post_transform left to the caller). */
export function treeAttributes(spec: TreeEnsembleSpec, targets: number): Record<string, AttributeValue> {
  if (!Number.isInteger(spec.features) || spec.features < 1)
    throw new Error(`features must be a positive integer, got ${spec.features}`)
  if (spec.trees.length === 0) throw new Error('a tree ensemble needs at least one tree')
  const base = spec.baseValues ?? []
  if (base.length !== 0 && base.length !== targets)
    throw new Error(`baseValues has ${base.length} entries, expected ${targets} (one per target)`)
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
    tTree: [] as number[],
    tNode: [] as number[],
    tIds: [] as number[],
    tWeights: [] as number[],
  }
  spec.trees.forEach((tree, t) => {
    checkTree(tree, t, spec.features, targets)
    tree.forEach((node, n) => {
      a.treeIds.push(t)
      a.nodeIds.push(n)
      const split = node.kind === 'split'
      a.featureIds.push(split ? node.feature : 0)
      a.modes.push(split ? 'BRANCH_LEQ' : 'LEAF')
      a.values.push(split ? float32AtMost(node.threshold) : 0)
      a.trueIds.push(split ? node.left : 0)
      a.falseIds.push(split ? node.right : 0)
      a.missingTrue.push(split && node.missingGoesLeft ? 1 : 0)
      if (!split)
        for (const w of node.weights) {
          a.tTree.push(t)
          a.tNode.push(n)
          a.tIds.push(w.target)
          a.tWeights.push(w.value)
        }
    })
  })
  return {
    n_targets: targets,
    aggregate_function: 'SUM',
    nodes_treeids: a.treeIds,
    nodes_nodeids: a.nodeIds,
    nodes_featureids: a.featureIds,
    nodes_modes: a.modes,
    nodes_values: { floats: a.values },
    nodes_truenodeids: a.trueIds,
    nodes_falsenodeids: a.falseIds,
    nodes_missing_value_tracks_true: a.missingTrue,
    target_treeids: a.tTree,
    target_nodeids: a.tNode,
    target_ids: a.tIds,
    target_weights: { floats: a.tWeights },
    ...(base.length ? { base_values: { floats: base } } : {}),
  }
}

/**
 * Adds input 'input' and the nodes producing `out` = post_transform(tree sums + baseValues), float32 [N, targets].
 */
export function addTreeScores(g: GraphBuilder, spec: TreeEnsembleSpec, targets: number, out: string): GraphBuilder {
  const post = spec.postTransform ?? 'NONE'
  g.input('input', 'float32', ['N', spec.features])
  const attrs = treeAttributes(spec, targets)
  if (targets > 1 || post === 'NONE' || post === 'PROBIT')
    return g.node('TreeEnsembleRegressor', ['input'], [out], { ...attrs, post_transform: post }, ML_DOMAIN)
  if (post === 'LOGISTIC')
    return g
      .node('TreeEnsembleRegressor', ['input'], [`${out}_raw`], { ...attrs, post_transform: 'NONE' }, ML_DOMAIN)
      .node('Sigmoid', [`${out}_raw`], [out])
  throw new Error(`postTransform ${post} needs at least two targets (a softmax over one score is always 1)`)
}
