import { expect, test } from 'bun:test'
import { tensorProto } from './tensor'

test('int64 tensors hold the whole int64 range and reject values outside it instead of wrapping', () => {
  const ok = tensorProto('t', { dtype: 'int64', dims: [2], values: [-(2n ** 63n), 2n ** 63n - 1n] })
  const raw = ok.raw_data as Uint8Array
  expect(Array.from(new BigInt64Array(raw.slice().buffer))).toEqual([-(2n ** 63n), 2n ** 63n - 1n])
  expect(() => tensorProto('t', { dtype: 'int64', dims: [1], values: [2 ** 63] })).toThrow(
    'tensor t: int64 element 0 is 9223372036854776000, outside the int64 range',
  )
  expect(() => tensorProto('t', { dtype: 'int64', dims: [2], values: [0n, -(2n ** 63n) - 1n] })).toThrow(
    'int64 element 1 is -9223372036854775809, outside the int64 range',
  )
})
