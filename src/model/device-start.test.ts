/**
 * startDevice against fake /proc and /usr/local/cuda trees, in a child process, since the compat case
 * really execve()s: the child must come back as the same pid with the compat folder first on
 * LD_LIBRARY_PATH and BYOC_CUDA_COMPAT_LOADED set, and then decide cuda.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'byoc-device-start-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const script = join(dir, 'start.ts')
writeFileSync(
  script,
  `import { loadConfig } from ${JSON.stringify(join(import.meta.dir, '../config'))}
import { deviceReport, startDevice } from ${JSON.stringify(join(import.meta.dir, 'device-start'))}
const start = await startDevice(loadConfig(process.env), process.env, process.argv[2])
console.log('RESULT ' + JSON.stringify({ pid: process.pid, ld: process.env.LD_LIBRARY_PATH ?? null, plan: start.plan.map((a) => a.name), failure: start.failure, cpuReason: start.cpuReason, report: deviceReport }))
`,
)

function fakeRoot(name: string, driver: string, compat: string | null): string {
  const root = join(dir, name)
  mkdirSync(join(root, 'proc/driver/nvidia'), { recursive: true })
  writeFileSync(
    join(root, 'proc/driver/nvidia/version'),
    `NVRM version: NVIDIA UNIX x86_64 Kernel Module  ${driver}  Thu Feb 22 2024\n`,
  )
  mkdirSync(join(root, 'dev'))
  writeFileSync(join(root, 'dev/nvidiactl'), '')
  if (compat) {
    mkdirSync(join(root, 'usr/local/cuda/compat'), { recursive: true })
    writeFileSync(join(root, `usr/local/cuda/compat/libcuda.so.${compat}`), '')
    symlinkSync(`libcuda.so.${compat}`, join(root, 'usr/local/cuda/compat/libcuda.so.1'))
  }
  return root
}

function run(root: string, env: Record<string, string>) {
  const p = Bun.spawnSync([process.execPath, script, root], {
    env: { PATH: process.env.PATH ?? '', LD_LIBRARY_PATH: '/opt/ort/lib', BYOC_CUDA_MAJOR: '12', ...env },
  })
  const out = p.stdout.toString() + p.stderr.toString()
  const line = out.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`no result (exit ${p.exitCode}):\n${out}`)
  return { spawned: p.pid, out, ...JSON.parse(line.slice(7)) }
}

describe('startDevice (real files, real execve)', () => {
  test('too-old driver + compat libcuda: re-execs itself in place onto the compat folder, then plans cuda', () => {
    const root = fakeRoot('compat', '470.256.02', '575.57.08')
    const r = run(root, {})
    expect(r.pid).toBe(r.spawned) // execve: the process that answers is the one that was started
    expect(r.report).toEqual({ provider: null, driver: '470.256.02', cudaMajor: 12, compat: true })
    expect(r.ld).toBe(`${join(root, 'usr/local/cuda/compat')}:/opt/ort/lib`)
    expect(r.plan).toEqual(['cuda', 'cpu'])
    // Logged twice: once before the exec, once by the process it became.
    expect(r.out.match(/is too old for CUDA 12/g)).toHaveLength(2)
    expect(r.out).toContain('restarting with')
    expect(r.out).toContain('running on the CUDA forward-compatibility libcuda 575.57.08')
  })

  test('too-old driver, no compat: CPU with the reason; BYOC_DEVICE=cuda: a failure that names the AMI', () => {
    const root = fakeRoot('old', '470.256.02', null)
    const auto = run(root, {})
    expect(auto.plan).toEqual(['cpu'])
    expect(auto.cpuReason).toBe("host NVIDIA driver 470.256.02 cannot run this image's CUDA 12")
    expect(auto.failure).toBeNull()
    const cuda = run(root, { BYOC_DEVICE: 'cuda' })
    expect(cuda.failure).toContain('InferenceAmiVersion=al2-ami-sagemaker-inference-gpu-3-1')
  })

  test('a new enough driver: cuda then cpu, no re-exec', () => {
    const r = run(fakeRoot('new', '550.163.01', '575.57.08'), {})
    expect(r.plan).toEqual(['cuda', 'cpu'])
    expect(r.ld).toBe('/opt/ort/lib')
    expect(r.report.compat).toBe(false)
  })
})
