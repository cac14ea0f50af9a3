import { describe, expect, test } from 'bun:test'
import { AUTO, failure, NUMERIC, plain, TEXT, utf8 } from '../../test/fixtures/codec-testing'
import { decodeCsv, encodeCsv } from './csv'
import type { DecodeOptions } from './types'

const decode = (s: string, o: DecodeOptions = NUMERIC) => decodeCsv(utf8(s), o)

describe('CSV decoding (fast path: no quotes)', () => {
  test('rows and columns become one [rows, cols] number tensor', () => {
    const d = decode('1,2,3\n4,5,6')
    expect(d.records).toBe(2)
    expect(plain(d.tensors)).toEqual({ dtype: 'number', shape: [2, 3], values: [1, 2, 3, 4, 5, 6] })
    expect((d.tensors as { values: unknown }).values).toBeInstanceOf(Float64Array)
  })
  test('CRLF, trailing newline, blank trailing lines, BOM', () => {
    for (const body of ['1,2\r\n3,4\r\n', '1,2\n3,4\n\n\n', '\ufeff1,2\n3,4', '1,2\r\n3,4\r\n\r\n  \n']) {
      expect(plain(decode(body).tensors).values).toEqual([1, 2, 3, 4])
    }
  })
  test('number spellings: spaces, signs, exponents, nan/inf; empty field = NaN', () => {
    const v = plain(decode(' 1 , -2.5,+3e2,.5,1E-3,nan,NaN,inf,-Infinity,,  ,0.1').tensors).values
    expect(v).toEqual([1, -2.5, 300, 0.5, 0.001, NaN, NaN, Infinity, -Infinity, NaN, NaN, 0.1])
  })
  test('the fast path gives exactly what Number() gives', () => {
    const cells = [
      '0.1',
      '123456.789012',
      '9007199254740993',
      '1e22',
      '1e23',
      '4.35',
      '-0',
      '2.2250738585072014e-308',
      '0.30000000000000004',
    ]
    const v = plain(decode(cells.join(',')).tensors).values as number[]
    cells.forEach((c, i) => {
      expect(Object.is(v[i], Number(c))).toBe(true)
    })
  })
  test('the inline decimal path equals Number() on random spellings (leading zeros, long mantissas, 1., .5)', () => {
    let seed = 5
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('')
    const cells: string[] = []
    for (let i = 0; i < 3000; i++) {
      const int = rand() < 0.2 ? '' : digits(1 + Math.floor(rand() * 12))
      const frac = rand() < 0.3 ? '' : digits(Math.floor(rand() * 12))
      const dot = frac || rand() < 0.3 ? '.' : ''
      const cell = `${rand() < 0.3 ? '-' : ''}${int}${dot}${frac}`
      cells.push(/\d/.test(cell) ? cell : '7')
    }
    const v = plain(decode(`${cells.join(',')}\n`).tensors).values as number[]
    cells.forEach((c, i) => {
      expect(Object.is(v[i], Number(c))).toBe(true)
    })
  })
  test('150-row body gives records=150', () => {
    const body = `${Array.from({ length: 150 }, (_, i) => `${i},5.1,3.5,1.4`).join('\n')}\n`
    const d = decode(body)
    expect(d.records).toBe(150)
    expect(plain(d.tensors).shape).toEqual([150, 4])
    expect(plain(d.tensors).values[596]).toBe(149)
  })
  test('one column: a blank line in the middle is a NaN record', () => {
    expect(plain(decode('1\n\n3').tensors)).toEqual({ dtype: 'number', shape: [3, 1], values: [1, NaN, 3] })
  })
  test('lone CR line breaks', () => {
    expect(plain(decode('1,2\r3,4\r5,6').tensors).shape).toEqual([3, 2])
  })
})

