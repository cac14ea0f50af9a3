/**
 * The in-process baseline: the same decode → buildFeeds → run → selectOutputs → encode steps the Worker
 * does, in a loop on one thread for a few seconds, with no HTTP and no Worker messages. Prints one JSON
 * line: iterations/s and the mean milliseconds of each step.
 * Usage: bun bench/inprocess.ts <model.onnx> <body.csv> <seconds> <intra-op threads> [warm-up seconds, default 1]
 */
import { readFileSync } from 'node:fs'
import { csvSteps } from './csv-steps'

const [modelPath, bodyPath, secondsArg, threadsArg, warmArg = '1'] = process.argv.slice(2)
const body = new Uint8Array(readFileSync(bodyPath))
const steps = await csvSteps(modelPath, Number(threadsArg))

const spent = { decode: 0, feeds: 0, run: 0, encode: 0 }
let n = 0
// Unmeasured first, as the HTTP runs have their warm-up: the JIT compiles the loop before it counts.
const warmUntil = performance.now() + Number(warmArg) * 1000
while (performance.now() < warmUntil) {
  const decoded = steps.decode(body)
  steps.encode(decoded, await steps.run(decoded, steps.feeds(decoded)))
}
const until = performance.now() + Number(secondsArg) * 1000
const started = performance.now()
while (performance.now() < until) {
  const t0 = performance.now()
  const decoded = steps.decode(body)
  const t1 = performance.now()
  const feeds = steps.feeds(decoded)
  const t2 = performance.now()
  const results = await steps.run(decoded, feeds)
  const t3 = performance.now()
  steps.encode(decoded, results)
  const t4 = performance.now()
  spent.decode += t1 - t0
  spent.feeds += t2 - t1
  spent.run += t3 - t2
  spent.encode += t4 - t3
  n++
}
const elapsed = (performance.now() - started) / 1000
const ms = (x: number) => Number((x / n).toFixed(4))
console.log(
  JSON.stringify({
    rps: n / elapsed,
    iterations: n,
    decodeMs: ms(spent.decode),
    feedsMs: ms(spent.feeds),
    runMs: ms(spent.run),
    encodeMs: ms(spent.encode),
  }),
)
