/**
 * Where the model Worker's entry lives. From source this module's URL is its own file, beside the entry.
 * Inside the compiled binary every bundled module shares the executable's URL under /$bunfs/root/, and
 * each entrypoint keeps its path relative to src/ (scripts/build.ts lists src/model/worker-entry.ts and
 * src/model/prepare-entry.ts).
 */
const compiled = import.meta.url.startsWith('file:///$bunfs/')

export const MODEL_WORKER_URL = new URL(compiled ? './model/worker-entry.ts' : './worker-entry.ts', import.meta.url)
  .href

/** The Worker that extracts and inspects one multi-model endpoint model before it loads. */
export const PREPARE_WORKER_URL = new URL(compiled ? './model/prepare-entry.ts' : './prepare-entry.ts', import.meta.url)
  .href

let prestarted: Worker | null = null

/**
 * Starts the first model Worker ahead of need (cli.ts, first thing for `serve`): its JavaScript runtime,
 * the ONNX Runtime library and addon and ONNX Runtime's own set-up load while the HTTP thread imports the
 * server, reads the config, opens the port and finds the model, instead of after (cold start). A re-exec
 * onto the CUDA compatibility libraries (device-start.ts) simply replaces it with the process. The pool
 * takes it with takeModelWorker; its entry holds messages until it is ready.
 */
export function prestartModelWorker(): void {
  prestarted ??= new Worker(MODEL_WORKER_URL)
}

/** The prestarted Worker if there is one (once), else a new one. */
export function takeModelWorker(): Worker {
  const worker = prestarted ?? new Worker(MODEL_WORKER_URL)
  prestarted = null
  return worker
}
