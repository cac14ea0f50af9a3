import { describe, expect, test } from 'bun:test'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { mlpModel } from '../../test/fixtures/models'
import { GraphBuilder } from '../onnx/builder'
import { Batcher, type RunFn, shapeKey } from './batcher'
import { concatFeeds, splitResults } from './tensors'

const mlp = await InferenceSession.create(mlpModel({ layers: [4, 8, 3] }))
// y = lookup[index]: an index outside 0..2 makes the whole run fail, whatever else is in the batch.
const lookup = await InferenceSession.create(
  new GraphBuilder('lookup')
    .input('index', 'int64', ['N', 1])
    .initializer('table', { dtype: 'float32', dims: [3], values: [10, 20, 30] })
    .node('Gather', ['table', 'index'], ['y'], { axis: 0 })
    .output('y', 'float32', ['N', 1])
    .toBytes(),
)
// Row sums of records of any width: requests of different widths must not share a run.
const rowSum = await InferenceSession.create(
  new GraphBuilder('row_sum')
    .input('input', 'float32', ['N', 'M'])
    .initializer('axis1', { dtype: 'int64', dims: [1], values: [1] })
    .node('ReduceSum', ['input', 'axis1'], ['y'], { keepdims: 1 })
    .output('y', 'float32', ['N', 1])
    .toBytes(),
)

/** A run function on a real session that records each run's record count. */
function counting(session: InferenceSession) {
  const sizes: number[] = []
  const run: RunFn = (feeds, records) => {
    sizes.push(records)
    return session.run(feeds)
  }
  return { sizes, run }
}

const rows = (values: number[][]) => ({
  input: new Tensor('float32', Float32Array.from(values.flat()), [values.length, values[0].length]),
})
const record = (i: number) => [i, i % 3, (i * 7) % 5, 1]

describe('Batcher', () => {
  test('concurrent requests share runs and each gets exactly what it would get alone, in order', async () => {
    const { sizes, run } = counting(mlp)
    const batcher = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 0, run })
    const alone = await Promise.all(Array.from({ length: 20 }, (_, i) => mlp.run(rows([record(i)]))))
    sizes.length = 0
    const ran = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.submit(rows([record(i)]), 1)))
    const merged = ran.map((r) => r.results)
    expect(sizes.length).toBeLessThan(20)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20)
    // Each run is reported once, on one of its requests, with its full size (the metrics count runs so).
    expect(ran.map((r) => r.runRows).filter((n) => n > 0)).toEqual(sizes)
    expect(ran.every((r) => r.runMs > 0)).toBe(true)
    merged.forEach((r, i) => {
      expect(r.label.dims).toEqual([1])
      expect(r.label.data).toEqual(alone[i].label.data)
      expect(Array.from(r.probabilities.data as Float32Array)).toEqual(
        Array.from(alone[i].probabilities.data as Float32Array),
      )
    })
  })

  test('waiting counts the requests queued behind the running batch', async () => {
    const batcher = new Batcher({ maxBatchSize: 2, maxQueueDelayMs: 0, run: (f) => mlp.run(f) })
    const [first, ...rest] = [1, 2, 3].map((i) => batcher.submit(rows([record(i)]), 1))
    expect(batcher.waiting).toBe(3)
    // At most 2 records a batch: when the first batch answers, the third request still waits, which is
    // when the Worker holds those answers for the next batch's.
    await first
    expect(batcher.waiting).toBe(1)
    await Promise.all(rest)
    expect(batcher.waiting).toBe(0)
  })

  test('multi-record requests are split back by their own record counts', async () => {
    const batcher = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 0, run: (f) => mlp.run(f) })
    const requests = [[record(1), record(2), record(3)], [record(4)], [record(5), record(6)]]
    const answers = (await Promise.all(requests.map((r) => batcher.submit(rows(r), r.length)))).map((r) => r.results)
    expect(answers.map((a) => a.probabilities.dims)).toEqual([
      [3, 3],
      [1, 3],
      [2, 3],
    ])
    const expected = await mlp.run(rows(requests.flat()))
    expect(answers.flatMap((a) => Array.from(a.label.data as BigInt64Array))).toEqual(
      Array.from(expected.label.data as BigInt64Array),
    )
  })

  test('a batch never exceeds maxBatchSize records; a larger request runs alone', async () => {
    const { sizes, run } = counting(mlp)
    const batcher = new Batcher({ maxBatchSize: 4, maxQueueDelayMs: 0, run })
    const big = Array.from({ length: 10 }, (_, i) => record(i))
    await Promise.all([
      ...Array.from({ length: 9 }, (_, i) => batcher.submit(rows([record(i)]), 1)),
      batcher.submit(rows(big), 10),
    ])
    expect(sizes.filter((n) => n !== 10).every((n) => n <= 4)).toBe(true)
    expect(sizes).toContain(10)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(19)
  })

  test('with a merge budget, cheap multi-record requests merge past maxBatchSize; without one they do not', async () => {
    const request = (i: number) => rows(Array.from({ length: 100 }, (_, r) => record(i + r)))
    const sizesWith = async (mergeBudgetMs: number) => {
      const { sizes, run } = counting(mlp)
      const batcher = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 0, mergeBudgetMs, run })
      await batcher.submit(request(0), 100) // the first run gives the estimate
      sizes.length = 0
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => batcher.submit(request(i), 100)))
      for (const [i, a] of answers.entries())
        expect(a.results.label.data).toEqual((await mlp.run(request(i))).label.data)
      return sizes
    }
    expect(Math.max(...(await sizesWith(0)))).toBe(100)
    // A 100-record run of this MLP takes well under 10 ms: the whole queue fits one budget.
    expect(Math.max(...(await sizesWith(50)))).toBeGreaterThan(100)
    // A budget below one record's time merges nothing beyond maxBatchSize.
    expect(Math.max(...(await sizesWith(1e-9)))).toBe(100)
  })
  test('requests with different per-record shapes are not merged', async () => {
    const { sizes, run } = counting(rowSum)
    const batcher = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 0, run })
    const [a, b, c] = await Promise.all([
      batcher.submit(rows([[1, 2]]), 1),
      batcher.submit(rows([[1, 2, 3]]), 1),
      batcher.submit(rows([[5, 5]]), 1),
    ])
    expect([a.results.y.data[0], b.results.y.data[0], c.results.y.data[0]]).toEqual([3, 6, 10])
    expect(sizes.sort()).toEqual([1, 2])
  })

  test('a request that fails its batch gets the error alone; the others still succeed', async () => {
    const { sizes, run } = counting(lookup)
    const batcher = new Batcher({ maxBatchSize: 64, maxQueueDelayMs: 0, run })
    const index = (i: number) => ({ index: new Tensor('int64', BigInt64Array.from([BigInt(i)]), [1, 1]) })
    const settled = await Promise.allSettled([0, 1, 7, 2].map((i) => batcher.submit(index(i), 1)))
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.results.y.data[0] : null))).toEqual([
      10,
      20,
      null,
      30,
    ])
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/7|index|out of/i)
    expect(batcher.stats.retried).toBe(1)
    expect(sizes.some((n) => n > 1)).toBe(true)
  })

  test('with a queue delay, requests arriving in separate turns are merged; a full batch runs without waiting', async () => {
    const { sizes, run } = counting(mlp)
    // The delay is far longer than the test: only reaching maxBatchSize can start the run.
    const batcher = new Batcher({ maxBatchSize: 4, maxQueueDelayMs: 60_000, run })
    const answers: Promise<unknown>[] = []
    for (let i = 0; i < 4; i++) {
      answers.push(batcher.submit(rows([record(i)]), 1))
      await Bun.sleep(0)
    }
    await Promise.all(answers)
    expect(sizes).toEqual([4])
  })
})

