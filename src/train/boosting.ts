/**
 * Gradient boosting rounds: gradients at the current margins, one histogram tree per margin (one per
 * class for multiclass), margins updated, metrics logged, early stopping on the validation channel, and
 * checkpoints. Each round draws its random numbers from (seed, round), so a run resumed from a checkpoint
 * grows exactly the trees the uninterrupted run would have.
 */
import { makeBins } from './bins'
import type { BoostingState } from './checkpoint'
import { HistTreeGrower } from './gbtree'
import { higherIsBetter, type Metrics, metricLine } from './metrics'
import { baseMargins, gradients, marginMetrics, type Target } from './objectives'
import type { BoostingParams } from './params'
import { permutation, rng } from './random'
import { TrainError } from './train-errors'
import { leafOf, type Tree } from './tree'

export interface Matrix {
  x: Float32Array
  rows: number
  features: number
}

export interface BoostedModel {
  target: Pick<Target, 'kind' | 'k'>
  features: number
  base: number[]
  /** Round-major: tree round·k + c adds to margin c. */
  trees: Tree[]
}

export interface BoostingHooks {
  log: (line: string) => void
  /** Awaited after every round: yields to the event loop and throws when the job must stop. */
  pause: () => Promise<void>
  /** A saved state to resume from, if any. */
  resume?: BoostingState | null
  /** Called every `checkpointSeconds` and when stopping; fingerprint is filled in by the caller. */
  save?: (state: Omit<BoostingState, 'fingerprint'>) => Promise<void>
  checkpointSeconds?: number
}

export interface BoostingResult {
  model: BoostedModel
  rounds: number
  bestRound: number
  metric: string
  train: Metrics
  validation: Metrics | null
}

const evaluate = marginMetrics

/** The eval_metric values that fit each task (marginMetrics computes only these). */
export const TASK_METRICS = { classification: ['logloss', 'error', 'accuracy'], regression: ['rmse', 'mae'] } as const

/** The early-stopping metric for a task: the default for `auto`, else eval_metric, which must fit the task. */
export function stoppingMetric(kind: Target['kind'], evalMetric: BoostingParams['eval_metric']): string {
  const task = kind === 'regression' ? 'regression' : 'classification'
  if (evalMetric === 'auto') return task === 'regression' ? 'rmse' : 'logloss'
  const allowed: readonly string[] = TASK_METRICS[task]
  if (!allowed.includes(evalMetric))
    throw new TrainError(
      `hyperparameter eval_metric="${evalMetric}" does not fit the task ${task}; use one of ${allowed.join(', ')}`,
    )
  return evalMetric
}

function addTree(margins: Float64Array, k: number, c: number, tree: Tree, m: Matrix): void {
  for (let r = 0; r < m.rows; r++) margins[r * k + c] += tree.value[leafOf(tree, m.x, r * m.features)]
}

