import { describe, expect, test } from 'bun:test'
import { Tensor } from 'onnxruntime-node'
import { ByocError } from '../errors'
import { planOutputs, selectOutputs } from './output-plan'

const outputs = [
  { name: 'label', type: 'int64', shape: ['N'] },
  { name: 'probabilities', type: 'float32', shape: ['N', 3] },
  { name: 'zipmap', type: 'non-tensor', shape: [] },
]

function thrown(fn: () => unknown): ByocError | Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('nothing was thrown')
}

describe('planOutputs', () => {
  test('by default every tensor output, in model order; non-tensors are left out', () => {
    expect(planOutputs(outputs, null, null).names).toEqual(['label', 'probabilities'])
  })
  test('a chosen output that does not exist, or is not a tensor, fails the load naming it', () => {
    expect(thrown(() => planOutputs(outputs, ['lable'], null)).message).toContain('"lable"')
    expect(thrown(() => planOutputs(outputs, ['zipmap'], null)).message).toContain('not a tensor')
  })
})

describe('selectOutputs', () => {
  const plan = planOutputs(outputs, ['probabilities', 'label'], ['setosa', 'versicolor', 'virginica'])
  const results = {
    label: new Tensor('int64', BigInt64Array.from([2n, 0n]), [2]),
    probabilities: new Tensor('float32', new Float32Array(6), [2, 3]),
  }
  test('outputs come in the chosen order and class ids become class names', () => {
    const selected = selectOutputs(results, plan, 2)
    expect(selected.map((o) => o.name)).toEqual(['probabilities', 'label'])
    expect(selected[1]).toMatchObject({ dtype: 'string', dims: [2], data: ['virginica', 'setosa'] })
  })
  test('an output whose first dimension is not the record count is a model failure (500) naming it', () => {
    const e = thrown(() => selectOutputs(results, plan, 3))
    expect(e).toBeInstanceOf(ByocError)
    expect((e as ByocError).status).toBe(500)
    expect(e.message).toContain('output "probabilities" has shape [2, 3]; expected 3 records first')
  })
  test('an output with the right first dimension but too few values is refused too', () => {
    const short = { ...results, probabilities: new Tensor('float32', new Float32Array(6), [2, 3]) }
    ;(short.probabilities as { dims: readonly number[] }).dims = [2, 4]
    expect((thrown(() => selectOutputs(short, plan, 2)) as ByocError).status).toBe(500)
  })
})
