/**
 * Starts dist/byoc serve the way SageMaker does (a fresh /opt/ml-like root, a port), measures the time
 * from exec to the first /ping 200, reads its RSS, and stops it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
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
  const t0 = performance.now()
  const proc = Bun.spawn([...wrapper, binary, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/root',
      BYOC_ML_ROOT: root,
      SAGEMAKER_BIND_TO_PORT: String(port),
      BYOC_HOST: '127.0.0.1',
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
    // As in the image: the binary must not depend on the directory it starts in.
    cwd: '/',
  })
  let text = ''
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const d = new TextDecoder()
    for await (const chunk of s) text += d.decode(chunk)
  }
  void pump(proc.stdout)
  void pump(proc.stderr)
  let coldStartMs = Number.NaN
  while (performance.now() - t0 < 30_000) {
    if (proc.exitCode !== null) throw new Error(`byoc exited ${proc.exitCode}:\n${text}`)
    try {
      if ((await fetch(`${url}/ping`)).status === 200) {
        coldStartMs = performance.now() - t0
        break
      }
    } catch {}
    await Bun.sleep(1)
  }
  if (Number.isNaN(coldStartMs)) throw new Error(`byoc never answered /ping 200:\n${text}`)
  return {
    url,
    pid: proc.pid,
    coldStartMs,
    log: () => text,
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
