/**
 * application/x-npy: NumPy's .npy format, versions 1-3 (never pickles: object arrays are refused).
 * Requests: dtypes f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8, b1, U (unicode) and S (bytes), either byte order,
 * C or Fortran order (Fortran is transposed to row-major). The first dimension counts records; a 1-D array
 * is one record per element ([n] → [n, 1]) and a 0-d array is one record. Little-endian data at an aligned
 * offset is used in place (no copy). Responses are written by npy-encode.ts.
 */
import { errors } from '../errors'
import { encodeNpy, NPY_MAGIC } from './npy-encode'
import type { Codec, DecodedBody, DecodedTensor } from './types'

interface Header {
  descr: string
  fortran: boolean
  shape: number[]
  dataOffset: number
}

function readHeader(body: Uint8Array): Header {
  if (body.length === 0) throw errors.badInput('empty body')
  if (body.length < 10 || NPY_MAGIC.some((b, i) => body[i] !== b)) {
    throw errors.badInput('body is not a .npy file (it does not start with \\x93NUMPY)')
  }
  const major = body[6]
  if (major < 1 || major > 3) throw errors.badInput(`unsupported .npy format version ${major}.${body[7]}`)
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const start = major === 1 ? 10 : 12
  if (body.length < start) throw errors.badInput('.npy header is truncated')
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  if (start + length > body.length) throw errors.badInput('.npy header is truncated')
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(body.subarray(start, start + length))
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1]
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1]
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1]
  if (/'descr'\s*:\s*\[/.test(text)) throw errors.badInput('structured .npy arrays (record dtypes) are not accepted')
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw errors.badInput(`.npy header is malformed: ${text.trim().slice(0, 100)}`)
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw errors.badInput(`.npy shape (${shape}) is malformed`)
  return { descr, fortran: fortran === 'True', shape: dims, dataOffset: start + length }
}

export function decodeNpy(body: Uint8Array): DecodedBody {
  const header = readHeader(body)
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(header.descr)
  if (!m) {
    if (/^[|<>=]?O/.test(header.descr)) throw errors.badInput('pickled object arrays are not accepted (dtype object)')
    throw errors.badInput(`.npy dtype '${header.descr}' is not supported`)
  }
  const [, order, kind, sizeText] = m
  const size = Number(sizeText)
  const little = order !== '>'
  const count = header.shape.reduce((a, b) => a * b, 1)
  const itemBytes = kind === 'U' ? size * 4 : size
  // numpy allows zero-width strings; with no bytes per item the shape alone would set the cost.
  if (itemBytes === 0)
    throw errors.badInput(`.npy dtype '${header.descr}' has zero-width items; use a width of 1 or more`)
  const need = count * itemBytes
  const have = body.length - header.dataOffset
  if (have < need)
    throw errors.badInput(`.npy data is truncated: shape (${header.shape.join(', ')}) needs ${need} bytes, got ${have}`)
  const data = body.subarray(header.dataOffset, header.dataOffset + need)
  let tensor = readValues(data, kind, size, little, count, header.descr)
  const shape = header.shape.length === 0 ? [1, 1] : header.shape.length === 1 ? [header.shape[0], 1] : header.shape
  if (header.fortran && header.shape.length > 1) tensor = { ...tensor, values: transpose(tensor.values, header.shape) }
  if (shape[0] === 0) throw errors.badInput('.npy array has no records (first dimension is 0)')
  return { records: shape[0], tensors: { ...tensor, shape } }
}

type Values = DecodedTensor['values']

