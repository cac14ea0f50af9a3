/**
 * `byoc serve`: listen at once (so /ping can say 503 while loading), then extract, find and load the
 * model into warm Workers, then turn /ping to 200. SIGTERM stops accepting, lets requests in flight
 * finish, and exits 0.
 */
import { resolve } from 'node:path'
import { type Config, DEFAULTS, loadConfig, logFormatFrom } from '../config'
import { StartupError } from '../errors'
import { canonicalType, ENCODABLE_TYPES } from '../formats/media-types'
import { type Fields, log, setLogFormat, setLogLevel } from '../log'
import { extractInChild, stopExtraction } from '../model/archive-process'
import { type DeviceStart, deviceReport, startDevice } from '../model/device-start'
import { findModelFile } from '../model/find-model'
import { findHandler } from '../model/handler-load'
import { LOCALE, useBundledLocale } from '../model/locale'
import { WorkerPool } from '../model/pool'
import { describeValue, hasBatchAxis, type ValueInfo } from '../model/signature'
import { type ModelConfig, readModelConfig } from '../model-config'
import { ONNXRUNTIME_VERSION, VERSION } from '../version'
import { createApp, type ServerState } from './app'
import { startListener } from './listener'
import { parseMediaType } from './media-type'
import { detectResources, executionParameters, type Resources } from './resources'
import { ServeMetrics } from './serve-metrics'
import { chooseWorkers } from './worker-plan'

/** How long, after SIGTERM, the server still reads requests that were already on their way. */
const DRAIN_MS = 300

export async function serve(): Promise<void> {
  let config: Readonly<Config>
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof StartupError)) throw error
    setLogFormat(logFormatFrom())
    log.error(error.message, { event: 'config_error' })
    process.exit(1)
  }
  setLogLevel(config.logLevel)
  setLogFormat(config.logFormat)
  let defaultAccept: string | null = null
  try {
    defaultAccept = responseType(config.defaultAccept, 'SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT')
  } catch (error) {
    log.error((error as Error).message)
    process.exit(1)
  }
  // Before the port opens: it may re-exec byoc onto the CUDA forward-compatibility libraries.
  const device = await startDevice(config)
  const resources = detectResources()
  const workers = chooseWorkers(config, resources.cpus)
  const state: ServerState = { ready: false, reason: 'model is loading', pool: null, active: 0 }
  let modelConfig: ModelConfig | null = null
  const metrics = config.metrics
    ? new ServeMetrics({ version: VERSION, onnxruntime: ONNXRUNTIME_VERSION, device: () => deviceReport }, () => ({
        inFlight: state.active,
        queued: state.pool?.inflight ?? 0,
        queuedBytes: state.pool?.inflightBytes ?? 0,
        workersReady: state.pool?.readyWorkers ?? 0,
      }))
    : null
  const app = createApp({
    metrics,
    serverTiming: config.serverTiming,
    state,
    maxPayloadBytes: config.maxPayloadBytes,
    defaultAccept: () => defaultAccept,
    echoCustomAttributes: () => modelConfig?.echoCustomAttributes ?? false,
    executionParameters: () =>
      executionParameters(resources, {
        maxConcurrentTransforms: config.maxConcurrentTransforms,
        maxPayloadBytes: config.maxPayloadBytes,
        batchStrategy: config.batchStrategy,
        payloadConfigured: config.payloadConfigured,
        workers: workers.count,
      }),
  })
  const front = startListener(app.fetch, {
    hostname: config.host,
    port: config.port,
    // SageMaker allows 60 s per request; Elysia's default of 30 s would cut slow ones off. Bun's limit
    // is 255 s: a longer request timeout turns the idle timeout off rather than cutting requests short.
    idleTimeout: config.timeoutSeconds + 5 > 255 ? 0 : Math.max(65, Math.ceil(config.timeoutSeconds) + 5),
    mode: config.httpFront,
  })
  log.info(
    `byoc ${VERSION} serving on ${config.host}:${front.port} (pid ${process.pid}); model dir ${config.modelDir}` +
      `; metrics ${metrics ? 'on at GET /metrics' : 'off'}`,
    {
      event: 'listening',
      version: VERSION,
      onnxruntime: ONNXRUNTIME_VERSION,
      host: config.host,
      port: front.port,
      pid: process.pid,
      model_dir: config.modelDir,
      metrics: metrics !== null,
    },
  )
  if (config.batchTransform)
    log.info(
      `batch transform: ${config.batchStrategy}, max payload ${config.maxPayloadBytes} bytes, ` +
        `max concurrent transforms ${config.maxConcurrentTransforms ?? 'not set'}; one output line per input line`,
      {
        event: 'batch_transform',
        strategy: config.batchStrategy,
        max_payload_bytes: config.maxPayloadBytes,
        max_concurrent_transforms: config.maxConcurrentTransforms,
      },
    )

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info(`${signal} received: finishing ${state.active} requests in flight, then exiting`, {
      event: 'stopping',
      signal,
      in_flight: state.active,
    })
    // Within 25 s of the 30 s SageMaker allows before SIGKILL. Bun's stop() closes idle keep-alive
    // connections at once, bytes of a request already in their socket buffers included; so first every
    // answer says Connection: close and the server keeps reading for a moment, which answers whatever had
    // arrived, then it stops accepting and waits for the requests it holds (uploads, queued, running).
    const until = performance.now() + 25_000
    stopExtraction()
    front.drain()
    await Bun.sleep(DRAIN_MS)
    await front.stop(until)
    while (state.active > 0 && performance.now() < until) await Bun.sleep(5)
    await state.pool?.close()
    log.info('stopped', { event: 'stopped' })
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))

  try {
    const loadStarted = performance.now()
    const bundled = useBundledLocale(config.localePath)
    if (bundled)
      log.info(`${LOCALE} is not installed: using the copy beside the executable (LOCPATH=${bundled})`, {
        event: 'locale',
        locpath: bundled,
      })
    modelConfig = await loadModel(config, workers, state, resources, device)
    if (metrics) {
      metrics.model().loaded((performance.now() - loadStarted) / 1000)
      state.pool!.observer = metrics.model()
    }
    defaultAccept ??= responseType(modelConfig?.defaultAccept ?? null, 'byoc.json defaultAccept')
    // performance.now() counts from process start, so this includes the runtime's own start-up.
    const readyMs = Math.round(performance.now())
    log.info(`ready in ${readyMs} ms`, { event: 'ready', ready_ms: readyMs })
  } catch (error) {
    state.ready = false
    state.reason = `model failed to load: ${error instanceof Error ? error.message : String(error)}`
    log.error(`${state.reason}; /ping answers 503`, { event: 'model_failed' })
  }
}

