import { describe, expect, test } from 'bun:test'
import * as ort from 'onnxruntime-node'
import { GraphBuilder } from '../onnx/builder'
import { runModel } from './fixed-batch'
import { planOutputs } from './output-plan'
import { signatureOf } from './signature'
import { warmUp } from './warm-up'

async function warm(bytes: Uint8Array) {
  const session = await ort.InferenceSession.create(bytes)
  const signature = signatureOf(session)
  const plan = planOutputs(signature.outputs, null, null)
  return warmUp(signature, plan, (feeds, records) => runModel(session, signature, feeds, records, plan.names))
}

/** A width-3 convolution over a dynamic time axis: one step is too short, eight are enough. */
const conv = () =>
  new GraphBuilder()
    .input('signal', 'float32', ['batch', 1, 'steps'])
    .initializer('w', { dtype: 'float32', dims: [1, 1, 3], values: [1, 1, 1] })
    .node('Conv', ['signal', 'w'], ['c'])
    .node('ReduceMax', ['c'], ['peak'], { axes: [2], keepdims: 0 })
    .output('peak', 'float32', ['batch', 1])
    .toBytes({ opset: 13 })

describe('warmUp', () => {
  test('a dynamic axis too short for the model: the second record (8 steps) passes', async () => {
    const r = await warm(conv())
    expect(r.verdict).toBe('ok')
    expect(r.ms).toBeGreaterThanOrEqual(0)
  })
  test('strings, bools and int64 ids are fed as the signature says', async () => {
    const bytes = new GraphBuilder()
      .input('text', 'string', ['N', 1])
      .input('flag', 'bool', ['N', 1])
      .input('ids', 'int64', ['N', 'tokens'])
      .node('Identity', ['text'], ['t'])
      .node('Cast', ['flag'], ['f'], { to: 7 })
      .node('Add', ['ids', 'f'], ['sum'])
      .output('t', 'string', ['N', 1])
      .output('sum', 'int64', ['N', 'tokens'])
      .toBytes()
    expect((await warm(bytes)).verdict).toBe('ok')
  })
  test('a failure with the declared shape in a node that does not read values: broken', async () => {
    // NonZero hides the shape from load-time checks; the MatMul then fails at run time.
    const bytes = new GraphBuilder()
      .input('x', 'float32', ['N', 3])
      .initializer('w', { dtype: 'float32', dims: [5, 1], values: [1, 2, 3, 4, 5] })
      .node('NonZero', ['x'], ['nz'])
      .node('Cast', ['nz'], ['nzf'], { to: 1 })
      .node('MatMul', ['nzf', 'w'], ['y'])
      .output('y', 'float32', ['N', 1])
      .toBytes()
    const r = await warm(bytes)
    expect(r.verdict).toBe('broken')
    expect(r.problem).toStartWith("MatMul node '")
  })
})
