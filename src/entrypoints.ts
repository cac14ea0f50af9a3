/**
 * The executable's entrypoints (scripts/build.ts lists them), each a bundle of its own that loads only when
 * used: the main one (cli.ts) stays small because every start loads it before its first line runs, and
 * `byoc serve` starts its first model Worker before it loads the server's bundle.
 *
 * From source each URL is the file's own. Inside the compiled binary every entrypoint lives under
 * /$bunfs/root/ with its path relative to src/.
 */
// Absolute inside the binary: a module's URL there is its bundle's entrypoint, which differs by bundle.
const compiled = import.meta.url.startsWith('file:///$bunfs/')
const entry = (path: string) => (compiled ? `file:///$bunfs/root/${path}` : new URL(`./${path}`, import.meta.url).href)

/** `byoc serve` (serve/serve.ts). */
export const SERVE_ENTRY_URL = entry('serve/serve.ts')
/** `byoc train` (train/train.ts). */
export const TRAIN_ENTRY_URL = entry('train/train.ts')
/** `byoc extract-archive` (model/extract-entry.ts), which serve runs in a child process. */
export const EXTRACT_ENTRY_URL = entry('model/extract-entry.ts')
/** The model Worker (model/worker-entry.ts). */
export const MODEL_WORKER_URL = entry('model/worker-entry.ts')
/** The Worker that extracts and inspects one multi-model endpoint model before it loads. */
export const PREPARE_WORKER_URL = entry('model/prepare-entry.ts')

// Shared through globalThis: the main bundle and the server's bundle each hold their own copy of this module.
const PRESTARTED = Symbol.for('byoc.prestartedModelWorker')
const slot = globalThis as { [PRESTARTED]?: Worker | null }

/**
 * Starts the first model Worker ahead of need (cli.ts, first thing for `serve`): its JavaScript runtime,
 * the ONNX Runtime library and addon and ONNX Runtime's own set-up load while the HTTP thread loads the
 * server, reads the config, opens the port and finds the model, instead of after (cold start). A re-exec
 * onto the CUDA compatibility libraries (device-start.ts) simply replaces it with the process. The pool
 * takes it with takeModelWorker; its entry holds messages until it is ready.
 */
export function prestartModelWorker(): void {
  slot[PRESTARTED] ??= new Worker(MODEL_WORKER_URL)
}

/** The prestarted Worker if there is one (once), else a new one. */
export function takeModelWorker(): Worker {
  const worker = slot[PRESTARTED] ?? new Worker(MODEL_WORKER_URL)
  slot[PRESTARTED] = null
  return worker
}
