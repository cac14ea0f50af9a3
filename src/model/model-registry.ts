/**
 * The models of a multi-model endpoint (SAGEMAKER_MULTI_MODEL=true), loaded and unloaded as SageMaker
 * asks. Each model is loaded exactly as the single-model server loads its one model (archive, byoc.json,
 * model file, Workers, warm-up), but into Workers of its own: session creation blocks the thread it runs
 * on, so a model sharing Workers with others would stall them while it loads (docs/multi-model.md has
 * the measurements behind this layout). A model starts with one Worker and gains more, up to a cap, while
 * its requests keep every Worker busy and its memory booking allows.
 */
import { existsSync, statSync } from 'node:fs'
import { isAbsolute, join, normalize, relative } from 'node:path'
import type { Config } from '../config'
import { PREPARE_WORKER_URL } from '../entrypoints'
import { ByocError, errors } from '../errors'
import { log } from '../log'
import type { ModelConfig } from '../model-config'
import type { ProviderAttempt } from './execution-provider'
import { findHandler } from './handler-load'
import { checkHandlerTypes, startChecked } from './handler-typecheck'
import type { MemoryBudget } from './memory-budget'
import { estimateWorkerBytes } from './memory-estimate'
import { trimNativeHeap } from './native-heap'
import { WorkerPool } from './pool'
import { logReady, poolSettings } from './pool-settings'
import type { PreparedModel } from './prepare-model'

/** One model; `ready`, `reason`, `pool` and `active` are the shape the HTTP layer's ServerState has. */
export interface LoadedModel {
  name: string
  /** The url it was loaded from, as SageMaker sent it. */
  url: string
  phase: 'loading' | 'ready' | 'unloading'
  ready: boolean
  reason: string
  pool: WorkerPool | null
  /** Requests for it between arrival and answer (the HTTP layer counts them); unload waits for them. */
  active: number
  modelConfig: ModelConfig | null
  /** Estimated resident bytes of one of its Workers. */
  workerBytes: number
  growing: boolean
}

export interface RegistryOptions {
  config: Readonly<Config>
  budget: MemoryBudget
  /** Execution providers to try, and why the plan is CPU only (model/device-start.ts). */
  device: { plan: ProviderAttempt[]; cpuReason: string; failure: string | null }
  /** Loads (prepare, session creation, warm-up) running at once; more wait their turn. */
  maxLoads: number
  /** Most Workers one model may have. */
  maxWorkers: number
  /** Request bytes one model may hold queued and running. */
  maxInflightBytes: number
  /** Model-level checks (e.g. its defaultAccept); throwing fails the load with a 400. */
  check?: (config: ModelConfig | null) => void
  /** Told of each model once it is loaded (metrics: its load time, its pool's runs and restarts). */
  loaded?: (name: string, loadSeconds: number, pool: WorkerPool) => void
}

/** SageMaker's model names are opaque hashes; these characters keep a name safe in a URL path and a log. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/
/** SageMaker sends /opt/ml/models/<name>/model; BYOC_ML_ROOT relocates /opt/ml as everywhere else. */
const SAGEMAKER_MODELS = '/opt/ml/models'
/** SageMaker waits at most 360 s for an unload; requests still running past this are left to time out. */
const UNLOAD_WAIT_MS = 350_000
/** Requests queued per Worker at which a model gains another Worker. */
const GROW_AT = 4
/** Error texts that mean a resource ran out (Triton's list): a 507, so SageMaker frees memory and retries. */
const OUT_OF_MEMORY = /out of memory|\bOOM\b|bad_alloc|failed to allocate|cannot allocate|no space left on device/i

