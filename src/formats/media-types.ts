/**
 * The names of the formats byoc speaks, without their codecs: the HTTP thread needs only these (for
 * 415/406 and negotiation) and must not load every codec, papaparse included, to learn them. A type's
 * index in MEDIA_TYPES is what crosses to the model Worker, which finds the codec at the same index.
 */

/** Canonical media types, lower case, no parameters; the codec table follows this order. */
export const MEDIA_TYPES = [
  'text/csv',
  'application/json',
  'application/jsonlines',
  'application/x-npy',
  'application/x-recordio-protobuf',
  'text/libsvm',
] as const

export type MediaTypeName = (typeof MEDIA_TYPES)[number]

/** Types accepted as Content-Type, in the order error messages list them. */
export const DECODABLE_TYPES: readonly string[] = MEDIA_TYPES
/** Types a response can be written in; text/csv first (the fallback when nothing else applies). */
export const ENCODABLE_TYPES: readonly string[] = MEDIA_TYPES.filter((t) => t !== 'text/libsvm')

/** Aliases → canonical type. JSON Lines has several names in the wild; LibSVM two. */
const ALIASES: Record<string, string> = {
  'application/x-jsonlines': 'application/jsonlines',
  'application/jsonl': 'application/jsonlines',
  'application/x-ndjson': 'application/jsonlines',
  'application/ndjson': 'application/jsonlines',
  'text/x-libsvm': 'text/libsvm',
}

export function canonicalType(type: string): string {
  const lower = type.trim().toLowerCase()
  return ALIASES[lower] ?? lower
}

const INDEX = new Map<string, number>(MEDIA_TYPES.map((t, i) => [t, i]))

/** The index of a canonical type in MEDIA_TYPES, or -1 when byoc does not speak it. */
export function mediaTypeIndex(canonical: string): number {
  return INDEX.get(canonical) ?? -1
}
