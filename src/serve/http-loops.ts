/**
 * Several HTTP event loops on one port: one event loop is the ceiling of a server on many cores (every
 * request's parsing, routing and answer pass through it), so `byoc serve` can run extra copies of
 * itself, each a whole server with its own share of the model Workers, all listening on the port with
 * SO_REUSEPORT so the kernel spreads connections over them. The first process (loop 0) starts as
 * before (port open at once, /ping 503 while loading) and starts the others once its model is warm, so
 * they do not slow the first /ping 200; each of those opens the port only when its own model is warm, so
 * no connection meets a loading server. SIGTERM to the first is passed on, and it exits after them; a
 * loop whose first process is gone (SIGKILL) stops itself; a loop that dies is started again.
 */
import type { Subprocess } from 'bun'
import { log } from '../log'

/**
 * How many loops, and each one's share of the model Workers (every loop needs one). By default one
 * loop per 4 cores: for the cheapest models the HTTP thread takes about a quarter of a request's CPU
 * (bench/RESULTS.md, "Scaling with cores"), so a quarter of the cores keeps the loops from being the
 * limit; with fewer than 8 cores one loop.
 */
export function planLoops(configured: number | null, cpus: number, workers: number): number[] {
  const wanted = configured ?? Math.max(1, Math.floor(cpus / 4))
  const loops = Math.max(1, Math.min(wanted, workers))
  return Array.from({ length: loops }, (_, i) => Math.floor(workers / loops) + (i < workers % loops ? 1 : 0))
}

export interface ExtraLoops {
  /** Passes SIGTERM on and waits for every loop to exit (bounded). */
  stop: () => Promise<void>
}

/**
 * Starts loops 1..n-1 (this process is loop 0) with their shares of Workers and `threads` intra-op
 * threads each, on the port loop 0 listens on (the one it was given, or the one the kernel chose).
 */
export function startExtraLoops(shares: number[], threads: number, port: number): ExtraLoops {
  // A compiled byoc's argv[1] is its embedded entry point; under `bun src/cli.ts` it is the script.
  const script = process.argv[1]?.startsWith('/$bunfs/') ? [] : [process.argv[1]]
  const children = new Map<number, Subprocess>()
  let stopping = false
  const spawn = (index: number) => {
    const child = Bun.spawn([process.execPath, ...script, 'serve'], {
      env: {
        ...process.env,
        BYOC_LOOP_INDEX: String(index),
        SAGEMAKER_BIND_TO_PORT: String(port),
        SAGEMAKER_MODEL_SERVER_WORKERS: String(shares[index]),
        MODEL_SERVER_WORKERS: String(shares[index]),
        BYOC_INTRA_OP_THREADS: String(threads),
      },
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
      onExit: (_p, code, signal) => {
        children.delete(index)
        if (stopping) return
        log.warn(`HTTP loop ${index} exited (${signal ?? `code ${code}`}); starting it again`)
        setTimeout(() => !stopping && spawn(index), 1000)
      },
    })
    children.set(index, child)
  }
  for (let i = 1; i < shares.length; i++) spawn(i)
  return {
    stop: async () => {
      stopping = true
      const all = [...children.values()]
      for (const c of all) c.kill('SIGTERM')
      await Promise.race([Promise.all(all.map((c) => c.exited)), Bun.sleep(28_000)])
    },
  }
}

/** In loops 1..n-1: stop when the first process is gone (the kernel hands the orphan to another parent). */
export function watchFirstLoop(stop: (why: string) => void): void {
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) stop('the first HTTP loop is gone')
  }, 500).unref()
}