export class ModelRegistry {
  private readonly models = new Map<string, LoadedModel>()
  private loading = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly o: RegistryOptions) {}

  /** A fully loaded model, or null (loading, unloading and absent models are not served). */
  get(name: string): LoadedModel | null {
    const m = this.models.get(name)
    return m?.phase === 'ready' ? m : null
  }

  /** Every model's Worker pool (loading and unloading ones included), for the gauges. */
  pools(): WorkerPool[] {
    const pools: WorkerPool[] = []
    for (const m of this.models.values()) if (m.pool) pools.push(m.pool)
    return pools
  }

  /** Fully loaded models, sorted by name. */
  loaded(): LoadedModel[] {
    return [...this.models.values()].filter((m) => m.phase === 'ready').sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  /**
   * Loads `name` from `url` and resolves once it answered its warm-up run. Throws a ByocError: 409 when
   * the name is loaded or loading, 404 when the url does not exist, 507 when it will not fit in memory,
   * 400 for any other reason the model cannot be served.
   */
  async load(name: string, url: string): Promise<LoadedModel> {
    if (!NAME.test(name))
      throw errors.badInput(`model_name "${name.slice(0, 80)}" must be 1-256 letters, digits, ".", "_" or "-"`)
    const dir = this.directory(url)
    const existing = this.models.get(name)
    if (existing)
      throw errors.conflict(
        existing.phase === 'unloading'
          ? `model ${name} is being unloaded; load it again once that finished`
          : `model ${name} is already ${existing.phase === 'ready' ? 'loaded' : 'loading'}`,
      )
    const m: LoadedModel = {
      name,
      url,
      phase: 'loading',
      ready: false,
      reason: `model ${name} is loading`,
      pool: null,
      active: 0,
      modelConfig: null,
      workerBytes: 0,
      growing: false,
    }
    // Set before the first await: of two loads of one name, the second finds this and gets its 409.
    this.models.set(name, m)
    const t0 = performance.now()
    try {
      if (!isDirectory(dir)) throw errors.notFound(`model url ${url} does not exist (looked in ${dir})`)
      await this.turn()
      try {
        await this.start(m, dir)
      } finally {
        this.done()
      }
    } catch (error) {
      this.models.delete(name)
      this.o.budget.release(name)
      const e = loadError(error)
      log.warn(`model ${name}: load failed (${e.status}): ${e.message}`, {
        event: 'model_load_failed',
        model_name: name,
        status: e.status,
      })
      throw e
    }
    m.phase = 'ready'
    m.ready = true
    m.reason = ''
    const ms = performance.now() - t0
    this.o.loaded?.(name, ms / 1000, m.pool!)
    log.info(`model ${name}: loaded in ${ms.toFixed(0)} ms from ${dir}`, {
      event: 'model_loaded',
      model_name: name,
      load_ms: Math.round(ms),
    })
    return m
  }

  private async start(m: LoadedModel, dir: string): Promise<void> {
    const { config, budget } = this.o
    if (this.o.device.failure) throw new Error(this.o.device.failure)
    const prepared = await prepare(dir, config.modelFile)
    const prefix = `model ${m.name}: `
    if (prepared.extracted !== null)
      log.info(`${prefix}extracted model archive: ${prepared.extracted} files into ${dir}`, {
        event: 'extracted',
        files: prepared.extracted,
        model_dir: dir,
        model_name: m.name,
      })
    log.info(`${prefix}model file ${prepared.modelPath} (${prepared.fileBytes} bytes, ${prepared.kind})`, {
      event: 'model',
      model: prepared.modelPath,
      model_name: m.name,
      bytes: prepared.fileBytes,
      kind: prepared.kind,
    })
    this.o.check?.(prepared.modelConfig)
    m.modelConfig = prepared.modelConfig
    m.workerBytes = estimateWorkerBytes(prepared.fileBytes, prepared.kind)
    budget.book(m.name, m.workerBytes, `model ${m.name}`)
    const threads = config.intraOpThreads ?? 1
    // Its own code/handler.ts (or CUSTOM_SCRIPT_FILENAME) from its own folder, as for a single model.
    const handlerPath = findHandler(dir, config.customScript)
    if (handlerPath)
      log.info(`${prefix}handler ${handlerPath}`, { event: 'handler', handler: handlerPath, model_name: m.name })
    const handler = handlerPath
      ? { path: handlerPath, modelDir: dir, config: prepared.modelConfig as Record<string, unknown> | null }
      : null
    const init = poolSettings(
      config,
      { threads, spinning: config.allowSpinning ?? false },
      prepared.modelPath,
      prepared.modelConfig,
      this.o.device.plan,
      handler,
    )
    const pool = new WorkerPool(1, init, config.timeoutSeconds * 1000, config.maxQueueSize, this.o.maxInflightBytes)
    const checked = handlerPath ? checkHandlerTypes(handlerPath, config.handlerTypecheck, m.name) : null
    const ready = await startChecked(pool, checked).catch(async (e) => {
      await pool.exited()
      throw e
    })
    // A model that cannot answer its warm-up request already failed pool.start() (model-worker.ts): a 400.
    budget.started(m.name)
    const spinning = config.allowSpinning ?? false
    logReady(ready, config, this.o.device.cpuReason, { count: 1, threads, spinning }, m.name)
    m.pool = pool
  }

  /**
   * Called for each request to a loaded model: when its Workers each have several requests queued it gains one more (one at a
   * time, up to the cap, only if the memory booking allows). The new Worker loads on a thread of its own.
   */
  busy(m: LoadedModel): void {
    const pool = m.pool
    if (!pool || m.growing || m.phase !== 'ready' || pool.workers >= this.o.maxWorkers) return
    // A queue of several requests per Worker, not one coincidence: a new Worker costs a load and memory.
    if (pool.inflight < GROW_AT * pool.workers) return
    try {
      this.o.budget.book(m.name, m.workerBytes, `another Worker for model ${m.name}`)
    } catch {
      return
    }
    m.growing = true
    pool
      .grow()
      .finally(() => this.o.budget.started(m.name))
      .then(
        () =>
          log.info(`model ${m.name}: busy, now ${pool.workers} workers`, { event: 'model_grew', model_name: m.name }),
        (e: Error) => log.warn(`model ${m.name}: an extra worker failed to start: ${e.message}`),
      )
      .finally(() => {
        m.growing = false
      })
  }

  /**
   * Unloads `name` once the requests already admitted for it are answered, and resolves when its Workers
   * have exited and their memory is released. 404 when it is not loaded.
   */
  async unload(name: string): Promise<void> {
    const m = this.models.get(name)
    if (m?.phase !== 'ready') throw errors.notFound(`model ${name} is not loaded${m ? ` (it is ${m.phase})` : ''}`)
    const t0 = performance.now()
    m.phase = 'unloading'
    m.ready = false
    m.reason = `model ${name} is being unloaded`
    const pool = m.pool!
    while ((m.active > 0 || pool.inflight > 0) && performance.now() - t0 < UNLOAD_WAIT_MS) await Bun.sleep(2)
    while (m.growing) await Bun.sleep(2)
    await pool.close()
    await pool.exited()
    this.models.delete(name)
    this.o.budget.release(name)
    trimNativeHeap()
    const ms = Math.round(performance.now() - t0)
    log.info(`model ${name}: unloaded in ${ms} ms`, { event: 'model_unloaded', model_name: name, unload_ms: ms })
  }

  /** Requests in flight across all models (shutdown waits for them). */
  get active(): number {
    let n = 0
    for (const m of this.models.values()) n += m.active
    return n
  }

  /** Retires every model's Workers (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.pool?.close()))
  }

  /** The model folder a url names, inside the models dir; a 400 for anything else. */
  private directory(url: string): string {
    const { modelsDir } = this.o.config
    if (typeof url !== 'string' || !isAbsolute(url))
      throw errors.badInput(`url "${String(url).slice(0, 200)}" must be an absolute path`)
    let path = normalize(url)
    if (path === SAGEMAKER_MODELS || path.startsWith(`${SAGEMAKER_MODELS}/`))
      path = join(modelsDir, path.slice(SAGEMAKER_MODELS.length))
    const inside = relative(modelsDir, path)
    if (!inside || inside.startsWith('..') || isAbsolute(inside))
      throw errors.badInput(`url "${url.slice(0, 200)}" must lie under ${SAGEMAKER_MODELS}`)
    return path
  }

  private async turn(): Promise<void> {
    if (this.loading < this.o.maxLoads) {
      this.loading++
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private done(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.loading--
  }
}

const isDirectory = (path: string) => existsSync(path) && statSync(path).isDirectory()

function loadError(error: unknown): ByocError {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof ByocError) return error
  return OUT_OF_MEMORY.test(message) ? errors.insufficientMemory(message) : errors.badInput(message)
}

/** Runs prepare-model.ts in a Worker of its own, off the HTTP thread. */
function prepare(dir: string, modelFile: string | null): Promise<PreparedModel> {
  const worker = new Worker(PREPARE_WORKER_URL)
  return new Promise<PreparedModel>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; prepared?: PreparedModel; message?: string }>) => {
      if (event.data.ok) resolve(event.data.prepared!)
      else reject(new Error(event.data.message))
    }
    worker.onerror = (event) => reject(new Error((event as ErrorEvent).message ?? 'the prepare worker crashed'))
    worker.postMessage({ dir, modelFile })
  }).finally(() => worker.terminate())
}
