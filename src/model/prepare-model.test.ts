import { describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mlpModel } from '../../test/fixtures/models'
import { treeEnsembleClassifierModel } from '../onnx/tree-ensemble'
import { modelKind, prepareModel } from './prepare-model'

const dir = () => mkdtempSync(join(tmpdir(), 'byoc-prepare-'))
const tree = treeEnsembleClassifierModel({
  features: 2,
  classLabels: [0, 1],
  trees: [
    [
      { kind: 'split', feature: 0, threshold: 0.5, left: 1, right: 2 },
      { kind: 'leaf', weights: [{ target: 0, value: 0.2 }] },
      { kind: 'leaf', weights: [{ target: 0, value: 0.9 }] },
    ],
  ],
})

describe('prepareModel', () => {
  test('finds the file, reads byoc.json, and tells trees from dense models', async () => {
    const d = dir()
    writeFileSync(join(d, 'model.onnx'), tree)
    writeFileSync(join(d, 'byoc.json'), '{"classLabels": ["no", "yes"]}')
    const p = await prepareModel(d, null)
    expect(p).toMatchObject({ modelPath: join(d, 'model.onnx'), extracted: null, fileBytes: tree.length, kind: 'tree' })
    expect(p.modelConfig?.classLabels).toEqual(['no', 'yes'])
    const m = dir()
    writeFileSync(join(m, 'mlp.onnx'), mlpModel({ layers: [4, 8, 2] }))
    expect(await prepareModel(m, null)).toMatchObject({ kind: 'dense', modelConfig: null })
  })
  test('modelKind finds the op name across the boundary of its 1 MiB read chunks', () => {
    const d = dir()
    const name = Buffer.from('TreeEnsembleClassifier')
    for (const at of [(1 << 20) - 5, (1 << 20) - 12, 1 << 20, 3]) {
      const bytes = Buffer.alloc((1 << 20) * 2)
      name.copy(bytes, at)
      writeFileSync(join(d, 'x.onnx'), bytes)
      expect(modelKind(join(d, 'x.onnx'))).toBe('tree')
    }
    writeFileSync(join(d, 'y.onnx'), Buffer.alloc((1 << 20) * 2 + 7))
    expect(modelKind(join(d, 'y.onnx'))).toBe('dense')
  })
})
