/**
 * The steps a model Worker takes for a CSV request, without the Worker: a session on the CPU and the
 * decode → buildFeeds → run → selectOutputs → encode chain, for the benchmarks that run them elsewhere
 * (bench/inprocess.ts in a bare loop, bench/inline-loop.ts behind HTTP).
 */
import { decoderFor, encoderFor } from '../src/formats'
import { providerPlan } from '../src/model/execution-provider'
import { buildFeeds } from '../src/model/feeds'
import { runModel } from '../src/model/fixed-batch'
import { planOutputs, selectOutputs } from '../src/model/output-plan'
import { createSession } from '../src/model/session'

export async function csvSteps(modelPath: string, intraOpThreads: number) {
  const loaded = await createSession({
    modelPath,
    plan: providerPlan('cpu', 0, false),
    intraOpThreads,
    allowSpinning: false,
    graphOptimization: 'all',
  })
  const plan = planOutputs(loaded.signature.outputs, null, null)
  const decoder = decoderFor('text/csv')
  const encoder = encoderFor('text/csv')
  const options = { csvHeader: 'auto', textInput: false } as const
  const decode = (body: Uint8Array) => decoder(body, options)
  type Decoded = ReturnType<typeof decode>
  const feeds = (decoded: Decoded) => buildFeeds(decoded, loaded.signature)
  const run = (decoded: Decoded, given: ReturnType<typeof feeds>) =>
    runModel(loaded.session, loaded.signature, given, decoded.records, plan.names)
  const encode = (decoded: Decoded, results: Awaited<ReturnType<typeof run>>) =>
    encoder({ records: decoded.records, outputs: selectOutputs(results, plan, decoded.records) })
  return { decode, feeds, run, encode }
}
