/**
 * SIGTERM under keep-alive load, as SageMaker sends it on every scale-in and deployment: every request whose
 * bytes reached the server before the signal is answered in full, keep-alive connections close after their
 * current answer, and the server exits 0 well inside the 30 s SageMaker allows. Several rounds, since a
 * lost request shows up only in some of them.
 */
import { expect, test } from 'bun:test'
import { linearClassifierModel } from './fixtures/models'
import { keepAliveLoad } from './helpers/raw-http'
import { mlRoot, startServer } from './helpers/server'

const ROUNDS = 6
const CONNECTIONS = 64
const root = mlRoot({ 'model.onnx': linearClassifierModel({ features: 4, classes: 3 }) })
const body = '1,2,3,4\n0,1,0,1\n'
const request = new TextEncoder().encode(
  `POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nAccept: text/csv\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
)

for (const [front, rounds] of [
  ['bun', ROUNDS],
  ['raw', 3],
] as const)
  test(`BYOC_HTTP_FRONT=${front}: SIGTERM under ${CONNECTIONS}-connection keep-alive load loses no request (${rounds} rounds)`, async () => {
    for (let round = 0; round < rounds; round++) {
      const s = await startServer(root, { MODEL_SERVER_WORKERS: '1', BYOC_HTTP_FRONT: front })
      let cutoff = Number.POSITIVE_INFINITY
      const stopAt = performance.now() + 10_000
      const load = keepAliveLoad(
        s.port,
        request,
        CONNECTIONS,
        () => performance.now() > stopAt,
        () => cutoff,
      )
      await Bun.sleep(300 + round * 50)
      // Requests fully written before this instant count: their bytes are in the server's socket buffers.
      cutoff = performance.now()
      s.proc.kill('SIGTERM')
      const exitCode = await s.proc.exited
      const exitMs = performance.now() - cutoff
      const stats = await load
      const log = s.log()
      expect({ round, lost: stats.lost, exitCode }).toEqual({ round, lost: 0, exitCode: 0 })
      expect(stats.answered).toBeGreaterThan(CONNECTIONS)
      expect([...stats.statuses.keys()]).toEqual([200])
      // Every connection open at the signal was told to close with its last answer.
      expect(stats.closing).toBeGreaterThan(0)
      expect(exitMs).toBeLessThan(5000)
      expect(log).toContain('SIGTERM received')
    }
  }, 60_000)
