/**
 * `byoc serve`: listen at once (so /ping can say 503 while loading), then extract, find and load the
 * model into warm Workers, then turn /ping to 200. SIGTERM stops accepting, lets requests in flight
 * finish, and exits 0.
 */
import { resolve } from 'node:path'
import { type Config, DEFAULTS, loadConfig, logFormatFrom } from '../config'
import { firstLine, StartupError } from '../errors'
import { canonicalType, ENCODABLE_TYPES } from '../formats/media-types'
import { log, setLogFormat, setLogLevel } from '../log'
import { extractInChild, stopExtraction } from '../model/archive-process'
import { type DeviceStart, deviceReport, startDevice } from '../model/device-start'
import { findModelFile } from '../model/find-model'
import { findHandler } from '../model/handler-load'
import { checkHandlerTypes, startChecked } from '../model/handler-typecheck'
import { LOCALE, useBundledLocale } from '../model/locale'
import { WorkerPool } from '../model/pool'
import { logReady, poolSettings } from '../model/pool-settings'
import { type ModelConfig, readModelConfig } from '../model-config'
import { ONNXRUNTIME_VERSION, VERSION } from '../version'
import { type AppOptions, createApp, frontRoutes, type ServerState } from './app'
import { type ExtraLoops, planLoops, startExtraLoops, watchFirstLoop } from './http-loops'
import { type Listener, startListener } from './listener'
import { parseMediaType } from './media-type'
import { createMultiModel } from './multi-model'
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
  // Extra HTTP loops get their shares of the Workers through their environment (http-loops.ts).
  const extra = config.loopIndex > 0
  // One loop on a multi-model endpoint (a POST /models reaches one loop, whose process alone would hold
  // the model).
  const shares =
    extra || config.multiModel ? [workers.count] : planLoops(config.httpLoops, resources.cpus, workers.count)
  const ownWorkers = { ...workers, count: shares[0] }
  let extraLoops: ExtraLoops | null = null
  const state: ServerState = { ready: false, reason: 'model is loading', pool: null, active: 0 }
  let modelConfig: ModelConfig | null = null
  let multiModel: ReturnType<typeof createMultiModel> | null = null
  const pools = () => (multiModel ? multiModel.registry.pools() : state.pool ? [state.pool] : [])
  const sum = (f: (pool: WorkerPool) => number) => pools().reduce((n, pool) => n + f(pool), 0)
  const metrics = config.metrics
    ? new ServeMetrics(
        { version: VERSION, onnxruntime: ONNXRUNTIME_VERSION, device: () => deviceReport },
        () => ({
          inFlight: state.active + (multiModel?.registry.active ?? 0),
          queued: sum((pool) => pool.inflight),
          queuedBytes: sum((pool) => pool.inflightBytes),
          workersReady: sum((pool) => pool.readyWorkers),
        }),
        // A multi-model endpoint's model metrics carry the model's name.
        config.multiModel,
      )
    : null
  const options = {
    metrics,
    serverTiming: config.serverTiming,
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
  }
  if (config.multiModel) multiModel = createMultiModel(config, resources, device, options, responseType)
  // Big batch requests are split across the single model's Workers (a multi-model endpoint's are not).
  const splitBatch =
    !multiModel && config.batchTransform && config.batchStrategy === 'MULTI_RECORD'
      ? {
          workers: ownWorkers.count,
          csvHeader: () => config.csvHeader ?? modelConfig?.csvHeader ?? DEFAULTS.csvHeader,
        }
      : null
  const appOptions: AppOptions = {
    ...options,
    state,
    multiModelRoutes: multiModel?.routes,
    modelInvocation: multiModel?.invoke,
    splitBatch,
  }
  const app = createApp(appOptions)
  const routes = frontRoutes(appOptions, app)
  let front: Listener | null = null
  const listen = (reusePort: boolean) => {
    const opened = startListener(routes, {
      hostname: config.host,
      port: config.port,
      // SageMaker allows 60 s per request; Elysia's default of 30 s would cut slow ones off. Bun's limit
      // is 255 s: a longer request timeout turns the idle timeout off rather than cutting requests short.
      idleTimeout: config.timeoutSeconds + 5 > 255 ? 0 : Math.max(65, Math.ceil(config.timeoutSeconds) + 5),
      mode: config.httpFront,
      maxPayloadBytes: config.maxPayloadBytes,
      // Shared only between byoc's own HTTP loops (see below).
      reusePort,
    })
    front = opened
    const loop = extra
      ? `, HTTP loop ${config.loopIndex}`
      : shares.length > 1
        ? `, HTTP loop 0 of ${shares.length}`
        : ''
    log.info(
      `byoc ${VERSION} serving on ${config.host}:${opened.port} (pid ${process.pid}${loop}); model dir ${config.modelDir}` +
        `; metrics ${metrics ? 'on at GET /metrics' : 'off'}`,
      {
        event: 'listening',
        version: VERSION,
        onnxruntime: ONNXRUNTIME_VERSION,
        host: config.host,
        port: opened.port,
        pid: process.pid,
        http_loop: config.loopIndex,
        model_dir: config.modelDir,
        metrics: metrics !== null,
      },
    )
    return opened
  }
  if (!extra) {
    try {
      // With several loops the port is shared (SO_REUSEPORT), which would also let a stale server share it:
      // an exclusive bind first fails this start the way a single loop's does.
      if (shares.length > 1) {
        const probe = { hostname: config.host, port: config.port, reusePort: false, fetch: () => new Response() }
        Bun.serve(probe).stop(true)
      }
      listen(shares.length > 1)
    } catch (error) {
      // One line, not Bun's uncaught-error print (a page of the bundle's minified source).
      log.error(`cannot listen on ${config.host}:${config.port}: ${firstLine(error)}`, { event: 'listen_failed' })
      process.exit(1)
    }
  }
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
    // Extra HTTP loops get SIGTERM at once and do the same.
    const loopsStopped = extraLoops?.stop()
    const until = performance.now() + 25_000
    stopExtraction()
    const listening = front as Listener | null
    if (listening) {
      listening.drain()
      await Bun.sleep(DRAIN_MS)
      await listening.stop(until)
    }
    while ((state.active > 0 || (multiModel?.registry.active ?? 0) > 0) && performance.now() < until) await Bun.sleep(5)
    await state.pool?.close()
    await multiModel?.registry.close()
    await loopsStopped
    log.info('stopped', { event: 'stopped' })
    process.exit(0)
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal) // cli.ts's, for the start before this point
    process.on(signal, () => void stop(signal))
  }

  if (extra) watchFirstLoop((why) => void stop(why))
  // Before any model Worker starts (its sessions read the locale), single-model or multi-model.
  const bundled = useBundledLocale(config.localePath)
  if (bundled)
    log.info(`${LOCALE} is not installed: using the copy beside the executable (LOCPATH=${bundled})`, {
      event: 'locale',
      locpath: bundled,
    })
  if (multiModel) {
    // Models arrive through POST /models; the server itself is ready at once.
    state.ready = true
    state.reason = 'this is a multi-model endpoint: invoke POST /models/<name>/invoke'
    const readyMs = Math.round(performance.now())
    log.info(`ready in ${readyMs} ms`, { event: 'ready', ready_ms: readyMs })
    return
  }
  try {
    const loadStarted = performance.now()
    modelConfig = await loadModel(config, ownWorkers, state, resources, device)
    if (metrics) {
      metrics.model().loaded((performance.now() - loadStarted) / 1000)
      state.pool!.observer = metrics.model()
    }
    defaultAccept ??= responseType(modelConfig?.defaultAccept ?? null, 'byoc.json defaultAccept')
    // performance.now() counts from process start, so this includes the runtime's own start-up.
    const readyMs = Math.round(performance.now())
    log.info(`ready in ${readyMs} ms`, { event: 'ready', ready_ms: readyMs })
    if (extra) listen(true)
    else if (shares.length > 1 && !stopping)
      extraLoops = startExtraLoops(shares, workers.threads, (front as Listener | null)?.port ?? config.port)
  } catch (error) {
    if (extra) {
      log.error(`HTTP loop ${config.loopIndex}: ${error instanceof Error ? error.message : String(error)}`)
      process.exit(1)
    }
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
  const handler = handlerPath
    ? {
        path: handlerPath,
        modelDir: resolve(config.modelDir),
        config: (modelConfig as Record<string, unknown>) ?? null,
      }
    : null
  const pool = new WorkerPool(
    workers.count,
    poolSettings(config, workers, modelPath, modelConfig, plan, handler),
    config.timeoutSeconds * 1000,
    config.maxQueueSize,
    // Queued bodies may take a quarter of the memory: decoding multiplies each several times over.
    Math.max(64 * 1024 * 1024, resources.memoryBytes / 4),
  )
  // The type check runs beside the Workers' start; the model is ready once both succeeded. Extra HTTP
  // loops start only after the first loop's check passed: they do not repeat it.
  const checked = handlerPath && config.loopIndex === 0 ? checkHandlerTypes(handlerPath, config.handlerTypecheck) : null
  const ready = await startChecked(pool, checked)
  deviceReport.provider = ready.provider
  logReady(ready, config, device.cpuReason, workers)
  state.pool = pool
  state.ready = true
  state.reason = ''
  return modelConfig
}
