import { describe, expect, test } from 'bun:test'
import * as ort from 'onnxruntime-node'
import { decodeModel, GraphBuilder } from './builder.ts'

type Attr = {
  name: string
  type: string
  i?: number
  f?: number
  ints?: number[]
  floats?: number[]
  strings?: Uint8Array[]
}
type Model = {
  ir_version: number
  producer_name: string
  opset_import: { domain?: string; version: number }[]
  graph: { node: { attribute: Attr[] }[]; initializer: { name: string; data_type: number; dims: number[] }[] }
}

describe('GraphBuilder', () => {
  test('writes IR 8, opset 17 and ai.onnx.ml 3 only when an ml node is used', () => {
    const plain = new GraphBuilder()
      .input('x', 'float32', ['N', 1])
      .node('Relu', ['x'], ['y'])
      .output('y', 'float32', ['N', 1])
    const m = decodeModel(plain.toBytes({ producer: 'test' })) as Model
    expect(m.ir_version).toBe(8)
    expect(m.producer_name).toBe('test')
    expect(m.opset_import).toEqual([{ domain: '', version: 17 }])
    const ml = new GraphBuilder()
      .input('x', 'string', ['N', 1])
      .node('LabelEncoder', ['x'], ['y'], { keys_strings: ['a'], values_int64s: [1] }, 'ai.onnx.ml')
      .output('y', 'int64', ['N', 1])
    expect((decodeModel(ml.toBytes({ opset: 18 })) as Model).opset_import).toEqual([
      { domain: '', version: 18 },
      { domain: 'ai.onnx.ml', version: 3 },
    ])
  })

  test('attribute typing: integers -> INT(S), other numbers -> FLOAT(S), {float}/{floats} force FLOAT', () => {
    const g = new GraphBuilder()
      .input('x', 'float32', ['N', 2])
      .node('Identity', ['x'], ['y'], {
        a: 2,
        b: 0.5,
        c: [1, 2],
        d: [1, 2.5],
        e: { float: 1 },
        f: { floats: [1, 2] },
        g: 'text',
        h: ['p', 'q'],
        t: { tensor: { dtype: 'int64', dims: [2], values: [5, 6] } },
      })
      .output('y', 'float32', ['N', 2])
    const attrs = (decodeModel(g.toBytes()) as Model).graph.node[0].attribute
    const byName = Object.fromEntries(attrs.map((a) => [a.name, a]))
    expect([byName.a.type, byName.a.i]).toEqual(['INT', 2])
    expect([byName.b.type, byName.b.f]).toEqual(['FLOAT', 0.5])
    expect([byName.c.type, byName.c.ints]).toEqual(['INTS', [1, 2]])
    expect([byName.d.type, byName.d.floats]).toEqual(['FLOATS', [1, 2.5]])
    expect([byName.e.type, byName.e.f]).toEqual(['FLOAT', 1])
    expect([byName.f.type, byName.f.floats]).toEqual(['FLOATS', [1, 2]])
    expect(byName.g.type).toBe('STRING')
    expect(byName.h.strings!.map((s) => new TextDecoder().decode(s))).toEqual(['p', 'q'])
    expect(byName.t.type).toBe('TENSOR')
  })

  test('Gemm with FLOAT alpha/beta runs in ONNX Runtime; all dtypes round-trip as initializers', async () => {
    const g = new GraphBuilder()
      .input('x', 'float32', ['N', 2])
      .initializer('w', { dtype: 'float32', dims: [2, 1], values: [1, 2] })
      .initializer('c', { dtype: 'float32', dims: [1], values: [0.5] })
      .node('Gemm', ['x', 'w', 'c'], ['y'], { alpha: { float: 2 }, beta: { float: 1 } })
      .output('y', 'float32', ['N', 1])
    for (const [name, dtype, values] of [
      ['i32', 'int32', [1, -2]],
      ['i64', 'int64', [2n ** 62n, -1n]],
      ['f64', 'float64', [0.1, 1e300]],
      ['b', 'bool', [true, false]],
      ['s', 'string', ['héllo', '']],
    ] as const) {
      g.initializer(name, { dtype, dims: [2], values: values as never })
      g.node('Identity', [name], [`${name}_out`]).output(`${name}_out`, dtype, [2])
    }
    const s = await ort.InferenceSession.create(g.toBytes())
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 2, 0]), [2, 2]) })
    expect(Array.from(out.y.data as Float32Array)).toEqual([6.5, 4.5])
    expect(Array.from(out.i32_out.data as Int32Array)).toEqual([1, -2])
    expect(Array.from(out.i64_out.data as BigInt64Array)).toEqual([2n ** 62n, -1n])
    expect(Array.from(out.f64_out.data as Float64Array)).toEqual([0.1, 1e300])
    expect(Array.from(out.b_out.data as Uint8Array)).toEqual([1, 0])
    expect(out.s_out.data).toEqual(['héllo', ''])
  })

  test('catches wiring mistakes with messages naming the value', () => {
    const g = new GraphBuilder('g').input('x', 'float32', ['N', 1])
    expect(() => g.node('Relu', ['nope'], ['y'])).toThrow("node Relu_0: input 'nope' is not a graph input")
    expect(() => g.input('x', 'float32', [1])).toThrow("value 'x' is already defined")
    expect(() => g.initializer('w', { dtype: 'float32', dims: [2, 2], values: [1] })).toThrow(
      'dims [2,2] hold 4 values but 1 were given',
    )
    expect(() => g.initializer('w', { dtype: 'int64', dims: [1], values: [1.5] })).toThrow('int64 element 0 is 1.5')
    expect(() => new GraphBuilder('g').output('y', 'float32', [1]).toBytes()).toThrow(
      "graph g: output 'y' is not produced by any node",
    )
  })
})
