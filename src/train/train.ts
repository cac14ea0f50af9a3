/**
 * `byoc train`: the SageMaker training contract. Reads input/config and the `training` (required) and
 * `validation` (optional) channels, trains the chosen algorithm, writes model/model.onnx + model/byoc.json
 * (read by `byoc serve`) and output/data/evaluation.json, and logs metrics as `train:accuracy=0.97;`.
 * Any failure writes output/failure (first line: why; SageMaker shows its first 1024 characters) and
 * exits 1; SIGTERM stops at the next safe point (boosting saves a checkpoint) and exits 143.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Config, loadConfig } from '../config'
import { log, setLogFormat, setLogLevel } from '../log'
import { VERSION } from '../version'
import type { Table } from './csv-table'
import { loadChannel } from './data'
import { modelConfig } from './export'
import { readInputConfig } from './inputs'
import { encodeClasses, encodeTargets } from './labels'
import { classificationMetrics, type Metrics, metricLine, regressionMetrics } from './metrics'
import { parseParams, type TrainParams } from './params'
import { runBoosting } from './run-boosting'
import { runDecisionTree, type Trained } from './run-tree'
import { StopSignal } from './stop'
import { StoppedError, TrainError } from './train-errors'

export const EXIT_FAILED = 1
export const EXIT_STOPPED = 143

export async function train(): Promise<number> {
  let config: Readonly<Config>
  try {
    config = loadConfig()
  } catch (e) {
    process.stderr.write(`byoc train: ${(e as Error).message}\n`)
    return EXIT_FAILED
  }
  setLogLevel(config.logLevel)
  setLogFormat(config.logFormat)
  const stop = new StopSignal()
  await rm(join(config.outputDir, 'failure'), { force: true }).catch(() => {})
  try {
    await run(config, stop)
    return 0
  } catch (e) {
    return await fail(config, e)
  } finally {
    stop.dispose()
  }
}

async function run(config: Readonly<Config>, stop: StopSignal): Promise<TrainParams> {
  const started = performance.now()
  const info = (line: string) => log.info(line)
  const inputs = await readInputConfig(config.inputDir)
  const params = parseParams(inputs.hyperparameters)
  info(`byoc ${VERSION} train: algorithm ${params.algorithm}, hyperparameters ${JSON.stringify(params.given)}`)
  if (inputs.resource.hosts.length > 1)
    log.warn(
      `${inputs.resource.hosts.length} hosts; byoc trains on one host, so ${inputs.resource.currentHost} trains its own model on its own copy of the data`,
    )
  const channel = inputs.channels.get('training')
  if (!channel) {
    const have = [...inputs.channels.keys()]
    throw new TrainError(
      `no "training" channel: expected CSV files under ${join(config.inputDir, 'data', 'training')}${have.length ? ` (channels given: ${have.join(', ')})` : ''}`,
    )
  }
  for (const name of inputs.channels.keys())
    if (name !== 'training' && name !== 'validation')
      log.warn(`channel ${name} is not used (byoc reads training and validation)`)
  const train = await loadChannel(config.inputDir, channel, null, stop, info)
  const validChannel = inputs.channels.get('validation')
  const valid = validChannel ? await loadChannel(config.inputDir, validChannel, train.features, stop, info) : null
  const pause = () => stop.pause()
  const trained =
    params.algorithm === 'decision_tree'
      ? await runDecisionTree(train, params.tree, pause, info)
      : await runBoosting(train, valid, params.boosting, config.checkpointDir, pause, info)

  const metrics: Record<string, Metrics> = { train: evaluate(trained, train, 'training') }
  if (valid) metrics.validation = evaluate(trained, valid, 'validation')
  for (const [channelName, m] of Object.entries(metrics)) info(metricLine(channelName, m))

  const training = {
    algorithm: params.algorithm,
    hyperparameters: params.given,
    metrics,
    ...trained.info,
    classes: trained.classes,
    rows: train.rows,
  }
  // Bun.write creates the model dir when it is missing.
  await Bun.write(join(config.modelDir, 'model.onnx'), trained.onnx)
  await writeFile(
    join(config.modelDir, 'byoc.json'),
    `${JSON.stringify(modelConfig(train.features, trained.classes !== null, training), null, 2)}\n`,
  )
  const seconds = (performance.now() - started) / 1000
  const dataDir = join(config.outputDir, 'data')
  await mkdir(dataDir, { recursive: true })
  await writeFile(
    join(dataDir, 'evaluation.json'),
    `${JSON.stringify({ ...training, features: train.features, seconds: Number(seconds.toFixed(3)) }, null, 2)}\n`,
  )
  info(
    `wrote ${join(config.modelDir, 'model.onnx')} (${trained.onnx.length} bytes) and byoc.json; training took ${seconds.toFixed(2)} s`,
  )
  return params
}

function evaluate(trained: Trained, t: Table, channel: string): Metrics {
  const pred = trained.predict(t)
  const classes = trained.classes
  return classes
    ? classificationMetrics(pred, encodeClasses(t, classes, channel), classes.length)
    : regressionMetrics(pred, encodeTargets(t, channel))
}

/** Writes output/failure (first line: the reason) and returns the exit code. */
async function fail(config: Readonly<Config>, e: unknown): Promise<number> {
  let reason: string
  let detail = ''
  let code = EXIT_FAILED
  if (e instanceof TrainError) reason = e.message
  else if (e instanceof StoppedError) {
    code = EXIT_STOPPED
    // only claim a checkpoint that was written (not when stopped while loading data, nor when saving failed)
    reason = `${e.message}${e.checkpoint ? `; the finished rounds are checkpointed in ${e.checkpoint} and the next run resumes from them` : ''}`
  } else {
    const err = e instanceof Error ? e : new Error(String(e))
    reason = `internal error: ${err.message}`
    detail = err.stack ?? ''
  }
  const line = reason.replace(/\s*\n\s*/g, ' ')
  log.error(`training ${code === EXIT_STOPPED ? 'stopped' : 'failed'}: ${line}`)
  try {
    await mkdir(config.outputDir, { recursive: true })
    await writeFile(join(config.outputDir, 'failure'), `${line}\n${detail}`)
  } catch (w) {
    log.error(`cannot write ${join(config.outputDir, 'failure')}: ${(w as Error).message}`)
  }
  return code
}
