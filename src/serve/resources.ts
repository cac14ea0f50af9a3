/**
 * The cores and memory this container can really use (cgroup limits included, since a container sees the
 * host's totals in os.cpus()/os.totalmem()), and the GET /execution-parameters answer derived from them.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'

export interface Resources {
  cpus: number
  memoryBytes: number
}

export interface ExecutionParameters {
  MaxConcurrentTransforms: number
  BatchStrategy: 'MULTI_RECORD' | 'SINGLE_RECORD'
  MaxPayloadInMB: number
}

const MiB = 1024 * 1024

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return null
  }
}

/**
 * Folders that may hold this process's limits for one controller: its own cgroup (from /proc/self/cgroup)
 * and every ancestor up to the mount root, since a parent's limit binds too. Inside a container the own
 * path often does not exist under the mount (the mount root IS the container's cgroup); the walk then
 * simply reaches the root.
 */
function cgroupDirs(root: string, mount: string, controller: string | null): string[] {
  let own = '/'
  for (const line of (read(join(root, 'proc/self/cgroup')) ?? '').split('\n')) {
    const [, controllers, path] = line.split(':')
    if (path === undefined) continue
    const list = controllers.split(',')
    if (controller === null ? controllers === '' : list.includes(controller)) own = path
  }
  const parts = own.split('/').filter(Boolean)
  const dirs: string[] = []
  for (let i = parts.length; i >= 0; i--) dirs.push(join(root, mount, ...parts.slice(0, i)))
  return dirs
}

/** Smallest positive value `parse` finds in `file` across the folders; Infinity when none sets a limit. */
function smallest(dirs: string[], parse: (dir: string) => number | null): number {
  let limit = Infinity
  for (const dir of dirs) {
    const v = parse(dir)
    if (v !== null && Number.isFinite(v) && v > 0) limit = Math.min(limit, v)
  }
  return limit
}

function cgroupCpus(root: string): number {
  // cgroup v2: "max 100000" (no limit) or "<quota> <period>".
  const v2 = smallest(cgroupDirs(root, 'sys/fs/cgroup', null), (dir) => {
    const [quota, period] = (read(join(dir, 'cpu.max')) ?? '').split(/\s+/)
    return quota && quota !== 'max' && Number(period) > 0 ? Number(quota) / Number(period) : null
  })
  // cgroup v1: quota -1 means no limit; the controller is mounted as cpu or cpu,cpuacct.
  const v1 = Math.min(
    ...['sys/fs/cgroup/cpu', 'sys/fs/cgroup/cpu,cpuacct'].map((mount) =>
      smallest(cgroupDirs(root, mount, 'cpu'), (dir) => {
        const quota = Number(read(join(dir, 'cpu.cfs_quota_us')))
        const period = Number(read(join(dir, 'cpu.cfs_period_us')))
        return quota > 0 && period > 0 ? quota / period : null
      }),
    ),
  )
  // 1.5 cores of quota can keep 2 threads busy part-time: round up, as the JVM and Go runtimes do.
  return Math.ceil(Math.min(v2, v1))
}

function cgroupMemory(root: string): number {
  // v2 "max" and v1's huge sentinel (about 2^63) both mean no limit; the min with os.totalmem() absorbs the latter.
  const v2 = smallest(cgroupDirs(root, 'sys/fs/cgroup', null), (dir) => {
    const text = read(join(dir, 'memory.max'))
    return text && text !== 'max' ? Number(text) : null
  })
  const v1 = smallest(cgroupDirs(root, 'sys/fs/cgroup/memory', 'memory'), (dir) => {
    const text = read(join(dir, 'memory.limit_in_bytes'))
    return text ? Number(text) : null
  })
  return Math.min(v2, v1)
}

/**
 * Cores: the smallest of the cgroup CPU quota (v2 cpu.max, v1 cfs quota/period, rounded up) and the
 * affinity count. Memory: the smallest of the cgroup limit (v2 memory.max, v1 memory.limit_in_bytes) and
 * the machine's total. `root` relocates `/` for tests; `system` replaces the os figures for tests.
 */
export function detectResources(
  root = '/',
  system: Resources = { cpus: os.availableParallelism(), memoryBytes: os.totalmem() },
): Resources {
  return {
    cpus: Math.max(1, Math.min(system.cpus, cgroupCpus(root))),
    memoryBytes: Math.min(system.memoryBytes, cgroupMemory(root)),
  }
}

/** Bytes one in-flight request may hold per payload byte: body, decoded floats, outputs, encoded response. */
export const BYTES_PER_PAYLOAD_BYTE = 10
/** SageMaker rejects a transform job whose MaxConcurrentTransforms × MaxPayloadInMB exceeds this. */
export const MAX_CONCURRENCY_TIMES_PAYLOAD_MB = 100

/**
 * The GET /execution-parameters answer.
 * - MaxPayloadInMB: SAGEMAKER_MAX_PAYLOAD_IN_MB when set (rounded down, so SageMaker never sends more than
 *   we accept), else 6 (the real-time limit); always an integer from 1 to 100.
 * - MaxConcurrentTransforms: SAGEMAKER_MAX_CONCURRENT_TRANSFORMS when set; else the worker count (more
 *   requests than workers only queue), capped by memory so that concurrency × payload × 10 fits in half
 *   the container's memory (the other half is for the model and runtime).
 * - Both: concurrency × MaxPayloadInMB ≤ 100 (SageMaker rejects larger); concurrency is reduced first,
 *   never below 1. With the payload at most 100, concurrency 1 always satisfies the rule.
 */
export function executionParameters(
  resources: Resources,
  opts: {
    maxConcurrentTransforms: number | null
    maxPayloadBytes: number
    batchStrategy: 'MULTI_RECORD' | 'SINGLE_RECORD'
    payloadConfigured: boolean
    workers: number
  },
): ExecutionParameters {
  const payloadMB = opts.payloadConfigured
    ? Math.min(MAX_CONCURRENCY_TIMES_PAYLOAD_MB, Math.max(1, Math.floor(opts.maxPayloadBytes / MiB)))
    : 6
  let concurrency = opts.maxConcurrentTransforms
  if (concurrency === null) {
    const byMemory = Math.floor(resources.memoryBytes / 2 / (payloadMB * MiB * BYTES_PER_PAYLOAD_BYTE))
    concurrency = Math.min(Math.max(1, opts.workers), byMemory)
  }
  concurrency = Math.min(concurrency, Math.floor(MAX_CONCURRENCY_TIMES_PAYLOAD_MB / payloadMB))
  return {
    MaxConcurrentTransforms: Math.max(1, Math.floor(concurrency)),
    BatchStrategy: opts.batchStrategy,
    MaxPayloadInMB: payloadMB,
  }
}
