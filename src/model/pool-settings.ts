/**
 * What a model's Workers are started with, from the deployment (environment) and the model's own
 * byoc.json, the environment winning; and the log lines a warm model gets. Shared by the single-model
 * server and every model of a multi-model endpoint, so both load a model the same way.
 */
import { type Config, DEFAULTS } from '../config'
import { type Fields, log } from '../log'
import type { ModelConfig } from '../model-config'
import type { ProviderAttempt } from './execution-provider'
import type { HandlerSettings } from './handler-context'
import type { PoolInit } from './pool'
import type { WorkerReady } from './protocol'
import { describeValue, hasBatchAxis, type ValueInfo } from './signature'

export interface WorkerShape {
  count: number
  threads: number
  spinning: boolean
}

export function poolSettings(
  config: Readonly<Config>,
  workers: Omit<WorkerShape, 'count'>,
  modelPath: string,
  modelConfig: ModelConfig | null,
  plan: ProviderAttempt[],
  /** The model's custom handler (handler-load.ts findHandler), or null. */
  handler: HandlerSettings | null = null,
): PoolInit {
  const batching = modelConfig?.batching ?? {}
  return {
    session: {
      modelPath,
      plan,
      intraOpThreads: workers.threads,
      allowSpinning: workers.spinning,
      graphOptimization: config.graphOptimization,
    },
    outputs: config.outputs ?? modelConfig?.outputs ?? null,
    classLabels: modelConfig?.classLabels ?? null,
    labelOutput: modelConfig?.labelOutput ?? DEFAULTS.labelOutput,
    csvHeader: config.csvHeader ?? modelConfig?.csvHeader ?? DEFAULTS.csvHeader,
    batching: {
      maxBatchSize: config.maxBatchSize ?? batching.maxBatchSize ?? DEFAULTS.maxBatchSize,
      maxQueueDelayMs: config.maxQueueDelayMs ?? batching.maxQueueDelayMs ?? DEFAULTS.maxQueueDelayMs,
      // A maxBatchSize someone set is a hard bound (GPU memory, say); only the default one stretches.
      mergeBudgetMs: (config.maxBatchSize ?? batching.maxBatchSize) == null ? DEFAULTS.mergeBudgetMs : 0,
    },
    logLevel: config.logLevel,
    logFormat: config.logFormat,
    handler: handler && { ...handler, loadTimeoutMs: config.handlerLoadTimeoutSeconds * 1000 },
  }
}

/**
 * The load's log lines: runtime library, provider, inputs, outputs, warm-up. `model` names the model of
 * a multi-model endpoint: its lines start `model <name>: ` and carry a `model_name` field.
 */
export function logReady(
  ready: WorkerReady,
  config: Readonly<Config>,
  cpuReason: string,
  workers: WorkerShape,
  model: string | null = null,
): void {
  const prefix = model === null ? '' : `model ${model}: `
  const named: Fields = model === null ? {} : { model_name: model }
  if (ready.library)
    log.info(`${prefix}ONNX Runtime library ${ready.library}`, {
      event: 'onnxruntime_library',
      library: ready.library,
      ...named,
    })
  if (ready.handler)
    log.info(`${prefix}handler hooks: ${ready.handler.hooks.join(', ') || 'none'}`, {
      event: 'handler_hooks',
      hooks: ready.handler.hooks,
      ...named,
    })
  for (const f of ready.fallbacks)
    log.warn(`${prefix}execution provider fallback: ${f}`, { event: 'provider_fallback', ...named })
  if (ready.provider === 'cpu' && !ready.fallbacks.length)
    log.info(`${prefix}${cpuReason}: running on CPU`, { event: 'device', device: 'cpu', reason: cpuReason, ...named })
  const value = (v: ValueInfo, extra: Fields) => ({ name: v.name, type: v.type, shape: v.shape, ...extra, ...named })
  for (const i of ready.signature.inputs)
    log.info(`${prefix}input  ${describeValue(i)}${hasBatchAxis(i) ? '' : ' (no batch axis)'}`, {
      event: 'input',
      ...value(i, { batch_axis: hasBatchAxis(i) }),
    })
  for (const o of ready.signature.outputs)
    log.info(`${prefix}output ${describeValue(o)}${ready.outputs.includes(o.name) ? '' : ' (not returned)'}`, {
      event: 'output',
      ...value(o, { returned: ready.outputs.includes(o.name) }),
    })
  for (const o of ready.skippedOutputs)
    log.warn(
      `${prefix}output "${o.name}" is ${o.onnxType ?? 'not a tensor'}, which onnxruntime-node cannot return: left out`,
      {
        event: 'output_skipped',
        name: o.name,
        type: o.onnxType ?? 'non-tensor',
        ...named,
      },
    )
  const warm = ready.warmUp
  if (warm.verdict === 'synthetic')
    log.warn(
      `${prefix}warm-up with a synthetic record failed in a way real records may not (see README "Health"), serving: ${warm.problem}`,
      { event: 'warm_up_synthetic_failure', problem: warm.problem, ...named },
    )
  const warmUp = warm.ms === null ? null : Math.round(warm.ms * 10) / 10
  log.info(
    `${prefix}execution provider ${ready.provider}${ready.provider === 'cuda' ? ` (device ${config.deviceId})` : ''}; ` +
      `${workers.count} workers x ${workers.threads} intra-op threads, spinning ${workers.spinning ? 'on' : 'off'}, ` +
      `graph optimization ${config.graphOptimization}; warm-up run ${warmUp === null ? 'failed' : `${warmUp.toFixed(1)} ms`}; returning ${ready.outputs.join(', ')}`,
    {
      event: 'provider',
      provider: ready.provider,
      device_id: ready.provider === 'cuda' ? config.deviceId : null,
      workers: workers.count,
      threads: workers.threads,
      spinning: workers.spinning,
      graph_optimization: config.graphOptimization,
      warm_up_ms: warmUp,
      outputs: ready.outputs,
      ...named,
    },
  )
}