/** A configured default response type, canonical; one byoc cannot write stops the start. */
function responseType(value: string | null, source: string): string | null {
  if (!value) return null
  const type = canonicalType(parseMediaType(value).type)
  if (!ENCODABLE_TYPES.includes(type))
    throw new Error(`${source}="${value}" is not a type byoc can answer in; use one of ${ENCODABLE_TYPES.join(', ')}`)
  return type
}

async function loadModel(
  config: Readonly<Config>,
  workers: { count: number; threads: number; spinning: boolean },
  state: ServerState,
  resources: Resources,
  device: DeviceStart,
) {
  if (device.failure) throw new Error(device.failure)
  const extracted = await extractInChild(config.modelDir, config.archiveTimeoutSeconds)
  if (extracted)
    log.info(`extracted model archive: ${extracted.length} files into ${config.modelDir}`, {
      event: 'extracted',
      files: extracted.length,
      model_dir: config.modelDir,
    })
  const modelConfig = readModelConfig(config.modelDir)
  const modelPath = findModelFile(config.modelDir, { fromConfig: modelConfig?.model, fromEnv: config.modelFile })
  const plan = device.plan
  log.info(`model file ${modelPath}`, { event: 'model', model: modelPath })
  const handlerPath = findHandler(resolve(config.modelDir), config.customScript)
  if (handlerPath) log.info(`handler ${handlerPath}`, { event: 'handler', handler: handlerPath })
  const batching = modelConfig?.batching ?? {}
  const pool = new WorkerPool(
    workers.count,
    {
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
      },
      logLevel: config.logLevel,
      logFormat: config.logFormat,
      handler: handlerPath
        ? {
            path: handlerPath,
            modelDir: resolve(config.modelDir),
            config: (modelConfig as Record<string, unknown>) ?? null,
          }
        : null,
    },
    config.timeoutSeconds * 1000,
    config.maxQueueSize,
    // Queued bodies may take a quarter of the memory: decoding multiplies each several times over.
    Math.max(64 * 1024 * 1024, resources.memoryBytes / 4),
  )
  const ready = await pool.start()
  deviceReport.provider = ready.provider
  if (ready.library)
    log.info(`ONNX Runtime library ${ready.library}`, { event: 'onnxruntime_library', library: ready.library })
  if (ready.handler)
    log.info(`handler hooks: ${ready.handler.hooks.join(', ') || 'none'}`, {
      event: 'handler_hooks',
      hooks: ready.handler.hooks,
    })
  for (const f of ready.fallbacks) log.warn(`execution provider fallback: ${f}`, { event: 'provider_fallback' })
  if (ready.provider === 'cpu' && !ready.fallbacks.length)
    log.info(`${device.cpuReason}: running on CPU`, { event: 'device', device: 'cpu', reason: device.cpuReason })
  const value = (v: ValueInfo, extra: Fields) => ({ name: v.name, type: v.type, shape: v.shape, ...extra })
  for (const i of ready.signature.inputs)
    log.info(`input  ${describeValue(i)}${hasBatchAxis(i) ? '' : ' (no batch axis)'}`, {
      event: 'input',
      ...value(i, { batch_axis: hasBatchAxis(i) }),
    })
  for (const o of ready.signature.outputs)
    log.info(`output ${describeValue(o)}${ready.outputs.includes(o.name) ? '' : ' (not returned)'}`, {
      event: 'output',
      ...value(o, { returned: ready.outputs.includes(o.name) }),
    })
  for (const o of ready.skippedOutputs)
    log.warn(`output "${o.name}" is ${o.onnxType ?? 'not a tensor'}, which onnxruntime-node cannot return: left out`, {
      event: 'output_skipped',
      name: o.name,
      type: o.onnxType ?? 'non-tensor',
    })
  const warm = ready.warmUp
  if (warm.verdict === 'synthetic')
    log.warn(
      `warm-up with a synthetic record failed in a way real records may not (see README "Health"), serving: ${warm.problem}`,
      { event: 'warm_up_synthetic_failure', problem: warm.problem },
    )
  const warmUp = warm.ms === null ? null : Math.round(warm.ms * 10) / 10
  log.info(
    `execution provider ${ready.provider}${ready.provider === 'cuda' ? ` (device ${config.deviceId})` : ''}; ` +
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
    },
  )
  state.pool = pool
  state.ready = true
  state.reason = ''
  return modelConfig
}
