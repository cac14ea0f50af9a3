import { describe, expect, test } from 'bun:test'
import { type CartOptions, growCart } from './cart'
import { leafOf, type Tree } from './tree'

const defaults: CartOptions = {
  criterion: 'gini',
  maxDepth: null,
  maxLeafNodes: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  minImpurityDecrease: 0,
  seed: 0,
}
const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9]
const ys = [0, 0, 0, 1, 0, 1, 1, 1, 1]

/** [feature, threshold] of split nodes in depth-first order, "leaf" for leaves. */
function shape(t: Tree): (string | number)[][] {
  return Array.from(t.feature, (f, i) => (f < 0 ? ['leaf'] : [f, t.threshold[i]]))
}
const classify = (opts: Partial<CartOptions> = {}) =>
  growCart({ rows: 9, cols: [Float32Array.from(xs)], classes: Int32Array.from(ys), k: 2 }, { ...defaults, ...opts })

// Expected trees are scikit-learn 1.2.1's (export_text) on the same data.
describe('CART', () => {
  test('gini picks the hand-computed splits (5.5, then 3.5, then 4.5)', async () => {
    const t = await classify()
    expect(shape(t)).toEqual([[0, 5.5], [0, 3.5], ['leaf'], [0, 4.5], ['leaf'], ['leaf'], ['leaf']])
    const x = Float32Array.from(xs)
    for (let r = 0; r < 9; r++) expect(t.value[leafOf(t, x, r) * 2 + ys[r]]).toBe(1)
  })
  test('entropy gives the same tree here', async () => {
    expect(shape(await classify({ criterion: 'entropy' }))).toEqual(shape(await classify()))
  })
  test('max_leaf_nodes grows best-first', async () => {
    const t = await classify({ maxLeafNodes: 3 })
    expect(shape(t)).toEqual([[0, 5.5], [0, 3.5], ['leaf'], ['leaf'], ['leaf']])
    expect(t.value[3 * 2]).toBeCloseTo(0.5) // 4 → class 1, 5 → class 0
  })
  test('min_samples_leaf and max_depth stop growth', async () => {
    expect(shape(await classify({ minSamplesLeaf: 3 }))).toEqual([[0, 5.5], ['leaf'], ['leaf']])
    expect(shape(await classify({ maxDepth: 1 }))).toEqual([[0, 5.5], ['leaf'], ['leaf']])
  })
  test('regression with squared error: splits and leaf means', async () => {
    const target = Float64Array.from([1.0, 1.2, 0.9, 5.0, 5.2, 4.8, 9.0, 9.1, 20.0])
    const t = await growCart(
      { rows: 9, cols: [Float32Array.from(xs)], target },
      { ...defaults, criterion: 'squared_error', maxDepth: 2 },
    )
    expect(shape(t)).toEqual([[0, 8.5], [0, 3.5], ['leaf'], ['leaf'], ['leaf']])
    expect(t.value[2]).toBeCloseTo(1.0333333, 6)
    expect(t.value[3]).toBeCloseTo(6.62, 6)
    expect(t.value[4]).toBe(20)
  })
  test('picks the informative feature of two', async () => {
    const noise = Float32Array.from([5, 3, 8, 1, 9, 2, 7, 4, 6])
    const t = await growCart(
      { rows: 9, cols: [noise, Float32Array.from(xs)], classes: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1]), k: 2 },
      defaults,
    )
    expect(shape(t)).toEqual([[1, 4.5], ['leaf'], ['leaf']])
  })
  test('missing values are sent to the side that fits them', async () => {
    // the NaN rows are class 1, so they belong with the high values
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, NaN, NaN])
    const t = await growCart({ rows: 8, cols: [x], classes: Int32Array.from([0, 0, 0, 1, 1, 1, 1, 1]), k: 2 }, defaults)
    expect(shape(t)).toEqual([[0, 3.5], ['leaf'], ['leaf']])
    expect(t.missingLeft[0]).toBe(0)
    const y = Float32Array.from([1, 2, 3, 4, 5, 6, NaN, NaN])
    const t2 = await growCart(
      { rows: 8, cols: [y], classes: Int32Array.from([0, 0, 0, 1, 1, 1, 0, 0]), k: 2 },
      defaults,
    )
    expect(t2.missingLeft[0]).toBe(1)
    for (let r = 0; r < 8; r++) expect(t2.value[leafOf(t2, y, r) * 2 + [0, 0, 0, 1, 1, 1, 0, 0][r]]).toBe(1)
  })
})
