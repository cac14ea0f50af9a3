/** bench/session-memory.ts: a Worker holding one session, as a multi-model Worker does. */
declare const self: Worker

export {}

const keep: unknown[] = []
// The handler is installed before any await: a message that arrives with no handler is lost.
self.onmessage = async (e: MessageEvent<string>) => {
  const ort = await import('onnxruntime-node')
  keep.push(await ort.InferenceSession.create(e.data, { intraOpNumThreads: 1, interOpNumThreads: 1 }))
  self.postMessage('ready')
}
