/**
 * Starts dist/byoc serve the way SageMaker does (a fresh /opt/ml-like root, a port), measures the time
 * from exec to the first /ping 200, reads its RSS, and stops it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BINARY = join(import.meta.dir, '../dist/byoc')

export interface Server {
  url: string
  pid: number
  /** Milliseconds from spawn to the first /ping 200. */
  coldStartMs: number
  log: () => string
  rssMiB: () => number
  stop: () => Promise<void>
}

export function modelRoot(model: Uint8Array): string {
  const root = mkdtempSync(join(tmpdir(), 'byoc-bench-'))
  mkdirSync(join(root, 'model'))
  writeFileSync(join(root, 'model', 'model.onnx'), model)
  return root
}

/**
 * What the image's Dockerfile sets for the server's own behaviour, so the benchmarks measure the server
 * as SageMaker runs it: mimalloc keeps freed pages for a second instead of returning them to the kernel at
 * once (each large request body would otherwise be faulted in afresh).
 */
export const IMAGE_ENV: Record<string, string> = { MIMALLOC_PURGE_DELAY: process.env.MIMALLOC_PURGE_DELAY ?? '1000' }

let nextPort = 18500 + Math.floor(Math.random() * 1000)

export async function startServer(
  root: string,
  env: Record<string, string> = {},
  binary = BINARY,
  /** A command to run the binary under, e.g. ['taskset', '-c', '0']. */
  wrapper: string[] = [],
): Promise<Server> {
  const port = nextPort++
  const url = `http://127.0.0.1:${port}`
  // A minimal environment, as in a container: an inherited `_` naming the bun binary stops the compiled
  // executable's Workers from starting (measured), so the parent's environment is not passed on.
  const logDir = mkdtempSync(join(tmpdir(), 'byoc-bench-log-'))
  const [outFile, errFile] = [join(logDir, 'stdout.log'), join(logDir, 'stderr.log')]
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '')
  const text = () => read(outFile) + read(errFile)
  const t0 = performance.now()
  const proc = Bun.spawn([...wrapper, binary, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/root',
      BYOC_ML_ROOT: root,
      SAGEMAKER_BIND_TO_PORT: String(port),
      BYOC_HOST: '127.0.0.1',
      ...IMAGE_ENV,
      ...env,
    },
    // To a file, as a container's output goes to its log driver: a pipe read by this process would put
    // the reading of every access-log line on the cores the server is measured on.
    stdout: Bun.file(outFile),
    stderr: Bun.file(errFile),
    stdin: 'ignore',
    // As in the image: the binary must not depend on the directory it starts in.
    cwd: '/',
  })
  let coldStartMs = Number.NaN
  while (performance.now() - t0 < 30_000) {
    if (proc.exitCode !== null) throw new Error(`byoc exited ${proc.exitCode}:\n${text()}`)
    try {
      if ((await fetch(`${url}/ping`)).status === 200) {
        coldStartMs = performance.now() - t0
        break
      }
    } catch {}
    await Bun.sleep(1)
  }
  if (Number.isNaN(coldStartMs)) {
    // Never left running: a server stuck at 503 would hold its port into the next measurements.
    proc.kill('SIGKILL')
    throw new Error(`byoc never answered /ping 200:\n${text()}`)
  }
  return {
    url,
    pid: proc.pid,
    coldStartMs,
    log: text,
    rssMiB: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))
      return m ? Number(m[1]) / 1024 : Number.NaN
    },
    stop: async () => {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}
