import { describe, expect, test } from 'bun:test'
import { failure, NUMERIC, plain, utf8 } from '../../test/fixtures/codec-testing'
import { decodeLibsvm } from './libsvm'

const decode = (s: string) => decodeLibsvm(utf8(s), NUMERIC)

describe('LibSVM decoding', () => {
  test('1-based indices → dense rows, width = largest index, absent = NaN, label ignored', () => {
    const d = decode('1 1:0.5 3:2\n0 2:-1\n')
    expect(d.records).toBe(2)
    expect(plain(d.tensors)).toEqual({ dtype: 'number', shape: [2, 3], values: [0.5, NaN, 2, NaN, -1, NaN] })
  })
  test('label optional; qid and comments skipped; blank lines and CRLF ignored', () => {
    const d = decode('1:1 2:2\r\n\r\n3 qid:7 2:5 # note\n')
    expect(plain(d.tensors)).toEqual({ dtype: 'number', shape: [2, 2], values: [1, 2, NaN, 5] })
  })
  test('errors name line and token', () => {
    expect(failure(() => decode('1 1:2\n1 0:5'))).toEqual({
      status: 400,
      message: 'line 2, token 2: index "0" must be a whole number from 1 (indices are 1-based)',
    })
    expect(failure(() => decode('1 1:x')).message).toBe('line 1, index 1: "x" is not a number')
    expect(failure(() => decode('1 1:2 junk')).message).toBe('line 1, token 3: "junk" is not index:value')
    expect(failure(() => decode('# only a comment\n')).message).toBe('empty body')
  })
})
