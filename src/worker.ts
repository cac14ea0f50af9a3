/**
 * Model Worker entry. ONNX Runtime's run() blocks its thread, so every model runs here, off the HTTP
 * thread: the Worker decodes the body, runs the model and encodes the answer. The runtime library must
 * be loadable before onnxruntime-node is imported, hence the dynamic import.
 */
import { preloadOnnxRuntimeLibrary } from './onnx/runtime-library'

declare const self: Worker

const library = preloadOnnxRuntimeLibrary()
const { startModelWorker } = await import('./model/model-worker')
startModelWorker(self, library)
