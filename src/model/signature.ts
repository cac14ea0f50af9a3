/**
 * What a loaded model takes and gives, in plain data that can cross a Worker boundary and be logged.
 */
import type { InferenceSession } from 'onnxruntime-node'

export interface ValueInfo {
  name: string
  /** ONNX Runtime tensor type ('float32', 'int64', 'string', ...) or 'non-tensor' (sequence, map). */
  type: string
  /** Dimensions: numbers, symbolic names (strings; '' when the dimension has no name), or [] when unknown. */
  shape: Array<number | string>
  /** For a non-tensor: its ONNX type, e.g. `seq(tensor(float))`, when the graph was read. */
  onnxType?: string
}

export interface Signature {
  inputs: ValueInfo[]
  outputs: ValueInfo[]
}

export function signatureOf(session: InferenceSession): Signature {
  const info = (m: InferenceSession.ValueMetadata): ValueInfo =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] }
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) }
}

/** `[?, 13]`: an unnamed or unknown dimension is `?`, a named one its name. */
export function shapeText(v: ValueInfo): string {
  return `[${v.shape.map((d) => ((typeof d === 'number' && d < 0) || d === '' ? '?' : d)).join(', ')}]`
}

export function describeValue(v: ValueInfo): string {
  if (v.type === 'non-tensor') return `${v.name}: ${v.onnxType ?? 'non-tensor (a sequence or map)'}`
  return `${v.name}: ${v.type} ${shapeText(v)}`
}

/** True when the first dimension is symbolic (or unknown), so records can be stacked along it. */
export function hasBatchAxis(v: ValueInfo): boolean {
  const first = v.shape[0]
  return v.shape.length > 0 && (typeof first === 'string' || first === -1)
}

/** Values per record for an input: the product of the fixed dims after the first, or null if unknown. */
export function valuesPerRecord(v: ValueInfo): number | null {
  if (v.shape.length <= 1) return 1
  let n = 1
  for (const d of v.shape.slice(1)) {
    if (typeof d !== 'number' || d < 0) return null
    n *= d
  }
  return n
}
