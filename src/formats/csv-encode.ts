/**
 * text/csv responses written straight into bytes: the same text as encodeCsv (csv.ts), without building a
 * string per value, concatenating them and UTF-8 encoding the result, which made encoding the largest
 * step of a small model's request (profiled). Integers are written digit by digit; floats go through the
 * shortest-text formatters once per distinct value, kept in a small direct-mapped cache of their bytes:
 * a tree's outputs take a handful of values, so nearly every value is a copy of a few bytes. Outputs
 * holding strings take the text path, encodeCsv (they may need quoting).
 */
import { formatFloat32, formatFloat64 } from './numbers'
import { outputViews } from './output-views'
import type { EncodeInput, OutputDtype } from './types'

/** Longest value text: float64 needs 24 bytes (-2.2250738585072014e-308), an int64 20. */
const MAX_VALUE = 32
/** Bytes per output block (see encodeCsvBytes). */
const BLOCK = 1 << 20

/** A direct-mapped cache of formatted numbers: SLOTS entries of at most MAX_VALUE bytes. */
class FormatCache {
  private static readonly BITS = 12
  private readonly keys = new Float64Array(1 << FormatCache.BITS)
  private readonly lengths = new Uint8Array(1 << FormatCache.BITS)
  private readonly bytes = new Uint8Array((1 << FormatCache.BITS) * MAX_VALUE)
  private readonly scratch = new Float64Array(1)
  private readonly words = new Uint32Array(this.scratch.buffer)

  constructor(private readonly format: (v: number) => string) {}

  /** Writes v's text at out[at] and returns the index after it. */
  write(out: Uint8Array, at: number, v: number): number {
    this.scratch[0] = v
    const slot = Math.imul(this.words[0] ^ this.words[1], 0x9e3779b1) >>> (32 - FormatCache.BITS)
    const base = slot * MAX_VALUE
    let n = this.lengths[slot]
    // NaN never equals itself, so it is formatted each time: rare, and correct.
    if (n === 0 || this.keys[slot] !== v) {
      const text = this.format(v)
      n = text.length
      for (let i = 0; i < n; i++) this.bytes[base + i] = text.charCodeAt(i)
      this.keys[slot] = v
      this.lengths[slot] = n
    }
    for (let i = 0; i < n; i++) out[at + i] = this.bytes[base + i]
    return at + n
  }
}

const float32Cache = new FormatCache((v) => formatFloat32(v))
const float64Cache = new FormatCache(formatFloat64)

/** Digits of an integer |v| < 2^53 at out[at]; returns the index after them. */
function writeInteger(out: Uint8Array, at: number, v: number): number {
  if (v < 0) {
    out[at++] = 45
    v = -v
  }
  let digits = 1
  for (let p = 10; p <= v && digits < 16; p *= 10) digits++
  let i = at + digits
  do {
    const q = Math.floor(v / 10)
    out[--i] = 48 + (v - q * 10)
    v = q
  } while (v > 0)
  return at + digits
}

const TRUE = [116, 114, 117, 101]
const FALSE = [102, 97, 108, 115, 101]

type Writer = (out: Uint8Array, at: number, k: number) => number

/** How one output's k-th value is written, or null when this output needs the text path. */
function writerFor(dtype: OutputDtype, data: EncodeInput['outputs'][number]['data']): Writer | null {
  if (dtype === 'bool') {
    const d = data as ArrayLike<number | boolean>
    return (out, at, k) => {
      const word = d[k] ? TRUE : FALSE
      for (let i = 0; i < word.length; i++) out[at + i] = word[i]
      return at + word.length
    }
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // Read as 32-bit halves: an int64 label of a few digits never becomes a BigInt.
    const signed = data instanceof BigInt64Array
    const lo = new Uint32Array(data.buffer, data.byteOffset, data.length * 2)
    const hi = new Int32Array(data.buffer, data.byteOffset, data.length * 2)
    return (out, at, k) => {
      const h = signed ? hi[2 * k + 1] : lo[2 * k + 1]
      if (h > -0x200000 && h < 0x200000) return writeInteger(out, at, h * 0x100000000 + lo[2 * k])
      const text = data[k].toString()
      for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i)
      return at + text.length
    }
  }
  if (dtype === 'float32' && data instanceof Float32Array) return (out, at, k) => float32Cache.write(out, at, data[k])
  if (dtype === 'float64' && data instanceof Float64Array) return (out, at, k) => float64Cache.write(out, at, data[k])
  if (
    data instanceof Int32Array ||
    data instanceof Uint32Array ||
    data instanceof Int16Array ||
    data instanceof Uint16Array ||
    data instanceof Int8Array ||
    data instanceof Uint8Array
  )
    return dtype === 'float16' ? null : (out, at, k) => writeInteger(out, at, data[k])
  return null
}

/**
 * One line per record: every output's values for the record, flattened, in output order; null when an
 * output holds values only the text path writes (strings, float16).
 */
export function encodeCsvBytes(input: EncodeInput): Uint8Array | null {
  const views = outputViews(input)
  const writers: Writer[] = []
  let perLine = 0
  for (const v of views) {
    const w = writerFor(v.output.dtype, v.data)
    if (!w) return null
    writers.push(w)
    perLine += v.perRecord
  }
  // Written into blocks, joined once at the end: an up-front guess at the size would hold far more memory
  // than the answer needs on a big batch request, and growing by copies costs time.
  const lineMax = perLine * (MAX_VALUE + 1) + 1
  const blockSize = Math.max(BLOCK, lineMax)
  const blocks: Uint8Array[] = []
  // At least one line's worth, so a small answer never takes a whole block.
  let out = new Uint8Array(Math.min(blockSize, Math.max(lineMax, input.records * (perLine * 8 + 1))))
  let at = 0
  let total = 0
  for (let r = 0; r < input.records; r++) {
    if (at + lineMax > out.length) {
      blocks.push(out.subarray(0, at))
      total += at
      out = new Uint8Array(blockSize)
      at = 0
    }
    let first = true
    for (let o = 0; o < views.length; o++) {
      const { perRecord } = views[o]
      const write = writers[o]
      for (let j = 0, k = r * perRecord; j < perRecord; j++, k++) {
        if (first) first = false
        else out[at++] = 44
        at = write(out, at, k)
      }
    }
    out[at++] = 10
  }
  if (!blocks.length) return out.subarray(0, at)
  blocks.push(out.subarray(0, at))
  const joined = new Uint8Array(total + at)
  let offset = 0
  for (const b of blocks) {
    joined.set(b, offset)
    offset += b.length
  }
  return joined
}
