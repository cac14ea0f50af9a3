/**
 * Media types as SageMaker callers send them: matched by parsed type (parameters and case ignored), with
 * the aliases real clients use folded into one canonical name, and Accept negotiated per RFC 9110 §12.5.1.
 */
import { errors } from '../errors'
import { canonicalType } from '../formats/media-types'

export interface MediaType {
  /** `type/subtype`, lower case, without parameters. */
  type: string
  /** Parameter names lower case; values unquoted, case kept. */
  params: Record<string, string>
}

/** Splits `a/b; k=v; k2="v;2"` into the type and its parameters (quoted values may hold `;` and `\"`). */
export function parseMediaType(header: string): MediaType {
  const params: Record<string, string> = {}
  const semi = header.indexOf(';')
  const type = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase()
  let i = semi < 0 ? header.length : semi + 1
  while (i < header.length) {
    const eq = header.indexOf('=', i)
    const nextSemi = header.indexOf(';', i)
    if (eq < 0 || (nextSemi >= 0 && nextSemi < eq)) {
      // A parameter without a value (`a/b; flag`): skip it.
      i = nextSemi < 0 ? header.length : nextSemi + 1
      continue
    }
    const name = header.slice(i, eq).trim().toLowerCase()
    let j = eq + 1
    while (header[j] === ' ' || header[j] === '\t') j++
    let value = ''
    if (header[j] === '"') {
      j++
      while (j < header.length && header[j] !== '"') {
        if (header[j] === '\\' && j + 1 < header.length) j++
        value += header[j++]
      }
      const end = header.indexOf(';', j)
      i = end < 0 ? header.length : end + 1
    } else {
      const end = header.indexOf(';', j)
      value = header.slice(j, end < 0 ? header.length : end).trim()
      i = end < 0 ? header.length : end + 1
    }
    if (name) params[name] = value
  }
  return { type, params }
}

/** The request's media type header: `Content-Type`, else the `ContentType` spelling some AWS callers use. */
export function requestContentType(header: (name: string) => string | null): string | null {
  const value = header('content-type') ?? header('contenttype')
  return value?.trim() ? value : null
}

interface Range {
  type: string
  subtype: string
  q: number
  index: number
}

/** Splits an Accept header on commas outside quoted strings. */
function splitAccept(accept: string): string[] {
  const parts: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < accept.length; i++) {
    const c = accept[i]
    if (c === '"') quoted = !quoted
    else if (c === '\\' && quoted) i++
    else if (c === ',' && !quoted) {
      parts.push(accept.slice(start, i))
      start = i + 1
    }
  }
  parts.push(accept.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p.length > 0)
}

function parseRanges(accept: string): Range[] {
  const ranges: Range[] = []
  for (const [index, part] of splitAccept(accept).entries()) {
    const { type: raw, params } = parseMediaType(part)
    const full = raw === '*' ? '*/*' : canonicalType(raw)
    const slash = full.indexOf('/')
    if (slash <= 0 || slash === full.length - 1) continue // not a media range: ignore, as RFC 9110 allows
    // An unreadable weight counts as 1 rather than rejecting the whole request.
    const q = params.q === undefined ? 1 : Number(params.q)
    ranges.push({
      type: full.slice(0, slash),
      subtype: full.slice(slash + 1),
      q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 1,
      index,
    })
  }
  return ranges
}

/** 2 = exact, 1 = `type/*`, 0 = `*\/*`, -1 = no match. */
function specificity(range: Range, type: string): number {
  if (range.type === '*' && range.subtype === '*') return 0
  const slash = type.indexOf('/')
  if (range.type !== type.slice(0, slash)) return -1
  if (range.subtype === '*') return 1
  return range.subtype === type.slice(slash + 1) ? 2 : -1
}

/**
 * Picks the response type for an Accept header. For each supported type the most specific matching range
 * gives its weight (so `text/*;q=0, text/csv` still allows CSV); the best weight wins, then the more
 * specific match, then the range listed first; when a wildcard decides, `fallback` is preferred.
 * A missing or empty Accept gives `fallback` (or the first supported type when it is not supported).
 * Throws 406 when nothing supported is acceptable.
 */
/**
 * Answers for the header values seen before, per list of supported types: a client sends the same few
 * values on every request, and parsing them was a tenth of the HTTP thread's own work for a small request
 * (profiled). Bounded: past MEMO_SIZE values the memo starts again. Refusals are not kept.
 */
const MEMO_SIZE = 512
const memos = new WeakMap<readonly string[], Map<string, string>>()
const typeMemo = new Map<string, string>()

function remember(memo: Map<string, string>, key: string, value: string): string {
  if (memo.size >= MEMO_SIZE) memo.clear()
  memo.set(key, value)
  return value
}

/** The canonical media type a Content-Type value names (parameters dropped, aliases resolved). */
export function requestMediaType(header: string): string {
  return typeMemo.get(header) ?? remember(typeMemo, header, canonicalType(parseMediaType(header).type))
}

export function negotiate(accept: string | null, supported: readonly string[], fallback: string): string {
  let memo = memos.get(supported)
  if (!memo) memos.set(supported, (memo = new Map()))
  const key = `${fallback}\n${accept ?? ''}`
  return memo.get(key) ?? remember(memo, key, negotiateOnce(accept, supported, fallback))
}

function negotiateOnce(accept: string | null, supported: readonly string[], fallback: string): string {
  const canonicalFallback = canonicalType(fallback)
  const defaultType = supported.includes(canonicalFallback) ? canonicalFallback : supported[0]
  if (accept === null || accept.trim() === '') return defaultType
  const ranges = parseRanges(accept)
  if (ranges.length === 0) return defaultType

  let best: { type: string; q: number; spec: number; index: number } | null = null
  for (const type of supported) {
    let match: Range | null = null
    let spec = -1
    for (const range of ranges) {
      const s = specificity(range, type)
      if (s > spec || (s === spec && s >= 0 && match && range.q > match.q)) {
        match = range
        spec = s
      }
    }
    if (!match || spec < 0 || match.q <= 0) continue
    const candidate = { type, q: match.q, spec, index: match.index }
    if (!best || better(candidate, best, canonicalFallback)) best = candidate
  }
  if (!best) throw errors.notAcceptable(accept, supported)
  return best.type
}

function better(
  a: { type: string; q: number; spec: number; index: number },
  b: { type: string; q: number; spec: number; index: number },
  fallback: string,
): boolean {
  if (a.q !== b.q) return a.q > b.q
  if (a.spec !== b.spec) return a.spec > b.spec
  if (a.index !== b.index) return a.index < b.index
  // Same range (a wildcard) matched both: the configured default wins, else the earlier supported type.
  return a.type === fallback
}
