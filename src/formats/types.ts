/**
 * The data that crosses between codecs and the model. Decoders turn a request body into DecodedBody;
 * the model layer casts it to the model's input dtypes and checks shapes; encoders turn the model's
 * selected outputs back into bytes, one record per input record.
 */

/** Element types a decoder can produce. 'number' means "parsed from text, cast to the model's dtype". */
export type DecodedDtype = 'number' | 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string'

export interface DecodedTensor {
  dtype: DecodedDtype
  /** Row-major; shape[0] is the number of records. */
  shape: number[]
  /**
   * 'number' and 'float64' → Float64Array (NaN for an empty CSV field; 'number' may be a Float32Array when
   * DecodeOptions.float32Input says the model takes float32), 'float32' → Float32Array,
   * 'int32' → Int32Array, 'int64' → BigInt64Array, 'bool' → Uint8Array (0/1), 'string' → string[].
   */
  values: Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array | string[]
}

export interface DecodedBody {
  /** Number of records (rows): the response has exactly this many records, in order. */
  records: number
  /**
   * One unnamed tensor (CSV, bare JSON arrays, `instances`, npy): fed to the model's only input.
   * Named tensors (JSON `{"inputs": {name: ...}}`, JSON lines of objects): fed by input name.
   */
  tensors: DecodedTensor | Record<string, DecodedTensor>
  /** A CSV body's header row, when it had one: lets a multi-input model take its columns by name. */
  columns?: string[]
}

/** What the model takes in one CSV column, when its inputs have fixed widths (for header detection). */
export interface ColumnInfo {
  /** The input's name when the input is one column wide, else null. */
  name: string | null
  /** True when the column takes numbers (any dtype but string). */
  numeric: boolean
}

export interface DecodeOptions {
  /** CSV header row handling: detect, always skip the first line, or never. */
  csvHeader: 'auto' | 'present' | 'absent'
  /** True when a model input takes strings: CSV/JSON cells are then kept as text (cast per input later). */
  textInput: boolean
  /** The model's columns, when every input has a fixed width: a header row is recognised by them. */
  columns?: ColumnInfo[] | null
  /**
   * Values per record the model takes, when that is fixed. Sparse formats (libsvm, RecordIO) are widened
   * to it and refuse an index beyond it, so a client-chosen width never decides an allocation.
   */
  features?: number | null
  /**
   * True when the model's only input is float32: a numeric CSV body may then be held as a Float32Array
   * from the start (the cast rounds each double the same way), half the memory of a big batch body.
   */
  float32Input?: boolean
}

/** Widest sparse record accepted when the model's width is not fixed (8 MB of float64 per record). */
export const MAX_SPARSE_WIDTH = 1_000_000

/** Most values a sparse body (libsvm) may expand to once dense: 2^25, 256 MB of float64. */
export const MAX_DENSE_VALUES = 2 ** 25

export type OutputDtype =
  | 'float32'
  | 'float64'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'string'
  | 'uint8'
  | 'int8'
  | 'float16'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'uint64'

/** One model output after selection (and class-label mapping), ready to encode. */
export interface OutputTensor {
  name: string
  dtype: OutputDtype
  /** dims[0] is the number of records. */
  dims: number[]
  data: ArrayLike<number | bigint | string | boolean>
  /**
   * Names of a record's values, when they are a map (a classifier's probabilities per class, from a
   * ZipMap): JSON then writes a record as {"key": value, ...}; CSV and npy keep the values in this order.
   */
  keys?: string[]
}

export interface EncodeInput {
  records: number
  outputs: OutputTensor[]
}

export interface Codec {
  /** Canonical media type, lower case, no parameters. */
  type: string
  decode?: (body: Uint8Array, options: DecodeOptions) => DecodedBody
  encode?: (input: EncodeInput) => Uint8Array | string
}
