/**
 * Small ONNX model factories for tests and benchmarks. Every model has the symbolic batch dimension 'N'
 * first (except fixedBatchModel); generated weights come from a seeded PRNG, so the same options always
 * give the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { GraphBuilder, ML_DOMAIN, type TensorInit } from './builder.ts'
import { mulberry32, uniform } from './prng.ts'

export { slowModel } from './slow-model.ts'

const AXIS1: TensorInit = { dtype: 'int64', dims: [1], values: [1] }

/** Appends Softmax -> 'probabilities' and ArgMax -> 'label' (int64 [N]) after the logits `logits`. */
function classifierHead(g: GraphBuilder, logits: string, classes: number): Uint8Array {
  return g
    .node('Softmax', [logits], ['probabilities'], { axis: 1 })
    .node('ArgMax', ['probabilities'], ['label'], { axis: 1, keepdims: 0 })
    .output('label', 'int64', ['N'])
    .output('probabilities', 'float32', ['N', classes])
    .toBytes()
}

/**
 * input 'input' float32 [N, features] -> softmax(input · Wᵀ + bias): outputs 'label' int64 [N] (argmax,
 * first on ties) and 'probabilities' float32 [N, classes]. `weights` is [classes][features] (one row per
 * class, like scikit-learn's coef_), `bias` is [classes]; both default to seeded uniform values in [-1, 1).
 */
export function linearClassifierModel(opts: {
  features: number
  classes: number
  seed?: number
  weights?: number[][]
  bias?: number[]
}): Uint8Array {
  const { features: f, classes: c } = opts
  const rand = mulberry32(opts.seed ?? 1)
  const w = opts.weights ?? Array.from({ length: c }, () => Array.from(uniform(rand, f, 1)))
  if (w.length !== c || w.some((row) => row.length !== f))
    throw new Error(`weights must be ${c} rows (classes) of ${f} values (features)`)
  const bias = opts.bias ?? Array.from(uniform(rand, c, 1))
  if (bias.length !== c) throw new Error(`bias has ${bias.length} values, expected ${c} (one per class)`)
  const wt = new Float32Array(f * c)
  for (let j = 0; j < c; j++) for (let i = 0; i < f; i++) wt[i * c + j] = w[j][i]
  const g = new GraphBuilder('linear_classifier')
    .input('input', 'float32', ['N', f])
    .initializer('W', { dtype: 'float32', dims: [f, c], values: wt })
    .initializer('B', { dtype: 'float32', dims: [c], values: bias })
    .node('MatMul', ['input', 'W'], ['xw'])
    .node('Add', ['xw', 'B'], ['logits'])
  return classifierHead(g, 'logits', c)
}

/**
 * Multi-layer perceptron, layers = [inputs, hidden..., classes]: Gemm + Relu per hidden layer, Gemm +
 * Softmax at the end. Weights He-uniform from the seeded PRNG (W_k = initializer 'W<k>' [in, out], bias
 * 'B<k>'). Outputs 'label' int64 [N] and 'probabilities' float32 [N, classes].
 */
export function mlpModel(opts: { layers: number[]; seed?: number }): Uint8Array {
  const { layers } = opts
  if (layers.length < 2) throw new Error(`layers needs at least [inputs, outputs], got [${layers}]`)
  const rand = mulberry32(opts.seed ?? 1)
  const g = new GraphBuilder('mlp').input('input', 'float32', ['N', layers[0]])
  let x = 'input'
  for (let k = 0; k + 1 < layers.length; k++) {
    const [n, m] = [layers[k], layers[k + 1]]
    g.initializer(`W${k}`, { dtype: 'float32', dims: [n, m], values: uniform(rand, n * m, Math.sqrt(6 / n)) })
    g.initializer(`B${k}`, { dtype: 'float32', dims: [m], values: uniform(rand, m, 0.1) })
    const last = k + 2 === layers.length
    g.node('Gemm', [x, `W${k}`, `B${k}`], [last ? 'logits' : `z${k}`])
    if (!last) g.node('Relu', [`z${k}`], [`h${k}`])
    x = `h${k}`
  }
  return classifierHead(g, 'logits', layers[layers.length - 1])
}

