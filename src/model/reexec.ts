/**
 * Replaces this process with itself under a new environment: the dynamic loader reads LD_LIBRARY_PATH
 * only at exec, so putting the CUDA forward-compatibility libcuda ahead of the host's needs a new exec.
 * execve(2) keeps the pid, so SageMaker's SIGTERM still reaches byoc; Bun has no execve, so it is
 * called from libc through bun:ffi.
 */
import { dlopen, FFIType, ptr, read } from 'bun:ffi'

const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8')

/** Never returns on success; throws with errno's text when the exec fails. */
export function reexec(file: string, argv: string[], env: Record<string, string | undefined>): never {
  const libc = dlopen('libc.so.6', {
    execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    strerror: { args: [FFIType.i32], returns: FFIType.cstring },
    __errno_location: { args: [], returns: FFIType.ptr },
  })
  const keep: Buffer[] = [] // referenced until the call, so the collector cannot free the strings
  const array = (items: string[]) => {
    const pointers = new BigUint64Array(items.length + 1)
    items.forEach((item, n) => {
      const b = cstring(item)
      keep.push(b)
      pointers[n] = BigInt(ptr(b))
    })
    return pointers
  }
  const path = cstring(file)
  const args = array(argv)
  const envp = array(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])))
  libc.symbols.execve(ptr(path), ptr(args), ptr(envp))
  const errno = read.i32(libc.symbols.__errno_location()!, 0)
  keep.length = 0
  throw new Error(`execve ${file} failed: ${libc.symbols.strerror(errno)}`)
}
