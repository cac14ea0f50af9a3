/** The decision_tree algorithm end to end: task and labels, growth, ONNX. */
import { growCart } from './cart'
import type { Table } from './csv-table'
import { columns } from './data'
import { decisionTreeOnnx } from './export'
import { type Classes, classesOf, encodeClasses, encodeTargets, inferTask } from './labels'
import { resolveSize, type TreeParams } from './params'
import { predictTree } from './predict'
import { TrainError } from './train-errors'
import { countLeaves, depthOf, type Tree } from './tree'

export interface Trained {
  onnx: Uint8Array
  classes: Classes | null
  info: Record<string, unknown>
  /** In-memory predictions for a table's rows (probabilities rows × classes, or values). */
  predict: (t: Table) => Float64Array
}

export async function runDecisionTree(
  train: Table,
  p: TreeParams,
  pause: () => Promise<void>,
  log: (line: string) => void,
): Promise<Trained> {
  const fromCriterion =
    p.criterion === 'auto' ? 'auto' : p.criterion === 'squared_error' ? 'regression' : 'classification'
  if (p.task !== 'auto' && fromCriterion !== 'auto' && p.task !== fromCriterion)
    throw new TrainError(`hyperparameter criterion="${p.criterion}" is for ${fromCriterion}, but task="${p.task}"`)
  const task = inferTask(train, p.task !== 'auto' ? p.task : fromCriterion)
  const criterion = p.criterion !== 'auto' ? p.criterion : task === 'classification' ? 'gini' : 'squared_error'
  const classes = task === 'classification' ? classesOf(train) : null
  if (classes && classes.length < 2)
    throw new TrainError(`the training labels hold only one class ("${classes[0]}"); classification needs at least two`)
  log(
    `decision_tree: ${task} with criterion ${criterion}${classes ? `, ${classes.length} classes (${classes.slice(0, 10).join(', ')})` : ''}`,
  )
  const n = train.rows
  const started = performance.now()
  const tree: Tree = await growCart(
    {
      rows: n,
      cols: columns(train),
      ...(classes
        ? { classes: encodeClasses(train, classes, 'training'), k: classes.length }
        : { target: encodeTargets(train, 'training') }),
    },
    {
      criterion,
      maxDepth: p.max_depth,
      maxLeafNodes: p.max_leaf_nodes,
      minSamplesSplit: resolveSize(p.min_samples_split, n, 2),
      minSamplesLeaf: resolveSize(p.min_samples_leaf, n, 1),
      minImpurityDecrease: p.min_impurity_decrease,
      seed: p.random_state ?? 0,
      checkpoint: pause,
    },
  )
  const seconds = (performance.now() - started) / 1000
  const info = {
    nodes: tree.feature.length,
    leaves: countLeaves(tree),
    depth: depthOf(tree),
    criterion,
    task,
    seconds: Number(seconds.toFixed(3)),
  }
  log(`grew a tree of ${info.nodes} nodes, ${info.leaves} leaves, depth ${info.depth} in ${seconds.toFixed(2)} s`)
  return {
    onnx: decisionTreeOnnx(tree, train.features, classes),
    classes,
    info,
    predict: (t: Table) => predictTree(tree, t),
  }
}
