/**
 * What a loaded model will hold in resident memory, estimated before loading it so a multi-model
 * endpoint can answer 507 instead of being killed by the kernel. Factors measured with
 * bench/session-memory.ts (docs/multi-model.md): each model runs in Workers of its own, and a Worker
 * keeps what its session's load allocated (glibc gives each thread its own malloc arena), so a tree
 * ensemble, whose nodes ONNX Runtime unpacks into its own structures, costs several times its file
 * while dense weights cost about one and a half to three times theirs.
 */
import { readFileSync } from 'node:fs'

export type ModelKind = 'tree' | 'dense'

const MiB = 1024 * 1024

/** A model Worker with the runtime, the codecs and a tiny session (7-9 MiB measured in the compiled binary). */
export const WORKER_BYTES = 10 * MiB
/** Resident bytes per file byte, per kind, rounded up from the measurements. */
export const BYTES_PER_FILE_BYTE: Readonly<Record<ModelKind, number>> = Object.freeze({ tree: 16, dense: 3.5 })

/** Estimated resident bytes of one Worker serving a model of `fileBytes` of `kind`. */
export function estimateWorkerBytes(fileBytes: number, kind: ModelKind): number {
  return Math.ceil(WORKER_BYTES + fileBytes * BYTES_PER_FILE_BYTE[kind])
}

/** This process's resident memory (all Workers are threads of it), from /proc; 0 where there is none. */
export function residentBytes(): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}
