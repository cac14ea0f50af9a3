/**
 * The seed's serving stack (nginx → gunicorn → Flask + pandas + scikit-learn, ../shared/reference-stack/)
 * as a benchmark opponent: installs its Debian packages when missing, trains its iris tree once, and
 * starts and stops `reference/serve` on a port. byoc serves the same tree exported to ONNX
 * (reference-stack/onnx/iris_tree.onnx), so both answer the same body with the same labels.
 */
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** REFERENCE_STACK, else ../shared/reference-stack beside the repository (as CI lays it out). */
export const SEED_DIR = process.env.REFERENCE_STACK ?? join(import.meta.dir, '../../shared/reference-stack')
export const SEED_PAYLOAD = join(SEED_DIR, 'data/iris_payload.csv')
export const SEED_ONNX = join(SEED_DIR, 'onnx/iris_tree.onnx')
const PYTHON = '/usr/bin/python3'
const PACKAGES = ['nginx-light', 'gunicorn', 'python3-sklearn', 'python3-pandas', 'python3-flask', 'curl']

const sh = (cmd: string) => Bun.spawnSync(['sh', '-c', cmd], { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0
const seedReady = () =>
  sh(
    `${PYTHON} -c 'import sklearn, pandas, flask' && command -v gunicorn && (command -v nginx || test -x /usr/sbin/nginx)`,
  )

/** Null when the seed stack can run here; else why not (after trying apt-get as root). */
export function ensureSeedStack(): string | null {
  if (!existsSync(join(SEED_DIR, 'reference/serve'))) return `no reference stack at ${SEED_DIR} (set REFERENCE_STACK)`
  if (seedReady()) return null
  if (process.getuid?.() !== 0 || !sh('command -v apt-get')) return `the seed stack needs ${PACKAGES.join(' ')}`
  console.error(`seed stack: apt-get install -y ${PACKAGES.join(' ')}`)
  Bun.spawnSync(
    [
      'sh',
      '-c',
      `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${PACKAGES.join(' ')}`,
    ],
    { stdout: 'inherit', stderr: 'inherit' },
  )
  return seedReady() ? null : `apt-get could not install ${PACKAGES.join(' ')}`
}

/** Trains the seed's iris tree (random_state 0: the tree iris_tree.onnx was exported from) into a fresh root. */
export function trainSeedModel(): string {
  const root = mkdtempSync(join(tmpdir(), 'byoc-bench-seed-'))
  mkdirSync(join(root, 'input/config'), { recursive: true })
  mkdirSync(join(root, 'input/data/training'), { recursive: true })
  symlinkSync(join(SEED_DIR, 'data/iris.csv'), join(root, 'input/data/training/iris.csv'))
  writeFileSync(join(root, 'input/config/hyperparameters.json'), '{"random_state": "0"}')
  const r = Bun.spawnSync([PYTHON, join(SEED_DIR, 'reference/train.py')], {
    env: { ...process.env, OPT_ML: root, PYTHONDONTWRITEBYTECODE: 'TRUE' },
  })
  if (r.exitCode !== 0) throw new Error(`seed train.py failed: ${r.stderr.toString()}`)
  return root
}

export interface SeedServer {
  url: string
  /** Milliseconds from spawn to the first /ping 200. */
  coldStartMs: number
  stop: () => Promise<void>
}

let nextPort = 17500 + Math.floor(Math.random() * 500)

export async function startSeed(optMl: string): Promise<SeedServer> {
  const port = nextPort++
  const url = `http://127.0.0.1:${port}`
  const t0 = performance.now()
  const proc = Bun.spawn([PYTHON, join(SEED_DIR, 'reference/serve')], {
    env: {
      ...process.env,
      OPT_ML: optMl,
      PORT: String(port),
      PYTHONUNBUFFERED: 'TRUE',
      PYTHONDONTWRITEBYTECODE: 'TRUE',
    },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  let coldStartMs = Number.NaN
  while (performance.now() - t0 < 30_000 && proc.exitCode === null) {
    try {
      if ((await fetch(`${url}/ping`)).status === 200) {
        coldStartMs = performance.now() - t0
        break
      }
    } catch {}
    await Bun.sleep(10)
  }
  const stop = async () => {
    // serve stops nginx and gunicorn itself on SIGTERM and waits for them.
    proc.kill('SIGTERM')
    await proc.exited
  }
  if (Number.isNaN(coldStartMs)) {
    await stop()
    throw new Error('the seed stack never answered /ping 200')
  }
  return { url, coldStartMs, stop }
}