describe('CSV decoding errors name row and column', () => {
  test('empty body', () => {
    expect(failure(() => decode(''))).toEqual({ status: 400, message: 'empty body' })
    expect(failure(() => decode('\n \r\n')).message).toBe('empty body')
  })
  test('ragged rows', () => {
    expect(failure(() => decode('1,2,3,4\n1,2,3,4\n1,2,3,4,5'))).toEqual({
      status: 400,
      message: 'row 3 has 5 fields, expected 4',
    })
    expect(failure(() => decode('1,2,3\n4,5')).message).toBe('row 2 has 2 fields, expected 3')
    expect(failure(() => decode('1,2\n\n3,4')).message).toBe('row 2 is empty, expected 2 fields')
  })
  test('non-numeric cells', () => {
    expect(failure(() => decode('1,2,3\n4,5,abc'))).toEqual({
      status: 400,
      message: 'row 2, column 3: "abc" is not a number',
    })
    expect(failure(() => decode('0x10,1')).message).toBe('row 1, column 1: "0x10" is not a number')
    expect(failure(() => decode('1,-,3')).message).toBe('row 1, column 2: "-" is not a number')
    expect(failure(() => decode('1,.,3')).message).toBe('row 1, column 2: "." is not a number')
    expect(failure(() => decode('1,2 3')).message).toBe('row 1, column 2: "2 3" is not a number')
  })
  test('with a header the line number is given too', () => {
    expect(failure(() => decode('a,b\n1,2\n3,x', AUTO)).message).toBe('row 2 (line 3), column 2: "x" is not a number')
  })
  test('invalid UTF-8', () => {
    expect(failure(() => decodeCsv(new Uint8Array([0x31, 0xff, 0x32]), NUMERIC)).status).toBe(400)
  })
})

describe('CSV quoted bodies (papaparse)', () => {
  test('quoted numbers, embedded commas, quotes and newlines in text mode', () => {
    expect(plain(decode('"1","2"\r\n"3",4\n').tensors).values).toEqual([1, 2, 3, 4])
    const d = decode('"a,b","say ""hi"""\n"line\nbreak",x\n', TEXT)
    expect(plain(d.tensors)).toEqual({
      dtype: 'string',
      shape: [2, 2],
      values: ['a,b', 'say "hi"', 'line\nbreak', 'x'],
    })
  })
  test('errors name the row', () => {
    expect(failure(() => decode('1,2\n"3,4\n'))).toEqual({
      status: 400,
      message: 'malformed CSV: row 2: quoted field unterminated',
    })
    expect(failure(() => decode('"1",2\n"3",4,5')).message).toBe('row 2 has 3 fields, expected 2')
    expect(failure(() => decode('"1",2\n"3","x"')).message).toBe('row 2, column 2: "x" is not a number')
  })
})

