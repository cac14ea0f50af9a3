/**
 * What a request tells a model with a handler beyond its body, and what the handler tells the response:
 * small extras that ride in the wire frames (wire.ts) only when the model has a handler, so a model
 * without one pays nothing. Plain data, no codecs: the HTTP thread imports this.
 *
 * Request meta: UTF-8 lines (header values cannot hold a newline): content type, accept, then the values
 * of HANDLER_HEADERS in order, empty when absent. Answer meta: JSON {contentType?, headers?}, only when
 * the handler set headers or answered in a type byoc does not know.
 */

/** The wire's media-type index for a type outside MEDIA_TYPES; its name travels in the meta. */
export const CUSTOM_TYPE = 255

/** The SageMaker request headers a handler sees, in the order they travel. */
export const HANDLER_HEADERS = [
  'x-amzn-sagemaker-custom-attributes',
  'x-amzn-sagemaker-inference-id',
  'x-amzn-sagemaker-target-model',
  'x-amzn-sagemaker-target-variant',
  'x-amzn-sagemaker-session-id',
  'x-amzn-sagemaker-enable-explanations',
] as const

export const NO_META = new Uint8Array(0)
const utf8 = new TextEncoder()
const text = new TextDecoder()

export function packRequestMeta(
  header: (name: string) => string | null,
  contentType: string,
  accept: string,
): Uint8Array {
  let s = `${contentType}\n${accept}`
  for (const name of HANDLER_HEADERS) s += `\n${header(name) ?? ''}`
  return utf8.encode(s)
}

export interface RequestMeta {
  contentType: string
  accept: string
  /** Values of HANDLER_HEADERS, null when absent. */
  headers: Array<string | null>
}

export function parseRequestMeta(meta: Uint8Array): RequestMeta {
  const [contentType = '', accept = '', ...values] = text.decode(meta).split('\n')
  return { contentType, accept, headers: HANDLER_HEADERS.map((_, i) => values[i] || null) }
}

export interface AnswerMeta {
  contentType?: string
  headers?: Record<string, string>
}

export function packAnswerMeta(meta: AnswerMeta): Uint8Array {
  return meta.contentType || meta.headers ? utf8.encode(JSON.stringify(meta)) : NO_META
}

export function parseAnswerMeta(meta: Uint8Array): AnswerMeta {
  return meta.byteLength ? (JSON.parse(text.decode(meta)) as AnswerMeta) : {}
}