export async function trainBoosting(
  train: Matrix,
  target: Target,
  valid: (Matrix & { target: Target }) | null,
  p: BoostingParams,
  hooks: BoostingHooks,
): Promise<BoostingResult> {
  const started = performance.now()
  const metric = stoppingMetric(target.kind, p.eval_metric)
  const { rows: n, features: F } = train
  const k = target.k
  const bins = makeBins(train.x, n, F, p.max_bin)
  hooks.log(
    `binned ${F} features into at most ${p.max_bin} bins in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  )
  const grower = new HistTreeGrower(bins, {
    maxDepth: p.max_depth,
    minChildWeight: p.min_child_weight,
    lambda: p.lambda,
    alpha: p.alpha,
    gamma: p.gamma,
    eta: p.eta,
  })
  const names = target.kind === 'regression' ? ['rmse', 'mae'] : ['logloss', 'accuracy']
  if (!names.includes(metric)) names.unshift(metric)
  const higher = higherIsBetter(metric)

  const resume = hooks.resume ?? null
  const base = resume?.base ?? baseMargins(target)
  // a checkpoint from a longer run (num_round lowered since) keeps only num_round rounds
  const trees: Tree[] = resume ? resume.trees.slice(0, p.num_round * k) : []
  const margins = new Float64Array(n * k)
  const vMargins = valid ? new Float64Array(valid.rows * k) : null
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) margins[r * k + c] = base[c]
  if (valid) for (let r = 0; r < valid.rows; r++) for (let c = 0; c < k; c++) vMargins![r * k + c] = base[c]
  trees.forEach((tree, i) => {
    addTree(margins, k, i % k, tree, train)
    if (valid) addTree(vMargins!, k, i % k, tree, valid)
  })
  let round = trees.length / k
  let bestRound = resume && resume.bestRound < round ? resume.bestRound : -1
  let bestScore = resume?.bestScore ?? NaN
  if (resume) hooks.log(`resumed from checkpoint after round ${round} (${trees.length} trees)`)

  const grad = Array.from({ length: k }, () => new Float64Array(n))
  const hess = Array.from({ length: k }, () => new Float64Array(n))
  const rows = new Int32Array(n)
  const every = p.num_round > 200 ? Math.ceil(p.num_round / 100) : 1
  let lastSave = performance.now()
  const state = () => ({ rounds: trees.length / k, base, trees: trees.slice(), bestRound, bestScore })
  let trainMetrics: Metrics = {}
  let validMetrics: Metrics | null = null

  try {
    for (; round < p.num_round; round++) {
      const random = rng((p.seed ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0)
      gradients(target, margins, grad, hess)
      for (let c = 0; c < k; c++) {
        let count = n
        if (p.subsample < 1) {
          count = 0
          for (let r = 0; r < n; r++) if (random() < p.subsample) rows[count++] = r
        } else for (let r = 0; r < n; r++) rows[r] = r
        const sample = rows.subarray(0, count)
        const perm = permutation(F, random)
        const nf = Math.max(1, Math.round(p.colsample_bytree * F))
        const feats = p.colsample_bytree < 1 ? perm.slice(0, nf).sort() : perm.sort()
        const tree = grower.grow(grad[c], hess[c], sample, feats, (start, end, value) => {
          if (p.subsample < 1) return
          for (let i = start; i < end; i++) margins[sample[i] * k + c] += value
        })
        if (p.subsample < 1) addTree(margins, k, c, tree, train)
        if (valid) addTree(vMargins!, k, c, tree, valid)
        trees.push(tree)
      }
      trainMetrics = evaluate(target, margins, n)
      let line = metricLine('train', trainMetrics, names)
      if (valid) {
        validMetrics = evaluate(valid.target, vMargins!, valid.rows)
        line += ` ${metricLine('validation', validMetrics, names)}`
        const score = validMetrics[metric]
        if (bestRound < 0 || (higher ? score > bestScore : score < bestScore)) {
          bestScore = score
          bestRound = round
        }
      }
      const last = round + 1 === p.num_round
      if ((round + 1) % every === 0 || last || round === 0)
        hooks.log(`[${round + 1}/${p.num_round}] ${line} elapsed=${((performance.now() - started) / 1000).toFixed(2)}s`)
      if (valid && p.early_stopping_rounds !== null && round - bestRound >= p.early_stopping_rounds) {
        hooks.log(
          `early stopping: validation:${metric} has not improved for ${p.early_stopping_rounds} rounds; best round ${bestRound + 1}`,
        )
        round++
        break
      }
      if (hooks.save && performance.now() - lastSave > (hooks.checkpointSeconds ?? 10) * 1000) {
        await hooks.save(state())
        lastSave = performance.now()
      }
      await hooks.pause()
    }
  } catch (e) {
    // stopped (SIGTERM): keep what the finished rounds produced
    if (hooks.save) await hooks.save(state())
    throw e
  }
  if (hooks.save) await hooks.save(state())
  if (!Object.keys(trainMetrics).length) {
    trainMetrics = evaluate(target, margins, n)
    if (valid) validMetrics = evaluate(valid.target, vMargins!, valid.rows)
  }
  const keep = valid && p.early_stopping_rounds !== null && bestRound >= 0 ? bestRound + 1 : trees.length / k
  return {
    model: { target: { kind: target.kind, k }, features: F, base, trees: trees.slice(0, keep * k) },
    rounds: round,
    bestRound: bestRound,
    metric,
    train: trainMetrics,
    validation: validMetrics,
  }
}

/** Margins of rows under a boosted model (rows × k). */
export function boostedMargins(model: BoostedModel, m: Matrix): Float64Array {
  const k = model.target.k
  const out = new Float64Array(m.rows * k)
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < k; c++) out[r * k + c] = model.base[c]
  model.trees.forEach((t, i) => {
    addTree(out, k, i % k, t, m)
  })
  return out
}
