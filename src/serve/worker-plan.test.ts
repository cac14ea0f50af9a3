import { describe, expect, test } from 'bun:test'
import { chooseWorkers } from './worker-plan'

const base = {
  workers: null,
  intraOpThreads: null,
  allowSpinning: null,
  maxConcurrentTransforms: null,
  device: 'auto' as const,
}

describe('chooseWorkers', () => {
  test('MODEL_SERVER_WORKERS and BYOC_INTRA_OP_THREADS win', () => {
    expect(chooseWorkers({ ...base, workers: 3, intraOpThreads: 2 }, 8)).toMatchObject({ count: 3, threads: 2 })
  })
  test('threads split the cores between the Workers, at least one each', () => {
    const plan = chooseWorkers({ ...base, workers: 2 }, 8)
    expect(plan.threads).toBe(4)
    expect(chooseWorkers({ ...base, workers: 4 }, 2).threads).toBe(1)
  })
  test('batch transform with one concurrent transform gets one Worker with every core', () => {
    expect(chooseWorkers({ ...base, maxConcurrentTransforms: 1 }, 4)).toMatchObject({ count: 1, threads: 4 })
  })
  test('cuda defaults to one Worker', () => {
    expect(chooseWorkers({ ...base, device: 'cuda' }, 8).count).toBe(1)
  })
  test('spinning stays off unless asked for', () => {
    expect(chooseWorkers(base, 2).spinning).toBe(false)
    expect(chooseWorkers({ ...base, allowSpinning: true }, 2).spinning).toBe(true)
  })
})
