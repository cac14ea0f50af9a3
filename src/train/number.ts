/**
 * Number parsing straight from CSV bytes, the hot loop of data loading. Gives exactly what `Number(text)`
 * gives (and so what serve's parser gives, text → double → float32): the fast path only handles mantissas
 * below 10^15 and powers of ten up to 22, where one multiplication or division of two exact doubles is
 * correctly rounded; anything else goes through the slow path. Empty cells and `nan` are NaN (missing).
 */
import { parseCell } from '../formats/numbers'

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)
const decoder = new TextDecoder()

/** Marker for "not a number"; compare with `===` (a fresh object no parse can return). */
export const INVALID = Symbol('invalid')

// The same rules as serve's CSV decoder, so a value trains and serves as the same number.
function slow(text: string): number | typeof INVALID {
  return parseCell(text) ?? INVALID
}

/** Parses bytes [a, b) of buf. */
export function parseNumber(buf: Uint8Array, a: number, b: number): number | typeof INVALID {
  let i = a
  while (i < b && buf[i] === 32) i++
  let end = b
  while (end > i && (buf[end - 1] === 32 || buf[end - 1] === 13)) end--
  if (i === end) return NaN
  let neg = false
  let c = buf[i]
  if (c === 45 || c === 43) {
    neg = c === 45
    i++
  }
  let m = 0
  let digits = 0
  let exp = 0
  let any = false
  while (i < end && (c = buf[i]) >= 48 && c <= 57) {
    m = m * 10 + (c - 48)
    if (m !== 0) digits++
    any = true
    i++
  }
  if (i < end && buf[i] === 46) {
    i++
    while (i < end && (c = buf[i]) >= 48 && c <= 57) {
      m = m * 10 + (c - 48)
      if (m !== 0) digits++
      exp--
      any = true
      i++
    }
  }
  if (!any) return slow(decoder.decode(buf.subarray(a, b)))
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++
    let eneg = false
    if (i < end && (buf[i] === 45 || buf[i] === 43)) eneg = buf[i++] === 45
    let e = 0
    const start = i
    while (i < end && (c = buf[i]) >= 48 && c <= 57 && e < 10000) {
      e = e * 10 + (c - 48)
      i++
    }
    if (i === start) return slow(decoder.decode(buf.subarray(a, b)))
    exp += eneg ? -e : e
  }
  if (i !== end || digits > 15 || exp > 22 || exp < -22) return slow(decoder.decode(buf.subarray(a, b)))
  const v = exp >= 0 ? m * POW10[exp] : m / POW10[-exp]
  return neg ? -v : v
}
