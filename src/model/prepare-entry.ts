/**
 * Entry of the short-lived Worker that prepares one multi-model endpoint model (prepare-model.ts): it
 * answers one message and is then terminated (it never runs ONNX Runtime, so terminating it is safe).
 */
import { prepareModel } from './prepare-model'

declare const self: Worker

self.onmessage = async (event: MessageEvent<{ dir: string; modelFile: string | null }>) => {
  try {
    self.postMessage({ ok: true, prepared: await prepareModel(event.data.dir, event.data.modelFile) })
  } catch (error) {
    self.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) })
  }
}
