import { describe, expect, test } from 'bun:test'
import { binOf, makeBins } from './bins'
import { rng } from './random'

describe('makeBins', () => {
  test('few distinct values: one bin each, cuts between them', () => {
    const x = Float32Array.from([3, 1, 2, 1, 3, NaN])
    const b = makeBins(x, 6, 1, 256)
    expect(Array.from(b.cuts[0])).toEqual([1.5, 2.5])
    expect(Array.from(b.codes)).toEqual([2, 0, 1, 0, 2, 256])
  })
  test('quantile bins: codes agree with x <= cut on every row, bins roughly equal', () => {
    const random = rng(9)
    const n = 5000
    const x = Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 ? Math.floor(random() * 50) : random() * 100 - 50))
    const b = makeBins(x, n, 2, 16)
    expect(b.cuts[0].length).toBe(15)
    expect(b.codes).toBeInstanceOf(Uint8Array)
    const sizes = new Array(16).fill(0)
    for (let r = 0; r < n; r++) {
      for (let f = 0; f < 2; f++) {
        const code = b.codes[r * 2 + f]
        expect(code).toBe(binOf(b.cuts[f], x[r * 2 + f], b.missing))
        expect(b.columns[f * n + r]).toBe(code)
        if (code > 0) expect(x[r * 2 + f] > b.cuts[f][code - 1]).toBe(true)
        if (code < b.cuts[f].length) expect(x[r * 2 + f] <= b.cuts[f][code]).toBe(true)
      }
      sizes[b.codes[r * 2]]++
    }
    for (const s of sizes) expect(Math.abs(s - n / 16)).toBeLessThan(n / 64)
  })
})
