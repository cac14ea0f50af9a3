/** Minimal .npy writer/reader for tests, written from the format spec (NEP 1), independent of src/. */
export function npyBytes(descr: string, shape: number[], data: ArrayBuffer, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  const total = 10 + header.length + 1
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(new Uint8Array(data), 10 + header.length)
  return out
}

export function parseNpy(bytes: Uint8Array): { descr: string; shape: number[]; values: number[] } {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true)
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + len))
  const descr = /'descr': '([^']+)'/.exec(header)![1]
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number)
  const data = bytes.slice(10 + len).buffer
  const arrays: Record<string, any> = {
    '<f4': Float32Array,
    '<f8': Float64Array,
    '<i4': Int32Array,
    '<i8': BigInt64Array,
  }
  const A = arrays[descr]
  const values = Array.from(new A(data) as ArrayLike<number | bigint>, Number)
  return { descr, shape, values }
}
