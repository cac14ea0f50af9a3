import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { detectResources, executionParameters, type Resources } from './resources'

const GiB = 1024 ** 3
const MiB = 1024 ** 2
const machine: Resources = { cpus: 8, memoryBytes: 32 * GiB }

let root: string
const put = (files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), `${text}\n`)
  }
}
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'byoc-res-'))))
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('detectResources', () => {
  test('no cgroup files: the machine figures', () => {
    expect(detectResources(root, machine)).toEqual(machine)
  })

  test('cgroup v2 limits (quota rounded up)', () => {
    put({ 'sys/fs/cgroup/cpu.max': '250000 100000', 'sys/fs/cgroup/memory.max': String(2 * GiB) })
    expect(detectResources(root, machine)).toEqual({ cpus: 3, memoryBytes: 2 * GiB })
  })

  test('cgroup v2 without limits', () => {
    put({ 'sys/fs/cgroup/cpu.max': 'max 100000', 'sys/fs/cgroup/memory.max': 'max' })
    expect(detectResources(root, machine)).toEqual(machine)
  })

  test('cgroup v2: the own cgroup and its parents, the tightest wins', () => {
    put({
      'proc/self/cgroup': '0::/kubepods/pod1',
      'sys/fs/cgroup/kubepods/pod1/cpu.max': '400000 100000',
      'sys/fs/cgroup/kubepods/pod1/memory.max': 'max',
      'sys/fs/cgroup/kubepods/cpu.max': '150000 100000',
      'sys/fs/cgroup/kubepods/memory.max': String(3 * GiB),
    })
    expect(detectResources(root, machine)).toEqual({ cpus: 2, memoryBytes: 3 * GiB })
  })

  test('cgroup v1 limits, controller mounted as cpu,cpuacct', () => {
    put({
      'proc/self/cgroup': '4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc',
      // Without a cgroup namespace the container's own cgroup is the mount root: the walk reaches it.
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '50000',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
      'sys/fs/cgroup/memory/memory.limit_in_bytes': String(512 * MiB),
    })
    expect(detectResources(root, machine)).toEqual({ cpus: 1, memoryBytes: 512 * MiB })
  })

  test('cgroup v1 without limits (quota -1, huge memory sentinel)', () => {
    put({
      'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1',
      'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
      'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712',
    })
    expect(detectResources(root, machine)).toEqual(machine)
  })

  test('the affinity count and total memory cap a looser cgroup', () => {
    put({ 'sys/fs/cgroup/cpu.max': '1600000 100000', 'sys/fs/cgroup/memory.max': String(64 * GiB) })
    expect(detectResources(root, machine)).toEqual(machine)
  })
})

describe('executionParameters', () => {
  const opts = {
    maxConcurrentTransforms: null,
    maxPayloadBytes: 6 * MiB,
    batchStrategy: 'MULTI_RECORD' as const,
    payloadConfigured: false,
    workers: 4,
  }

  test('defaults: 6 MB, one transform per worker', () => {
    expect(executionParameters(machine, opts)).toEqual({
      MaxConcurrentTransforms: 4,
      BatchStrategy: 'MULTI_RECORD',
      MaxPayloadInMB: 6,
    })
  })

  test('honours SAGEMAKER_MAX_CONCURRENT_TRANSFORMS, SAGEMAKER_MAX_PAYLOAD_IN_MB and the strategy', () => {
    const p = executionParameters(machine, {
      ...opts,
      maxConcurrentTransforms: 3,
      maxPayloadBytes: 20 * MiB,
      payloadConfigured: true,
      batchStrategy: 'SINGLE_RECORD',
    })
    expect(p).toEqual({ MaxConcurrentTransforms: 3, BatchStrategy: 'SINGLE_RECORD', MaxPayloadInMB: 20 })
  })

  test('concurrency × payload stays ≤ 100, reducing concurrency first but never below 1', () => {
    const big = { ...opts, payloadConfigured: true, maxPayloadBytes: 40 * MiB }
    expect(executionParameters(machine, big).MaxConcurrentTransforms).toBe(2)
    expect(executionParameters(machine, { ...big, maxConcurrentTransforms: 10 }).MaxConcurrentTransforms).toBe(2)
    const max = executionParameters(machine, { ...opts, payloadConfigured: true, maxPayloadBytes: 100 * MiB })
    expect(max).toMatchObject({ MaxConcurrentTransforms: 1, MaxPayloadInMB: 100 })
  })

  test('payload is an integer from 1 to 100', () => {
    const mb = (bytes: number) =>
      executionParameters(machine, { ...opts, payloadConfigured: true, maxPayloadBytes: bytes }).MaxPayloadInMB
    expect(mb(0.5 * MiB)).toBe(1)
    expect(mb(7.9 * MiB)).toBe(7)
    expect(mb(500 * MiB)).toBe(100)
  })

  test('memory bounds concurrency: payload × 10 per request within half the memory', () => {
    // 1 GiB: half is 512 MiB; 6 MiB × 10 = 60 MiB per request → 8 requests.
    const small = { cpus: 16, memoryBytes: GiB }
    expect(executionParameters(small, { ...opts, workers: 16 }).MaxConcurrentTransforms).toBe(8)
    const tiny = { cpus: 2, memoryBytes: 100 * MiB }
    expect(executionParameters(tiny, opts).MaxConcurrentTransforms).toBe(1)
  })
})
