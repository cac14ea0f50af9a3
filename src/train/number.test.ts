import { describe, expect, test } from 'bun:test'
import { INVALID, parseNumber } from './number'

const enc = new TextEncoder()
const parse = (s: string) => {
  const b = enc.encode(`x${s}y`)
  return parseNumber(b, 1, b.length - 1)
}

describe('parseNumber', () => {
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
  test('non-numbers are INVALID', () => {
    for (const c of ['abc', '1.2.3', '0x10', '1e', '-', '.', '1,5', 'e5', '1 2']) expect(parse(c)).toBe(INVALID)
  })
})
