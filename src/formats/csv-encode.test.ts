import { describe, expect, test } from 'bun:test'
import { mulberry32 } from '../train/random'
import { encodeCsv } from './csv'
import { encodeCsvBytes } from './csv-encode'
import type { EncodeInput } from './types'

const text = (input: EncodeInput) => {
  const bytes = encodeCsvBytes(input)
  if (!bytes) throw new Error('took the text path')
  return new TextDecoder().decode(bytes)
}

describe('CSV responses written as bytes', () => {
  test('the same text as encodeCsv for floats of every size, integers, int64, bools, NaN and infinities', () => {
    const rand = mulberry32(7)
    const n = 5000
    const f32 = new Float32Array(n)
    const f64 = new Float64Array(n)
    const i32 = new Int32Array(n)
    const i64 = new BigInt64Array(n)
    const u64 = new BigUint64Array(n)
    const bool = new Uint8Array(n)
    for (let k = 0; k < n; k++) {
      const scale = 10 ** Math.floor(rand() * 80 - 40)
      f32[k] = (rand() - 0.5) * scale
      f64[k] = (rand() - 0.5) * scale
      i32[k] = Math.floor((rand() - 0.5) * 2 ** 32)
      i64[k] = k % 3 === 0 ? BigInt(Math.floor((rand() - 0.5) * 2 ** 53)) : BigInt.asIntN(64, BigInt(k) << 40n) - 7n
      u64[k] = k % 2 === 0 ? BigInt(k) : 2n ** 64n - 1n - BigInt(k)
      bool[k] = k % 2
    }
    f32.set([0, -0, 1, -1, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 16777216, 3.4e38])
    f64.set([0, -0, 0.1 + 0.2, Number.NaN, Number.NEGATIVE_INFINITY, 1e-300, 2 ** 53, -2.2250738585072014e-308])
    i64.set([0n, -1n, 9223372036854775807n, -9223372036854775808n, 2n ** 53n, -(2n ** 53n)])
    const input: EncodeInput = {
      records: n / 2,
      outputs: [
        { name: 'a', dtype: 'float32', dims: [n / 2, 2], data: f32 },
        { name: 'b', dtype: 'float64', dims: [n / 2, 2], data: f64 },
        { name: 'c', dtype: 'int32', dims: [n / 2, 2], data: i32 },
        { name: 'd', dtype: 'int64', dims: [n / 2, 2], data: i64 },
        { name: 'e', dtype: 'uint64', dims: [n / 2, 2], data: u64 },
        { name: 'f', dtype: 'bool', dims: [n / 2, 2], data: bool },
      ],
    }
    // Twice: the second pass reads the format cache the first filled.
    expect(text(input)).toBe(encodeCsv(input))
    expect(text(input)).toBe(encodeCsv(input))
  })

  test('a subarray output (a request sliced out of a batch) writes its own values', () => {
    const all = new Float32Array([0.5, 0.25, 0.125, 0.0625])
    const labels = new BigInt64Array([3n, 4n, 5n, 6n])
    const input: EncodeInput = {
      records: 2,
      outputs: [
        { name: 'p', dtype: 'float32', dims: [2], data: all.subarray(2) },
        { name: 'l', dtype: 'int64', dims: [2], data: labels.subarray(2) },
      ],
    }
    expect(text(input)).toBe('0.125,5\n0.0625,6\n')
  })

  test('an answer larger than one output block is joined whole, in order', () => {
    const records = 300_000
    const labels = new Int32Array(records).map((_, i) => i)
    const input: EncodeInput = { records, outputs: [{ name: 'l', dtype: 'int32', dims: [records], data: labels }] }
    expect(text(input)).toBe(encodeCsv(input))
  })

  test('strings and float16 are left to the text path', () => {
    expect(encodeCsvBytes({ records: 1, outputs: [{ name: 's', dtype: 'string', dims: [1], data: ['a,b'] }] })).toBe(
      null,
    )
    expect(
      encodeCsvBytes({ records: 1, outputs: [{ name: 'h', dtype: 'float16', dims: [1], data: new Uint16Array([1]) }] }),
    ).toBe(null)
  })
})