describe('tensor helpers', () => {
  test('concatFeeds stacks along dim 0 and splitResults undoes it', () => {
    const a = {
      x: new Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]),
      s: new Tensor('string', ['a', 'b'], [2, 1]),
    }
    const b = { x: new Tensor('float32', Float32Array.from([5, 6]), [1, 2]), s: new Tensor('string', ['c'], [1, 1]) }
    const merged = concatFeeds([a, b])
    expect(merged.x.dims).toEqual([3, 2])
    expect(Array.from(merged.x.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6])
    expect(merged.s.data).toEqual(['a', 'b', 'c'])
    const [pa, pb] = splitResults(merged, [2, 1])
    expect(Array.from(pa.x.data as Float32Array)).toEqual([1, 2, 3, 4])
    expect(pb.x.dims).toEqual([1, 2])
    expect(pb.s.data).toEqual(['c'])
  })
  test('splitResults refuses an output without the batch first', () => {
    const results = { total: new Tensor('float32', Float32Array.from([9]), [1]) }
    expect(() => splitResults(results, [1, 1])).toThrow(/total.*2 records/)
  })
  test('shapeKey tells dtypes and per-record dims apart, not record counts', () => {
    const f = (type: 'float32' | 'float64', dims: number[]) => ({
      x: new Tensor(
        type,
        new (type === 'float32' ? Float32Array : Float64Array)(dims.reduce((a, b) => a * b, 1)),
        dims,
      ),
    })
    expect(shapeKey(f('float32', [1, 4]), 1)).toBe(shapeKey(f('float32', [5, 4]), 5))
    expect(shapeKey(f('float32', [1, 4]), 1)).not.toBe(shapeKey(f('float64', [1, 4]), 1))
    expect(shapeKey(f('float32', [1, 4]), 1)).not.toBe(shapeKey(f('float32', [1, 5]), 1))
  })
})
