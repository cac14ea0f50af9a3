/**
 * ONNX Runtime's error messages, made fit for a client and the log: one line, without the runtime's
 * source paths and C++ function names, the failing node said plainly, and the status a client can act on.
 */
import { ByocError, errors } from '../errors'

/** `/onnxruntime_src/.../gather.cc:154 void onnxruntime::F(const T&)::<lambda()> ` (function optional). */
const SOURCE = /(?:\/[^\s:]*\/)?[\w.-]+\.(?:cc|cpp|cu|h|hpp):\d+\s+/g

export function cleanOrtMessage(raw: string): string {
  let s = raw.replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/g, '')
  for (let m = SOURCE.exec(s); m; m = SOURCE.exec(s)) {
    // Skip the C++ signature that follows the path: up to the first space outside parentheses and <>.
    let i = m.index + m[0].length
    let depth = 0
    const start = i
    for (; i < s.length; i++) {
      const c = s[i]
      if (c === '(' || c === '<') depth++
      else if (c === ')' || c === '>') depth--
      else if (c === ' ' && depth <= 0) break
    }
    const fn = s.slice(start, i)
    // A bare word (e.g. "PrepareForComputeImpl") or a qualified name is a function; plain text is kept.
    const isFunction = /::|\(|^[A-Z]\w+$/.test(fn) && !/[.,]$/.test(fn)
    const end = isFunction ? i + 1 : m.index + m[0].length
    s = s.slice(0, m.index) + s.slice(end)
    SOURCE.lastIndex = m.index
  }
  s = s.replace(
    /Non-zero status code returned while running (\S+) node\. Name:'([^']*)' Status Message:\s*/,
    (_, op, name) => `${op} node '${name}': `,
  )
  return s.replace(/\s*\n\s*/g, ' ').trim()
}

/** Messages of kernels that read an input value as an index or size and found it out of range. */
const VALUE_REJECTED = /out of (?:data )?bounds|out of range|must be within|invalid index|index .* exceeds/i

/**
 * The error for a failed run: 400 when the model refused a value the client sent (an id outside an
 * embedding table), 500 otherwise; never the runtime's internals.
 */
export function runFailure(error: unknown): ByocError {
  if (error instanceof ByocError) return error
  const message = cleanOrtMessage(error instanceof Error ? error.message : String(error)).slice(0, 500)
  if (VALUE_REJECTED.test(message)) return errors.badInput(`the model rejected an input value: ${message}`)
  return errors.modelFailed(message)
}
