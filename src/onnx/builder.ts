/**
 * GraphBuilder: assembles an ONNX model (one graph) and serialises it with the official ONNX schema.
 *
 * Defaults: IR version 8, default-domain opset 17, ai.onnx.ml opset 3 (onnxruntime-node 1.30 loads all
 * of them). An opset_import entry is written for every domain a node uses.
 *
 * Attribute typing rule (ONNX attributes are typed, and ORT rejects e.g. an INT where it expects FLOAT):
 *   integer number -> INT, non-integer number -> FLOAT, { float: x } -> FLOAT (use for 1.0, 0, ...);
 *   number[] of integers (or []) -> INTS, number[] with any non-integer -> FLOATS, { floats: [...] } -> FLOATS;
 *   string -> STRING; string[] -> STRINGS; { tensor: TensorInit } -> TENSOR.
 */
import { AttributeType, ModelProto } from './schema.ts'
import { type Dim, type OnnxDtype, type TensorInit, tensorProto, valueInfo } from './tensor.ts'

export type { Dim, OnnxDtype, TensorInit } from './tensor.ts'

export type AttributeValue =
  | number
  | string
  | number[]
  | string[]
  | { tensor: TensorInit }
  | { float: number }
  | { floats: number[] }

export const DEFAULT_IR_VERSION = 8
export const DEFAULT_OPSET = 17
export const DEFAULT_ML_OPSET = 3
export const ML_DOMAIN = 'ai.onnx.ml'

const utf8 = new TextEncoder()

function toAttribute(name: string, value: AttributeValue): Record<string, unknown> {
  const a = AttributeType
  if (typeof value === 'number')
    return Number.isInteger(value) ? { name, type: a.INT, i: value } : { name, type: a.FLOAT, f: value }
  if (typeof value === 'string') return { name, type: a.STRING, s: utf8.encode(value) }
  if (Array.isArray(value)) {
    if (value.some((v) => typeof v === 'string'))
      return { name, type: a.STRINGS, strings: (value as string[]).map((s) => utf8.encode(String(s))) }
    const nums = value as number[]
    return nums.every(Number.isInteger) ? { name, type: a.INTS, ints: nums } : { name, type: a.FLOATS, floats: nums }
  }
  if ('tensor' in value) return { name, type: a.TENSOR, t: tensorProto(name, value.tensor) }
  if ('float' in value) return { name, type: a.FLOAT, f: value.float }
  if ('floats' in value) return { name, type: a.FLOATS, floats: value.floats }
  throw new Error(`attribute ${name}: unsupported value ${JSON.stringify(value)}`)
}

interface NodeEntry {
  op_type: string
  domain: string
  input: string[]
  output: string[]
  attribute: Record<string, unknown>[]
  name: string
}

export class GraphBuilder {
  private readonly inputs: Record<string, unknown>[] = []
  private readonly outputs: Record<string, unknown>[] = []
  private readonly initializers: Record<string, unknown>[] = []
  private readonly nodes: NodeEntry[] = []
  /** Every value name defined so far (inputs, initializers, node outputs), to catch wiring mistakes early. */
  private readonly defined = new Set<string>()
  private readonly outputNames: string[] = []

  constructor(readonly name = 'byoc') {}

  private define(name: string, what: string): void {
    if (!name) throw new Error(`${what}: empty value name`)
    if (this.defined.has(name)) throw new Error(`${what}: value '${name}' is already defined in graph ${this.name}`)
    this.defined.add(name)
  }

  input(name: string, dtype: OnnxDtype, shape: Dim[]): this {
    const info = valueInfo(name, dtype, shape)
    this.define(name, `input ${name}`)
    this.inputs.push(info)
    return this
  }

  output(name: string, dtype: OnnxDtype, shape: Dim[]): this {
    this.outputs.push(valueInfo(name, dtype, shape))
    this.outputNames.push(name)
    return this
  }

  initializer(name: string, init: TensorInit): this {
    const tensor = tensorProto(name, init)
    this.define(name, `initializer ${name}`)
    this.initializers.push(tensor)
    return this
  }

  /** Adds a node; nodes must be added in topological order (inputs defined before use). '' = omitted input. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeValue> = {},
    domain = '',
  ): this {
    const name = `${opType}_${this.nodes.length}`
    for (const i of inputs)
      if (i !== '' && !this.defined.has(i))
        throw new Error(`node ${name}: input '${i}' is not a graph input, initializer or earlier node output`)
    const attribute = Object.entries(attributes).map(([k, v]) => toAttribute(k, v))
    for (const o of outputs) this.define(o, `node ${name}`)
    this.nodes.push({ op_type: opType, domain, input: inputs, output: outputs, attribute, name })
    return this
  }

  /** Serialises the model; throws if a declared output is never produced. */
  toBytes(options: { producer?: string; opset?: number; mlOpset?: number; docString?: string } = {}): Uint8Array {
    for (const o of this.outputNames)
      if (!this.defined.has(o)) throw new Error(`graph ${this.name}: output '${o}' is not produced by any node`)
    const domains = new Set(this.nodes.map((n) => n.domain).filter((d) => d !== ''))
    const opset_import = [{ domain: '', version: options.opset ?? DEFAULT_OPSET }]
    for (const d of domains)
      opset_import.push({ domain: d, version: d === ML_DOMAIN ? (options.mlOpset ?? DEFAULT_ML_OPSET) : 1 })
    const model = {
      ir_version: DEFAULT_IR_VERSION,
      producer_name: options.producer ?? 'byoc',
      doc_string: options.docString ?? '',
      opset_import,
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    }
    return ModelProto.encode(model).finish()
  }
}

/** Decodes model bytes into a plain object (snake_case ONNX field names, int64 as numbers, enums as names). */
export function decodeModel(bytes: Uint8Array): unknown {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, enums: String, defaults: false })
}
