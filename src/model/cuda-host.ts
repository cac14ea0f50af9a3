/**
 * What the host and the image offer CUDA: the NVIDIA kernel driver's version (the NVIDIA container
 * runtime exposes /proc/driver/nvidia/version, as AWS's own start_cuda_compat.sh reads it) and the CUDA
 * forward-compatibility libcuda the nvidia/cuda base images ship in /usr/local/cuda/compat. Only reads
 * files; `root` relocates `/` for tests.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface CudaHost {
  /** Host kernel driver version, e.g. "535.183.01"; null when the file is missing or unreadable. */
  driver: string | null
  /** The image's forward-compatibility libcuda, when it has one. */
  compat: { dir: string; driver: string } | null
}

export const COMPAT_DIR = 'usr/local/cuda/compat'

/**
 * The driver version in /proc/driver/nvidia/version's first line, proprietary or open module:
 * "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 ..." or
 * "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build ...".
 */
export function parseDriverVersion(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('NVRM version:'))
  const m = line && /Kernel Module(?: for \S+)?\s+(\d+\.\d+(?:\.\d+)?)\b/.exec(line)
  return m ? m[1] : null
}

/** Compares dotted versions numerically: "535.54.03" < "535.183.01" < "550". */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

/** The compat folder's libcuda.so.<driver> (libcuda.so.1 is a symlink to it). */
function compatLibcuda(dir: string): string | null {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return null
  }
  const versions = names.map((n) => /^libcuda\.so\.(\d+\.\d+(?:\.\d+)?)$/.exec(n)?.[1]).filter((v): v is string => !!v)
  if (!versions.length || !names.includes('libcuda.so.1')) return null
  return versions.sort(compareVersions).at(-1)!
}

export function readCudaHost(root = '/'): CudaHost {
  let driver: string | null = null
  try {
    driver = parseDriverVersion(readFileSync(join(root, 'proc/driver/nvidia/version'), 'utf8'))
  } catch {}
  const dir = join(root, COMPAT_DIR)
  const compatDriver = compatLibcuda(dir)
  return { driver, compat: compatDriver ? { dir, driver: compatDriver } : null }
}
