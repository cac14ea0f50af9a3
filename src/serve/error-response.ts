/**
 * The wire format of errors: `{"error": "..."}` when the client takes JSON (or says nothing), else one
 * plain line. Never a stack trace.
 */
import { publicMessage } from '../errors'
import { type Answer, toResponse } from './answer'

export function errorAnswer(error: unknown, accept: string | null, headers: Record<string, string> = {}): Answer {
  const { status, message } = publicMessage(error)
  const line = message.replace(/[\r\n]+/g, ' ')
  const json = wantsJson(accept)
  const body = json ? JSON.stringify({ error: line }) : `${line}\n`
  // Content-Length is set here so the access log can count the bytes without reading the body back.
  return {
    status,
    headers: {
      ...headers,
      'content-type': json ? 'application/json' : 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  }
}

export function errorResponse(error: unknown, accept: string | null, headers: Record<string, string> = {}): Response {
  return toResponse(errorAnswer(error, accept, headers))
}

function wantsJson(accept: string | null): boolean {
  if (!accept) return true
  const a = accept.toLowerCase()
  return a.includes('json') || a.includes('*/*') || a.includes('application/*')
}
