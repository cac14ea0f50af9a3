/**
 * The one error type of byoc: every failure a client or operator can act on carries an HTTP status and a
 * one-line message naming the offending value. The HTTP layer turns it into the wire format; anything
 * that is not a ByocError is a bug and is answered 500 without details.
 */
export class ByocError extends Error {
  override name = 'ByocError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** The catalogue: one constructor per kind of failure, so call sites and tests agree on status codes. */
export const errors = {
  badInput: (message: string) => new ByocError(400, message),
  notFound: (what: string) => new ByocError(404, what),
  notAcceptable: (accept: string, supported: readonly string[]) =>
    new ByocError(406, `cannot answer in any of the accepted types "${accept}"; supported: ${supported.join(', ')}`),
  payloadTooLarge: (bytes: number, limit: number) =>
    new ByocError(413, `request body is ${bytes} bytes, the limit is ${limit} bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)`),
  unsupportedMediaType: (type: string, supported: readonly string[]) =>
    new ByocError(415, `content type "${type}" is not supported; supported: ${supported.join(', ')}`),
  modelFailed: (message: string) => new ByocError(500, `model failed: ${message}`),
  notReady: (reason: string) => new ByocError(503, reason),
  overloaded: (queued: number) =>
    new ByocError(503, `server is overloaded: ${queued} requests already queued; retry later`),
  timeout: (seconds: number) =>
    new ByocError(504, `inference did not finish within ${seconds} s (SAGEMAKER_MODEL_SERVER_TIMEOUT)`),
} as const

/** Turns anything thrown into a message safe for a client: ByocError text, else a generic line. */
export function publicMessage(error: unknown): { status: number; message: string } {
  if (error instanceof ByocError) return { status: error.status, message: error.message }
  return { status: 500, message: 'internal error; see the container log' }
}
