import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { findModelFile } from './find-model'

let dir: string
const put = (...paths: string[]) => {
  for (const p of paths) {
    mkdirSync(dirname(join(dir, p)), { recursive: true })
    writeFileSync(join(dir, p), 'onnx')
  }
}
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'byoc-find-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('findModelFile', () => {
  test('BYOC_MODEL_FILE wins, relative to the model dir or absolute', () => {
    put('model.onnx', 'a.onnx', 'sub/b.onnx')
    expect(findModelFile(dir, { fromEnv: 'sub/b.onnx', fromConfig: 'a.onnx' })).toBe(join(dir, 'sub/b.onnx'))
    expect(findModelFile(dir, { fromEnv: join(dir, 'a.onnx') })).toBe(join(dir, 'a.onnx'))
  })

  test('then byoc.json "model", then model.onnx', () => {
    put('model.onnx', 'a.onnx')
    expect(findModelFile(dir, { fromConfig: 'a.onnx' })).toBe(join(dir, 'a.onnx'))
    expect(findModelFile(dir, { fromConfig: null, fromEnv: null })).toBe(join(dir, 'model.onnx'))
  })

  test('then the only .onnx in the dir, then the only one a folder down', () => {
    put('iris.onnx', 'nested/other.onnx')
    expect(findModelFile(dir, {})).toBe(join(dir, 'iris.onnx'))
    rmSync(join(dir, 'iris.onnx'))
    expect(findModelFile(dir, {})).toBe(join(dir, 'nested/other.onnx'))
  })

  test('does not look two folders down', () => {
    put('a/b/deep.onnx')
    expect(() => findModelFile(dir, {})).toThrow(`no .onnx file in ${dir} or its subfolders (found: a)`)
  })

  test('a named file that does not exist is an error naming it', () => {
    put('model.onnx')
    expect(() => findModelFile(dir, { fromEnv: 'nope.onnx' })).toThrow(
      `BYOC_MODEL_FILE names "nope.onnx", but ${join(dir, 'nope.onnx')} does not exist`,
    )
    expect(() => findModelFile(dir, { fromConfig: 'gone.onnx' })).toThrow('byoc.json "model" names "gone.onnx"')
    mkdirSync(join(dir, 'folder.onnx'))
    expect(() => findModelFile(dir, { fromEnv: 'folder.onnx' })).toThrow('is a directory')
  })

  test('several models with no choice: lists them and says how to choose', () => {
    put('b.onnx', 'a.onnx')
    expect(() => findModelFile(dir, {})).toThrow(
      `${dir} holds several ONNX models (a.onnx, b.onnx); set BYOC_MODEL_FILE or "model" in byoc.json, e.g. BYOC_MODEL_FILE=a.onnx`,
    )
    rmSync(join(dir, 'a.onnx'))
    rmSync(join(dir, 'b.onnx'))
    put('x/one.onnx', 'y/two.onnx')
    expect(() => findModelFile(dir, {})).toThrow('several ONNX models (x/one.onnx, y/two.onnx)')
  })

  test('empty dir, dir without a model, missing dir', () => {
    expect(() => findModelFile(dir, {})).toThrow(`model directory ${dir} is empty`)
    put('byoc.json', 'weights.bin')
    expect(() => findModelFile(dir, {})).toThrow('(found: byoc.json, weights.bin)')
    expect(() => findModelFile(join(dir, 'missing'), {})).toThrow(
      `model directory ${join(dir, 'missing')} does not exist`,
    )
  })
})
