/**
 * The Dockerfile's invariants for both targets. The gpu target cannot be built here (no CUDA base image,
 * no NuGet), so this is what keeps a broken gpu target from passing CI: its instructions are parsed and
 * checked, and its CUDA NEEDED check is run for real against fake library lists.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface Instruction {
  op: string
  args: string
}
interface Stage {
  from: string
  name: string
  body: Instruction[]
}

const root = join(import.meta.dir, '..')
const text = readFileSync(join(root, 'Dockerfile'), 'utf8')

/** Docker's reading: comment lines dropped (also inside continuations), `\`-newline joins lines. */
function parse(source: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = source.split('\n').filter((l) => !/^\s*#/.test(l))
  const joined = lines.join('\n').replace(/\\\n/g, '')
  const args = new Map<string, string>()
  const stages: Stage[] = []
  for (const line of joined.split('\n')) {
    const m = /^\s*(\w+)\s+(.*)$/.exec(line)
    if (!m) continue
    const op = m[1].toUpperCase()
    const rest = m[2].trim()
    if (op === 'FROM') {
      const [from, , name = ''] = rest.split(/\s+/)
      stages.push({ from, name, body: [] })
    } else if (stages.length === 0 && op === 'ARG') {
      const [k, v = ''] = rest.split('=')
      args.set(k, v)
    } else stages.at(-1)?.body.push({ op, args: rest })
  }
  return { args, stages }
}

const { args, stages } = parse(text)
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name)
  if (!s) throw new Error(`Dockerfile has no stage "${name}"`)
  return s
}
/** The stage and the stages it is built FROM, oldest first. */
const lineage = (name: string): Stage[] => {
  const s = stage(name)
  return stages.some((x) => x.name === s.from) ? [...lineage(s.from), s] : [s]
}
const all = (s: Stage, op: string) => s.body.filter((i) => i.op === op).map((i) => i.args)
const env = (s: Stage): Record<string, string> =>
  Object.fromEntries(all(s, 'ENV').flatMap((a) => a.split(/\s+/).map((kv) => kv.split('=') as [string, string])))
const runs = (s: Stage) => all(s, 'RUN').join('\n')

