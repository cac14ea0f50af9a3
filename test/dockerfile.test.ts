/**
 * What the Dockerfile does, for the parts CI cannot build (no CUDA base image, no GitHub or NuGet
 * download here): each gpu variant resolves to the right base and ONNX Runtime source, the cuda12
 * stage's own download/verify/version commands run against local tarballs, and the CUDA NEEDED check
 * (scripts/cuda-check.sh, called the way the Dockerfile calls it) runs against fake objdump/ldconfig
 * output for both CUDA majors. The cpu image is built and run for real by scripts/container-test.sh.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadConfig } from '../src/config'

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
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

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
      const [k, ...v] = rest.split('=')
      args.set(k, v.join('='))
    } else stages.at(-1)?.body.push({ op, args: rest })
  }
  return { args, stages }
}

const { args, stages } = parse(text)
const expand = (s: string, buildArgs: Map<string, string>) =>
  s.replace(/\$\{(\w+)\}/g, (_, k) => buildArgs.get(k) ?? '')
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name)
  if (!s) throw new Error(`Dockerfile has no stage "${name}"`)
  return s
}
/** The stages a target is built FROM, oldest first, as `docker build --build-arg K=V...` resolves them. */
function lineage(name: string, overrides: Record<string, string> = {}): { stages: Stage[]; base: string } {
  const buildArgs = new Map([...args, ...Object.entries(overrides)])
  const chain: Stage[] = []
  let s: Stage | undefined = stage(name)
  while (s) {
    chain.unshift(s)
    const from = expand(s.from, buildArgs)
    const parent = stages.find((x) => x.name === from)
    if (!parent) return { stages: chain, base: from }
    s = parent
  }
  throw new Error('unreachable')
}
const all = (s: Stage, op: string) => s.body.filter((i) => i.op === op).map((i) => i.args)
const env = (s: Stage, buildArgs: Map<string, string>): Record<string, string> =>
  Object.fromEntries(
    all(s, 'ENV').flatMap((a) =>
      expand(a, buildArgs)
        .split(/\s+/)
        .map((kv) => kv.split('=') as [string, string]),
    ),
  )
const runs = (s: Stage) => all(s, 'RUN')

const dir = mkdtempSync(join(tmpdir(), 'byoc-dockerfile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let cases = 0
const scratch = () => {
  const d = join(dir, `case-${++cases}`)
  mkdirSync(d, { recursive: true })
  return d
}
/** Runs one of the Dockerfile's RUN commands with its absolute paths moved under `at`. */
function runStep(command: string, at: string, envs: Record<string, string>, cwd = at) {
  const script = command.replaceAll('/tmp/ort', join(at, 'tmp/ort')).replaceAll('/opt/ort', join(at, 'opt/ort'))
  mkdirSync(join(at, 'tmp'), { recursive: true })
  const p = Bun.spawnSync(['sh', '-c', script], {
    cwd,
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, ...envs },
  })
  return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() }
}

