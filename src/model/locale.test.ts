import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { useBundledLocale } from './locale'

describe('useBundledLocale', () => {
  test('a LOCPATH the user set is left alone, whatever is bundled', () => {
    expect(useBundledLocale('/somewhere', join(import.meta.dir, '../../dist/byoc'))).toBeNull()
  })
  test('without a locale folder beside the executable nothing changes', () => {
    expect(useBundledLocale(null, join(mkdtempSync(join(tmpdir(), 'byoc-locale-')), 'byoc'))).toBeNull()
  })
})