describe('CSV header handling', () => {
  test("'auto' skips a header followed by numbers, in both paths", () => {
    expect(plain(decode('sepal,petal\n1,2\n3,4', AUTO).tensors).values).toEqual([1, 2, 3, 4])
    expect(plain(decode('"sepal","petal"\n1,2', AUTO).tensors).values).toEqual([1, 2])
  })
  test("'auto' keeps a numeric first row, and a bad row before a numeric one is a header", () => {
    expect(decode('1,2\n3,4', AUTO).records).toBe(2)
    expect(decode('1,,3\n4,5,6', AUTO).records).toBe(2)
  })
  test("'auto' with a lone row: a header only when every field is a word", () => {
    expect(failure(() => decode('1,abc,3', AUTO)).message).toBe('row 1, column 2: "abc" is not a number')
    expect(failure(() => decode('a,b', AUTO)).message).toContain('only one row, "a,b", taken as a header')
  })
  test("'auto' never skips for text models; 'present' always skips; 'absent' never", () => {
    expect(decode('a,b\nc,d', { csvHeader: 'auto', textInput: true }).records).toBe(2)
    expect(plain(decode('9,9\n1,2', { csvHeader: 'present', textInput: false }).tensors).values).toEqual([1, 2])
    expect(failure(() => decode('a,b\n1,2', NUMERIC)).message).toBe('row 1, column 1: "a" is not a number')
  })
  test("'auto' with the model's columns: a header naming the inputs, in any order, also for text columns", () => {
    const columns = [
      { name: 'color', numeric: false },
      { name: 'width', numeric: true },
      { name: 'pieces', numeric: true },
    ]
    const frame: DecodeOptions = { csvHeader: 'auto', textInput: true, columns }
    const d = decode('color,width,pieces\nred,41.4,5\n', frame)
    expect(d.records).toBe(1)
    expect(d.columns).toEqual(['color', 'width', 'pieces'])
    expect(decode('Width,color,pieces\n41.4,red,5\n', frame).columns).toEqual(['Width', 'color', 'pieces'])
    // Unnamed headers are still seen where a numeric column holds a word above a number.
    expect(decode('c,w,p\nred,41.4,5\n', frame).records).toBe(1)
    // A first record of text (no word in a numeric column) is a record.
    expect(decode('red,41.4,5\nblue,2,1\n', frame).records).toBe(2)
    // One text column named like the input: the header is recognised, not answered as a sentence.
    const text: DecodeOptions = { csvHeader: 'auto', textInput: true, columns: [{ name: 'text', numeric: false }] }
    expect(decode('text\nRain tonight\n', text).records).toBe(1)
    expect(decode('Rain tonight\nSun\n', text).records).toBe(2)
    // Unquoted lines are taken whole for a one-text-column model: a document per line.
    expect(plain(decode('snow, hail, ice\nsun\n', text).tensors).values).toEqual(['snow, hail, ice', 'sun'])
    expect(plain(decode('"a, b"\nc\n', text).tensors).values).toEqual(['a, b', 'c'])
  })
  test('text mode keeps cells as strings', () => {
    expect(plain(decode('hello world,1\nbye,2', TEXT).tensors)).toEqual({
      dtype: 'string',
      shape: [2, 2],
      values: ['hello world', '1', 'bye', '2'],
    })
  })
})

describe('CSV encoding', () => {
  test('one line per record, outputs side by side, float32 printed shortest', () => {
    const csv = encodeCsv({
      records: 2,
      outputs: [
        { name: 'probs', dtype: 'float32', dims: [2, 2], data: new Float32Array([0.1, 0.9, 1 / 3, 2 / 3]) },
        { name: 'label', dtype: 'int64', dims: [2], data: new BigInt64Array([1n, 0n]) },
      ],
    })
    expect(csv).toBe('0.1,0.9,1\n0.33333334,0.6666667,0\n')
  })
  test('float64 round-trips; NaN/inf spelled nan/inf; bools true/false', () => {
    const csv = encodeCsv({
      records: 3,
      outputs: [
        { name: 'x', dtype: 'float64', dims: [3], data: new Float64Array([0.1 + 0.2, NaN, -Infinity]) },
        { name: 'b', dtype: 'bool', dims: [3, 1], data: new Uint8Array([1, 0, 1]) },
      ],
    })
    expect(csv).toBe('0.30000000000000004,true\nnan,false\n-inf,true\n')
  })
  test('strings are quoted only when needed', () => {
    const csv = encodeCsv({
      records: 3,
      outputs: [{ name: 's', dtype: 'string', dims: [3], data: ['plain', 'a,b', 'say "x"'] }],
    })
    expect(csv).toBe('plain\n"a,b"\n"say ""x"""\n')
  })
  test('round trip: encoded float64 values decode to the same numbers', () => {
    const values = new Float64Array([1e-300, 123.456, -0.5, 7])
    const csv = encodeCsv({
      records: 2,
      outputs: [{ name: 'y', dtype: 'float64', dims: [2, 2], data: values }],
    })
    expect(plain(decode(csv).tensors).values).toEqual(Array.from(values))
  })
})

test('blank lines before the first record are skipped, not taken for a one-column row', () => {
  const d = decodeCsv(new TextEncoder().encode('\n\r\n1,2\n3,4\n'), { csvHeader: 'auto', textInput: false })
  expect(d.records).toBe(2)
  expect((d.tensors as { shape: number[] }).shape).toEqual([2, 2])
})
