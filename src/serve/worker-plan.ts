/**
 * How many model Workers and how many ONNX Runtime threads each: by default one Worker per core with
 * one thread each (small tabular models are dominated by per-request overhead, which parallel Workers
 * hide), fewer when batch transform says fewer requests arrive at once. On the bench models, N Workers x 1
 * thread beat 1 x N threads in nearly every case (bench/RESULTS.md has the figures). Decoding stays in
 * the Workers: CSV decode and cast are a large part of a request's CPU (bench in-process split), which on
 * the one HTTP thread would serialise. ONNX Runtime's thread spinning is
 * off unless asked for: spinning threads take the cores the HTTP thread and the other Workers need.
 * MODEL_SERVER_WORKERS, BYOC_INTRA_OP_THREADS and BYOC_ALLOW_SPINNING override.
 */
import type { Config } from '../config'

export interface WorkerPlan {
  count: number
  threads: number
  spinning: boolean
}

export function chooseWorkers(
  config: Pick<Config, 'workers' | 'intraOpThreads' | 'allowSpinning' | 'maxConcurrentTransforms' | 'device'>,
  cpus: number,
): WorkerPlan {
  const cores = Math.max(1, Math.floor(cpus))
  // One Worker per GPU device is enough: CUDA serialises kernels and each Worker holds its own weights.
  const byDefault = config.device === 'cuda' ? 1 : Math.min(cores, config.maxConcurrentTransforms ?? cores)
  const count = config.workers ?? Math.max(1, byDefault)
  const threads = config.intraOpThreads ?? Math.max(1, Math.floor(cores / count))
  const spinning = config.allowSpinning ?? false
  return { count, threads, spinning }
}
