/**
 * Model Worker entry. ONNX Runtime's run() blocks its thread, so every model runs here, off the HTTP
 * thread: the Worker decodes the body, runs the model and encodes the answer. The runtime library must
 * be loadable before onnxruntime-node is imported, hence the dynamic import.
 */
import { disableOrtTelemetry } from './ort-telemetry'
import { preloadOnnxRuntimeLibrary } from './runtime-library'

declare const self: Worker

// The pool posts `init` right after creating the Worker, before the import below has finished: a message
// that arrives with no handler installed is lost (the Worker then never starts; seen from source, where
// the import is slower). Hold them until the real handler takes over.
const early: MessageEvent[] = []
self.onmessage = (event: MessageEvent) => void early.push(event)

disableOrtTelemetry()
const library = preloadOnnxRuntimeLibrary()
const { startModelWorker } = await import('./model-worker')
const { warmRuntime } = await import('./session')
// Failing here is not this Worker's business: the real session, next, reports any problem.
await warmRuntime().catch(() => {})
startModelWorker(self, library, early)