describe('Dockerfile targets', () => {
  test('every FROM is a stage or a public image (each base a build argument)', () => {
    for (const s of stages) {
      const from = expand(s.from, args)
      if (stages.some((x) => x.name === from)) continue
      expect(s.from, 'a base image is named by a build argument').toMatch(/^\$\{\w+\}$/)
      expect(from, `FROM ${s.from}`).toMatch(/^[\w.-]+(\/[\w.-]+)+(:[\w.-]+)?$/)
    }
    expect(args.get('BUN_IMAGE')).toBe(`oven/bun:${pkg.devDependencies.bun}`)
  })

  test('cpu is the default (last) target and holds only the executable, libonnxruntime.so.1, a locale and the checker', () => {
    expect(stages.at(-1)?.name).toBe('cpu')
    const { base } = lineage('cpu')
    expect(base).toBe('gcr.io/distroless/cc-debian12')
    const copied = all(stage('cpu'), 'COPY').map((c) => c.split(/\s+/).at(-1))
    expect(copied.sort()).toEqual([
      '/app/byoc',
      '/app/typescript',
      '/opt/ort/lib/libonnxruntime.so.1',
      '/usr/lib/locale/en_US.UTF-8',
    ])
    expect(runs(stage('cpu'))).toEqual([]) // distroless has no shell
  })

  test('both targets carry en_US.UTF-8, which StringNormalizer (skl2onnx text pipelines) constructs by name', () => {
    const locale = stage('locale')
    expect(locale.from).toBe('${BUN_IMAGE}')
    expect(runs(locale).join('\n')).toContain('apt-get install -y --no-install-recommends locales')
    expect(runs(locale).join('\n')).toContain('localedef -i en_US -f UTF-8 /opt/locale/en_US.UTF-8')
    expect(all(stage('cpu'), 'COPY')).toContain('--from=locale /opt/locale/en_US.UTF-8 /usr/lib/locale/en_US.UTF-8')
    expect(runs(stage('gpu')).join('\n')).toContain('localedef -i en_US -f UTF-8 en_US.UTF-8')
  })

  for (const [major, source] of [
    ['12', 'cuda12-libs'],
    ['13', 'cuda13-libs'],
  ] as const) {
    test(`gpu with CUDA_MAJOR=${major}: nvidia/cuda:${major}.x cudnn runtime base, ONNX Runtime from ${source}`, () => {
      const overrides: Record<string, string> = major === '12' ? {} : { CUDA_MAJOR: major }
      const { base } = lineage('gpu', overrides)
      expect(base).toMatch(new RegExp(`^nvidia/cuda:${major}\\.\\d+\\.\\d+-cudnn-runtime-ubuntu\\d\\d\\.04$`))
      const libs = lineage('cuda-libs', overrides).stages.map((s) => s.name)
      expect(libs).toEqual(['deps', 'ort-tools', source, 'cuda-libs'])
      const buildArgs = new Map([...args, ...Object.entries(overrides)])
      const e = env(stage('gpu'), buildArgs)
      // byoc learns the image's CUDA major from the image, and the NVIDIA runtime never refuses to start it.
      expect(loadConfig(e).cudaMajor).toBe(Number(major))
      expect(e.NVIDIA_DISABLE_REQUIRE).toBe('true')
      expect(e.LD_LIBRARY_PATH.split(':')[0]).toBe('/opt/ort/lib')
      expect(e.NVIDIA_VISIBLE_DEVICES).toBe('all')
    })
  }

  test('CUDA_MAJOR defaults to 12; the cuda12 asset is the onnxruntime-node version, pinned by SHA-256', () => {
    expect(args.get('CUDA_MAJOR')).toBe('12')
    const url = args.get('ORT_CUDA12_URL')!
    expect(url.endsWith(`/onnxruntime-linux-x64-gpu_cuda12-${pkg.dependencies['onnxruntime-node']}.tgz`)).toBe(true)
    expect(args.get('ORT_CUDA12_SHA256')).toMatch(/^[0-9a-f]{64}$/)
  })

  for (const target of ['cpu', 'gpu']) {
    test(`${target}: exec-form ENTRYPOINT /app/byoc beside /app/typescript, no CMD, port 8080, accept-bind-to-port, multi-models`, () => {
      const s = stage(target)
      expect(all(s, 'ENTRYPOINT').map((e) => JSON.parse(e))).toEqual([['/app/byoc']])
      expect(all(s, 'CMD')).toEqual([])
      expect(all(s, 'EXPOSE')).toEqual(['8080'])
      expect(all(s, 'LABEL')).toContain('com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true')
      expect(all(s, 'LABEL')).toContain('com.amazonaws.sagemaker.capabilities.multi-models=true')
      expect(env(s, args).TMPDIR).toBe('/tmp')
      // The handler type checker lies beside the executable (handler-typecheck.ts findChecker).
      expect(all(s, 'COPY')).toContain('--from=build /src/dist/typescript /app/typescript')
    })
  }

  test('no stage bundles an NVIDIA driver (the host supplies it)', () => {
    const steps = stages.flatMap((st) => [...all(st, 'RUN'), ...all(st, 'COPY'), ...all(st, 'ADD')]).join('\n')
    expect(steps).not.toMatch(/nvidia-driver|libnvidia-|cuda-drivers|libcuda\.so\.1/)
  })

  test('cuda-libs stages do not depend on the sources (a code change must not re-download CUDA libraries)', () => {
    for (const major of ['12', '13']) {
      const copies = lineage('cuda-libs', { CUDA_MAJOR: major }).stages.flatMap((s) => all(s, 'COPY'))
      expect(copies.some((c) => /\bsrc\//.test(c))).toBe(false)
    }
  })
})

describe('cuda12-libs: download, verify, version check (its RUN steps, run against local tarballs)', () => {
  const steps = runs(stage('cuda12-libs'))
  const download = steps.find((r) => r.includes('sha256sum -c'))!
  const versionCheck = steps.find((r) => r.includes('VERSION_NUMBER'))!
  const required = steps.find((r) => r.includes('must be set'))!

  function tarball(version: string): { url: string; sha: string } {
    const d = scratch()
    const top = join(d, `onnxruntime-linux-x64-gpu_cuda12-${version}`)
    mkdirSync(join(top, 'lib'), { recursive: true })
    writeFileSync(join(top, 'VERSION_NUMBER'), `${version}\n`)
    writeFileSync(join(top, 'lib/libonnxruntime.so.1'), 'core')
    const tgz = join(d, 'ort.tgz')
    expect(Bun.spawnSync(['tar', '-czf', tgz, '-C', d, `onnxruntime-linux-x64-gpu_cuda12-${version}`]).exitCode).toBe(0)
    return { url: `file://${tgz}`, sha: new Bun.CryptoHasher('sha256').update(readFileSync(tgz)).digest('hex') }
  }
  function nodeModules(version: string): string {
    const d = scratch()
    mkdirSync(join(d, 'node_modules/onnxruntime-node'), { recursive: true })
    writeFileSync(join(d, 'node_modules/onnxruntime-node/package.json'), JSON.stringify({ version }))
    return d
  }

  test('the digest is required', () => {
    expect(runStep(required, scratch(), { ORT_CUDA12_URL: 'x', ORT_CUDA12_SHA256: '' }).code).not.toBe(0)
    expect(runStep(required, scratch(), { ORT_CUDA12_URL: 'x', ORT_CUDA12_SHA256: 'ab' }).code).toBe(0)
  })

  test('a tarball matching the digest is unpacked; one that does not stops the build', () => {
    const { url, sha } = tarball('1.30.0')
    const ok = scratch()
    const r = runStep(download, ok, { ORT_CUDA12_URL: url, ORT_CUDA12_SHA256: sha })
    expect(r.out).toContain(': OK')
    expect(r.code).toBe(0)
    expect(readFileSync(join(ok, 'tmp/ort/lib/libonnxruntime.so.1'), 'utf8')).toBe('core')
    const bad = runStep(download, scratch(), { ORT_CUDA12_URL: url, ORT_CUDA12_SHA256: '0'.repeat(64) })
    expect(bad.code).not.toBe(0)
    expect(bad.out).toContain('FAILED')
  })

  test('the release must be the onnxruntime-node version the addon was built for', () => {
    const { url, sha } = tarball('1.29.0')
    const at = scratch()
    expect(runStep(download, at, { ORT_CUDA12_URL: url, ORT_CUDA12_SHA256: sha }).code).toBe(0)
    const mismatch = runStep(versionCheck, at, {}, nodeModules('1.30.0'))
    expect(mismatch.code).not.toBe(0)
    expect(mismatch.out).toContain('ONNX Runtime release 1.29.0 differs from onnxruntime-node 1.30.0')
    expect(runStep(versionCheck, at, {}, nodeModules('1.29.0')).code).toBe(0)
  })
})

describe('CUDA NEEDED check (scripts/cuda-check.sh, as the Dockerfile runs it) against fake objdump/ldconfig', () => {
  const neededStep = (name: string) => runs(stage(name)).find((r) => r.includes('cuda-check.sh needed'))!
  const checkStep = runs(stage('gpu')).find((r) => r.includes('cuda-check.sh check'))!

  // NEEDED of ONNX Runtime's CUDA 12 release provider (microsoft/onnxruntime#22703) and, measured here,
  // of the NuGet "cuda12" provider that links CUDA 13 (1.29.0, as shipped in asus4's npm copy).
  const cuda12 = [
    'libcublasLt.so.12',
    'libcublas.so.12',
    'libcudnn.so.9',
    'libcurand.so.10',
    'libcufft.so.11',
    'libcudart.so.12',
  ]
  const cuda13 = ['libcublasLt.so.13', 'libcublas.so.13', 'libcurand.so.10', 'libcudart.so.13']
  const system = [
    'libonnxruntime_providers_shared.so',
    'libcuda.so.1',
    'libstdc++.so.6',
    'libm.so.6',
    'libgcc_s.so.1',
    'libc.so.6',
  ]
  const base = (libs: string[]) => [...libs, 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6']

  /** Fake tools: `objdump -p` printing a dynamic section with `needed`, `ldconfig -p` listing `cache`. */
  function tools(at: string, needed: string[], cache: string[]): string {
    const bin = join(at, 'bin')
    mkdirSync(bin, { recursive: true })
    const dynamic = [
      '',
      'Dynamic Section:',
      ...needed.map((l) => `  NEEDED               ${l}`),
      '  SONAME               libonnxruntime_providers_cuda.so',
      '',
    ]
    writeFileSync(join(bin, 'objdump.txt'), dynamic.join('\n'))
    writeFileSync(
      join(bin, 'objdump'),
      `#!/bin/sh\n[ "$1" = -p ] && [ -f "$2" ] && cat '${join(bin, 'objdump.txt')}'\n`,
    )
    const lines = [
      `${cache.length} libs found in cache \`/etc/ld.so.cache'`,
      ...cache.map((l) => `\t${l} (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/${l}`),
    ]
    writeFileSync(join(bin, 'ldconfig.txt'), `${lines.join('\n')}\n`)
    writeFileSync(join(bin, 'ldconfig'), `#!/bin/sh\n[ "$1" = -p ] && cat '${join(bin, 'ldconfig.txt')}'\n`)
    chmodSync(join(bin, 'objdump'), 0o755)
    chmodSync(join(bin, 'ldconfig'), 0o755)
    return bin
  }

  /** The libs stage's `needed` step, then the gpu stage's `check` step, in one fake image tree. */
  function build(libsStage: string, major: string, needed: string[], cache: string[], cudaVersion: string) {
    const at = scratch()
    const bin = tools(at, needed, cache)
    mkdirSync(join(at, 'opt/ort/lib'), { recursive: true })
    writeFileSync(join(at, 'opt/ort/lib/libonnxruntime_providers_cuda.so'), '')
    writeFileSync(join(at, 'opt/ort/lib/libonnxruntime_providers_shared.so'), '')
    const script = join(root, 'scripts/cuda-check.sh')
    const move = (s: string) => s.replaceAll('/opt/ort/cuda-check.sh', script)
    const envs = { PATH: `${bin}:/usr/bin:/bin`, CUDA_MAJOR: major, CUDA_VERSION: cudaVersion }
    const first = runStep(move(neededStep(libsStage)).replace(/^mkdir.*?&& sh /, 'sh '), at, envs)
    if (first.code !== 0) return first
    const second = runStep(move(checkStep), at, envs)
    return { code: second.code, out: first.out + second.out }
  }

  test('CUDA 12: the release provider on a CUDA 12 base passes', () => {
    const r = build('cuda12-libs', '12', [...cuda12, ...system], base(cuda12), '12.9.1')
    expect(r.out).toContain('CUDA check: provider needs libcudart.so.12; base image (CUDA 12.9.1) has libcudart.so.12')
    expect(r.out).toContain('CUDA check passed')
    expect(r.code).toBe(0)
  })

  test('CUDA 13: the NuGet provider on a CUDA 13 base passes', () => {
    const r = build('cuda13-libs', '13', [...cuda13, ...system], base(cuda13), '13.0.2')
    expect(r.out).toContain('CUDA check passed')
    expect(r.code).toBe(0)
  })

  test('a "cuda12" download that links CUDA 13 fails the CUDA_MAJOR=12 build, naming the fix', () => {
    const r = build('cuda12-libs', '12', [...cuda13, ...system], base(cuda12), '12.9.1')
    expect(r.code).not.toBe(0)
    expect(r.out).toContain('links CUDA 13 but this is the CUDA_MAJOR=12 build')
    expect(r.out).toContain('--build-arg CUDA_MAJOR=13')
  })

  test('the CUDA 13 provider on a CUDA 12 base (CUDA13_IMAGE pointed at 12.x) fails', () => {
    const r = build('cuda13-libs', '13', [...cuda13, ...system], base(cuda12), '12.9.1')
    expect(r.code).not.toBe(0)
    expect(r.out).toContain('needs CUDA 13 but the base image provides CUDA 12')
  })

  test('a base without a library the provider needs (cuDNN) fails and names it', () => {
    const r = build(
      'cuda12-libs',
      '12',
      [...cuda12, ...system],
      base(cuda12.filter((l) => l !== 'libcudnn.so.9')),
      '12.9.1',
    )
    expect(r.code).not.toBe(0)
    expect(r.out).toContain('lacks libraries the CUDA provider needs: libcudnn.so.9')
  })

  test('real objdump on the CPU libonnxruntime.so.1 (the wrong file copied): no libcudart, build fails', () => {
    const lib = join(root, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1')
    const at = scratch()
    const out = join(at, 'needed.txt')
    const script = join(root, 'scripts/cuda-check.sh')
    expect(Bun.spawnSync(['sh', script, 'needed', lib, out]).exitCode).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('libstdc++.so.6')
    const bin = tools(at, [], base(cuda12))
    const r = Bun.spawnSync(['sh', script, 'check', out, '12', at], { env: { PATH: `${bin}:/usr/bin:/bin` } })
    expect(r.exitCode).not.toBe(0)
    expect(r.stderr.toString()).toContain('does not link libcudart')
  })
})

describe('.dockerignore', () => {
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))

  test('is an allow-list: everything out but what the stages COPY from the context', () => {
    expect(ignore[0]).toBe('*')
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''))
    const sources = stages
      .flatMap((s) => all(s, 'COPY'))
      .filter((c) => !c.startsWith('--from='))
      .flatMap((c) => c.split(/\s+/).slice(0, -1))
    expect(sources.length).toBeGreaterThan(3)
    for (const src of sources) {
      const path = src.replace(/\/$/, '')
      expect(
        allowed.some((a) => path === a || path.startsWith(`${a}/`)),
        `COPY ${src} is not in .dockerignore's allow-list`,
      ).toBe(true)
    }
  })
})
