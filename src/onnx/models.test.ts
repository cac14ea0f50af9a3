import { describe, expect, test } from 'bun:test'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { decodeModel } from './builder.ts'
import {
  boolModel,
  brokenModelBytes,
  fixedBatchModel,
  float64Model,
  int64Model,
  linearClassifierModel,
  mlpModel,
  slowModel,
  stringModel,
  twoInputModel,
  writeModel,
} from './models.ts'

const f32 = (rows: number[][]) => new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length])
const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes)

type Decoded = { graph: { initializer: { name: string; raw_data: Uint8Array }[]; node: { op_type: string }[] } }
function initializer(bytes: Uint8Array, name: string): Float32Array {
  const raw = (decodeModel(bytes) as Decoded).graph.initializer.find((i) => i.name === name)!.raw_data
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
}
const softmax = (xs: number[]) => {
  const e = xs.map((x) => Math.exp(x - Math.max(...xs)))
  return e.map((v) => v / e.reduce((a, b) => a + b, 0))
}

describe('linearClassifierModel', () => {
  test('given weights [classes][features] and bias: softmax probabilities and first-on-tie argmax label', async () => {
    const bytes = linearClassifierModel({ features: 2, classes: 3, weights: [[1, 0], [0, 1], [1, 1]], bias: [0, 0, -1] })
    const out = await (await session(bytes)).run({ input: f32([[2, 1], [0, 3]]) })
    const probs = Array.from(out.probabilities.data as Float32Array)
    ;[...softmax([2, 1, 2]), ...softmax([0, 3, 2])].forEach((p, i) => expect(probs[i]).toBeCloseTo(p, 6))
    expect(Array.from(out.label.data as BigInt64Array)).toEqual([0n, 1n])
  })

  test('seeded weights are reproducible and differ between seeds', () => {
    const a = linearClassifierModel({ features: 4, classes: 3, seed: 5 })
    expect(linearClassifierModel({ features: 4, classes: 3, seed: 5 })).toEqual(a)
    expect(linearClassifierModel({ features: 4, classes: 3, seed: 6 })).not.toEqual(a)
    expect(() => linearClassifierModel({ features: 2, classes: 2, weights: [[1, 2, 3], [1, 2, 3]] })).toThrow(
      'weights must be 2 rows (classes) of 2 values (features)',
    )
  })
})

test('mlpModel matches a forward pass computed by hand from its weights', async () => {
  const layers = [4, 8, 3]
  const bytes = mlpModel({ layers, seed: 3 })
  const row = [0.5, -1, 2, 0.25]
  const [w0, b0, w1, b1] = ['W0', 'B0', 'W1', 'B1'].map((n) => initializer(bytes, n))
  const h = Array.from({ length: 8 }, (_, j) => Math.max(0, b0[j] + row.reduce((s, x, i) => s + x * w0[i * 8 + j], 0)))
  const logits = Array.from({ length: 3 }, (_, j) => b1[j] + h.reduce((s, x, i) => s + x * w1[i * 3 + j], 0))
  const expected = softmax(logits)
  const out = await (await session(bytes)).run({ input: f32([row]) })
  expected.forEach((p, i) => expect((out.probabilities.data as Float32Array)[i]).toBeCloseTo(p, 5))
  expect(out.label.data[0]).toBe(BigInt(expected.indexOf(Math.max(...expected))))
  expect(out.probabilities.dims).toEqual([1, 3])
})

test('twoInputModel: y = sum(a) + 10 * sum(b)', async () => {
  const out = await (await session(twoInputModel())).run({ a: f32([[1, 2], [0, 0]]), b: f32([[3, 4, 5], [1, 0, -1]]) })
  expect(Array.from(out.y.data as Float32Array)).toEqual([123, 0])
  expect(out.y.dims).toEqual([2, 1])
})

test('int64Model sums rows exactly beyond 2^53', async () => {
  const input = new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 2n ** 60n, 1n, -5n]), [2, 3])
  const out = await (await session(int64Model())).run({ input })
  expect(Array.from(out.sum.data as BigInt64Array)).toEqual([6n, 2n ** 60n - 4n])
})

test("stringModel maps 'a' -> 1, 'b' -> 2, anything else -> -1", async () => {
  const input = new ort.Tensor('string', ['a', 'b', 'zzz', ''], [4, 1])
  const out = await (await session(stringModel())).run({ input })
  expect(Array.from(out.code.data as BigInt64Array)).toEqual([1n, 2n, -1n, -1n])
})

test('float64Model computes x0 - x1 in double precision', async () => {
  const input = new ort.Tensor('float64', Float64Array.from([0.1, 0.3, 1e300, -1e300]), [2, 2])
  const out = await (await session(float64Model())).run({ input })
  expect(Array.from(out.y.data as Float64Array)).toEqual([0.1 - 0.3, 2e300])
})

test('boolModel computes x0 AND x1', async () => {
  const input = new ort.Tensor('bool', Uint8Array.from([0, 0, 0, 1, 1, 0, 1, 1]), [4, 2])
  const out = await (await session(boolModel())).run({ input })
  expect(Array.from(out.y.data as Uint8Array, Boolean)).toEqual([false, false, false, true])
})

test('fixedBatchModel takes exactly one row and rejects a batch of two', async () => {
  const s = await session(fixedBatchModel())
  expect(Array.from((await s.run({ input: f32([[1, 2, 3, 4]]) })).y.data as Float32Array)).toEqual([10])
  await expect(s.run({ input: f32([[1, 2, 3, 4], [1, 1, 1, 1]]) })).rejects.toThrow(/dimension|Got: 2/i)
})

test('slowModel outputs the row sums and contains `work` MatMuls', async () => {
  const bytes = slowModel({ features: 3, work: 2 })
  const ops = (decodeModel(bytes) as Decoded).graph.node.map((n) => n.op_type)
  expect(ops.filter((o) => o === 'MatMul')).toHaveLength(2)
  const out = await (await session(bytes)).run({ input: f32([[1, 2, 3], [NaN, 0, 0], [-1, 0.5, 0]]) })
  expect(Array.from(out.y.data as Float32Array)).toEqual([6, NaN, -0.5])
})

test('brokenModelBytes are rejected by ONNX Runtime', async () => {
  await expect(session(brokenModelBytes())).rejects.toThrow()
})

test('writeModel creates parent folders and writes loadable bytes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'byoc-onnx-'))
  try {
    const path = join(dir, 'a', 'b', 'model.onnx')
    await writeModel(path, twoInputModel())
    expect(Array.from(await readFile(path))).toEqual(Array.from(twoInputModel()))
    expect((await ort.InferenceSession.create(path)).inputNames).toEqual(['a', 'b'])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
