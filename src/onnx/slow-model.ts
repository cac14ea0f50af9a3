/**
 * slowModel: a model whose every run costs noticeable CPU time, to saturate the CPU in tests.
 *
 * Output 'y' float32 [N,1] = the sum of each row of 'input' float32 [N, features], exactly, like a cheap
 * model; the cost is a hidden chain of `work` [512x512]·[512x512] MatMul + Tanh steps (~134 M multiply-adds
 * each) on an internal state. The state is seeded from the input's SHAPE (not its values: a NaN in the input
 * cannot leak into other rows) and is added to y multiplied by 0, so ONNX Runtime can neither constant-fold
 * nor prune the chain. Cost per run is about the same for any N.
 */
import { GraphBuilder } from './builder.ts'
import { mulberry32, uniform } from './prng.ts'

const SIZE = 512

export function slowModel(opts: { features: number; work: number }): Uint8Array {
  const { features, work } = opts
  if (!Number.isInteger(work) || work < 0) throw new Error(`work must be a non-negative integer, got ${work}`)
  const rand = mulberry32(7)
  const g = new GraphBuilder('slow')
    .input('input', 'float32', ['N', features])
    .initializer('axis1', { dtype: 'int64', dims: [1], values: [1] })
    .initializer('zero', { dtype: 'float32', dims: [], values: [0] })
    .initializer('seed_matrix', { dtype: 'float32', dims: [SIZE, SIZE], values: uniform(rand, SIZE * SIZE, 0.01) })
    .initializer('W', { dtype: 'float32', dims: [SIZE, SIZE], values: uniform(rand, SIZE * SIZE, Math.sqrt(3 / SIZE)) })
    .node('Shape', ['input'], ['shape'])
    .node('Cast', ['shape'], ['shape_f'], { to: 1 })
    .node('ReduceSum', ['shape_f'], ['shape_sum'], { keepdims: 0 })
    .node('Mul', ['seed_matrix', 'shape_sum'], ['s_pre'])
    .node('Tanh', ['s_pre'], ['s0'])
  for (let k = 0; k < work; k++) g.node('MatMul', [`s${k}`, 'W'], [`m${k}`]).node('Tanh', [`m${k}`], [`s${k + 1}`])
  return g
    .node('ReduceSum', [`s${work}`], ['state_sum'], { keepdims: 0 })
    .node('Mul', ['state_sum', 'zero'], ['nothing'])
    .node('ReduceSum', ['input', 'axis1'], ['row_sum'], { keepdims: 1 })
    .node('Add', ['row_sum', 'nothing'], ['y'])
    .output('y', 'float32', ['N', 1])
    .toBytes()
}
