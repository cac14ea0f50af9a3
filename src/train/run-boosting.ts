/** The gradient_boosting algorithm end to end: objective and labels, checkpoints, rounds, ONNX. */

import { log as logger } from '../log'
import { stoppingMetric, trainBoosting } from './boosting'
import { type BoostingState, Checkpoints, checksum } from './checkpoint'
import type { Table } from './csv-table'
import { boostedOnnx } from './export'
import { type Classes, classesOf, encodeClasses, encodeTargets, inferTask } from './labels'
import type { ObjectiveKind, Target } from './objectives'
import type { BoostingParams } from './params'
import { predictBoosted } from './predict'
import type { Trained } from './run-tree'
import { StoppedError, TrainError } from './train-errors'

function objectiveOf(train: Table, p: BoostingParams): { kind: ObjectiveKind; classes: Classes | null } {
  const task =
    p.objective === 'auto'
      ? inferTask(train, p.num_class !== null ? 'classification' : 'auto', {
          regression: 'objective=reg:squarederror',
          classification: 'objective=multi:softprob',
        })
      : p.objective.startsWith('reg:')
        ? 'regression'
        : 'classification'
  if (task === 'regression') {
    inferTask(train, 'regression') // fails on a non-numeric label
    return { kind: 'regression', classes: null }
  }
  let classes = classesOf(train)
  if (p.num_class !== null) {
    const ok = classes.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < p.num_class!)
    if (!ok)
      throw new TrainError(
        `hyperparameter num_class="${p.num_class}" needs integer labels 0..${p.num_class - 1}; the training labels include "${classes.find((c) => !(typeof c === 'number' && c >= 0 && c < p.num_class!))}"`,
      )
    classes = Array.from({ length: p.num_class }, (_, i) => i)
  }
  if (classes.length < 2)
    throw new TrainError(`the training labels hold only one class ("${classes[0]}"); classification needs at least two`)
  if (p.objective === 'binary:logistic' && classes.length > 2)
    throw new TrainError(
      `objective binary:logistic needs two classes; the training labels hold ${classes.length} (${classes.slice(0, 10).join(', ')}); use multi:softprob`,
    )
  const multi = p.objective.startsWith('multi:') || classes.length > 2
  return { kind: multi ? 'multi' : 'binary', classes }
}

function targetOf(t: Table, kind: ObjectiveKind, classes: Classes | null, channel: string): Target {
  if (kind === 'regression') return { kind, k: 1, classes: null, values: encodeTargets(t, channel) }
  return {
    kind,
    k: kind === 'binary' ? 1 : classes!.length,
    classes: encodeClasses(t, classes!, channel),
    values: null,
  }
}

export async function runBoosting(
  train: Table,
  valid: Table | null,
  p: BoostingParams,
  checkpointDir: string,
  pause: () => Promise<void>,
  log: (line: string) => void,
  warn: (line: string) => void = logger.warn,
): Promise<Trained> {
  const { kind, classes } = objectiveOf(train, p)
  const target = targetOf(train, kind, classes, 'training')
  const validTarget = valid ? targetOf(valid, kind, classes, 'validation') : null
  stoppingMetric(kind, p.eval_metric) // fails now on an eval_metric that does not fit the task
  if (p.early_stopping_rounds !== null && !valid)
    log('early_stopping_rounds is set but there is no validation channel; training all num_round rounds')
  const objective =
    kind === 'regression' ? 'reg:squarederror' : kind === 'binary' ? 'binary:logistic' : 'multi:softprob'
  // nthread is accepted for XGBoost compatibility: a second thread building histograms did not pay (README, Threads)
  log(
    `gradient_boosting: objective ${objective}${classes ? `, ${classes.length} classes (${classes.slice(0, 10).join(', ')})` : ''}; 1 thread`,
  )

  const checkpoints = p.checkpoints ? new Checkpoints(checkpointDir) : null
  const { num_round, early_stopping_rounds, nthread, checkpoints: _, ...settings } = p
  // the validation data decides the best round (early stopping), so a changed validation set starts afresh
  const validation = valid && validTarget ? checksum(valid.x, validTarget.classes ?? validTarget.values!) : null
  const fingerprint = JSON.stringify({
    v: 2,
    kind,
    classes,
    settings,
    data: checksum(train.x, target.classes ?? target.values!),
    validation,
  })
  let resume = null
  if (checkpoints) {
    const loaded = await checkpoints.load(fingerprint)
    resume = loaded.state
    if (!resume && loaded.reason !== 'no checkpoint') log(loaded.reason)
  }
  // checkpoints are best-effort: a read-only or full checkpoint folder must not fail a job that trains fine
  let saved = false
  let warned = false
  const save = async (state: Omit<BoostingState, 'fingerprint'>) => {
    try {
      await checkpoints!.save({ ...state, fingerprint })
      saved = true
    } catch (e) {
      if (!warned)
        warn(
          `cannot write the checkpoint ${checkpoints!.path}: ${(e as Error).message}; training goes on without checkpoints`,
        )
      warned = true
    }
  }
  const started = performance.now()
  let result: Awaited<ReturnType<typeof trainBoosting>>
  try {
    result = await trainBoosting(train, target, valid && validTarget ? { ...valid, target: validTarget } : null, p, {
      log,
      pause,
      resume,
      save: checkpoints ? save : undefined,
    })
  } catch (e) {
    if (e instanceof StoppedError && saved) e.checkpoint = checkpoints!.path
    throw e
  }
  const seconds = (performance.now() - started) / 1000
  const model = result.model
  log(`boosted ${model.trees.length / model.target.k} rounds (${model.trees.length} trees) in ${seconds.toFixed(2)} s`)
  return {
    onnx: boostedOnnx(model, classes),
    classes,
    info: {
      objective,
      rounds: model.trees.length / model.target.k,
      trees: model.trees.length,
      bestRound: result.bestRound >= 0 ? result.bestRound + 1 : null,
      stoppingMetric: result.metric,
      resumedFromRound: resume ? resume.rounds : null,
      seconds: Number(seconds.toFixed(3)),
    },
    predict: (t: Table) => predictBoosted(model, t),
  }
}
