/**
 * Training CSV → typed arrays. SageMaker's convention: label in the first column, no header, one record per
 * line. A first line whose feature cells are not numbers is taken for a header and skipped. Labels are
 * kept as text (interned) so class labels can be strings; features are float32, the precision serve feeds
 * the model, so training sees exactly the values inference will see. RFC 4180 quotes are understood.
 */

import { parseNumberBytes } from '../formats/numbers'
import { TrainError } from './train-errors'

export interface Table {
  rows: number
  features: number
  /** Row-major features, rows × features. */
  x: Float32Array
  /** Per row, the index of its label text in `labels`. */
  labelIds: Int32Array
  labels: string[]
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()
const COMMA = 44
const QUOTE = 34
const NL = 10

export class TableBuilder {
  private x = new Float32Array(1 << 16)
  private labelIds = new Int32Array(1 << 12)
  private labelIndex = new Map<string, number>()
  private labels: string[] = []
  private rows = 0
  private firstSeen = ''

  constructor(
    private features: number | null = null,
    private onHeader: (source: string, line: string) => void = () => {},
  ) {}

  /** Adds one whole source (a file's bytes after gunzip); `name` is used in messages. */
  add(buf: Uint8Array, name: string): void {
    let lineNo = 0
    let first = true
    let start = 0
    const n = buf.length
    while (start < n) {
      let end = buf.indexOf(NL, start)
      if (end < 0) end = n
      lineNo++
      let stop = end
      if (stop > start && buf[stop - 1] === 13) stop--
      if (stop > start && !isBlank(buf, start, stop)) {
        this.line(buf, start, stop, name, lineNo, first)
        first = false
      }
      start = end + 1
    }
  }

  private line(buf: Uint8Array, a: number, b: number, name: string, lineNo: number, first: boolean): void {
    const fields = splitLine(buf, a, b)
    const count = fields.length / 2
    // header: a first line with a feature cell that is present but not a number
    if (first && count > 1) {
      for (let f = 1; f < count; f++) {
        const v = cell(buf, fields[2 * f], fields[2 * f + 1])
        if (v === null) {
          this.onHeader(name, decoder.decode(buf.subarray(a, b)).slice(0, 200))
          return
        }
      }
    }
    if (this.features === null) {
      if (count < 2)
        throw new TrainError(`${name} line ${lineNo} has ${count} field; expected the label then at least one feature`)
      this.features = count - 1
      this.firstSeen = `${name} line ${lineNo}`
    }
    const F = this.features
    if (count !== F + 1) {
      const where = this.firstSeen ? ` as in ${this.firstSeen}` : ''
      throw new TrainError(
        `${name} line ${lineNo} has ${count} fields; expected ${F + 1} (label + ${F} features${where})`,
      )
    }
    const label = text(buf, fields[0], fields[1]).trim()
    if (label === '') throw new TrainError(`${name} line ${lineNo}: the label (first column) is empty`)
    let id = this.labelIndex.get(label)
    if (id === undefined) {
      id = this.labels.length
      this.labels.push(label)
      this.labelIndex.set(label, id)
    }
    const r = this.rows
    if ((r + 1) * F > this.x.length) {
      const bigger = new Float32Array(Math.max(this.x.length * 2, (r + 1) * F))
      bigger.set(this.x)
      this.x = bigger
    }
    if (r >= this.labelIds.length) {
      const bigger = new Int32Array(this.labelIds.length * 2)
      bigger.set(this.labelIds)
      this.labelIds = bigger
    }
    const o = r * F
    for (let f = 1; f <= F; f++) {
      const v = cell(buf, fields[2 * f], fields[2 * f + 1])
      if (v === null)
        throw new TrainError(
          `${name} line ${lineNo} column ${f + 1}: "${text(buf, fields[2 * f], fields[2 * f + 1]).slice(0, 50)}" is not a number`,
        )
      this.x[o + f - 1] = v
    }
    this.labelIds[r] = id
    this.rows = r + 1
  }

  finish(): Table {
    const F = this.features ?? 0
    return {
      rows: this.rows,
      features: F,
      x: this.x.slice(0, this.rows * F),
      labelIds: this.labelIds.slice(0, this.rows),
      labels: this.labels,
    }
  }
}

function isBlank(buf: Uint8Array, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (buf[i] !== 32 && buf[i] !== 9) return false
  return true
}

/** Field boundaries as [start, end) pairs; a quoted field's bounds include its quotes. */
const bounds: number[] = []
function splitLine(buf: Uint8Array, a: number, b: number): number[] {
  bounds.length = 0
  let s = a
  let i = a
  while (i <= b) {
    if (i < b && buf[i] === QUOTE && i === s) {
      i++
      while (i < b && !(buf[i] === QUOTE && buf[i + 1] !== QUOTE)) i += buf[i] === QUOTE ? 2 : 1
      i++
      continue
    }
    if (i === b || buf[i] === COMMA) {
      bounds.push(s, i)
      s = i + 1
    }
    i++
  }
  return bounds
}

function text(buf: Uint8Array, a: number, b: number): string {
  const t = decoder.decode(buf.subarray(a, b))
  return t.length >= 2 && t[0] === '"' && t.endsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t
}

/** A training cell's number (NaN when empty or nan, null when not a number), quoted or not. */
function cell(buf: Uint8Array, a: number, b: number): number | null {
  if (b > a && buf[a] === QUOTE) {
    const inner = encoder.encode(text(buf, a, b))
    return parseNumberBytes(inner, 0, inner.length)
  }
  return parseNumberBytes(buf, a, b)
}
