/**
 * Makes `libonnxruntime.so.1` loadable before onnxruntime-node is imported.
 *
 * A compiled binary extracts the ONNX Runtime addon to $TMPDIR and dlopens it; the addon then needs
 * libonnxruntime.so.1, which the loader looks for in $TMPDIR, LD_LIBRARY_PATH and system paths only.
 * Setting LD_LIBRARY_PATH from code is too late, so instead we dlopen the library by absolute path
 * first: the loader then satisfies the addon's dependency with the copy already mapped (same SONAME).
 * ONNX Runtime looks for execution-provider libraries (CUDA) beside the library it was loaded from.
 */
import { dlopen } from 'bun:ffi'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

const LIB = 'libonnxruntime.so.1'
let loadedFrom: string | null | undefined

/** Folders searched, in order: beside the executable (dist/, /app), then LD_LIBRARY_PATH. */
export function libraryCandidates(execPath: string, ldLibraryPath: string | undefined): string[] {
  const dirs = [dirname(execPath), join(dirname(execPath), 'lib'), ...(ldLibraryPath ?? '').split(':')]
  return dirs.filter(Boolean).map((d) => join(d, LIB))
}

/**
 * Loads the library once per process; returns the path used, or null when running from source
 * (`bun run`), where the addon finds the library beside itself in node_modules.
 */
export function preloadOnnxRuntimeLibrary(): string | null {
  if (loadedFrom !== undefined) return loadedFrom
  const compiled = import.meta.url.includes('$bunfs') || import.meta.path.startsWith('/$bunfs')
  if (!compiled) return (loadedFrom = null)
  const candidates = libraryCandidates(process.execPath, process.env.LD_LIBRARY_PATH)
  const found = candidates.find((p) => existsSync(p))
  if (!found)
    throw new Error(
      `${LIB} not found; looked in ${candidates.join(', ')}. Put it beside the byoc executable or on LD_LIBRARY_PATH`,
    )
  dlopen(found, { OrtGetApiBase: { args: [], returns: 'ptr' } })
  return (loadedFrom = found)
}
