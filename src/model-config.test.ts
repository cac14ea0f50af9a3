import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseModelConfig, readModelConfig } from './model-config'

const parse = (json: unknown) => parseModelConfig(json, 'byoc.json')

describe('parseModelConfig', () => {
  test('accepts every field and freezes the result', () => {
    const config = parse({
      model: 'model/iris.onnx',
      outputs: ['label', 'probabilities'],
      classLabels: ['setosa', 'versicolor', 'virginica'],
      labelOutput: 'label',
      features: 4,
      csvHeader: 'absent',
      batching: { maxBatchSize: 64, maxQueueDelayMs: 2.5 },
      echoCustomAttributes: true,
      defaultAccept: 'application/json',
      training: { accuracy: 0.97 },
    })
    expect(config.model).toBe('model/iris.onnx')
    expect(config.outputs).toEqual(['label', 'probabilities'])
    expect(config.classLabels).toEqual(['setosa', 'versicolor', 'virginica'])
    expect(config.batching).toEqual({ maxBatchSize: 64, maxQueueDelayMs: 2.5 })
    expect(config.training).toEqual({ accuracy: 0.97 })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.outputs)).toBe(true)
    expect(Object.isFrozen(config.batching)).toBe(true)
  })

  test('an empty object is a valid config with nothing set', () => {
    expect(parse({})).toEqual({})
  })

  test('names unknown fields, catching typos', () => {
    expect(() => parse({ ouputs: ['a'] })).toThrow('byoc.json: unknown field "ouputs" (known: model, outputs,')
    expect(() => parse({ batching: { maxBatch: 3 } })).toThrow('unknown field "batching.maxBatch"')
  })

  test('names the field and value at fault, all problems at once', () => {
    const bad = () => parse({ features: 0, csvHeader: 'yes', outputs: 'label' })
    expect(bad).toThrow('"features" is 0, must be a whole number ≥ 1')
    expect(bad).toThrow('"csvHeader" is "yes", must be one of "auto", "present", "absent"')
    expect(bad).toThrow('"outputs" is "label", must be a non-empty list of non-empty strings')
  })

  test.each([
    [{ model: '' }, '"model" is "", must be a non-empty string'],
    [{ model: '/abs/m.onnx' }, 'must be relative to the model directory'],
    [{ outputs: ['a', 'a'] }, 'names "a" twice'],
    [{ classLabels: [] }, '"classLabels" is [], must be a non-empty list'],
    [{ classLabels: ['a', 1] }, '"classLabels" is ["a",1]'],
    [{ labelOutput: 3 }, '"labelOutput" is 3'],
    [{ features: 2.5 }, '"features" is 2.5'],
    [{ batching: 8 }, '"batching" is 8, must be an object'],
    [{ batching: { maxBatchSize: -1 } }, '"batching.maxBatchSize" is -1'],
    [{ batching: { maxQueueDelayMs: 'soon' } }, '"batching.maxQueueDelayMs" is "soon"'],
    [{ echoCustomAttributes: 'true' }, '"echoCustomAttributes" is "true", must be true or false'],
    [{ defaultAccept: 'csv' }, '"defaultAccept" is "csv", must be a media type'],
  ])('rejects %j', (json, message) => {
    expect(() => parse(json)).toThrow(message)
  })

  test('the top level must be an object', () => {
    expect(() => parse([1])).toThrow('byoc.json: must be a JSON object, got [1]')
  })
})

describe('readModelConfig', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'byoc-config-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  test('returns null when the model dir holds no byoc.json', () => {
    expect(readModelConfig(dir)).toBeNull()
  })

  test('reads and validates the file', () => {
    writeFileSync(join(dir, 'byoc.json'), JSON.stringify({ classLabels: ['no', 'yes'] }))
    expect(readModelConfig(dir)).toEqual({ classLabels: ['no', 'yes'] })
  })

  test('reports invalid JSON with the file name', () => {
    writeFileSync(join(dir, 'byoc.json'), '{"model": "m.onnx",}')
    expect(() => readModelConfig(dir)).toThrow(`${join(dir, 'byoc.json')}: not valid JSON`)
  })

  test('reports bad fields with the file name', () => {
    writeFileSync(join(dir, 'byoc.json'), '{"features": "four"}')
    expect(() => readModelConfig(dir)).toThrow(`${join(dir, 'byoc.json')}: "features" is "four"`)
  })
})
