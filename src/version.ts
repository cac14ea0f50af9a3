import ort from 'onnxruntime-node/package.json' with { type: 'json' }
import pkg from '../package.json' with { type: 'json' }

export const VERSION: string = pkg.version
/** The onnxruntime-node build bundled into the executable (its native library is the same release). */
export const ONNXRUNTIME_VERSION: string = ort.version
