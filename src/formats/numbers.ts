/**
 * Numbers in text bodies (CSV, LibSVM), in training data, and in text responses: the one place that
 * decides what a number is and how one is written.
 *
 * Parsing follows Python's float(), which is what the SageMaker toolkits use on these bodies: decimal and
 * exponent forms (`1`, `-2.5`, `.5`, `1e-3`), surrounding spaces allowed, and `nan`, `inf`, `infinity`
 * (any case, optional sign) accepted. JavaScript extras are rejected: hex/octal/binary (`0x10`), `_`.
 * An empty (or all-space) cell is NaN, the missing value. The hot loops (CSV requests, training files)
 * read bytes through scanDecimal, whose results equal Number() on every spelling it accepts.
 *
 * Formatting prints the shortest text that reads back to the same value in the output's own precision
 * (float32 0.1 prints `0.1`, not 0.10000000149011612); NaN/±Infinity print as `nan`, `inf`, `-inf`
 * (numpy/pandas spelling, read back by Python's float()).
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)

/** Where the last scanDecimal call stopped: the index of the first byte it did not consume. */
export const scanned = { stop: 0 }

/**
 * The decimal fast path over bytes: `[sign] digits [. digits] [e|E [sign] digits]` from `i`, stopping at
 * the first byte that cannot continue it (scanned.stop). Simple decimals (at most 15 significant digits,
 * |exponent| at most 22) are computed exactly with one correctly rounded multiply or divide of two exact
 * doubles (Clinger's fast path). Returns NaN when the spelling needs the general parser: no digits, long
 * mantissas, big exponents, words (nan, inf), which callers hand to parseCell.
 */
export function scanDecimal(buf: Uint8Array, i: number, end: number): number {
  let neg = false
  let c = i < end ? buf[i] : -1
  if (c === 45 || c === 43) {
    neg = c === 45
    c = ++i < end ? buf[i] : -1
  }
  let m = 0
  let digits = 0
  let seen = false
  let exp = 0
  while (c >= 48 && c <= 57) {
    seen = true
    if (m !== 0 || c !== 48) {
      m = m * 10 + (c - 48)
      digits++
    }
    c = ++i < end ? buf[i] : -1
  }
  if (c === 46) {
    c = ++i < end ? buf[i] : -1
    while (c >= 48 && c <= 57) {
      seen = true
      if (m !== 0 || c !== 48) {
        m = m * 10 + (c - 48)
        digits++
      }
      exp--
      c = ++i < end ? buf[i] : -1
    }
  }
  let ok = seen && digits <= 15
  if (ok && (c === 101 || c === 69)) {
    c = ++i < end ? buf[i] : -1
    let eneg = false
    if (c === 45 || c === 43) {
      eneg = c === 45
      c = ++i < end ? buf[i] : -1
    }
    let e = 0
    let edigits = 0
    while (c >= 48 && c <= 57 && edigits < 6) {
      e = e * 10 + (c - 48)
      edigits++
      c = ++i < end ? buf[i] : -1
    }
    ok = edigits > 0
    exp += eneg ? -e : e
  }
  scanned.stop = i
  if (!ok || exp < -22 || exp > 22) return Number.NaN
  const v = exp === 0 ? m : exp > 0 ? m * POW10[exp] : m / POW10[-exp]
  return neg ? -v : v
}

const utf8 = new TextDecoder()

/**
 * The number in bytes [a, b) (spaces around it and a trailing CR allowed), NaN for an empty field, or
 * null when it is not a number: the same answer parseCell gives for the same text.
 */
export function parseNumberBytes(buf: Uint8Array, a: number, b: number): number | null {
  let i = a
  while (i < b && buf[i] === 32) i++
  let end = b
  while (end > i && (buf[end - 1] === 32 || buf[end - 1] === 13)) end--
  if (i === end) return Number.NaN
  const v = scanDecimal(buf, i, end)
  if (v === v && scanned.stop === end) return v
  return parseCell(utf8.decode(buf.subarray(a, b)))
}

