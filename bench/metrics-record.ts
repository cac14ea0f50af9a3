/**
 * What recording one invocation's metrics costs on the HTTP thread, in process: the calls app.ts makes per
 * request with metrics on (request counter and latency, the four stage histograms, the run size), in a
 * loop; then rendering /metrics, warm. Prints {"nsPerRequest": N, "scrapeMs": M}.
 */
import { ServeMetrics } from '../src/serve/serve-metrics'

const metrics = new ServeMetrics(
  { version: '0', onnxruntime: '0', device: () => ({ provider: 'cpu', cudaMajor: null, driver: null }) },
  () => ({
    inFlight: 1,
    queued: 1,
    queuedBytes: 100,
    workersReady: 2,
  }),
)
const model = metrics.model()
const N = 2_000_000
const record = (i: number) => {
  const ms = 1 + (i % 50) / 10
  metrics.bytesInFlight += 3000
  metrics.bytesInFlight -= 3000
  metrics.request('/invocations', i % 97 ? 200 : 400, ms, 3000, 1200)
  model.served({ queueMs: ms / 4, decodeMs: ms / 5, runMs: ms / 3, encodeMs: ms / 6 })
  model.ran(150)
}
for (let i = 0; i < 100_000; i++) record(i) // warm the JIT
const t0 = performance.now()
for (let i = 0; i < N; i++) record(i)
const nsPerRequest = ((performance.now() - t0) * 1e6) / N
for (let i = 0; i < 50; i++) metrics.expose()
const t1 = performance.now()
for (let i = 0; i < 200; i++) metrics.expose()
console.log(JSON.stringify({ nsPerRequest, scrapeMs: (performance.now() - t1) / 200 }))
