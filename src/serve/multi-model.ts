/**
 * Wiring of a multi-model endpoint (SAGEMAKER_MULTI_MODEL=true): the memory budget, the model registry
 * and the /models routes, from the frozen config and the container's resources.
 */
import type { Config } from '../config'
import { log } from '../log'
import type { DeviceStart } from '../model/device-start'
import { MemoryBudget } from '../model/memory-budget'
import { residentBytes } from '../model/memory-estimate'
import { ModelRegistry } from '../model/model-registry'
import { capMallocArenas } from '../model/native-heap'
import type { AppOptions } from './app'
import { multiModelRoutes } from './multi-model-routes'
import type { Resources } from './resources'

/** Share of the container's memory the models may take by default; the rest is the server and requests. */
const MODEL_SHARE = 0.8
/** Share of the container's memory the whole process may hold before loads are refused. */
const PROCESS_SHARE = 0.9
const MiB = 1024 * 1024

export function createMultiModel(
  config: Readonly<Config>,
  resources: Resources,
  device: DeviceStart,
  app: Omit<AppOptions, 'state' | 'multiModelRoutes'>,
  responseType: (value: string | null, source: string) => string | null,
) {
  // Before any model Worker exists: loads and unloads then reuse a few arenas instead of growing new ones.
  capMallocArenas(Math.max(2, resources.cpus))
  const limit = config.mmeMemoryBytes ?? Math.max(0, Math.floor(resources.memoryBytes * MODEL_SHARE) - residentBytes())
  const budget = new MemoryBudget(limit, Math.floor(resources.memoryBytes * PROCESS_SHARE))
  const maxWorkers = config.mmeMaxWorkers ?? config.workers ?? resources.cpus
  const registry = new ModelRegistry({
    config,
    budget,
    device,
    maxLoads: resources.cpus,
    maxWorkers,
    maxInflightBytes: Math.max(64 * MiB, resources.memoryBytes / 4),
    check: (modelConfig) => void responseType(modelConfig?.defaultAccept ?? null, 'byoc.json defaultAccept'),
    loaded: (name, seconds, pool) => {
      const series = app.metrics?.model(name)
      if (!series) return
      series.loaded(seconds)
      pool.observer = series
    },
  })
  log.info(
    `multi-model endpoint: models under ${config.modelsDir}; memory for models ${(limit / MiB).toFixed(0)} MiB` +
      `${config.mmeMemoryBytes ? ' (BYOC_MME_MEMORY_BYTES)' : ` (${MODEL_SHARE * 100}% of ${(resources.memoryBytes / MiB).toFixed(0)} MiB less the server)`}; ` +
      `up to ${resources.cpus} loads at once, up to ${maxWorkers} workers per model`,
    {
      event: 'multi_model',
      models_dir: config.modelsDir,
      memory_bytes: limit,
      max_loads: resources.cpus,
      max_workers: maxWorkers,
    },
  )
  const { routes, invoke } = multiModelRoutes({
    registry,
    app,
    defaultAccept: (m) =>
      responseType(m.modelConfig?.defaultAccept ?? null, 'byoc.json defaultAccept') ?? app.defaultAccept(),
  })
  return { registry, routes, invoke }
}
