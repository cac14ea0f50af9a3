import { describe, expect, test } from 'bun:test'
import { failure, plain } from '../../test/fixtures/codec-testing'
import { decodeNpy } from './npy'
import { encodeNpy } from './npy-encode'

/** A .npy file written by hand, as numpy lays it out (independent of the encoder under test). */
function npy(descr: string, shape: string, data: ArrayBufferView, opts: { fortran?: boolean; version?: number } = {}) {
  const version = opts.version ?? 1
  const prefix = version === 1 ? 10 : 12
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`
  header += `${' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64)}\n`
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const out = new Uint8Array(prefix + header.length + bytes.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0])
  const dv = new DataView(out.buffer)
  if (version === 1) dv.setUint16(8, header.length, true)
  else dv.setUint32(8, header.length, true)
  out.set(new TextEncoder().encode(header), prefix)
  out.set(bytes, prefix + header.length)
  return out
}

describe('npy decoding', () => {
  test('little-endian float32 2-D, used in place without a copy', () => {
    const body = npy('<f4', '(2, 3)', new Float32Array([1, 2, 3, 4, 5, 6]))
    const d = decodeNpy(body)
    expect(d.records).toBe(2)
    expect(plain(d.tensors)).toEqual({ dtype: 'float32', shape: [2, 3], values: [1, 2, 3, 4, 5, 6] })
    expect((d.tensors as { values: Float32Array }).values.buffer).toBe(body.buffer)
  })
  test('unaligned data is copied, not misread', () => {
    const body = npy('<f8', '(1, 2)', new Float64Array([0.5, -2]))
    const shifted = new Uint8Array(body.length + 1).subarray(1)
    shifted.set(body)
    expect(plain(decodeNpy(shifted).tensors).values).toEqual([0.5, -2])
  })
  test('dtypes: f8 i4 i8 b1 u1 i2 f2 and strings', () => {
    expect(plain(decodeNpy(npy('<f8', '(1, 2)', new Float64Array([0.1, 2]))).tensors)).toMatchObject({
      dtype: 'float64',
      values: [0.1, 2],
    })
    expect(plain(decodeNpy(npy('<i4', '(1, 2)', new Int32Array([-1, 7]))).tensors)).toMatchObject({
      dtype: 'int32',
      values: [-1, 7],
    })
    expect(plain(decodeNpy(npy('<i8', '(1, 1)', new BigInt64Array([-5n]))).tensors)).toMatchObject({
      dtype: 'int64',
      values: [-5n],
    })
    expect(plain(decodeNpy(npy('|b1', '(1, 2)', new Uint8Array([1, 0]))).tensors)).toMatchObject({
      dtype: 'bool',
      values: [1, 0],
    })
    expect(plain(decodeNpy(npy('|u1', '(1, 2)', new Uint8Array([255, 1]))).tensors)).toMatchObject({
      dtype: 'int32',
      values: [255, 1],
    })
    expect(plain(decodeNpy(npy('<i2', '(1, 1)', new Int16Array([-300]))).tensors)).toMatchObject({
      dtype: 'int32',
      values: [-300],
    })
    expect(plain(decodeNpy(npy('<f2', '(1, 2)', new Uint16Array([0x3c00, 0xc000]))).tensors)).toMatchObject({
      dtype: 'float32',
      values: [1, -2],
    })
    const u = new Uint32Array([104, 105, 0, 0x1f600, 0, 0]) // 'hi', '😀' as <U3
    expect(plain(decodeNpy(npy('<U3', '(2,)', u)).tensors)).toEqual({
      dtype: 'string',
      shape: [2, 1],
      values: ['hi', '😀'],
    })
    expect(plain(decodeNpy(npy('|S2', '(2,)', new Uint8Array([97, 98, 99, 0]))).tensors).values).toEqual(['ab', 'c'])
  })
  test('big-endian data is byte-swapped', () => {
    const be = new Uint8Array(8)
    new DataView(be.buffer).setFloat32(0, 1.5, false)
    new DataView(be.buffer).setFloat32(4, -3, false)
    expect(plain(decodeNpy(npy('>f4', '(1, 2)', be)).tensors).values).toEqual([1.5, -3])
    const bi = new Uint8Array(8)
    new DataView(bi.buffer).setBigInt64(0, 258n, false)
    expect(plain(decodeNpy(npy('>i8', '(1,)', bi)).tensors).values).toEqual([258n])
  })
  test('Fortran order is transposed to row-major (2-D and 3-D)', () => {
    // [[1, 2, 3], [4, 5, 6]] in column-major order
    const d = decodeNpy(npy('<f4', '(2, 3)', new Float32Array([1, 4, 2, 5, 3, 6]), { fortran: true }))
    expect(plain(d.tensors)).toEqual({ dtype: 'float32', shape: [2, 3], values: [1, 2, 3, 4, 5, 6] })
    // shape (2, 2, 2): element [i][j][k] = 100i + 10j + k, stored with i fastest
    const f: number[] = []
    for (let k = 0; k < 2; k++) for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) f.push(100 * i + 10 * j + k)
    const d3 = decodeNpy(npy('<i4', '(2, 2, 2)', new Int32Array(f), { fortran: true }))
    expect(plain(d3.tensors).values).toEqual([0, 1, 10, 11, 100, 101, 110, 111])
  })
  test('1-D arrays are one record per element; 0-d is one record; version 2 header', () => {
    expect(plain(decodeNpy(npy('<f8', '(3,)', new Float64Array([1, 2, 3]))).tensors).shape).toEqual([3, 1])
    expect(decodeNpy(npy('<f8', '(3,)', new Float64Array([1, 2, 3]))).records).toBe(3)
    expect(plain(decodeNpy(npy('<f8', '()', new Float64Array([7]))).tensors)).toMatchObject({
      shape: [1, 1],
      values: [7],
    })
    expect(decodeNpy(npy('<f4', '(2, 2)', new Float32Array(4), { version: 2 })).records).toBe(2)
  })
  test('refusals: pickles, truncation, garbage, unsupported dtype, no records', () => {
    expect(failure(() => decodeNpy(npy('|O', '(2,)', new Uint8Array(16))))).toEqual({
      status: 400,
      message: 'pickled object arrays are not accepted (dtype object)',
    })
    const truncated = npy('<f4', '(2, 3)', new Float32Array(6)).subarray(0, -4)
    expect(failure(() => decodeNpy(truncated))).toEqual({
      status: 400,
      message: '.npy data is truncated: shape (2, 3) needs 24 bytes, got 20',
    })
    expect(failure(() => decodeNpy(new TextEncoder().encode('1,2,3'))).message).toContain('not a .npy file')
    expect(failure(() => decodeNpy(new Uint8Array(0))).message).toBe('empty body')
    expect(failure(() => decodeNpy(npy('<c8', '(1,)', new Uint8Array(8)))).message).toBe(
      ".npy dtype '<c8' is not supported",
    )
    expect(failure(() => decodeNpy(npy('<f4', '(0, 3)', new Uint8Array(0)))).message).toContain('no records')
    expect(failure(() => decodeNpy(npy('<f4', '(2, 3)', new Float32Array(6)).subarray(0, 20))).message).toContain(
      'header is truncated',
    )
  })
})

