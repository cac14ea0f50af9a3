import { expect, test } from 'bun:test'
import { cutHeaderValue } from './header-cut'

const utf8Length = (s: string) => new TextEncoder().encode(s).length

test('cuts at the limit in UTF-8 bytes, stepping back to the start of a character', () => {
  expect(cutHeaderValue('abc', 1024)).toBe('abc')
  expect(cutHeaderValue('a'.repeat(2000), 1024)).toHaveLength(1024)
  // 'é' is 2 bytes: 1023 + 2 would end mid-character at byte 1024.
  expect(cutHeaderValue(`${'a'.repeat(1023)}éé`, 1024)).toBe('a'.repeat(1023))
  // A 4-byte character straddling the limit is dropped whole; one that fits is kept.
  expect(cutHeaderValue(`${'a'.repeat(1022)}😀`, 1024)).toBe('a'.repeat(1022))
  expect(cutHeaderValue(`${'a'.repeat(1020)}😀x`, 1024)).toBe(`${'a'.repeat(1020)}😀`)
  expect(utf8Length(cutHeaderValue('é'.repeat(600), 1024))).toBe(1024)
  expect(utf8Length(cutHeaderValue('€'.repeat(600), 1024))).toBe(1023)
})
