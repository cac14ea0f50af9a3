/**
 * The one error type of byoc: every failure a client or operator can act on carries an HTTP status and a
 * one-line message naming the offending value. The HTTP layer turns it into the wire format; anything
 * that is not a ByocError is a bug and is answered 500 without details.
 */
export class ByocError extends Error {
  override name = 'ByocError'
  readonly kind: ErrorKind
  constructor(
    readonly status: number,
    message: string,
    kind?: ErrorKind,
  ) {
    super(message)
    this.kind = kind ?? kindOfStatus(status)
  }
}

/**
 * A failure before serving or training can start: a bad environment variable, a bad byoc.json, no model
 * file, a session ONNX Runtime cannot create. Its message is the whole story for the log; the process
 * (or, for a model load, /ping) reports it instead of crashing.
 */
export class StartupError extends Error {
  override name = 'StartupError'
}

/** The first line of anything thrown, bounded: native libraries' messages can run to pages. */
export function firstLine(error: unknown, max = 500): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, max)
}

/**
 * What went wrong, for the error counter (byoc_request_errors_total): a body that could not be parsed, one
 * that does not fit the model or the limits, a request that took too long, a full queue, the model
 * failing, or no model to answer.
 */
export const ERROR_KINDS = ['decode', 'validation', 'timeout', 'overload', 'model', 'unavailable'] as const
export type ErrorKind = (typeof ERROR_KINDS)[number]

function kindOfStatus(status: number): ErrorKind {
  if (status === 504) return 'timeout'
  if (status === 503) return 'unavailable'
  if (status >= 500) return 'model'
  return 'validation'
}

/** The catalogue: one constructor per kind of failure, so call sites and tests agree on status codes. */
export const errors = {
  badInput: (message: string) => new ByocError(400, message),
  notFound: (what: string) => new ByocError(404, what),
  methodNotAllowed: (method: string, path: string, allowed: string) =>
    new ByocError(405, `${method} ${path} is not served; use ${allowed}`),
  conflict: (message: string) => new ByocError(409, message),
  notAcceptable: (accept: string, supported: readonly string[]) =>
    new ByocError(406, `cannot answer in any of the accepted types "${accept}"; supported: ${supported.join(', ')}`),
  payloadTooLarge: (bytes: number, limit: number) =>
    new ByocError(413, `request body is ${bytes} bytes, the limit is ${limit} bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)`),
  /** A format that holds only numbers (npy arrays mixing outputs, RecordIO) asked for a string output. */
  cannotEncodeStrings: (type: string, output: string, detail = '') =>
    new ByocError(406, `cannot encode string output '${output}' as ${type}${detail}`),
  unsupportedMediaType: (type: string, supported: readonly string[]) =>
    new ByocError(415, `content type "${type}" is not supported; supported: ${supported.join(', ')}`),
  modelFailed: (message: string) => new ByocError(500, `model failed: ${message}`),
  notReady: (reason: string) => new ByocError(503, reason),
  overloaded: (queued: number) =>
    new ByocError(503, `server is overloaded: ${queued} requests already queued; retry later`, 'overload'),
  /** Multi-model endpoints: SageMaker answers a 507 by unloading other models and retrying the load. */
  insufficientMemory: (message: string) => new ByocError(507, message),
  timeout: (seconds: number) =>
    new ByocError(504, `inference did not finish within ${seconds} s (SAGEMAKER_MODEL_SERVER_TIMEOUT)`),
} as const

/** Turns anything thrown into a message safe for a client: ByocError text, else a generic line. */
export function publicMessage(error: unknown): { status: number; message: string } {
  if (error instanceof ByocError) return { status: error.status, message: error.message }
  return { status: 500, message: 'internal error; see the container log' }
}