describe('npy encoding', () => {
  test('one output: its dtype and full shape, decodable again', () => {
    const bytes = encodeNpy({
      records: 2,
      outputs: [{ name: 'y', dtype: 'float32', dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
    })
    const header = new TextDecoder('latin1').decode(
      bytes.subarray(10, 10 + new DataView(bytes.buffer).getUint16(8, true)),
    )
    expect(header).toStartWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
    expect((10 + header.length) % 64).toBe(0)
    expect(plain(decodeNpy(bytes).tensors)).toEqual({
      dtype: 'float32',
      shape: [2, 3],
      values: [1, 2, 3, 4, 5, 6],
    })
  })
  test('1-D output shape is written (n,); int64 and bool keep their dtype', () => {
    const bytes = encodeNpy({
      records: 2,
      outputs: [{ name: 'label', dtype: 'int64', dims: [2], data: new BigInt64Array([3n, 4n]) }],
    })
    expect(new TextDecoder().decode(bytes.subarray(0, 80))).toContain("'shape': (2,)")
    expect(plain(decodeNpy(bytes).tensors)).toMatchObject({ dtype: 'int64', values: [3n, 4n] })
    const b = encodeNpy({
      records: 2,
      outputs: [{ name: 'ok', dtype: 'bool', dims: [2, 1], data: [true, false] as unknown as Uint8Array }],
    })
    expect(plain(decodeNpy(b).tensors)).toMatchObject({ dtype: 'bool', values: [1, 0] })
  })
  test('several outputs → one 2-D array; float32 when all fit, float64 otherwise', () => {
    const outputs = [
      { name: 'p', dtype: 'float32' as const, dims: [2, 2], data: new Float32Array([0.25, 0.75, 0.5, 0.5]) },
      { name: 'l', dtype: 'int64' as const, dims: [2], data: new BigInt64Array([1n, 0n]) },
    ]
    const d = decodeNpy(encodeNpy({ records: 2, outputs }))
    expect(plain(d.tensors)).toEqual({
      dtype: 'float64',
      shape: [2, 3],
      values: [0.25, 0.75, 1, 0.5, 0.5, 0],
    })
    const narrow = decodeNpy(encodeNpy({ records: 2, outputs: [outputs[0], { ...outputs[0], name: 'q' }] }))
    expect(plain(narrow.tensors).dtype).toBe('float32')
  })
  test('a string output alone is <U; beside numeric ones it is left out; several strings alone are 406', () => {
    const s = encodeNpy({
      records: 2,
      outputs: [{ name: 'label', dtype: 'string', dims: [2], data: ['cat', 'é'] }],
    })
    expect(plain(decodeNpy(s).tensors).values).toEqual(['cat', 'é'])
    const mixed = encodeNpy({
      records: 1,
      outputs: [
        { name: 'label', dtype: 'string', dims: [1], data: ['x'] },
        { name: 'p', dtype: 'float32', dims: [1, 2], data: Float32Array.of(0.25, 0.75) },
      ],
    })
    expect(plain(decodeNpy(mixed).tensors)).toEqual({ dtype: 'float32', shape: [1, 2], values: [0.25, 0.75] })
    const f = failure(() =>
      encodeNpy({
        records: 1,
        outputs: [
          { name: 'name', dtype: 'string', dims: [1], data: ['y'] },
          { name: 'label', dtype: 'string', dims: [1], data: ['x'] },
        ],
      }),
    )
    expect(f.status).toBe(406)
    expect(f.message).toContain("cannot encode string output 'name' as application/x-npy")
  })
})
