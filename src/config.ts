/**
 * Every setting byoc takes from the environment, read once here, validated with all problems reported
 * together, and frozen; Workers receive what they need of it by message. The two other reads of the
 * environment are the runtime's, not settings: NVIDIA_VISIBLE_DEVICES (is a GPU visible) and
 * LD_LIBRARY_PATH (where libonnxruntime may be).
 */

import { join } from 'node:path'
import { StartupError } from './errors'
import type { Level, LogFormat } from './log'

export type Device = 'auto' | 'cpu' | 'cuda'
export type CsvHeader = 'auto' | 'present' | 'absent'
export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all'

export interface Config {
  /** Root of the SageMaker tree, `/opt/ml` unless BYOC_ML_ROOT relocates it. */
  mlRoot: string
  modelDir: string
  inputDir: string
  outputDir: string
  checkpointDir: string
  host: string
  port: number
  /** Seconds one invocation may take before it is answered 504. */
  timeoutSeconds: number
  /** Largest accepted request body, in bytes. */
  maxPayloadBytes: number
  /** True when SAGEMAKER_MAX_PAYLOAD_IN_MB set the limit (else the 6 MB real-time default). */
  payloadConfigured: boolean
  batchTransform: boolean
  batchStrategy: 'MULTI_RECORD' | 'SINGLE_RECORD'
  /** SAGEMAKER_MAX_CONCURRENT_TRANSFORMS when set, else null (computed from the machine). */
  maxConcurrentTransforms: number | null
  /** Worker count when set by MODEL_SERVER_WORKERS, else null (chosen from the cores). */
  workers: number | null
  /** ONNX Runtime intra-op threads per Worker when set, else null (cores / workers). */
  intraOpThreads: number | null
  allowSpinning: boolean | null
  graphOptimization: GraphOptimization
  device: Device
  deviceId: number
  /** CUDA major the image's ONNX Runtime provider links (BYOC_CUDA_MAJOR, set by the gpu images). */
  cudaMajor: number | null
  /** Set by byoc itself in the process it re-execs onto the CUDA forward-compatibility libraries. */
  cudaCompatLoaded: boolean
  /** Model file named by BYOC_MODEL_FILE, relative to the model dir. */
  modelFile: string | null
  /** LOCPATH, when set: where glibc looks for locales (see src/model/locale.ts). */
  localePath: string | null
  /** Handler file named by CUSTOM_SCRIPT_FILENAME, relative to the model dir (default code/handler.ts|js|mjs). */
  customScript: string | null
  /** BYOC_HANDLER_TYPECHECK: type-check a TypeScript handler at model start (default on). */
  handlerTypecheck: boolean
  /** Outputs named by BYOC_OUTPUTS, in the order to return them. */
  outputs: string[] | null
  defaultAccept: string | null
  /** BYOC_CSV_HEADER when set; else the model config's choice, else 'auto'. */
  csvHeader: CsvHeader | null
  /** Dynamic batching: largest merged batch in records (0 disables), longest wait, queue bound. */
  maxBatchSize: number | null
  maxQueueDelayMs: number | null
  maxQueueSize: number
  /** BYOC_HTTP_LOOPS when set: HTTP event loops sharing the port (http-loops.ts), else null (from the cores). */
  httpLoops: number | null
  /** Set by byoc itself in the extra loops it starts (1..n-1); 0 in the first. */
  loopIndex: number
  logLevel: Level
  /** BYOC_LOG_FORMAT: text lines (default) or one JSON object per line. */
  logFormat: LogFormat
  /** BYOC_METRICS: GET /metrics and the recording behind it (default on). */
  metrics: boolean
  /** BYOC_SERVER_TIMING: a Server-Timing header on /invocations answers (default off). */
  serverTiming: boolean
  /** Longest a model archive's extraction may take at start-up (BYOC_ARCHIVE_TIMEOUT). */
  archiveTimeoutSeconds: number
  /** Longest a handler's import and load(ctx) may take in a Worker (BYOC_HANDLER_LOAD_TIMEOUT). */
  handlerLoadTimeoutSeconds: number
  /** BYOC_HTTP_FRONT: byoc's own HTTP/1.1 server (raw, the default), or Bun.serve (bun). */
  httpFront: 'raw' | 'bun'
  /** Multi-model endpoint (SAGEMAKER_MULTI_MODEL=true): models are loaded and unloaded through /models. */
  multiModel: boolean
  /** Where SageMaker puts multi-model endpoint models: `<mlRoot>/models`. */
  modelsDir: string
  /** BYOC_MME_MEMORY_BYTES: the memory loaded models may take, when set (else derived from the container's). */
  mmeMemoryBytes: number | null
  /** BYOC_MME_MAX_WORKERS: most Workers one model's pool may grow to, when set (else the core count). */
  mmeMaxWorkers: number | null
}

