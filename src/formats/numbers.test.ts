import { describe, expect, test } from 'bun:test'
import { formatFloat32, formatFloat64, parseCell, parseNumberBytes } from './numbers'

describe('parseCell', () => {
  test('accepts decimal spellings, surrounding spaces, nan/inf in any case', () => {
    expect(parseCell(' 1.5 ')).toBe(1.5)
    expect(parseCell('-1e3')).toBe(-1000)
    expect(parseCell('')).toBeNaN()
    expect(parseCell('NaN')).toBeNaN()
    expect(parseCell('-INF')).toBe(-Infinity)
    expect(parseCell('Infinity')).toBe(Infinity)
  })
  test('rejects hex/octal/binary literals, underscores and words', () => {
    for (const s of ['0x10', '-0X1', '0b1', '0o7', '1_000', 'abc', '1,5', 'true']) expect(parseCell(s)).toBeNull()
  })
})

describe('formatFloat32', () => {
  test('prints the shortest text that reads back to the same float32', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1')
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334')
    expect(formatFloat32(Math.fround(16777217))).toBe('16777216')
    expect(formatFloat32(Math.fround(1e-7))).toBe('1e-7')
    expect(formatFloat32(Math.fround(3.4e38))).toBe('3.4e+38')
    expect(formatFloat32(-0)).toBe('0')
    expect(formatFloat32(NaN)).toBe('nan')
    expect(formatFloat32(-Infinity)).toBe('-inf')
  })
  test('round-trips and is never longer than 9 significant digits (random sample)', () => {
    const f = new Float32Array(1)
    const u = new Uint32Array(f.buffer)
    let seed = 12345
    for (let i = 0; i < 5000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      u[0] = seed
      const v = f[0]
      if (!Number.isFinite(v)) continue
      const s = formatFloat32(v)
      expect(Math.fround(Number(s))).toBe(v)
      // one digit fewer must not round-trip (shortest)
      const digits = s
        .replace(/e.*$/, '')
        .replace(/[-.]/g, '')
        .replace(/^0+|0+$/g, '').length
      if (digits > 1) expect(Math.fround(Number(v.toPrecision(digits - 1)))).not.toBe(v)
    }
  })
})

describe('formatFloat64', () => {
  test('shortest round trip, nan/inf spelled like numpy', () => {
    expect(formatFloat64(0.1 + 0.2)).toBe('0.30000000000000004')
    expect(formatFloat64(Infinity)).toBe('inf')
    expect(formatFloat64(NaN)).toBe('nan')
  })
})

const enc = new TextEncoder()
const parse = (s: string) => {
  const b = enc.encode(`x${s}y`)
  return parseNumberBytes(b, 1, b.length - 1)
}

describe('parseNumberBytes', () => {
  test('equals Number() on ordinary and awkward decimals', () => {
    const cases = [
      '0',
      '1',
      '-2.5',
      '.5',
      '5.',
      '1e-3',
      '1E+10',
      '-0',
      '0.1',
      '3.14159265358979',
      '123456789012345678',
      '1.7976931348623157e308',
      '4.9e-324',
      '2.2250738585072014e-308',
      '0.30000000000000004',
      '9007199254740993',
      ' 7 ',
      '7\r',
    ]
    for (const c of cases) expect(Object.is(parse(c), Number(c.trim()))).toBe(true)
    const random = [] as string[]
    for (let i = 0; i < 2000; i++)
      random.push((Math.random() * 10 ** (Math.random() * 40 - 20)).toPrecision(1 + (i % 17)))
    for (const c of random) expect(parse(c)).toBe(Number(c))
  })
  test('empty and nan are missing; inf is infinite', () => {
    expect(parse('')).toBeNaN()
    expect(parse('  ')).toBeNaN()
    expect(parse('NaN')).toBeNaN()
    expect(parse('-inf')).toBe(-Infinity)
    expect(parse('Infinity')).toBe(Infinity)
  })
  test('non-numbers are null', () => {
    for (const c of ['abc', '1.2.3', '0x10', '1e', '-', '.', '1,5', 'e5', '1 2']) expect(parse(c)).toBeNull()
  })
})
