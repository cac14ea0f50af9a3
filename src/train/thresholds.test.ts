import { describe, expect, test } from 'bun:test'
import { runOnnx, tableFromCsv } from '../../test/fixtures/train-data'
import { type TreeParams, treeSchema } from './params'
import { argmax } from './predict'
import { rng } from './random'
import { runDecisionTree } from './run-tree'
import { sortKey, splitThreshold } from './thresholds'

/** The float32 right after v. */
function nextUp(v: number): number {
  const f = new Float32Array([v])
  const i = new Int32Array(f.buffer)
  if (v === 0) return 1.401298464324817e-45
  i[0] += v > 0 ? 1 : -1
  return f[0]
}

describe('splitThreshold', () => {
  test('neighbouring float32 values: the threshold is the lower one', () => {
    for (const a of [1, -1, 0.1, 3.4028234663852886e38 / 2, 1e-40, -1e-40, 16777216]) {
      const fa = Math.fround(a)
      const b = nextUp(fa)
      const t = splitThreshold(fa, b)
      expect(t).toBe(fa)
      expect(Math.fround(t)).toBe(t)
    }
  })
  test('random pairs: a float32 t with a <= t < b', () => {
    const random = rng(42)
    const f = new Float32Array(1)
    const u = new Uint32Array(f.buffer)
    for (let i = 0; i < 20000; i++) {
      u[0] = (random() * 2 ** 32) >>> 0
      const a = f[0]
      if (!Number.isFinite(a)) continue
      const b = i % 3 === 0 ? nextUp(a) : Math.fround(a + Math.abs(a) * random() + 1e-30)
      if (!(b > a)) continue
      const t = splitThreshold(a, b)
      expect(Math.fround(t)).toBe(t)
      expect(a <= t && t < b).toBe(true)
    }
  })
  test('infinite neighbours', () => {
    expect(splitThreshold(5, Infinity)).toBe(5)
    expect(splitThreshold(-Infinity, 5)).toBe(-Infinity)
  })
  test('sortKey orders like numbers, -0 as 0, NaN last', () => {
    const vals = [-Infinity, -3.5, -1e-40, 0, 1e-40, 2, Infinity]
    for (let i = 1; i < vals.length; i++) expect(sortKey(vals[i])).toBeGreaterThan(sortKey(vals[i - 1]))
    expect(sortKey(-0)).toBe(sortKey(0))
    expect(sortKey(NaN)).toBeGreaterThan(sortKey(Infinity))
  })
})

describe('adversarial values through ONNX Runtime', () => {
  const defaults = Object.fromEntries(Object.entries(treeSchema).map(([k, v]) => [k, v.default])) as TreeParams
  test('splits between neighbouring float32 values and rows exactly on thresholds agree with ORT', async () => {
    // class flips between float32 neighbours, and decimals that are not float32 values
    const a = Math.fround(1)
    const rows = [
      [0, a],
      [1, nextUp(a)],
      [0, nextUp(nextUp(a))],
      [1, 0.1],
      [0, 0.10000000149011612],
      [1, 0.30000000000000004],
      [0, 0.3],
      [1, 1e-45],
      [0, 0],
      [1, -0],
      [0, 16777216],
      [1, 16777218],
      [0, 3.4e38],
      [1, -3.4e38],
    ]
    const csv = rows.map(([y, x]) => `${y},${x},${x}`).join('\n')
    const t = tableFromCsv(csv)
    const trained = await runDecisionTree(
      t,
      defaults,
      async () => {},
      () => {},
    )
    // probe: every training value, its float32 neighbours, and every midpoint the tree might use
    const probes = new Set<number>()
    for (let r = 0; r < t.rows; r++) {
      const v = t.x[r * 2]
      probes.add(v).add(nextUp(v)).add(-nextUp(-v))
    }
    const values = [...probes].filter(Number.isFinite)
    const probe = tableFromCsv(values.map((v) => `0,${v},${v}`).join('\n'))
    for (const table of [t, probe]) {
      const mine = argmax(trained.predict(table), 2)
      const out = await runOnnx(trained.onnx, table)
      expect(Array.from(out.label.data, Number)).toEqual(Array.from(mine, (i) => trained.classes![i] as number))
    }
    // the tree separates every pair of distinct float32 values; 0.1 / 0.10000000149011612, 0.3 /
    // 0.30000000000000004 and 0 / -0 are the same float32 (the precision the model sees), so one of each errs
    const train = argmax(trained.predict(t), 2)
    const wrong = rows.filter((row, r) => train[r] !== row[0])
    expect(wrong.length).toBe(3)
  })
})
