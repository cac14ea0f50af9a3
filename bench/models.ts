/**
 * The benchmark's models, built with src/onnx so every run uses the same bytes: a decision tree (one tree,
 * depth 8, 20 features), the 20→256→256→2 MLP and the 512→2048→2048→10 MLP. Bodies are CSV rows of
 * seeded random values.
 */

import { type TreeNodeSpec, treeEnsembleClassifierModel } from '../src/onnx/tree-ensemble'
import { mulberry32 } from '../src/train/random'
import { mlpModel } from '../test/fixtures/models'

export interface BenchModel {
  name: string
  features: number
  bytes: Uint8Array
}

/** The nodes of a complete binary tree of the given depth, features and thresholds drawn from `rand`. */
export function completeTree(features: number, depth: number, rand: () => number): TreeNodeSpec[] {
  const nodes: TreeNodeSpec[] = []
  const build = (level: number): number => {
    const id = nodes.length
    if (level === depth) {
      nodes.push({ kind: 'leaf', weights: [{ target: 0, value: rand() }] })
      return id
    }
    nodes.push({ kind: 'leaf', weights: [] }) // placeholder, replaced once the children exist
    const left = build(level + 1)
    const right = build(level + 1)
    nodes[id] = { kind: 'split', feature: Math.floor(rand() * features), threshold: rand(), left, right }
    return id
  }
  build(0)
  return nodes
}

/** One complete tree of the given depth with seeded features and thresholds in [0, 1). */
function decisionTree(features: number, depth: number): Uint8Array {
  const trees = [completeTree(features, depth, mulberry32(11))]
  return treeEnsembleClassifierModel({ features, classLabels: [0, 1], trees, postTransform: 'NONE' })
}

export function benchModels(): BenchModel[] {
  return [
    { name: 'tree (depth 8, 20 features)', features: 20, bytes: decisionTree(20, 8) },
    { name: 'MLP 20→256→256→2', features: 20, bytes: mlpModel({ layers: [20, 256, 256, 2] }) },
    { name: 'MLP 512→2048→2048→10', features: 512, bytes: mlpModel({ layers: [512, 2048, 2048, 10] }) },
  ]
}

export function csvBody(rows: number, features: number, seed = 3): string {
  const rand = mulberry32(seed)
  let s = ''
  for (let r = 0; r < rows; r++) {
    let line = ''
    for (let c = 0; c < features; c++) line += (c ? ',' : '') + rand().toFixed(4)
    s += `${line}\n`
  }
  return s
}
