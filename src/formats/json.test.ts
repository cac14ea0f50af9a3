import { describe, expect, test } from 'bun:test'
import { failure, NUMERIC, plain, TEXT, utf8 } from '../../test/fixtures/codec-testing'
import { decodeJson, encodeJson } from './json'
import type { DecodedTensor, DecodeOptions } from './types'

const decode = (s: string, o: DecodeOptions = NUMERIC) => decodeJson(utf8(s), o)
const named = (s: string) => decode(s).tensors as Record<string, DecodedTensor>

describe('JSON decoding', () => {
  test('{"instances": [...]}: one record per entry; null = NaN', () => {
    const d = decode('{"instances": [[1, 2], [3, null]]}')
    expect(d.records).toBe(2)
    expect(plain(d.tensors)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, 3, NaN] })
  })
  test('instances of scalars are one-feature records', () => {
    expect(plain(decode('{"instances": [1, 2, 3]}').tensors).shape).toEqual([3, 1])
  })
  test('instances of {"features": [...]} (SageMaker built-ins)', () => {
    const d = decode('{"instances": [{"features": [1, 2]}, {"features": [3, 4]}]}')
    expect(plain(d.tensors)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, 3, 4] })
  })
  test('a bare list of lists is records; a flat list is ONE record', () => {
    expect(plain(decode('[[1, 2], [3, 4]]').tensors).shape).toEqual([2, 2])
    const flat = decode('[1, 2, 3]')
    expect(flat.records).toBe(1)
    expect(plain(flat.tensors).shape).toEqual([1, 3])
  })
  test('a single {"features": [...]} object is one record', () => {
    expect(plain(decode('{"features": [5, 6]}').tensors)).toEqual({
      dtype: 'number',
      shape: [1, 2],
      values: [5, 6],
    })
  })
  test('nested records keep their shape', () => {
    expect(plain(decode('[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]').tensors).shape).toEqual([2, 2, 2])
  })
  test('{"inputs": {name: tensor}}: named tensors, first dimension = records', () => {
    const d = decode('{"inputs": {"ids": [[1, 2], [3, 4]], "mask": [true, false]}}')
    expect(d.records).toBe(2)
    const t = d.tensors as Record<string, DecodedTensor>
    expect(plain(t.ids)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, 3, 4] })
    expect(plain(t.mask)).toEqual({ dtype: 'bool', shape: [2], values: [1, 0] })
  })
  test('{"inputs": [...]} is one unnamed tensor', () => {
    const d = decode('{"inputs": [[1], [2], [3]]}')
    expect(d.records).toBe(3)
    expect(plain(d.tensors).shape).toEqual([3, 1])
  })
  test('instances of named-input objects stack by name', () => {
    const t = named('{"instances": [{"a": [1, 2], "b": "x"}, {"a": [3, 4], "b": "y"}]}')
    expect(plain(t.a)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, 3, 4] })
    expect(plain(t.b)).toEqual({ dtype: 'string', shape: [2, 1], values: ['x', 'y'] })
  })
  test('dtypes: strings, bools; text models get numbers as text', () => {
    expect(plain(decode('[["a", "b"]]').tensors).dtype).toBe('string')
    expect(plain(decode('[[true, false]]').tensors).dtype).toBe('bool')
    expect(plain(decode('[[1, "b"]]', TEXT).tensors)).toEqual({
      dtype: 'string',
      shape: [1, 2],
      values: ['1', 'b'],
    })
  })
  test('BOM is stripped', () => {
    expect(decode('\ufeff[[1]]').records).toBe(1)
  })
})

describe('JSON decoding errors', () => {
  const cases: [string, string][] = [
    ['', 'empty body'],
    ['{"instances": [[1, 2], [3]]}', 'record 2 has 1 value, expected 2'],
    ['[[1, 2], [3, 4, 5]]', 'record 2 has 3 values, expected 2'],
    ['[[[1, 2]], [[1]]]', 'record 2: the array at [0] has 1 value, expected 2'],
    ['[[1, [2]], [3, 4]]', 'record 1: unexpected nested array at [1]; expected a value'],
    ['[[1, 2], 3]', 'record 2 is 3, expected an array of 2 values'],
    ['{"instances": [[1, 2], [3, "x"]]}', 'record 2 mixes numbers and strings ("x"); use one type'],
    ['{"instances": [[true], [1]]}', 'record 2 mixes bools and numbers (1); use one type'],
    ['{"inputs": {"a": [1, 2], "b": [1]}}', "input 'b' has 1 record, input 'a' has 2"],
    ['{"inputs": {"a": 5}}', "input 'a' must be an array with one entry per record"],
    ['{"instances": 5}', '"instances" must be an array with one entry per record'],
    ['{"instances": []}', 'no records'],
    ['[]', 'the JSON array is empty: no records'],
    ['{"instances": [{"a": 1}, {"b": 2}]}', "record 2 has no input 'a' (record 1 has it)"],
    ['{"instances": [[1], {"a": 1}]}', 'record 2 is an object unlike record 1; mix not allowed'],
  ]
  for (const [body, message] of cases) {
    test(`${body || '(empty)'} → 400 ${message}`, () => {
      expect(failure(() => decode(body))).toEqual({ status: 400, message })
    })
  }
  test('malformed JSON and unknown objects', () => {
    expect(failure(() => decode('[1,')).message).toStartWith('JSON body is not valid JSON')
    expect(failure(() => decode('{"data": [1]}')).message).toContain(
      'JSON object has keys "data"; expected {"instances"',
    )
    expect(failure(() => decode('42')).status).toBe(400)
  })
})

describe('JSON encoding', () => {
  test('{"predictions": [...]}: scalars for one value per record, arrays otherwise; NaN → null', () => {
    const one = encodeJson({
      records: 2,
      outputs: [{ name: 'y', dtype: 'float32', dims: [2, 1], data: new Float32Array([0.1, NaN]) }],
    })
    expect(one).toBe('{"predictions":[0.1,null]}')
    const many = encodeJson({
      records: 2,
      outputs: [
        { name: 'probs', dtype: 'float32', dims: [2, 2], data: new Float32Array([0.25, 0.75, 1, 0]) },
        { name: 'label', dtype: 'string', dims: [2], data: ['cat', 'd"og'] },
      ],
    })
    expect(JSON.parse(many)).toEqual({
      predictions: [
        { probs: [0.25, 0.75], label: 'cat' },
        { probs: [1, 0], label: 'd"og' },
      ],
    })
  })
  test('nested record shapes, int64 and bool', () => {
    const out = encodeJson({
      records: 1,
      outputs: [
        {
          name: 'm',
          dtype: 'int64',
          dims: [1, 2, 2],
          data: new BigInt64Array([1n, 2n, 3n, 9007199254740993n]),
        },
        { name: 'b', dtype: 'bool', dims: [1], data: new Uint8Array([1]) },
      ],
    })
    expect(out).toBe('{"predictions":[{"m":[[1,2],[3,9007199254740993]],"b":true}]}')
  })
  test('round trip through the decoder', () => {
    const body = encodeJson({
      records: 2,
      outputs: [{ name: 'y', dtype: 'float64', dims: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) }],
    })
    const predictions = (JSON.parse(body) as { predictions: number[][] }).predictions
    expect(plain(decode(JSON.stringify({ instances: predictions })).tensors).values).toEqual([1, 2, 3, 4, 5, 6])
  })
})