/** A typed view when the bytes are little-endian and aligned; otherwise an element-by-element copy. */
function readValues(
  data: Uint8Array,
  kind: string,
  size: number,
  little: boolean,
  count: number,
  descr: string,
): Omit<DecodedTensor, 'shape'> {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const aligned = data.byteOffset % size === 0
  const fill = <T extends { [i: number]: number | bigint }>(out: T, read: (offset: number) => number | bigint) => {
    for (let i = 0; i < count; i++) out[i] = read(i * size)
    return out
  }
  const key = `${kind}${size}`
  switch (key) {
    case 'f4':
      if (little && aligned) return { dtype: 'float32', values: new Float32Array(data.buffer, data.byteOffset, count) }
      return { dtype: 'float32', values: fill(new Float32Array(count), (o) => dv.getFloat32(o, little)) }
    case 'f8':
      if (little && aligned) return { dtype: 'float64', values: new Float64Array(data.buffer, data.byteOffset, count) }
      return { dtype: 'float64', values: fill(new Float64Array(count), (o) => dv.getFloat64(o, little)) }
    case 'i4':
      if (little && aligned) return { dtype: 'int32', values: new Int32Array(data.buffer, data.byteOffset, count) }
      return { dtype: 'int32', values: fill(new Int32Array(count), (o) => dv.getInt32(o, little)) }
    case 'i8':
      if (little && aligned) return { dtype: 'int64', values: new BigInt64Array(data.buffer, data.byteOffset, count) }
      return { dtype: 'int64', values: fill(new BigInt64Array(count), (o) => dv.getBigInt64(o, little)) }
    case 'b1':
      return { dtype: 'bool', values: data.subarray(0, count) }
    case 'f2':
      return { dtype: 'float32', values: fill(new Float32Array(count), (o) => dv.getFloat16(o, little)) }
    case 'i1':
      return { dtype: 'int32', values: fill(new Int32Array(count), (o) => dv.getInt8(o)) }
    case 'u1':
      return { dtype: 'int32', values: fill(new Int32Array(count), (o) => dv.getUint8(o)) }
    case 'i2':
      return { dtype: 'int32', values: fill(new Int32Array(count), (o) => dv.getInt16(o, little)) }
    case 'u2':
      return { dtype: 'int32', values: fill(new Int32Array(count), (o) => dv.getUint16(o, little)) }
    case 'u4':
      return {
        dtype: 'int64',
        values: fill(new BigInt64Array(count), (o) => BigInt(dv.getUint32(o, little))),
      }
    case 'u8':
      return {
        dtype: 'int64',
        values: fill(new BigInt64Array(count), (o) => {
          const v = dv.getBigUint64(o, little)
          if (v > 0x7fffffffffffffffn) throw errors.badInput(`.npy uint64 value ${v} does not fit int64`)
          return v
        }),
      }
  }
  if (kind === 'U' || kind === 'S') return { dtype: 'string', values: readStrings(data, kind, size, little, count) }
  throw errors.badInput(`.npy dtype '${descr}' is not supported`)
}

/** Fixed-width strings: `U` is UCS-4 (size chars), `S` raw bytes (read as UTF-8); NUL padding dropped. */
function readStrings(data: Uint8Array, kind: string, size: number, little: boolean, count: number): string[] {
  const out: string[] = new Array(count)
  const utf8 = new TextDecoder()
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
  for (let i = 0; i < count; i++) {
    if (kind === 'S') {
      const bytes = data.subarray(i * size, (i + 1) * size)
      const nul = bytes.indexOf(0)
      out[i] = utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul))
      continue
    }
    let s = ''
    for (let j = 0; j < size; j++) {
      const cp = dv.getUint32((i * size + j) * 4, little)
      if (cp === 0) break
      s += String.fromCodePoint(cp)
    }
    out[i] = s
  }
  return out
}

/** Column-major (Fortran) → row-major, any rank. */
function transpose(values: Values, shape: number[]): Values {
  const out = (
    Array.isArray(values)
      ? new Array(values.length)
      : new (values.constructor as new (n: number) => Values)(values.length)
  ) as Values
  const rank = shape.length
  const rowStrides = new Array<number>(rank)
  rowStrides[rank - 1] = 1
  for (let d = rank - 2; d >= 0; d--) rowStrides[d] = rowStrides[d + 1] * shape[d + 1]
  const index = new Array<number>(rank).fill(0)
  let dst = 0
  for (let src = 0; src < values.length; src++) {
    ;(out as unknown as unknown[])[dst] = (values as unknown as unknown[])[src]
    // Advance the multi-index in Fortran order: the first dimension fastest.
    for (let d = 0; d < rank; d++) {
      index[d]++
      dst += rowStrides[d]
      if (index[d] < shape[d]) break
      dst -= index[d] * rowStrides[d]
      index[d] = 0
    }
  }
  return out
}

export const npyCodec: Codec = { type: 'application/x-npy', decode: decodeNpy, encode: encodeNpy }
