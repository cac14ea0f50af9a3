/**
 * Converts byoc's tensor descriptions (dtype names, JS arrays) into ONNX TensorProto / TypeProto objects.
 *
 * Numeric tensors go into raw_data (fixed-width little-endian, as the ONNX spec requires; every platform
 * byoc runs on is little-endian), which keeps large weight tensors a single memcpy and keeps int64 exact.
 */
import { DataType } from './schema.ts'

export type OnnxDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'string' | 'bool'
/** A dimension: a fixed size, or a symbolic name such as 'N' (any size at run time). */
export type Dim = number | string

export interface TensorInit {
  dtype: OnnxDtype
  dims: number[]
  values: ArrayLike<number> | ArrayLike<bigint> | string[] | boolean[]
}

export const DTYPE_CODE: Record<OnnxDtype, number> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int32: DataType.INT32,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
}

const utf8 = new TextEncoder()

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

function toInt64(values: ArrayLike<number> | ArrayLike<bigint>, name: string): BigInt64Array {
  const out = new BigInt64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v === 'number' && !Number.isInteger(v))
      throw new Error(`tensor ${name}: int64 element ${i} is ${v}, not an integer`)
    const b = BigInt(v)
    // BigInt64Array would silently wrap 2^63 to -2^63
    if (b < INT64_MIN || b > INT64_MAX)
      throw new Error(`tensor ${name}: int64 element ${i} is ${v}, outside the int64 range`)
    out[i] = b
  }
  return out
}

function rawData(init: TensorInit, name: string): Uint8Array {
  const v = init.values as ArrayLike<number>
  switch (init.dtype) {
    case 'float32':
      return bytesOf(v instanceof Float32Array ? v : Float32Array.from(v))
    case 'float64':
      return bytesOf(v instanceof Float64Array ? v : Float64Array.from(v))
    case 'int32':
      return bytesOf(v instanceof Int32Array ? v : Int32Array.from(v))
    case 'int64':
      return bytesOf(toInt64(init.values as ArrayLike<number> | ArrayLike<bigint>, name))
    case 'bool':
      return Uint8Array.from(init.values as ArrayLike<unknown>, (b) => (b ? 1 : 0))
    case 'string':
      throw new Error('unreachable: strings are not stored as raw_data')
  }
}

/** A TensorProto object (protobufjs plain object) named `name`. */
export function tensorProto(name: string, init: TensorInit): Record<string, unknown> {
  const count = init.dims.reduce((a, b) => a * b, 1)
  if (init.values.length !== count)
    throw new Error(`tensor ${name}: dims [${init.dims}] hold ${count} values but ${init.values.length} were given`)
  if (!(init.dtype in DTYPE_CODE)) throw new Error(`tensor ${name}: unknown dtype '${init.dtype}'`)
  const base = { name, dims: init.dims, data_type: DTYPE_CODE[init.dtype] }
  if (init.dtype === 'string') {
    return { ...base, string_data: Array.from(init.values as ArrayLike<unknown>, (s) => utf8.encode(String(s))) }
  }
  return { ...base, raw_data: rawData(init, name) }
}

/** A ValueInfoProto object for a graph input or output. */
export function valueInfo(name: string, dtype: OnnxDtype, shape: Dim[]): Record<string, unknown> {
  if (!(dtype in DTYPE_CODE)) throw new Error(`${name}: unknown dtype '${dtype}'`)
  const dim = shape.map((d) => {
    if (typeof d === 'string') return { dim_param: d }
    if (!Number.isInteger(d) || d < 0) throw new Error(`${name}: dimension ${d} is not a non-negative integer`)
    return { dim_value: d }
  })
  return { name, type: { tensor_type: { elem_type: DTYPE_CODE[dtype], shape: { dim } } } }
}
