import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { linearClassifierModel } from '../../test/fixtures/models'
import { rewriteZipMaps } from './zipmap-rewrite'

const corpus = (name: string) => readFileSync(join(import.meta.dir, '../../test/fixtures/converters', `${name}.onnx`))

describe('rewriteZipMaps', () => {
  test('int64 labels: the ZipMap output becomes the float [N, classes] tensor it zipped, same name', async () => {
    const r = rewriteZipMaps(corpus('skl_decision_tree_wine'))
    expect(r.classKeys).toEqual({ output_probability: ['0', '1', '2'] })
    expect(r.nonTensor).toEqual({})
    const session = await ort.InferenceSession.create(r.bytes!)
    expect(session.outputMetadata.map((m) => [m.name, m.isTensor])).toEqual([
      ['output_label', true],
      ['output_probability', true],
    ])
    const out = await session.run({ float_input: new ort.Tensor('float32', new Float32Array(26), [2, 13]) })
    expect(out.output_probability.dims).toEqual([2, 3])
  })
  test('string labels are kept as the keys, in class order', () => {
    expect(rewriteZipMaps(corpus('skl_sgd_log_binary_strings')).classKeys).toEqual({
      output_probability: ['approved', 'rejected'],
    })
  })
  test('a model without ZipMap is left alone', () => {
    const r = rewriteZipMaps(linearClassifierModel({ features: 2, classes: 2 }))
    expect(r.bytes).toBeNull()
    expect(r.classKeys).toEqual({})
  })
})
