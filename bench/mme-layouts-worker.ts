/**
 * bench/mme-layouts.ts: a Worker holding sessions for `count` models (ids first..first+count-1), each
 * answering a CSV body with the request path's steps (decode → feeds → run → outputs → encode).
 */
declare const self: Worker

export {}

const early: MessageEvent[] = []
self.onmessage = (e) => void early.push(e)
const { decoderFor, encoderFor } = await import('../src/formats')
const { providerPlan } = await import('../src/model/execution-provider')
const { buildFeeds } = await import('../src/model/feeds')
const { runModel } = await import('../src/model/fixed-batch')
const { planOutputs, selectOutputs } = await import('../src/model/output-plan')
const { createSession } = await import('../src/model/session')
type Loaded = Awaited<ReturnType<typeof createSession>>
const models = new Map<number, { loaded: Loaded; plan: ReturnType<typeof planOutputs> }>()
const decode = decoderFor('text/csv')
const encode = encoderFor('text/csv')
const options = { csvHeader: 'auto', textInput: false } as const

const handle = async (e: MessageEvent) => {
  const m = e.data
  if (m.type === 'load') {
    const t0 = performance.now()
    for (let i = m.first; i < m.first + m.count; i++) {
      const loaded = await createSession({
        modelPath: m.path,
        plan: providerPlan('cpu', 0, false),
        intraOpThreads: 1,
        allowSpinning: false,
        graphOptimization: 'all',
      })
      models.set(i, { loaded, plan: planOutputs(loaded.signature.outputs, null, null) })
    }
    self.postMessage({ type: 'loaded', ms: performance.now() - t0 })
    return
  }
  const { loaded, plan } = models.get(m.model)!
  const decoded = decode(m.body, options)
  const feeds = buildFeeds(decoded, loaded.signature)
  const results = await runModel(loaded.session, loaded.signature, feeds, decoded.records, plan.names)
  const body = encode({ records: decoded.records, outputs: selectOutputs(results, plan, decoded.records) })
  self.postMessage({ type: 'answer', id: m.id, bytes: body.length })
}
self.onmessage = handle
for (const e of early.splice(0)) void handle(e)
