/**
 * Writing application/x-npy responses: one output → its own dtype and full shape (strings as `<U`);
 * several outputs → one 2-D array [records, values per record, all outputs side by side], float32 when
 * every output fits float32 exactly (float16/float32/bool/8- and 16-bit ints), else float64. String
 * outputs beside numeric ones are left out (a classifier's string label beside its probabilities: npy
 * carries the numbers); several outputs that are all strings cannot be written (406).
 */
import { errors } from '../errors'
import { outputViews } from './output-views'
import type { EncodeInput, OutputDtype } from './types'

const DESCR: Record<Exclude<OutputDtype, 'string'>, [string, new (n: number) => ArrayLike<number | bigint>]> = {
  float32: ['<f4', Float32Array],
  float64: ['<f8', Float64Array],
  float16: ['<f2', Float16Array],
  int32: ['<i4', Int32Array],
  int64: ['<i8', BigInt64Array],
  bool: ['|b1', Uint8Array],
  uint8: ['|u1', Uint8Array],
  int8: ['|i1', Int8Array],
  uint16: ['<u2', Uint16Array],
  int16: ['<i2', Int16Array],
  uint32: ['<u4', Uint32Array],
  uint64: ['<u8', BigUint64Array],
}

const FITS_FLOAT32 = new Set<OutputDtype>(['float32', 'float16', 'bool', 'int8', 'uint8', 'int16', 'uint16'])

/** The six bytes every .npy file starts with: \x93NUMPY. */
export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

/** The .npy bytes for an array: header padded so the data starts on a 64-byte boundary. */
export function npyBytes(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`
  const v1 = dict.length + 11 < 65536
  const prefix = v1 ? 10 : 12
  dict += `${' '.repeat((64 - ((prefix + dict.length + 1) % 64)) % 64)}\n`
  const out = new Uint8Array(prefix + dict.length + data.byteLength)
  out.set(NPY_MAGIC)
  out[6] = v1 ? 1 : 2
  const view = new DataView(out.buffer)
  if (v1) view.setUint16(8, dict.length, true)
  else view.setUint32(8, dict.length, true)
  out.set(new TextEncoder().encode(dict), prefix)
  out.set(data, prefix + dict.length)
  return out
}

function bytesOf(
  a: ArrayLike<unknown> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

export function encodeNpy(input: EncodeInput): Uint8Array {
  const all = outputViews(input)
  const numeric = all.filter((v) => v.output.dtype !== 'string')
  const views = all.length > 1 && numeric.length > 0 ? numeric : all
  if (views.length === 1) {
    const { output, data } = views[0]
    if (output.dtype === 'string') return stringNpy(data as ArrayLike<string>, output.dims)
    const [descr, Typed] = DESCR[output.dtype]
    const typed =
      data instanceof Typed
        ? data
        : (Typed as unknown as { from(a: ArrayLike<unknown>, f: (v: unknown) => unknown): ArrayLike<number> }).from(
            data,
            (v) => convert(v, output.dtype),
          )
    return npyBytes(descr, output.dims, bytesOf(typed as unknown as Float32Array))
  }
  const text = views.find((v) => v.output.dtype === 'string')
  if (text) throw errors.cannotEncodeStrings('application/x-npy', text.output.name, ' together with other outputs')
  const width = views.reduce((a, v) => a + v.perRecord, 0)
  const wide = !views.every((v) => FITS_FLOAT32.has(v.output.dtype))
  const out = wide ? new Float64Array(input.records * width) : new Float32Array(input.records * width)
  let k = 0
  for (let r = 0; r < input.records; r++) {
    for (const { data, perRecord } of views) {
      for (let j = r * perRecord, e = j + perRecord; j < e; j++) out[k++] = Number(data[j])
    }
  }
  return npyBytes(wide ? '<f8' : '<f4', [input.records, width], bytesOf(out))
}

function convert(v: unknown, dtype: OutputDtype): number | bigint {
  if (dtype === 'int64' || dtype === 'uint64') return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))
  return Number(v)
}

/** Strings as `<U{longest}`: UCS-4, NUL padded. */
function stringNpy(data: ArrayLike<string>, dims: number[]): Uint8Array {
  const strings = Array.from(data, (s) => Array.from(String(s), (ch) => ch.codePointAt(0) as number))
  let width = 1
  for (const s of strings) width = Math.max(width, s.length)
  const codes = new Uint32Array(strings.length * width)
  strings.forEach((s, i) => {
    codes.set(s, i * width)
  })
  return npyBytes(`<U${width}`, dims, bytesOf(codes))
}