describe('Dockerfile', () => {
  test('every base image is a build argument with a public default', () => {
    expect(args.get('BUN_IMAGE')).toMatch(/^oven\/bun:\d+\.\d+\.\d+/)
    expect(args.get('CPU_BASE_IMAGE')).toBe('gcr.io/distroless/cc-debian12')
    expect(args.get('CUDA_IMAGE')).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu\d\d\.04$/)
    const names = new Set(stages.map((s) => s.name))
    for (const s of stages) expect(names.has(s.from) || /^\$\{\w+\}$/.test(s.from)).toBe(true)
  })

  test('the bun image matches the bun the project pins', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    expect(args.get('BUN_IMAGE')).toBe(`oven/bun:${pkg.devDependencies.bun}`)
  })

  test('build stage (on deps) installs from the lockfile on the Bun image and runs bun run build', () => {
    const chain = lineage('build')
    expect(chain.map((s) => s.name)).toEqual(['deps', 'build'])
    expect(chain[0].from).toBe('${BUN_IMAGE}')
    expect(chain.flatMap((s) => all(s, 'COPY')).some((c) => c.split(/\s+/).includes('bun.lock'))).toBe(true)
    const commands = chain.map(runs).join('\n')
    expect(commands).toContain('bun install --frozen-lockfile')
    expect(commands).toContain('bun run build')
    // cuda-libs must not depend on the sources, or every code change would download the CUDA libraries again.
    expect(lineage('cuda-libs').map((s) => s.name)).toEqual(['deps', 'cuda-libs'])
  })

  test('cpu is the default target (the last stage) and starts from CPU_BASE_IMAGE', () => {
    expect(stages.at(-1)?.name).toBe('cpu')
    expect(stage('cpu').from).toBe('${CPU_BASE_IMAGE}')
    expect(stage('gpu').from).toBe('${CUDA_IMAGE}')
  })

  for (const target of ['cpu', 'gpu']) {
    test(`${target}: exec-form ENTRYPOINT, port, SageMaker label, env`, () => {
      const s = stage(target)
      expect(all(s, 'ENTRYPOINT')).toEqual(['["/app/byoc"]'])
      expect(JSON.parse(all(s, 'ENTRYPOINT')[0])).toEqual(['/app/byoc'])
      expect(all(s, 'CMD')).toEqual([])
      expect(all(s, 'EXPOSE')).toEqual(['8080'])
      expect(all(s, 'LABEL')).toContain('com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true')
      const e = env(s)
      expect(e.LD_LIBRARY_PATH.split(':')[0]).toBe('/opt/ort/lib')
      expect(e.TMPDIR).toBe('/tmp')
      expect(e.NODE_ENV).toBe('production')
      expect(e.ORT_DISABLE_TELEMETRY).toBe('1')
      expect(all(s, 'COPY').some((c) => /^--from=build \/src\/dist\/byoc \/app\/byoc$/.test(c))).toBe(true)
    })
  }

  test('cpu: holds the executable and libonnxruntime.so.1 only', () => {
    const copies = all(stage('cpu'), 'COPY')
    expect(copies).toHaveLength(2)
    expect(copies).toContain('--from=build /src/dist/libonnxruntime.so.1 /opt/ort/lib/libonnxruntime.so.1')
    expect(all(stage('cpu'), 'RUN')).toEqual([])
  })

  test('gpu: CUDA provider libraries from the cuda12 install, beside libonnxruntime.so.1', () => {
    const libs = stage('cuda-libs')
    expect(runs(libs)).toContain('--onnxruntime-node-install=cuda12')
    expect(runs(libs)).toMatch(
      /cp libonnxruntime\.so\.1 libonnxruntime_providers_shared\.so libonnxruntime_providers_cuda\.so \/opt\/ort\/lib\//,
    )
    expect(runs(libs)).toMatch(/objdump -p \/opt\/ort\/lib\/libonnxruntime_providers_cuda\.so \| grep NEEDED/)
    expect(all(stage('gpu'), 'COPY')).toContain('--from=cuda-libs /opt/ort/ /opt/ort/')
  })

  test('gpu: nvidia-docker env, no driver bundled', () => {
    const s = stage('gpu')
    const e = env(s)
    expect(e.NVIDIA_VISIBLE_DEVICES).toBe('all')
    expect(e.NVIDIA_DRIVER_CAPABILITIES).toBe('compute,utility')
    expect(e.LD_LIBRARY_PATH).toBe('/opt/ort/lib:/usr/local/nvidia/lib:/usr/local/nvidia/lib64')
    // Drivers come from the host (nvidia-container-runtime mounts libcuda.so.1): none installed or copied.
    const steps = stages.flatMap((st) => [...all(st, 'RUN'), ...all(st, 'COPY'), ...all(st, 'ADD')]).join('\n')
    expect(steps).not.toMatch(/nvidia-driver|libnvidia-|cuda-compat|cuda-drivers|libcuda\.so\.1/)
  })
})

