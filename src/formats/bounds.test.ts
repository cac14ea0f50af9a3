/**
 * Every request's cost is bounded by its own size: a small hostile body is refused at once rather than
 * expanded (zero-width npy items, huge sparse indices) or checked in quadratic time (JSON keys).
 */
import { describe, expect, test } from 'bun:test'
import { failure } from '../../test/fixtures/codec-testing'
import { decodeJson } from './json'
import { decodeLibsvm } from './libsvm'
import { decodeNpy } from './npy'
import type { DecodeOptions } from './types'

function npyHeader(descr: string, shape: string): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`
  const out = new Uint8Array(10 + header.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  return out
}

const OPTIONS: DecodeOptions = { textInput: false, csvHeader: 'auto' }

describe('bounded by input size', () => {
  for (const descr of ['|S0', '<U0'])
    test(`npy dtype '${descr}' (zero-width items) is refused at once, whatever the shape`, () => {
      const t0 = performance.now()
      const r = failure(() => decodeNpy(npyHeader(descr, '(4194304, 4)')))
      expect(performance.now() - t0).toBeLessThan(50)
      expect(r.status).toBe(400)
      expect(r.message).toContain(descr)
    })
  test('a JSON record with 60,000 keys is checked in linear time', () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `"k${i}":[1]`)
    const body = new TextEncoder().encode(`{"instances":[{${keys.join(',')}}]}`)
    const t0 = performance.now()
    const d = decodeJson(body, OPTIONS)
    expect(performance.now() - t0).toBeLessThan(1500)
    expect(Object.keys(d.tensors)).toHaveLength(60_000)
    // And a mismatch in the second record is still named.
    const two = new TextEncoder().encode(`{"instances":[{${keys.join(',')}},{${keys.slice(1).join(',')},"zz":[1]}]}`)
    expect(failure(() => decodeJson(two, OPTIONS)).message).toContain("no input 'k0'")
  })
  test('libsvm: tiny lines naming a huge index are refused instead of expanded to dense rows', () => {
    const body = new TextEncoder().encode('0 1000000:1\n'.repeat(10_000))
    const t0 = performance.now()
    const r = failure(() => decodeLibsvm(body, OPTIONS))
    expect(performance.now() - t0).toBeLessThan(500)
    expect(r.status).toBe(400)
    expect(r.message).toMatch(/dense|cells|values/)
    // One wide record is still fine.
    expect(decodeLibsvm(new TextEncoder().encode('0 1000000:1\n'), OPTIONS).records).toBe(1)
  })
})