type Env = Record<string, string | undefined>

/** Defaults of the settings an environment variable or byoc.json can override, in one place. */
export const DEFAULTS = Object.freeze({
  mlRoot: '/opt/ml',
  host: '0.0.0.0',
  port: 8080,
  /** SageMaker's own default for SAGEMAKER_MODEL_SERVER_TIMEOUT. */
  timeoutSeconds: 60,
  /** SageMaker's real-time payload limit (6,291,456 bytes). */
  maxPayloadMB: 6,
  maxQueueSize: 1024,
  labelOutput: 'label',
  csvHeader: 'auto' as CsvHeader,
  maxBatchSize: 64,
  maxQueueDelayMs: 0,
  /** Past the default maxBatchSize, merged runs grow while estimated under this (batcher.ts). */
  mergeBudgetMs: 1,
})

const MiB = 1024 * 1024

/**
 * BYOC_LOG_FORMAT alone, for the one line written before the whole config is known: a StartupError
 * from loadConfig is itself logged in the format asked for.
 */
export function logFormatFrom(env: Env = process.env): LogFormat {
  return env.BYOC_LOG_FORMAT?.trim().toLowerCase() === 'json' ? 'json' : 'text'
}

/** Reads the environment once; throws a StartupError listing every bad variable. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = []
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = env[name]?.trim()
      if (value) return { name, value }
    }
    return null
  }
  const int = (names: string[], fallback: number | null, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const found = pick(...names)
    if (!found) return fallback
    const n = Number(found.value)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${found.name}="${found.value}" must be a whole number from ${min} to ${max}`)
      return fallback
    }
    return n
  }
  const num = (names: string[], fallback: number | null, min: number, max = Number.MAX_VALUE) => {
    const found = pick(...names)
    if (!found) return fallback
    const n = Number(found.value)
    if (!Number.isFinite(n) || n < min || n > max) {
      problems.push(`${found.name}="${found.value}" must be a number from ${min} to ${max}`)
      return fallback
    }
    return n
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const found = pick(name)
    if (!found) return fallback
    const v = found.value.toLowerCase() as T
    if (allowed.includes(v)) return v
    problems.push(`${name}="${found.value}" must be one of ${allowed.join(', ')}`)
    return fallback
  }
  const bool = (name: string, fallback: boolean | null): boolean | null => {
    const found = pick(name)
    if (!found) return fallback
    const v = found.value.toLowerCase()
    if (['true', '1', 'yes', 'on'].includes(v)) return true
    if (['false', '0', 'no', 'off'].includes(v)) return false
    problems.push(`${name}="${found.value}" must be true or false`)
    return fallback
  }

  const mlRoot = pick('BYOC_ML_ROOT')?.value ?? DEFAULTS.mlRoot
  const batchTransform = bool('SAGEMAKER_BATCH', false) ?? false
  const payloadMB = num(['SAGEMAKER_MAX_PAYLOAD_IN_MB'], null, 0)
  // Batch transform allows up to 100 MB; async inference more.
  const maxPayloadBytes = Math.round((payloadMB !== null && payloadMB > 0 ? payloadMB : DEFAULTS.maxPayloadMB) * MiB)
  const strategy =
    pick('SAGEMAKER_BATCH_STRATEGY')
      ?.value.toUpperCase()
      .replace('MULTIRECORD', 'MULTI_RECORD')
      .replace('SINGLERECORD', 'SINGLE_RECORD') ?? 'MULTI_RECORD'
  if (strategy !== 'MULTI_RECORD' && strategy !== 'SINGLE_RECORD')
    problems.push(`SAGEMAKER_BATCH_STRATEGY="${strategy}" must be MULTI_RECORD or SINGLE_RECORD`)
  const outputs =
    pick('BYOC_OUTPUTS')
      ?.value.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? null

  const config: Config = {
    mlRoot,
    modelDir: pick('SM_MODEL_DIR')?.value ?? join(mlRoot, 'model'),
    inputDir: join(mlRoot, 'input'),
    outputDir: join(mlRoot, 'output'),
    checkpointDir: pick('BYOC_CHECKPOINT_DIR')?.value ?? join(mlRoot, 'checkpoints'),
    host: pick('BYOC_HOST')?.value ?? DEFAULTS.host,
    port: int(['SAGEMAKER_BIND_TO_PORT', 'BYOC_PORT'], DEFAULTS.port, 0, 65535)!,
    // 3600 s is batch transform's longest InvocationsTimeoutInSeconds (and far below setTimeout's limit).
    timeoutSeconds: num(
      ['SAGEMAKER_MODEL_SERVER_TIMEOUT', 'MODEL_SERVER_TIMEOUT'],
      DEFAULTS.timeoutSeconds,
      0.001,
      3600,
    )!,
    maxPayloadBytes,
    payloadConfigured: payloadMB !== null && payloadMB > 0,
    batchTransform,
    batchStrategy: strategy === 'SINGLE_RECORD' ? 'SINGLE_RECORD' : 'MULTI_RECORD',
    maxConcurrentTransforms: int(['SAGEMAKER_MAX_CONCURRENT_TRANSFORMS'], null, 1),
    workers: int(['SAGEMAKER_MODEL_SERVER_WORKERS', 'MODEL_SERVER_WORKERS'], null, 1, 256),
    intraOpThreads: int(['BYOC_INTRA_OP_THREADS'], null, 0, 1024),
    allowSpinning: bool('BYOC_ALLOW_SPINNING', null),
    graphOptimization: oneOf('BYOC_GRAPH_OPTIMIZATION', ['disabled', 'basic', 'extended', 'all'] as const, 'all'),
    device: oneOf('BYOC_DEVICE', ['auto', 'cpu', 'cuda'] as const, 'auto'),
    deviceId: int(['BYOC_DEVICE_ID'], 0, 0, 64)!,
    cudaMajor: int(['BYOC_CUDA_MAJOR'], null, 11, 99),
    cudaCompatLoaded: bool('BYOC_CUDA_COMPAT_LOADED', false) ?? false,
    modelFile: pick('BYOC_MODEL_FILE')?.value ?? null,
    localePath: pick('LOCPATH')?.value ?? null,
    customScript: pick('CUSTOM_SCRIPT_FILENAME')?.value ?? null,
    handlerTypecheck: bool('BYOC_HANDLER_TYPECHECK', true) ?? true,
    outputs,
    defaultAccept: pick('SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT')?.value ?? null,
    csvHeader: pick('BYOC_CSV_HEADER')
      ? oneOf('BYOC_CSV_HEADER', ['auto', 'present', 'absent'] as const, DEFAULTS.csvHeader)
      : null,
    maxBatchSize: int(['BYOC_MAX_BATCH_SIZE'], null, 0, 1_000_000),
    maxQueueDelayMs: num(['BYOC_MAX_QUEUE_DELAY_MS'], null, 0),
    maxQueueSize: int(['BYOC_MAX_QUEUE_SIZE'], DEFAULTS.maxQueueSize, 1)!,
    httpLoops: int(['BYOC_HTTP_LOOPS'], null, 1, 256),
    loopIndex: int(['BYOC_LOOP_INDEX'], 0, 0, 256)!,
    logLevel: oneOf('BYOC_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    logFormat: oneOf('BYOC_LOG_FORMAT', ['text', 'json'] as const, 'text'),
    metrics: bool('BYOC_METRICS', true) ?? true,
    serverTiming: bool('BYOC_SERVER_TIMING', false) ?? false,
    archiveTimeoutSeconds: num(['BYOC_ARCHIVE_TIMEOUT'], 600, 0.001, 86_400)!,
    handlerLoadTimeoutSeconds: num(['BYOC_HANDLER_LOAD_TIMEOUT'], 300, 0.001, 86_400)!,
    httpFront: oneOf('BYOC_HTTP_FRONT', ['raw', 'bun'] as const, 'raw'),
    multiModel: bool('SAGEMAKER_MULTI_MODEL', false) ?? false,
    modelsDir: join(mlRoot, 'models'),
    mmeMemoryBytes: int(['BYOC_MME_MEMORY_BYTES'], null, 1),
    mmeMaxWorkers: int(['BYOC_MME_MAX_WORKERS'], null, 1, 256),
  }
  if (problems.length) throw new StartupError(`bad environment: ${problems.join('; ')}`)
  return Object.freeze(config)
}
