import { describe, expect, test } from 'bun:test'
import { decodeValue } from './hyperparameters'
import { parseParams } from './params'
import { TrainError } from './train-errors'

describe('decodeValue', () => {
  test('plain and JSON-encoded-again strings', () => {
    expect(decodeValue('5')).toBe('5')
    expect(decodeValue('"5"')).toBe('5')
    expect(decodeValue('"\\"5\\""')).toBe('5')
    expect(decodeValue('"False"')).toBe('False')
    expect(decodeValue(5)).toBe('5')
    expect(decodeValue(true)).toBe('true')
    expect(decodeValue('binary:logistic')).toBe('binary:logistic')
  })
})

describe('parseParams', () => {
  test('defaults to gradient_boosting with XGBoost defaults', () => {
    const p = parseParams({})
    expect(p.algorithm).toBe('gradient_boosting')
    if (p.algorithm !== 'gradient_boosting') return
    expect(p.boosting).toMatchObject({
      num_round: 100,
      eta: 0.3,
      max_depth: 6,
      lambda: 1,
      gamma: 0,
      max_bin: 256,
      checkpoints: true,
    })
  })
  test('values JSON-encoded again, aliases, booleans in any case', () => {
    const p = parseParams({
      num_round: '"\\"5\\""',
      learning_rate: '"0.1"',
      reg_lambda: '2',
      checkpoints: '"False"',
      objective: '"multi:softprob"',
    })
    if (p.algorithm !== 'gradient_boosting') throw new Error('wrong algorithm')
    expect(p.boosting).toMatchObject({
      num_round: 5,
      eta: 0.1,
      lambda: 2,
      checkpoints: false,
      objective: 'multi:softprob',
    })
    for (const [text, want] of [
      ['TRUE', true],
      ['0', false],
      ['1', true],
      ['false', false],
    ] as const) {
      const q = parseParams({ checkpoints: text })
      if (q.algorithm === 'gradient_boosting') expect(q.boosting.checkpoints).toBe(want)
    }
  })
  test('decision tree: None, fractions, criterion synonyms', () => {
    const p = parseParams({
      algorithm: 'decision_tree',
      max_depth: 'None',
      min_samples_leaf: '0.05',
      min_samples_split: '4',
      criterion: 'log_loss',
    })
    if (p.algorithm !== 'decision_tree') throw new Error('wrong algorithm')
    expect(p.tree.max_depth).toBeNull()
    expect(p.tree.min_samples_leaf).toEqual({ count: null, fraction: 0.05 })
    expect(p.tree.min_samples_split).toEqual({ count: 4, fraction: null })
    expect(p.tree.criterion).toBe('entropy')
  })
  test('sagemaker_ names are ignored', () => {
    expect(() =>
      parseParams({
        sagemaker_program: 'x',
        sagemaker_region: '"us-east-1"',
        _tuning_objective_metric: 'validation:logloss',
      }),
    ).not.toThrow()
  })
  test('unknown names and bad values fail, naming each', () => {
    const bad = (hp: Record<string, string>) => {
      try {
        parseParams(hp)
      } catch (e) {
        expect(e).toBeInstanceOf(TrainError)
        return (e as Error).message
      }
      throw new Error('did not fail')
    }
    expect(bad({ num_rounds: '5' })).toContain('unknown hyperparameter "num_rounds"')
    expect(bad({ eta: 'fast' })).toContain('eta="fast" must be a number')
    expect(bad({ max_depth: '2.5', subsample: '0' })).toMatch(/max_depth="2.5".*subsample="0"/)
    expect(bad({ checkpoints: 'maybe' })).toContain('checkpoints="maybe" must be a true or false')
    expect(bad({ algorithm: 'random_forest' })).toContain('algorithm="random_forest"')
    expect(bad({ algorithm: 'decision_tree', eta: '0.1' })).toContain(
      'unknown hyperparameter "eta" for algorithm decision_tree',
    )
    expect(bad({ lambda: '1', reg_lambda: '2' })).toContain('set the same thing')
  })
  test('hyperparameters.json must be an object', () => {
    expect(() => parseParams([1, 2])).toThrow(TrainError)
  })
})
