import { describe, expect, test } from 'bun:test'
import { syntheticCsv, tableFromCsv } from '../../test/fixtures/train-data'
import { type BoostingHooks, stoppingMetric, trainBoosting } from './boosting'
import type { BoostingState } from './checkpoint'
import { encodeClasses } from './labels'
import type { Target } from './objectives'
import { type BoostingParams, boostingSchema } from './params'
import { StoppedError, TrainError } from './train-errors'
import { countLeaves } from './tree'

const defaults = Object.fromEntries(Object.entries(boostingSchema).map(([k, v]) => [k, v.default])) as BoostingParams
const table = tableFromCsv(syntheticCsv(800, 8, { seed: 11, classes: 3 }))
const target: Target = { kind: 'multi', k: 3, classes: encodeClasses(table, [0, 1, 2], 'training'), values: null }
const valid = tableFromCsv(syntheticCsv(300, 8, { seed: 12, classes: 3 }))
const validTarget: Target = { ...target, classes: encodeClasses(valid, [0, 1, 2], 'validation') }

function run(p: Partial<BoostingParams>, hooks: Partial<BoostingHooks> = {}, withValid = false) {
  const lines: string[] = []
  const result = trainBoosting(
    table,
    target,
    withValid ? { ...valid, target: validTarget } : null,
    { ...defaults, ...p },
    { log: (l) => lines.push(l), pause: async () => {}, ...hooks },
  )
  return { result, lines }
}
const logloss = (lines: string[]) =>
  lines.filter((l) => l.startsWith('[')).map((l) => Number(/train:logloss=([0-9.e+-]+);/.exec(l)![1]))

describe('trainBoosting', () => {
  test('training loss decreases every round; progress lines carry metrics and elapsed time', async () => {
    const { result, lines } = run({ num_round: 15 })
    const r = await result
    const losses = logloss(lines)
    expect(losses.length).toBe(15)
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1])
    expect(lines.find((l) => l.startsWith('[15/15]'))).toMatch(
      /train:logloss=[0-9.]+; train:accuracy=[0-9.]+; elapsed=[0-9.]+s$/,
    )
    expect(r.model.trees.length).toBe(45)
    expect(r.train.accuracy).toBeGreaterThan(0.8)
  })
  test('early stopping keeps the best round of the validation metric', async () => {
    const { result, lines } = run({ num_round: 200, eta: 0.5, early_stopping_rounds: 5 }, {}, true)
    const r = await result
    expect(r.rounds).toBeLessThan(200)
    expect(r.model.trees.length).toBe((r.bestRound + 1) * 3)
    expect(r.rounds - 1 - r.bestRound).toBe(5)
    expect(lines.some((l) => l.startsWith('early stopping'))).toBe(true)
  })
  test('gamma prunes low-gain splits', async () => {
    const leaves = async (gamma: number) =>
      (await run({ num_round: 3, gamma }).result).model.trees.reduce((s, t) => s + countLeaves(t), 0)
    expect(await leaves(20)).toBeLessThan(await leaves(0))
  })
  test('a run stopped and resumed from its checkpoint grows exactly the uninterrupted trees', async () => {
    const p = { num_round: 12, subsample: 0.7, colsample_bytree: 0.6 }
    const whole = await run(p).result
    let saved: BoostingState | null = null
    let rounds = 0
    const stopped = run(p, {
      pause: async () => {
        if (++rounds === 5) throw new StoppedError('SIGTERM')
      },
      save: async (s) => {
        saved = { ...s, fingerprint: 'x' }
      },
    }).result
    await expect(stopped).rejects.toBeInstanceOf(StoppedError)
    expect(saved!.rounds).toBe(5)
    const resumed = await run(p, { resume: saved }).result
    expect(resumed.model.trees.length).toBe(whole.model.trees.length)
    resumed.model.trees.forEach((t, i) => {
      expect(Array.from(t.threshold)).toEqual(Array.from(whole.model.trees[i].threshold))
      expect(Array.from(t.value)).toEqual(Array.from(whole.model.trees[i].value))
    })
  })
  test('an eval_metric that does not fit the task fails instead of stopping after round 1', async () => {
    const { result } = run({ eval_metric: 'rmse', early_stopping_rounds: 3, num_round: 50 }, {}, true)
    await expect(result).rejects.toBeInstanceOf(TrainError)
    await expect(result).rejects.toThrow(
      'hyperparameter eval_metric="rmse" does not fit the task classification; use one of logloss, error, accuracy',
    )
    expect(() => stoppingMetric('regression', 'logloss')).toThrow(
      'does not fit the task regression; use one of rmse, mae',
    )
    expect(stoppingMetric('binary', 'auto')).toBe('logloss')
    expect(stoppingMetric('regression', 'mae')).toBe('mae')
  })
})
