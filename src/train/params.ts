/**
 * The hyperparameters of each algorithm, with scikit-learn's names for the decision tree and XGBoost's for
 * gradient boosting, and their defaults (documented in src/train/README.md; keep the two in step).
 */

import {
  bool,
  decodeValue,
  float,
  int,
  isReserved,
  oneOf,
  optional,
  type Param,
  type Parsed,
  parseWith,
} from './hyperparameters'
import { TrainError } from './train-errors'

/** scikit-learn's int-or-float sizes: `5` is a count, `0.01` a fraction of the training rows. */
export interface Size {
  count: number | null
  fraction: number | null
}

function size(defCount: number, minCount: number, maxFraction: number): Param<Size> {
  const describe = `whole number ≥ ${minCount}, or a fraction of the rows in (0, ${maxFraction}]`
  return {
    default: { count: defCount, fraction: null },
    describe,
    parse: (t) => {
      const n = Number(t)
      if (t === '' || !Number.isFinite(n)) throw describe
      if (/[.eE]/.test(t)) {
        if (n <= 0 || n > maxFraction) throw describe
        return { count: null, fraction: n }
      }
      if (!Number.isInteger(n) || n < minCount) throw describe
      return { count: n, fraction: null }
    },
  }
}

/** Rows a Size stands for on a training set of n rows (scikit-learn rounds fractions up). */
export function resolveSize(s: Size, n: number, min: number): number {
  return s.count ?? Math.max(min, Math.ceil(s.fraction! * n))
}

export const ALGORITHMS = ['decision_tree', 'gradient_boosting'] as const
export type Algorithm = (typeof ALGORITHMS)[number]

export const treeSchema = {
  algorithm: oneOf<Algorithm>('decision_tree', ALGORITHMS),
  task: oneOf('auto', ['auto', 'classification', 'regression'] as const),
  criterion: oneOf('auto', ['auto', 'gini', 'entropy', 'squared_error'] as const, {
    log_loss: 'entropy',
    mse: 'squared_error',
  }),
  max_depth: optional(int(null, 1)),
  max_leaf_nodes: optional(int(null, 2)),
  min_samples_split: size(2, 2, 1),
  min_samples_leaf: size(1, 1, 0.5),
  min_impurity_decrease: float(0, 0),
  random_state: optional(int(0, 0, 2 ** 32 - 1)),
}
export type TreeParams = Parsed<typeof treeSchema>

export const OBJECTIVES = ['auto', 'binary:logistic', 'multi:softprob', 'multi:softmax', 'reg:squarederror'] as const
export type Objective = (typeof OBJECTIVES)[number]
export const EVAL_METRICS = ['auto', 'logloss', 'error', 'accuracy', 'rmse', 'mae'] as const
export type EvalMetric = (typeof EVAL_METRICS)[number]

export const boostingSchema = {
  algorithm: oneOf<Algorithm>('gradient_boosting', ALGORITHMS),
  objective: oneOf<Objective>('auto', OBJECTIVES, { 'reg:linear': 'reg:squarederror' }),
  num_class: optional(int(null, 2, 65535)),
  num_round: int(100, 1, 1_000_000),
  eta: float(0.3, 0, 1, { minExclusive: true, aliases: ['learning_rate'] }),
  max_depth: int(6, 0, 64),
  min_child_weight: float(1, 0),
  lambda: float(1, 0, Infinity, { aliases: ['reg_lambda'] }),
  alpha: float(0, 0, Infinity, { aliases: ['reg_alpha'] }),
  gamma: float(0, 0, Infinity, { aliases: ['min_split_loss'] }),
  subsample: float(1, 0, 1, { minExclusive: true }),
  colsample_bytree: float(1, 0, 1, { minExclusive: true }),
  max_bin: int(256, 2, 65535),
  early_stopping_rounds: optional(int(null, 1)),
  eval_metric: oneOf<EvalMetric>('auto', EVAL_METRICS, { mlogloss: 'logloss', merror: 'error' }),
  seed: int(0, 0, 2 ** 32 - 1, ['random_state']),
  nthread: int(0, 0, 1024),
  tree_method: oneOf('hist', ['hist', 'auto', 'approx', 'exact'] as const),
  checkpoints: bool(true),
}
export type BoostingParams = Parsed<typeof boostingSchema>

export type TrainParams =
  | { algorithm: 'decision_tree'; tree: TreeParams; given: Record<string, string> }
  | { algorithm: 'gradient_boosting'; boosting: BoostingParams; given: Record<string, string> }

/** Decodes hyperparameters.json's object and parses it for the chosen algorithm (default gradient_boosting). */
export function parseParams(json: unknown): TrainParams {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new TrainError('hyperparameters.json must hold a JSON object of name → string value')
  const given: Record<string, string> = {}
  for (const [name, value] of Object.entries(json)) if (!isReserved(name)) given[name] = decodeValue(value)
  const algorithm = given.algorithm?.toLowerCase() ?? 'gradient_boosting'
  if (algorithm === 'decision_tree')
    return { algorithm, tree: parseWith(treeSchema, given, 'algorithm decision_tree'), given }
  if (algorithm === 'gradient_boosting')
    return { algorithm, boosting: parseWith(boostingSchema, given, 'algorithm gradient_boosting'), given }
  throw new TrainError(`hyperparameter algorithm="${given.algorithm}" must be one of ${ALGORITHMS.join(', ')}`)
}
