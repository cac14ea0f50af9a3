/**
 * ONNX Runtime 1.29+ ships 1DS telemetry on Linux: at its first session it creates a device id and an
 * offline cache under ~/.cache, writes a debug log to /tmp and queues uploads to Microsoft. An endpoint
 * has no business doing that (and often no network to do it with), and it is also a visible part of the
 * first session's cost (cold start). ORT_DISABLE_TELEMETRY=1, read from the C environment before ONNX
 * Runtime initialises, turns all of it off; a value the user set is kept. process.env does not write the
 * C environment, hence setenv through libc (as locale.ts does).
 */
import { dlopen, FFIType, ptr } from 'bun:ffi'

const cstring = (s: string) => ptr(Buffer.from(`${s}\0`))

/** Call before onnxruntime-node is imported; false when libc's setenv is not there (not glibc). */
export function disableOrtTelemetry(): boolean {
  try {
    const { setenv } = dlopen('libc.so.6', {
      setenv: { args: [FFIType.cstring, FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
    }).symbols as unknown as { setenv: (name: unknown, value: unknown, overwrite: number) => number }
    return setenv(cstring('ORT_DISABLE_TELEMETRY'), cstring('1'), 0) === 0
  } catch {
    return false
  }
}
