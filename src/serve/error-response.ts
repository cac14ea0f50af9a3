/**
 * The wire format of errors: `{"error": "..."}` when the client takes JSON (or says nothing), else one
 * plain line. Never a stack trace.
 */
import { publicMessage } from '../errors'

export function errorResponse(error: unknown, accept: string | null, headers: Record<string, string> = {}): Response {
  const { status, message } = publicMessage(error)
  const line = message.replace(/[\r\n]+/g, ' ')
  if (wantsJson(accept))
    return new Response(JSON.stringify({ error: line }), { status, headers: { ...headers, 'content-type': 'application/json' } })
  return new Response(`${line}\n`, { status, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } })
}

function wantsJson(accept: string | null): boolean {
  if (!accept) return true
  const a = accept.toLowerCase()
  return a.includes('json') || a.includes('*/*') || a.includes('application/*')
}
