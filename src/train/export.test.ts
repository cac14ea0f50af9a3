/**
 * The exported ONNX model, run by ONNX Runtime, must give the in-memory model's predictions on every
 * training row: labels exactly, probabilities to 1e-5 (float32 arithmetic in ORT).
 */
import { describe, expect, test } from 'bun:test'
import { IRIS_CSV, runOnnx, syntheticCsv, tableFromCsv } from '../../test/fixtures/train-data'
import type { Table } from './csv-table'
import { type BoostingParams, boostingSchema, type TreeParams, treeSchema } from './params'
import { argmax } from './predict'
import { runBoosting } from './run-boosting'
import { runDecisionTree, type Trained } from './run-tree'

const quiet = () => {}
const pause = async () => {}
const treeDefaults = Object.fromEntries(Object.entries(treeSchema).map(([k, v]) => [k, v.default])) as TreeParams
const boostDefaults = Object.fromEntries(
  Object.entries(boostingSchema).map(([k, v]) => [k, v.default]),
) as BoostingParams

async function expectSame(trained: Trained, t: Table, probTolerance = 1e-5): Promise<void> {
  const mine = trained.predict(t)
  const out = await runOnnx(trained.onnx, t)
  if (!trained.classes) {
    const pred = out.prediction.data as Float32Array
    for (let r = 0; r < t.rows; r++)
      expect(Math.abs(pred[r] - mine[r])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(mine[r])))
    return
  }
  const k = trained.classes.length
  const prob = out.probabilities.data as Float32Array
  expect(out.probabilities.dims).toEqual([t.rows, k])
  let maxDiff = 0
  for (let i = 0; i < prob.length; i++) maxDiff = Math.max(maxDiff, Math.abs(prob[i] - mine[i]))
  expect(maxDiff).toBeLessThanOrEqual(probTolerance)
  const labels = Array.from(out.label.data, (v) => (typeof v === 'bigint' ? Number(v) : v))
  const expected = Array.from(argmax(mine, k), (i) => trained.classes![i])
  expect(labels).toEqual(expected)
}

describe('exported decision trees equal the in-memory tree on every training row', () => {
  test('multiclass (iris, full depth)', async () => {
    const t = tableFromCsv(IRIS_CSV)
    const trained = await runDecisionTree(t, treeDefaults, pause, quiet)
    expect(trained.classes).toEqual([0, 1, 2])
    await expectSame(trained, t)
  })
  test('binary with string labels, entropy, best-first', async () => {
    const csv = IRIS_CSV.split('\n')
      .filter((l) => l && !l.startsWith('0,'))
      .map((l) => l.replace(/^1,/, 'versicolor,').replace(/^2,/, 'virginica,'))
      .join('\n')
    const t = tableFromCsv(csv)
    const trained = await runDecisionTree(t, { ...treeDefaults, criterion: 'entropy', max_leaf_nodes: 4 }, pause, quiet)
    expect(trained.classes).toEqual(['versicolor', 'virginica'])
    await expectSame(trained, t)
  })
  test('regression on synthetic data with missing values', async () => {
    const csv = syntheticCsv(400, 5, { regression: true, seed: 3 }).replace(/,(-?\d\.\d+)(?=,)/g, (m, v) =>
      Number(v) > 1.5 ? ',' : m,
    )
    const t = tableFromCsv(csv)
    expect(t.x.some(Number.isNaN)).toBe(true)
    const trained = await runDecisionTree(t, { ...treeDefaults, max_depth: 8 }, pause, quiet)
    expect(trained.classes).toBeNull()
    await expectSame(trained, t)
  })
})

describe('exported boosted models equal the in-memory model on every training row', () => {
  test('binary:logistic', async () => {
    const t = tableFromCsv(syntheticCsv(500, 6, { seed: 5 }))
    const trained = await runBoosting(
      t,
      null,
      { ...boostDefaults, num_round: 20, checkpoints: false },
      '/nonexistent',
      pause,
      quiet,
    )
    expect(trained.classes).toEqual([0, 1])
    await expectSame(trained, t)
  })
  test('multi:softprob with subsampling and missing values', async () => {
    const csv = syntheticCsv(600, 6, { seed: 6, classes: 4 }).replace(/,(-?\d\.\d+)(?=,)/g, (m, v) =>
      Number(v) < -1.8 ? ',nan' : m,
    )
    const t = tableFromCsv(csv)
    const p = {
      ...boostDefaults,
      num_round: 15,
      subsample: 0.8,
      colsample_bytree: 0.7,
      max_bin: 32,
      checkpoints: false,
    }
    const trained = await runBoosting(t, null, p, '/nonexistent', pause, quiet)
    expect(trained.classes).toEqual([0, 1, 2, 3])
    await expectSame(trained, t)
  })
  test('reg:squarederror', async () => {
    const t = tableFromCsv(syntheticCsv(400, 5, { regression: true, seed: 7 }))
    const trained = await runBoosting(
      t,
      null,
      { ...boostDefaults, num_round: 25, checkpoints: false },
      '/nonexistent',
      pause,
      quiet,
    )
    await expectSame(trained, t)
  })
})
