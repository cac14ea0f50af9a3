/**
 * Makes converter outputs that onnxruntime-node cannot return into tensors it can, by rewriting the graph
 * before the session is created. skl2onnx (and onnxmltools through it) ends classifiers in a ZipMap node:
 * its output is seq(map(label, float)), one map per record, which onnxruntime-node refuses to fetch
 * ("Non tensor type is temporarily not supported"). The map's values are the ZipMap's input, a float
 * [N, classes] tensor in class order, and its keys are the node's class labels. So the ZipMap is replaced
 * by an Identity that keeps the output's name, the output becomes that tensor, and the labels are kept
 * for the encoders (a JSON record then reads {"label": probability, ...}, as the map did).
 *
 * Other non-tensor outputs (sequences of tensors, maps that no ZipMap made) are reported with their ONNX
 * type so the loader can leave them out or refuse them by name.
 */
import { DataType, ModelProto } from '../onnx/schema'

export interface RewriteResult {
  /** The rewritten model, or null when there was nothing to rewrite. */
  bytes: Uint8Array | null
  /** Output name → the class labels of its former map, in the tensor's column order. */
  classKeys: Record<string, string[]>
  /** Output name → its ONNX type (`seq(tensor(float))`), for outputs that are still not tensors. */
  nonTensor: Record<string, string>
}

interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: unknown }
  sequence_type?: { elem_type?: TypeProto }
  map_type?: { key_type?: number; value_type?: TypeProto }
  optional_type?: { elem_type?: TypeProto }
  sparse_tensor_type?: { elem_type?: number }
}

interface NodeProto {
  op_type: string
  domain?: string
  name?: string
  input: string[]
  output: string[]
  attribute: Array<{ name: string; ints?: number[]; strings?: Uint8Array[] }>
}

const dtypeNames = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]))

/** ONNX's own notation for a type: tensor(float), seq(map(int64,tensor(float))), ... */
export function typeText(t: TypeProto | undefined): string {
  if (!t) return 'unknown'
  if (t.tensor_type) return `tensor(${dtypeNames[t.tensor_type.elem_type ?? 0] ?? '?'})`
  if (t.sequence_type) return `seq(${typeText(t.sequence_type.elem_type)})`
  if (t.map_type) return `map(${dtypeNames[t.map_type.key_type ?? 0] ?? '?'},${typeText(t.map_type.value_type)})`
  if (t.optional_type) return `optional(${typeText(t.optional_type.elem_type)})`
  if (t.sparse_tensor_type) return `sparse_tensor(${dtypeNames[t.sparse_tensor_type.elem_type ?? 0] ?? '?'})`
  return 'unknown'
}

const text = new TextDecoder()

function classLabels(node: NodeProto): string[] | null {
  for (const a of node.attribute) {
    if (a.name === 'classlabels_int64s' && a.ints?.length) return a.ints.map((i) => String(i))
    if (a.name === 'classlabels_strings' && a.strings?.length) return a.strings.map((s) => text.decode(s))
  }
  return null
}

/** Rewrites every ZipMap that feeds a graph output; lists the non-tensor outputs that remain. */
export function rewriteZipMaps(bytes: Uint8Array): RewriteResult {
  const model = ModelProto.decode(bytes) as unknown as {
    graph: {
      node: NodeProto[]
      output: Array<{ name: string; type?: TypeProto }>
      value_info?: Array<{ name: string }>
    }
  }
  const graph = model.graph
  const classKeys: Record<string, string[]> = {}
  const nonTensor: Record<string, string> = {}
  for (const out of graph.output) {
    if (out.type?.tensor_type) continue
    const node = graph.node.find((n) => n.op_type === 'ZipMap' && n.output[0] === out.name)
    const labels = node ? classLabels(node) : null
    if (!node || !labels) {
      nonTensor[out.name] = typeText(out.type)
      continue
    }
    node.op_type = 'Identity'
    node.domain = ''
    node.attribute = []
    classKeys[out.name] = labels
    // [records, classes]; the record dim stays unnamed, as skl2onnx writes it.
    out.type = { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [{}, { dim_value: labels.length }] } } }
  }
  if (Object.keys(classKeys).length === 0) return { bytes: null, classKeys, nonTensor }
  // A value_info still typing a rewritten output as a sequence would contradict the new output type.
  if (graph.value_info) graph.value_info = graph.value_info.filter((v) => !(v.name in classKeys))
  return { bytes: ModelProto.encode(model as never).finish(), classKeys, nonTensor }
}
