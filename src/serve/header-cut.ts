/**
 * A header value cut to at most `max` bytes of UTF-8 without splitting a character (Bun decodes header
 * values as UTF-8 and writes them back so), stepping back from the limit to a character's first byte.
 */
export function cutHeaderValue(value: string, max: number): string {
  if (value.length * 3 <= max) return value
  const bytes = new TextEncoder().encode(value)
  if (bytes.length <= max) return value
  let n = max
  while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--
  return new TextDecoder().decode(bytes.subarray(0, n))
}
