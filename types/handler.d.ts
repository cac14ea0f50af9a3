/**
 * Types for a byoc handler: your own TypeScript (or JavaScript) that byoc loads from the model directory,
 * `code/handler.ts` (or `.js` / `.mjs`, or the file CUSTOM_SCRIPT_FILENAME names), and runs in every
 * model Worker. Save this file beside your handler, from the byoc you run, and import the types only:
 *
 *   byoc handler-types > code/byoc.d.ts          (docker run --rm IMAGE handler-types > code/byoc.d.ts)
 *   import type { Feeds, Outputs, RequestContext } from './byoc'    // erased at run time
 *
 * A handler cannot import byoc itself (byoc lives inside one executable); everything byoc offers reaches
 * it through the `ctx` argument. Every hook is optional and may be async; what a handler leaves out, byoc
 * does as it would without a handler. Hooks may be named exports or members of a default-export object.
 */

/** ONNX Runtime's tensor element types. */
export type TensorType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string'

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[]

/** An ONNX Runtime tensor (model outputs, ctx.tensors.tensor()). `dims[0]` is the record count. */
export interface Tensor {
  readonly type: TensorType
  readonly data: TensorData
  readonly dims: readonly number[]
}

/**
 * A model input as a handler gives it. `type` defaults to the input's type; `data` may be a plain array,
 * cast to that type (numbers to int64 become BigInt). byoc checks it against the model and says what is wrong.
 */
export interface TensorInput {
  type?: TensorType
  data: TensorData | ArrayLike<number | bigint | boolean | string>
  dims: readonly number[]
}

/** Model inputs by name: every input of the model, each with the records first (dims[0]). */
export type Feeds = Record<string, TensorInput | Tensor>
/** Model outputs by name, as ONNX Runtime returns them (every output, records first). */
export type Outputs = Record<string, Tensor>

/** One decoded tensor of a built-in format; 'number' means parsed from text, cast to the input's type later. */
export interface DecodedTensor {
  dtype: 'number' | 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string'
  /** Row-major; shape[0] is the record count. */
  shape: number[]
  values: Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array | string[]
}

/** What byoc's own decoders make of a body (CSV, JSON, JSON Lines, npy, RecordIO, LibSVM). */
export interface Decoded {
  records: number
  /** One unnamed tensor (CSV, bare JSON arrays, npy), or tensors by input name (JSON `{"inputs": {...}}`). */
  tensors: DecodedTensor | Record<string, DecodedTensor>
}

/** One output as byoc answers it: selected (BYOC_OUTPUTS / byoc.json "outputs"), class labels applied. */
export interface OutputTensor {
  name: string
  dtype: string
  dims: number[]
  data: ArrayLike<number | bigint | string | boolean>
}

/** byoc's own answer, which its encoders write: what `answer` is for encode() when there is no postprocess. */
export interface Answered {
  records: number
  outputs: OutputTensor[]
}

/** A response body with its own media type (encode() may return one). */
export interface Encoded {
  body: Uint8Array | string
  contentType: string
}

export interface ValueInfo {
  name: string
  /** A TensorType, or 'non-tensor' (sequence, map). */
  type: string
  /** Numbers, symbolic names, -1 for unknown. */
  shape: Array<number | string>
}

export interface Signature {
  inputs: ValueInfo[]
  outputs: ValueInfo[]
}

/** Lines reach the container log (CloudWatch); in a request they carry its inference id. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** byoc's codecs, by media type. */
export interface Codecs {
  /** Types byoc decodes and encodes itself. */
  readonly decodable: readonly string[]
  readonly encodable: readonly string[]
  /** Decodes a body as byoc would (throws a 4xx error when it does not parse or `contentType` is unknown). */
  decode(body: Uint8Array, contentType: string): Decoded
  /** Encodes an answer as byoc would (406 when byoc cannot write `accept`). */
  encode(answer: Answered, accept: string): Uint8Array | string
}

/** byoc's tensor helpers; every tensor they return is a real ONNX Runtime tensor. */
export interface TensorHelpers {
  tensor(
    type: TensorType,
    data: TensorData | ArrayLike<number | bigint | boolean | string>,
    dims: readonly number[],
  ): Tensor
  /** Concatenates along dim 0. */
  concat(tensors: Tensor[]): Tensor
  /** Records [from, from + count) of a tensor that holds `records` records. */
  slice(t: Tensor, from: number, count: number): Tensor
  /** Stacks single-record tensors (dims [1, ...]) into one. */
  stack(tensors: Tensor[]): Tensor
}

