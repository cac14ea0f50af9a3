/**
 * The en_US.UTF-8 locale that ONNX Runtime's StringNormalizer constructs by name (skl2onnx's text
 * pipelines). The image installs it; `bun run build` also compiles one beside the executable
 * (dist/locale), so the bare binary works on a host that lacks it: when the system has no en_US.UTF-8
 * and LOCPATH is not set, LOCPATH is pointed at that folder before any session is created. glibc reads
 * LOCPATH from the C environment, which process.env does not write, hence setenv through libc.
 */
import { dlopen, FFIType, ptr } from 'bun:ffi'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const LOCALE = 'en_US.UTF-8'
const LC_ALL_MASK = 0x1fbf

type Libc = {
  newlocale: (mask: number, name: unknown, base: null) => unknown
  freelocale: (l: unknown) => void
  setenv: (name: unknown, value: unknown, overwrite: number) => number
}

function libc(): Libc | null {
  try {
    return dlopen('libc.so.6', {
      newlocale: { args: [FFIType.i32, FFIType.cstring, FFIType.ptr], returns: FFIType.ptr },
      freelocale: { args: [FFIType.ptr], returns: FFIType.void },
      setenv: { args: [FFIType.cstring, FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
    }).symbols as unknown as Libc
  } catch {
    return null // not glibc: nothing to do
  }
}

const cstring = (s: string) => ptr(Buffer.from(`${s}\0`))

/**
 * Points LOCPATH at the bundled locale when the system lacks en_US.UTF-8; returns the folder used, or
 * null (the system has it, LOCPATH is the user's, or there is no bundle). Call before Workers start.
 */
export function useBundledLocale(localePath: string | null, execPath = process.execPath): string | null {
  if (localePath !== null) return null
  const bundle = join(dirname(execPath), 'locale')
  if (!existsSync(join(bundle, LOCALE, 'LC_CTYPE'))) return null
  const c = libc()
  if (!c) return null
  const found = c.newlocale(LC_ALL_MASK, cstring(LOCALE), null)
  if (found) {
    c.freelocale(found)
    return null
  }
  return c.setenv(cstring('LOCPATH'), cstring(bundle), 1) === 0 ? bundle : null
}