describe('gpu NEEDED check (the gpu stage RUN, executed with fake inputs)', () => {
  const check = all(stage('gpu'), 'RUN').find((r) => r.includes('cuda-needed.txt'))
  const dir = mkdtempSync(join(tmpdir(), 'byoc-dockerfile-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  // A CUDA 12 ORT provider's NEEDED list, as `objdump -p | grep NEEDED` prints it (microsoft/onnxruntime#22703).
  const cuda12 = [
    'libcublasLt.so.12',
    'libcublas.so.12',
    'libcudnn.so.9',
    'libcurand.so.10',
    'libcufft.so.11',
    'libcudart.so.12',
  ]
  const base12 = [...cuda12, 'libstdc++.so.6', 'libc.so.6']

  function runCheck(needed: string[], provided: string[]) {
    const ort = join(dir, `case-${Math.random().toString(36).slice(2)}`)
    mkdirSync(join(ort, 'lib'), { recursive: true })
    writeFileSync(join(ort, 'cuda-needed.txt'), needed.map((l) => `  NEEDED               ${l}\n`).join(''))
    writeFileSync(join(ort, 'lib', 'libonnxruntime_providers_shared.so'), '')
    // `ldconfig -p` of the base image: one "\tname (libc6,x86-64) => path" line per library.
    const bin = join(ort, 'bin')
    mkdirSync(bin)
    const cache = provided.map((l) => `\t${l} (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/${l}`).join('\n')
    writeFileSync(
      join(bin, 'ldconfig'),
      `#!/bin/sh\nprintf '%s\\n' "${provided.length} libs found in cache" '${cache}'\n`,
    )
    chmodSync(join(bin, 'ldconfig'), 0o755)
    const p = Bun.spawnSync(['sh', '-c', check!.replaceAll('/opt/ort', ort)], {
      env: { PATH: `${bin}:${process.env.PATH}`, CUDA_VERSION: '12.4.1' },
    })
    return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() }
  }

  test('the check exists', () => expect(check).toBeDefined())

  test('passes when the provider needs the CUDA major the base provides, and every library is there', () => {
    const r = runCheck([...cuda12, 'libonnxruntime_providers_shared.so', 'libcuda.so.1', 'libc.so.6'], base12)
    expect(r.out).toContain('CUDA check passed')
    expect(r.code).toBe(0)
  })

  test('fails when the "cuda12" providers really link CUDA 13', () => {
    const r = runCheck(
      cuda12.map((l) => l.replace(/\.so\.12$/, '.so.13')),
      base12,
    )
    expect(r.code).not.toBe(0)
    expect(r.out).toContain('needs CUDA 13 but CUDA_IMAGE provides CUDA 12')
  })

  test('fails when the base image lacks a library the provider needs (e.g. cuDNN)', () => {
    const r = runCheck(
      cuda12,
      base12.filter((l) => l !== 'libcudnn.so.9'),
    )
    expect(r.code).not.toBe(0)
    expect(r.out).toContain('lacks libraries the CUDA provider needs: libcudnn.so.9')
  })

  test('fails when the provider does not link libcudart at all (wrong file copied)', () => {
    const r = runCheck(['libstdc++.so.6', 'libc.so.6'], base12)
    expect(r.code).not.toBe(0)
    expect(r.out).toContain('does not link libcudart')
  })

  test.skipIf(!Bun.which('objdump'))(
    'reads real objdump output: libonnxruntime.so.1 links no CUDA, so it fails',
    () => {
      const lib = join(root, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1')
      const objdump = Bun.spawnSync(['objdump', '-p', lib]).stdout.toString()
      const needed = objdump
        .split('\n')
        .filter((l) => l.includes('NEEDED'))
        .map((l) => l.trim().split(/\s+/)[1])
      expect(needed).toContain('libstdc++.so.6')
      const r = runCheck(needed, base12)
      expect(r.code).not.toBe(0)
      expect(r.out).toContain('does not link libcudart')
    },
  )
})

describe('.dockerignore', () => {
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))

  test('is an allow-list: everything out (node_modules, dist, .git) but what the build stage copies', () => {
    expect(ignore[0]).toBe('*')
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''))
    const sources = lineage('build')
      .flatMap((s) => all(s, 'COPY'))
      .flatMap((c) => c.split(/\s+/).slice(0, -1))
    for (const src of sources) {
      const path = src.replace(/\/$/, '')
      expect(
        allowed.some((a) => path === a || path.startsWith(`${a}/`)),
        `COPY ${src} is not in .dockerignore's allow-list`,
      ).toBe(true)
    }
  })
})
