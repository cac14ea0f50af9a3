/**
 * Starts the compiled dist/byoc on a free port with its own BYOC_ML_ROOT, the way SageMaker starts the
 * container, and collects its log.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Subprocess, spawn } from 'bun'

export const BINARY = join(import.meta.dir, '../../dist/byoc')

export interface Running {
  url: string
  port: number
  root: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  log: () => string
  stop: (signal?: NodeJS.Signals) => Promise<number>
}

/** A temp /opt/ml tree with the given model files in model/. */
export function mlRoot(files: Record<string, Uint8Array | string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'byoc-test-'))
  mkdirSync(join(root, 'model'), { recursive: true })
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, 'model', name), data)
  return root
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, fetch: () => new Response() })
  const port = s.port as number
  s.stop(true)
  return port
}

export async function startServer(
  root: string,
  env: Record<string, string> = {},
  opts: { waitReady?: boolean; cwd?: string; binary?: string } = {},
): Promise<Running> {
  const port = await freePort()
  const proc = spawn([opts.binary ?? BINARY, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      BYOC_ML_ROOT: root,
      SAGEMAKER_BIND_TO_PORT: String(port),
      BYOC_HOST: '127.0.0.1',
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
    cwd: opts.cwd ?? '/',
  })
  let text = ''
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) text += decoder.decode(chunk)
  }
  void pump(proc.stdout)
  void pump(proc.stderr)
  const url = `http://127.0.0.1:${port}`
  const running: Running = {
    url,
    port,
    root,
    proc,
    log: () => text,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal)
      return await proc.exited
    },
  }
  if (opts.waitReady !== false) await waitForPing(running, 200)
  return running
}

/** Polls /ping until it answers `status`; throws with the server log if it does not within the limit. */
export async function waitForPing(server: Running, status: number, limitMs = 20000): Promise<number> {
  const t0 = performance.now()
  while (performance.now() - t0 < limitMs) {
    if (server.proc.exitCode !== null) throw new Error(`server exited ${server.proc.exitCode}:\n${server.log()}`)
    try {
      const res = await fetch(`${server.url}/ping`)
      if (res.status === status) return performance.now() - t0
    } catch {}
    await Bun.sleep(10)
  }
  throw new Error(`/ping never answered ${status} within ${limitMs} ms:\n${server.log()}`)
}

/** Waits until the server log matches: log lines are written once per event-loop turn, just after the response. */
export async function waitForLog(server: Running, pattern: RegExp, limitMs = 2000): Promise<string> {
  const t0 = performance.now()
  while (!pattern.test(server.log()) && performance.now() - t0 < limitMs) await Bun.sleep(5)
  return server.log()
}
