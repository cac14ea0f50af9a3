/**
 * Where the model Worker's entry lives. This module sits beside src/worker.ts so the same relative URL
 * resolves both from source (`bun run`) and inside the compiled binary, where every entrypoint keeps
 * its path relative to src/ (scripts/build.ts lists src/worker.ts as an entrypoint).
 */
export const MODEL_WORKER_URL = new URL('./worker.ts', import.meta.url).href
