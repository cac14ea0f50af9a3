import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareVersions, parseDriverVersion, readCudaHost } from './cuda-host'

const dir = mkdtempSync(join(tmpdir(), 'byoc-cuda-host-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// First lines of /proc/driver/nvidia/version as the proprietary and the open kernel modules write them.
const proprietary =
  'NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.256.02  Thu May  2 14:37:44 UTC 2024\nGCC version:  gcc version 7.3.1 20180712 (Red Hat 7.3.1-17) (GCC)\n'
const open =
  'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.163.01  Release Build  (dvs-builder@U16-I3-B03-4-3)  Thu Feb 22 01:25:25 UTC 2024\nGCC version:  gcc version 12.2.0\n'

/** A fake root: /proc/driver/nvidia/version with `version`, /usr/local/cuda/compat with `compat`'s libcuda. */
function tree(name: string, version: string | null, compat: string | null): string {
  const root = join(dir, name)
  mkdirSync(root)
  if (version !== null) {
    mkdirSync(join(root, 'proc/driver/nvidia'), { recursive: true })
    writeFileSync(join(root, 'proc/driver/nvidia/version'), version)
  }
  if (compat !== null) {
    const c = join(root, 'usr/local/cuda/compat')
    mkdirSync(c, { recursive: true })
    writeFileSync(join(c, `libcuda.so.${compat}`), '')
    symlinkSync(`libcuda.so.${compat}`, join(c, 'libcuda.so.1'))
    writeFileSync(join(c, `libnvidia-ptxjitcompiler.so.${compat}`), '')
  }
  return root
}

describe('parseDriverVersion', () => {
  test('proprietary and open kernel modules', () => {
    expect(parseDriverVersion(proprietary)).toBe('470.256.02')
    expect(parseDriverVersion(open)).toBe('550.163.01')
  })
  test('two-part versions and other architectures', () => {
    expect(parseDriverVersion('NVRM version: NVIDIA UNIX aarch64 Kernel Module  580.65  Wed Jul 2 2025\n')).toBe(
      '580.65',
    )
  })
  test('anything else is unknown, not a guess', () => {
    expect(parseDriverVersion('')).toBeNull()
    expect(parseDriverVersion('GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n')).toBeNull()
  })
})

describe('compareVersions', () => {
  test('numeric per part, missing parts are 0', () => {
    expect(compareVersions('535.54.03', '535.183.01')).toBe(-1)
    expect(compareVersions('525.60.13', '525.60.13')).toBe(0)
    expect(compareVersions('580', '580.65.06')).toBe(-1)
    expect(compareVersions('580.65.06', '580')).toBe(1)
    expect(compareVersions('1000.1', '999.99.99')).toBe(1)
  })
})

describe('readCudaHost (fake /proc and /usr/local/cuda trees)', () => {
  test('driver and compat libcuda both present', () => {
    const root = tree('both', proprietary, '575.57.08')
    expect(readCudaHost(root)).toEqual({
      driver: '470.256.02',
      compat: { dir: join(root, 'usr/local/cuda/compat'), driver: '575.57.08' },
    })
  })
  test('no driver file (no GPU, or a runtime that does not expose it)', () => {
    expect(readCudaHost(tree('none', null, null))).toEqual({ driver: null, compat: null })
  })
  test('a compat folder without libcuda.so.1 is not usable', () => {
    const root = tree('broken', open, null)
    mkdirSync(join(root, 'usr/local/cuda/compat'), { recursive: true })
    writeFileSync(join(root, 'usr/local/cuda/compat/libcuda.so.580.65.06'), '')
    expect(readCudaHost(root)).toEqual({ driver: '550.163.01', compat: null })
  })
})