/** What every hook receives: the model and byoc's helpers. load() gets only this. */
export interface ModelContext {
  /** The model directory (/opt/ml/model, or the model's own folder in a multi-model endpoint). */
  readonly modelDir: string
  /** The folder holding the handler file: read vocabularies and settings relative to it. */
  readonly codeDir: string
  /** Which model Worker this is (0-based); each Worker loads the handler once. */
  readonly worker: number
  readonly signature: Signature
  /** byoc.json of the model, or null. */
  readonly config: Readonly<Record<string, unknown>> | null
  /**
   * Runs the model. Feeds whose inputs all have a batch axis go through byoc's dynamic batcher, shared
   * with other requests; call it as often as you need. Resolves with every output.
   */
  run(feeds: Feeds): Promise<Outputs>
  readonly codecs: Codecs
  readonly tensors: TensorHelpers
  readonly log: Logger
  /** Yours: load() may keep vocabularies, tables, clients here for later hooks of the same Worker. */
  readonly state: Record<string, unknown>
}

/** The SageMaker request headers byoc hands on (null when absent). */
export interface RequestHeaders {
  readonly customAttributes: string | null
  readonly inferenceId: string | null
  readonly targetModel: string | null
  readonly targetVariant: string | null
  readonly sessionId: string | null
  readonly enableExplanations: string | null
  /** Any of the above by header name, e.g. get('X-Amzn-SageMaker-Custom-Attributes'). */
  get(name: string): string | null
}

export interface RequestContext extends ModelContext {
  readonly headers: RequestHeaders
  /** The request's media type, lower case, without parameters ('text/csv' when the client sent none). */
  readonly contentType: string
  /** The negotiated response type. */
  readonly accept: string
  /** Adds a response header (e.g. X-Amzn-SageMaker-Custom-Attributes). Content-Type comes from encode(). */
  setHeader(name: string, value: string): void
  /** Ends the request at once with this status (400-599) and message, on purpose: ctx.error(422, '...'). */
  error(status: number, message: string): never
}

/** What invoke() receives: the whole request. */
export interface InvokeRequest {
  readonly body: Uint8Array
  readonly contentType: string
  readonly accept: string
  text(): string
  json(): unknown
}

type Maybe<T> = T | Promise<T>

/**
 * The hooks, in the order byoc calls them for a request:
 *   decode(body, contentType) -> records          (else byoc's decoder: records is a Decoded)
 *   preprocess(records)       -> feeds            (else byoc's checks and casts of a Decoded)
 *   ctx.run(feeds)            -> outputs          (byoc, through the dynamic batcher)
 *   postprocess(outputs, records) -> answer       (else byoc's output selection: an Answered)
 *   encode(answer, accept)    -> body             (else byoc's encoder, or JSON for an answer of your own)
 * invoke(request) replaces decode, preprocess, the run and postprocess; its answer is encoded as above.
 */
export interface Handler<Records = any, Answer = any> {
  /** Request types byoc does not read that decode() or invoke() take (e.g. 'image/png'); the rest get 415. */
  contentTypes?: readonly string[]
  /** Response types byoc does not write that encode() writes (e.g. 'text/plain'); the rest get 406. */
  accepts?: readonly string[]
  /** Once per Worker, before its warm-up run and before any request. A failure fails the model's start. */
  load?(ctx: ModelContext): Maybe<unknown>
  /** Every body first; return undefined to let byoc decode it. Without preprocess, return a Decoded or Feeds. */
  decode?(body: Uint8Array, contentType: string, ctx: RequestContext): Maybe<Records | Decoded | Feeds | undefined>
  preprocess?(records: Records, ctx: RequestContext): Maybe<Feeds>
  postprocess?(outputs: Outputs, records: Records, ctx: RequestContext): Maybe<Answer>
  /** Return undefined to let byoc encode: Answered and Outputs in any of its types, anything else as JSON. */
  encode?(answer: Answer, accept: string, ctx: RequestContext): Maybe<Uint8Array | string | Encoded | undefined>
  invoke?(request: InvokeRequest, ctx: RequestContext): Maybe<Answer>
}