/** The cell's number, NaN for an empty cell, or null when it is not a number. */
export function parseCell(cell: string): number | null {
  const t = cell.trim()
  if (t === '') return NaN
  const n = Number(t)
  if (n === n) {
    // Number() also accepts 0x/0o/0b literals: those are not numbers in a data file.
    const c = t.charCodeAt(t[0] === '-' || t[0] === '+' ? 1 : 0)
    if (c === 48 && t.length > 1 && /^[+-]?0[xXoObB]/.test(t)) return null
    return n
  }
  switch (t.toLowerCase()) {
    case 'nan':
    case '+nan':
    case '-nan':
      return NaN
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity
    case '-inf':
    case '-infinity':
      return -Infinity
  }
  return null
}

function special(v: number): string {
  return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf'
}

/** Shortest round-trip text of a double. */
export function formatFloat64(v: number): string {
  return Number.isFinite(v) ? String(v) : special(v)
}

/**
 * Shortest text that reads back as the same float32, fast path: for k = 1..9 significant digits, round
 * in double arithmetic (exact enough: 53 bits against float32's 24) and accept the first candidate that
 * Math.fround maps back to v, which is several times faster than a toPrecision-based search; falls back
 * to that search outside the powers of ten doubles hold exactly. Ties may round either way, both of
 * which read back the same.
 */
export function formatFloat32(v: number, round: (x: number) => number = Math.fround): string {
  if (round !== Math.fround) return formatFloat32Slow(v, round) // float16 outputs
  if (!Number.isFinite(v)) return special(v)
  if (Number.isInteger(v) && v > -16777216 && v < 16777216) return String(v)
  const e = Math.floor(Math.log10(Math.abs(v)))
  for (let k = 1; k <= 9; k++) {
    const m = k - 1 - e
    let candidate: number
    if (m >= 0 && m <= 22) candidate = Math.round(v * POW10[m]) / POW10[m]
    else if (m < 0 && m >= -22) candidate = Math.round(v / POW10[-m]) * POW10[-m]
    else break
    if (Math.fround(candidate) === v) return String(candidate)
  }
  return formatFloat32Slow(v)
}

/**
 * Shortest text that rounds back to the same float32 (or float16 with `round = Math.f16round`).
 * If p digits round-trip, so do p+1, and 9 always do; most model outputs need 7-8, so try 8, then walk
 * down (binary search below 6 for the rare short values). Integers below 2^24 print exactly.
 */
function formatFloat32Slow(v: number, round: (x: number) => number = Math.fround): string {
  if (!Number.isFinite(v)) return special(v)
  if (Number.isInteger(v) && v > -16777216 && v < 16777216) return String(v)
  // Each try returns the text when it round-trips, so the winner is not formatted twice.
  const tryP = (p: number) => {
    const t = v.toPrecision(p)
    return round(Number(t)) === v ? t : null
  }
  const t8 = tryP(8)
  if (t8 === null) return plainDecimal(v.toPrecision(9))
  const t7 = tryP(7)
  if (t7 === null) return plainDecimal(t8)
  const t6 = tryP(6)
  if (t6 === null) return plainDecimal(t7)
  let best = t6
  let lo = 1
  let hi = 6
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const t = tryP(mid)
    if (t === null) lo = mid + 1
    else {
      best = t
      hi = mid
    }
  }
  return plainDecimal(best)
}

/** toPrecision's text without padding zeros; exponent forms normalised the way String() writes them. */
function plainDecimal(t: string): string {
  if (t.includes('e')) return String(Number(t))
  if (!t.includes('.')) return t
  let end = t.length
  while (t.charCodeAt(end - 1) === 48) end--
  if (t.charCodeAt(end - 1) === 46) end--
  return t.slice(0, end)
}
