import { describe, expect, test } from 'bun:test'
import { failure, NUMERIC, plain, utf8 } from '../../test/fixtures/codec-testing'
import { decodeJsonLines, encodeJsonLines } from './jsonlines'
import type { DecodedTensor } from './types'

const decode = (s: string) => decodeJsonLines(utf8(s), NUMERIC)

describe('JSON lines decoding', () => {
  test('one record per line; blank lines and CRLF ignored', () => {
    const d = decode('[1, 2]\r\n\n[3, 4]\n\n')
    expect(d.records).toBe(2)
    expect(plain(d.tensors)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, 3, 4] })
  })
  test('{"features": ...}, {"instances": [one]} and scalars are records', () => {
    expect(plain(decode('{"features": [1, 2]}\n{"instances": [[3, 4]]}').tensors).values).toEqual([1, 2, 3, 4])
    expect(plain(decode('1\n2\n3').tensors).shape).toEqual([3, 1])
  })
  test('objects of named inputs stack across lines', () => {
    const t = decode('{"a": [1, 2], "b": 5}\n{"a": [3, 4], "b": 6}\n').tensors as Record<string, DecodedTensor>
    expect(plain(t.a)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, 3, 4] })
    expect(plain(t.b)).toEqual({ dtype: 'number', shape: [2, 1], values: [5, 6] })
  })
  test('errors name the line', () => {
    const bad = failure(() => decode('[1, 2]\n\n[1, 2'))
    expect(bad.status).toBe(400)
    expect(bad.message).toStartWith('line 3 is not valid JSON')
    expect(failure(() => decode('[1, 2]\n[1, 2, 3]')).message).toBe('line 2 has 3 values, expected 2')
    expect(failure(() => decode('{"a": 1}\n\n{"b": 1}')).message).toBe("line 3 has no input 'a' (line 1 has it)")
    expect(failure(() => decode('{"instances": [[1], [2]]}')).message).toContain(
      'line 1: "instances" must hold exactly one record',
    )
    expect(failure(() => decode('\n\n')).message).toBe('empty body')
  })
})

describe('JSON lines encoding', () => {
  test('one line per record ending in \\n; one output → bare value', () => {
    const out = encodeJsonLines({
      records: 3,
      outputs: [{ name: 'y', dtype: 'float32', dims: [3], data: new Float32Array([0.1, 0.2, Infinity]) }],
    })
    expect(out).toBe('0.1\n0.2\nnull\n')
  })
  test('several outputs → an object per line', () => {
    const out = encodeJsonLines({
      records: 2,
      outputs: [
        { name: 'label', dtype: 'int32', dims: [2, 1], data: new Int32Array([1, 0]) },
        { name: 'probs', dtype: 'float64', dims: [2, 2], data: new Float64Array([0.3, 0.7, 0.6, 0.4]) },
      ],
    })
    expect(out).toBe('{"label":1,"probs":[0.3,0.7]}\n{"label":0,"probs":[0.6,0.4]}\n')
    expect(out.split('\n').length - 1).toBe(2)
  })
  test('round trip: encoded records decode to the same values', () => {
    const out = encodeJsonLines({
      records: 2,
      outputs: [{ name: 'y', dtype: 'float64', dims: [2, 2], data: new Float64Array([1.5, 2, 3, 4]) }],
    })
    expect(plain(decode(out).tensors).values).toEqual([1.5, 2, 3, 4])
  })
})
