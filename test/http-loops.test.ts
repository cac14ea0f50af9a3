/**
 * Several HTTP event loops on one port (BYOC_HTTP_LOOPS): every loop answers, SIGTERM stops them all, a
 * loop that dies is started again, loops left without their first process stop, and a server already on
 * the port still fails the start. Always through the compiled binary.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { linearClassifierModel } from './fixtures/models'
import { freePort, mlRoot, startServer, waitForLog } from './helpers/server'

const classifier = linearClassifierModel({ features: 4, classes: 3 })
const LOOPS = { BYOC_HTTP_LOOPS: '2', MODEL_SERVER_WORKERS: '2' }
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
/** Voluntary context switches of a process's main (HTTP) thread. */
const wakeups = (pid: number) =>
  Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
const loopPid = (log: string) => Number(/\(pid (\d+), HTTP loop 1\)/.exec(log)?.[1] ?? Number.NaN)
const invoke = (url: string) =>
  fetch(`${url}/invocations`, {
    method: 'POST',
    body: '1,2,3,4\n5,6,7,8\n',
    headers: { 'content-type': 'text/csv', connection: 'close' },
  })

describe('several HTTP loops', () => {
  test('both loops serve the port; SIGTERM stops both and exits 0', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), LOOPS)
    const log = await waitForLog(s, /HTTP loop 1\)/, 10_000)
    const child = loopPid(log)
    try {
      expect(alive(child)).toBe(true)
      // New connections each time: the kernel spreads them over both loops. The extra loop's HTTP thread
      // wakes for each one it serves (its idle timers wake it a couple of times a second).
      const idleFrom = wakeups(child)
      await Bun.sleep(1000)
      const idle = wakeups(child) - idleFrom
      const before = wakeups(child)
      const t0 = performance.now()
      const answers: Response[] = []
      for (let i = 0; i < 10; i++) answers.push(...(await Promise.all(Array.from({ length: 30 }, () => invoke(s.url)))))
      for (const a of answers) expect(a.status).toBe(200)
      const bodies = new Set(await Promise.all(answers.map((a) => a.text())))
      expect(bodies.size).toBe(1)
      const busy = wakeups(child) - before
      const seconds = (performance.now() - t0) / 1000
      expect(busy).toBeGreaterThan(idle * Math.max(1, seconds) * 2 + 5)
    } finally {
      expect(await s.stop()).toBe(0)
    }
    expect(alive(child)).toBe(false)
    expect(s.log().match(/INFO stopped/g)?.length).toBe(2)
  }, 30_000)

  test('a loop that dies is started again; loops whose first process is killed stop themselves', async () => {
    const s = await startServer(mlRoot({ 'model.onnx': classifier }), LOOPS)
    let second = Number.NaN
    try {
      const first = loopPid(await waitForLog(s, /HTTP loop 1\)/, 10_000))
      process.kill(first, 'SIGKILL')
      await waitForLog(s, /HTTP loop 1 exited/, 5000)
      const log = await waitForLog(s, new RegExp(`\\(pid (?!${first}\\b)\\d+, HTTP loop 1\\)`), 10_000)
      second = Number([...log.matchAll(/\(pid (\d+), HTTP loop 1\)/g)].pop()?.[1])
      expect(second).not.toBe(first)
      expect(alive(second)).toBe(true)
    } finally {
      await s.stop('SIGKILL')
    }
    const until = performance.now() + 5000
    while (alive(second) && performance.now() < until) await Bun.sleep(50)
    expect(alive(second)).toBe(false)
  }, 30_000)

  test('a server already on the port fails the start, although the loops share it among themselves', async () => {
    const port = await freePort()
    const squatter = Bun.serve({ hostname: '127.0.0.1', port, reusePort: true, fetch: () => new Response('other') })
    try {
      const proc = Bun.spawn(['dist/byoc', 'serve'], {
        cwd: `${import.meta.dir}/..`,
        env: {
          PATH: process.env.PATH ?? '',
          BYOC_ML_ROOT: mlRoot({ 'model.onnx': classifier }),
          SAGEMAKER_BIND_TO_PORT: String(port),
          BYOC_HOST: '127.0.0.1',
          ...LOOPS,
        },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      const code = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => 'still running')])
      if (code === 'still running') proc.kill('SIGKILL')
      expect(code).not.toBe(0)
      expect(code).not.toBe('still running')
      const out = (await new Response(proc.stdout).text()) + (await new Response(proc.stderr).text())
      expect(out).toContain(`cannot listen on 127.0.0.1:${port}`)
      expect(out.split('\n').length).toBeLessThan(10)
    } finally {
      squatter.stop(true)
    }
  }, 30_000)
})
