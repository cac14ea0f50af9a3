/**
 * Keeps a multi-model endpoint's native memory from creeping up over load/unload cycles. ONNX Runtime
 * allocates with glibc malloc, which gives threads arenas of their own (up to 8 per core) and keeps what
 * a finished Worker thread freed for whichever thread takes that arena next; freed pages inside an
 * arena stay resident. Over 200 load/invoke/unload cycles RSS kept rising with the defaults and stayed
 * flat with the arenas capped near the core count and a trim after each unload (docs/multi-model.md).
 * Through bun:ffi; a no-op where libc lacks mallopt/malloc_trim (musl) or FFI fails.
 */
import { log } from '../log'

/** glibc's mallopt parameter for the arena cap. */
const M_ARENA_MAX = -8

interface Libc {
  mallopt: (param: number, value: number) => number
  malloc_trim: (pad: number) => number
}

let libc: Libc | null | undefined

function open(): Libc | null {
  if (libc !== undefined) return libc
  try {
    const { dlopen, FFIType } = require('bun:ffi') as typeof import('bun:ffi')
    const lib = dlopen('libc.so.6', {
      mallopt: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      malloc_trim: { args: [FFIType.u64], returns: FFIType.i32 },
    })
    libc = { mallopt: lib.symbols.mallopt, malloc_trim: (pad) => lib.symbols.malloc_trim(pad) }
  } catch (error) {
    log.debug(`glibc malloc controls unavailable: ${(error as Error).message}`)
    libc = null
  }
  return libc
}

/** Caps glibc's malloc arenas; call before the model Workers start (arenas are made on first use). */
export function capMallocArenas(arenas: number): void {
  open()?.mallopt(M_ARENA_MAX, Math.max(1, Math.floor(arenas)))
}

/** Returns free heap pages of every arena to the system. */
export function trimNativeHeap(): void {
  open()?.malloc_trim(0)
}
