import { describe, expect, test } from 'bun:test'
import * as ort from 'onnxruntime-node'
import { type TreeNodeSpec, treeEnsembleClassifierModel, treeEnsembleRegressorModel } from './tree-ensemble.ts'
import { float32AtMost } from './tree-scores.ts'

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
const softmax = (xs: number[]) => {
  const m = Math.max(...xs)
  const e = xs.map((x) => Math.exp(x - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

async function run(bytes: Uint8Array, rows: number[][]) {
  const session = await ort.InferenceSession.create(bytes)
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length])
  return session.run({ input })
}

function rowsOf(t: ort.Tensor): number[][] {
  const [n, k] = t.dims as number[]
  const d = Array.from(t.data as Float32Array)
  return Array.from({ length: n }, (_, i) => d.slice(i * k, (i + 1) * k))
}

// Root: x0 <= 0.5 (NaN goes left) ? (x1 <= 2 (NaN goes right) ? leafA : leafB) : leafC
const shape = (leafC: TreeNodeSpec, leafA: TreeNodeSpec, leafB: TreeNodeSpec): TreeNodeSpec[] => [
  { kind: 'split', feature: 0, threshold: 0.5, left: 1, right: 2, missingGoesLeft: true },
  { kind: 'split', feature: 1, threshold: 2, left: 3, right: 4 },
  leafC,
  leafA,
  leafB,
]
const leaf = (...values: number[]): TreeNodeSpec => ({
  kind: 'leaf',
  weights: values.map((value, target) => ({ target, value })),
})

// Rows and the leaf each reaches: below/on/above the thresholds and NaN on both kinds of split.
const ROWS = [
  [0.4, 1], // A
  [0.5, 2], // exactly on both thresholds: A (<= goes left)
  [Math.fround(0.5 + 2 ** -24), 2], // the next float32 above 0.5: C
  [0.6, 0], // C
  [NaN, 5], // NaN goes left at the root, then x1 = 5 > 2: B
  [0.4, NaN], // NaN goes right at node 1: B
]
const LEAF = ['A', 'A', 'C', 'C', 'B', 'B'] as const

describe('treeEnsembleClassifierModel', () => {
  test('binary, single class-1 score with LOGISTIC, base value and a one-leaf tree', async () => {
    const bytes = treeEnsembleClassifierModel({
      features: 2,
      trees: [shape(leaf(1), leaf(-2), leaf(0.5)), [leaf(0.25)]],
      postTransform: 'LOGISTIC',
      baseValues: [0.1],
      classLabels: [0, 1],
    })
    const score = { A: -2 + 0.35, B: 0.5 + 0.35, C: 1 + 0.35 }
    const out = await run(bytes, ROWS)
    const probs = rowsOf(out.probabilities)
    LEAF.forEach((l, i) => {
      const p1 = sigmoid(score[l])
      expect(probs[i][0]).toBeCloseTo(1 - p1, 6)
      expect(probs[i][1]).toBeCloseTo(p1, 6)
    })
    expect(Array.from(out.label.data as BigInt64Array)).toEqual([0n, 0n, 1n, 1n, 1n, 1n])
  })

  test('binary, single score with NONE is P(class 1); a tie at 0.5 picks the first class', async () => {
    const bytes = treeEnsembleClassifierModel({
      features: 2,
      trees: [shape(leaf(0.9), leaf(0.2), leaf(0.5))],
      classLabels: [3, 7],
    })
    const out = await run(bytes, ROWS)
    expect(rowsOf(out.probabilities).map((r) => r.map((v) => +v.toFixed(6)))).toEqual([
      [0.8, 0.2],
      [0.8, 0.2],
      [0.1, 0.9],
      [0.1, 0.9],
      [0.5, 0.5],
      [0.5, 0.5],
    ])
    expect(Array.from(out.label.data as BigInt64Array)).toEqual([3n, 3n, 7n, 7n, 3n, 3n])
  })

  test('binary, two targets with SOFTMAX gives [P(class0), P(class1)] and string labels', async () => {
    const bytes = treeEnsembleClassifierModel({
      features: 2,
      trees: [shape(leaf(0, 2), leaf(1, -1), leaf(0.5, 0.5))],
      postTransform: 'SOFTMAX',
      classLabels: ['no', 'yes'],
    })
    const out = await run(bytes, ROWS)
    const probs = rowsOf(out.probabilities)
    const expected = { A: softmax([1, -1]), B: [0.5, 0.5], C: softmax([0, 2]) }
    LEAF.forEach((l, i) => {
      expected[l].forEach((p, k) => {
        expect(probs[i][k]).toBeCloseTo(p, 6)
      })
    })
    expect(out.label.data).toEqual(['no', 'no', 'yes', 'yes', 'no', 'no'])
  })

  test('multiclass SOFTMAX over three targets with base values, two trees summed', async () => {
    const bytes = treeEnsembleClassifierModel({
      features: 2,
      trees: [shape(leaf(0, 0, 3), leaf(2, 0, 0), leaf(0, 1, 0)), shape(leaf(0, 0, 1), leaf(0, 0.5, 0), leaf(0, 1, 0))],
      postTransform: 'SOFTMAX',
      baseValues: [0.1, 0.2, 0.3],
      classLabels: [10, 20, 30],
    })
    const out = await run(bytes, ROWS)
    const raw = { A: [2.1, 0.7, 0.3], B: [0.1, 2.2, 0.3], C: [0.1, 0.2, 4.3] }
    const probs = rowsOf(out.probabilities)
    LEAF.forEach((l, i) => {
      softmax(raw[l]).forEach((p, k) => {
        expect(probs[i][k]).toBeCloseTo(p, 6)
      })
    })
    expect(Array.from(out.label.data as BigInt64Array)).toEqual([10n, 10n, 30n, 30n, 20n, 20n])
  })

  test('rejects bad trees with a message naming the value', () => {
    const base = { features: 2, classLabels: [0, 1] }
    expect(() =>
      treeEnsembleClassifierModel({ ...base, trees: [shape(leaf(1), leaf(1), leaf(1)).slice(0, 4)] }),
    ).toThrow('tree 0 node 1: child 4 is outside 0..3')
    expect(() =>
      treeEnsembleClassifierModel({
        ...base,
        trees: [[{ kind: 'split', feature: 2, threshold: 0, left: 0, right: 0 }]],
      }),
    ).toThrow('feature 2 is outside 0..1')
    expect(() => treeEnsembleClassifierModel({ ...base, trees: [[leaf(1, 2, 3)]] })).toThrow(
      'leaf target 2 is outside 0..1',
    )
    expect(() => treeEnsembleClassifierModel({ ...base, trees: [[leaf(1)]], postTransform: 'SOFTMAX' })).toThrow(
      'needs one target per class',
    )
  })
})

describe('treeEnsembleRegressorModel', () => {
  test('one target: sums trees plus base value; LOGISTIC is applied (ORT alone would skip it)', async () => {
    const trees = [shape(leaf(1), leaf(-2), leaf(0.5)), [leaf(0.25)]]
    const plain = rowsOf(
      (await run(treeEnsembleRegressorModel({ features: 2, trees, baseValues: [1] }), ROWS)).prediction,
    )
    const logistic = rowsOf(
      (await run(treeEnsembleRegressorModel({ features: 2, trees, postTransform: 'LOGISTIC' }), ROWS)).prediction,
    )
    const sum = { A: -1.75, B: 0.75, C: 1.25 }
    LEAF.forEach((l, i) => {
      expect(plain[i]).toEqual([sum[l] + 1])
      expect(logistic[i][0]).toBeCloseTo(sigmoid(sum[l]), 6)
    })
  })

  test('two targets with base values', async () => {
    const bytes = treeEnsembleRegressorModel({
      features: 2,
      targets: 2,
      trees: [shape(leaf(1, 10), leaf(2, 20), leaf(3, 30))],
      baseValues: [0.5, -0.5],
    })
    const out = rowsOf((await run(bytes, ROWS)).prediction)
    const v = { A: [2.5, 19.5], B: [3.5, 29.5], C: [1.5, 9.5] }
    LEAF.forEach((l, i) => {
      expect(out[i]).toEqual(v[l])
    })
  })

  test('a threshold that is not a float32 keeps x <= t exact for float32 inputs', async () => {
    const x = Math.fround(0.1) // 0.10000000149..., above the double 0.1
    const trees: TreeNodeSpec[][] = [
      [{ kind: 'split', feature: 0, threshold: 0.1, left: 1, right: 2 }, leaf(-1), leaf(1)],
    ]
    const out = await run(treeEnsembleRegressorModel({ features: 1, trees }), [[x], [0.0999], [0.2]])
    expect(Array.from(out.prediction.data as Float32Array)).toEqual([1, -1, 1])
    expect(float32AtMost(0.1)).toBeLessThan(0.1)
    expect(float32AtMost(0.5)).toBe(0.5)
    expect(float32AtMost(-1e-50)).toBeLessThan(0)
  })
})