/** inputs 'a' float32 [N,2] and 'b' float32 [N,3] -> 'y' float32 [N,1] = (a0 + a1) + 10 * (b0 + b1 + b2). */
export function twoInputModel(): Uint8Array {
  return new GraphBuilder('two_inputs')
    .input('a', 'float32', ['N', 2])
    .input('b', 'float32', ['N', 3])
    .initializer('axis1', AXIS1)
    .initializer('ten', { dtype: 'float32', dims: [], values: [10] })
    .node('ReduceSum', ['a', 'axis1'], ['sa'], { keepdims: 1 })
    .node('ReduceSum', ['b', 'axis1'], ['sb'], { keepdims: 1 })
    .node('Mul', ['sb', 'ten'], ['sb10'])
    .node('Add', ['sa', 'sb10'], ['y'])
    .output('y', 'float32', ['N', 1])
    .toBytes()
}

/**
 * input 'input' int64 [N,3] -> 'sum' int64 [N,1] = row sum, exact over the whole int64 range. Uses MatMul
 * with a column of ones: ORT 1.30's int64 ReduceSum loses precision above 2^53 (measured: 2^60 + 1 - 5 -> 2^60).
 */
export function int64Model(): Uint8Array {
  return new GraphBuilder('int64_sum')
    .input('input', 'int64', ['N', 3])
    .initializer('ones', { dtype: 'int64', dims: [3, 1], values: [1, 1, 1] })
    .node('MatMul', ['input', 'ones'], ['sum'])
    .output('sum', 'int64', ['N', 1])
    .toBytes()
}

/** input 'input' string [N,1] -> ai.onnx.ml LabelEncoder -> 'code' int64 [N,1]: 'a' -> 1, 'b' -> 2, anything else -> -1. */
export function stringModel(): Uint8Array {
  return new GraphBuilder('string_codes')
    .input('input', 'string', ['N', 1])
    .node('LabelEncoder', ['input'], ['code'], { keys_strings: ['a', 'b'], values_int64s: [1, 2], default_int64: -1 }, ML_DOMAIN)
    .output('code', 'int64', ['N', 1])
    .toBytes()
}

/** input 'input' float64 [N,2] -> 'y' float64 [N,1] = x0 - x1 (MatMul with [[1], [-1]]). */
export function float64Model(): Uint8Array {
  return new GraphBuilder('float64_difference')
    .input('input', 'float64', ['N', 2])
    .initializer('W', { dtype: 'float64', dims: [2, 1], values: [1, -1] })
    .node('MatMul', ['input', 'W'], ['y'])
    .output('y', 'float64', ['N', 1])
    .toBytes()
}

/** input 'input' bool [N,2] -> 'y' bool [N,1] = x0 AND x1. */
export function boolModel(): Uint8Array {
  const i64 = (v: number): TensorInit => ({ dtype: 'int64', dims: [1], values: [v] })
  return new GraphBuilder('bool_and')
    .input('input', 'bool', ['N', 2])
    .initializer('zero', i64(0))
    .initializer('one', i64(1))
    .initializer('two', i64(2))
    .node('Slice', ['input', 'zero', 'one', 'one'], ['x0'])
    .node('Slice', ['input', 'one', 'two', 'one'], ['x1'])
    .node('And', ['x0', 'x1'], ['y'])
    .output('y', 'bool', ['N', 1])
    .toBytes()
}

/** input 'input' float32 [1,4] (fixed batch of one, no 'N') -> 'y' float32 [1,1] = sum of the four values. */
export function fixedBatchModel(): Uint8Array {
  return new GraphBuilder('fixed_batch')
    .input('input', 'float32', [1, 4])
    .initializer('ones', { dtype: 'float32', dims: [4, 1], values: [1, 1, 1, 1] })
    .node('MatMul', ['input', 'ones'], ['y'])
    .output('y', 'float32', [1, 1])
    .toBytes()
}

/** Bytes that are not an ONNX model (ORT fails to parse them: "Protobuf parsing failed"). */
export function brokenModelBytes(): Uint8Array {
  return new TextEncoder().encode('this is not an ONNX model\n')
}

/** Writes model bytes to `path`, creating missing parent folders. */
export async function writeModel(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, bytes)
}
