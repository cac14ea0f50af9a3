import { expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findChecker, KEYS, TYPESCRIPT_EXTENSION, wrapper } from './handler-typecheck'

test("the wrapper checks each hook and setting, named and default, one line each, against byoc's Handler", () => {
  const { tsconfig, check, lines } = wrapper('/m/code/handler.ts', '/app/typescript')
  const text = check.split('\n')
  expect(lines.size).toBe(KEYS.length * 2)
  for (const [line, { from, key }] of lines)
    expect(text[line - 1]).toStartWith(`export const ${from}_${key}: Handler['${key}']`)
  expect(text[0]).toBe('import type { Handler } from "/app/typescript/byoc.d.ts"')
  const config = JSON.parse(tsconfig)
  expect(config.compilerOptions).toMatchObject({
    strict: true,
    noImplicitAny: true,
    paths: { byoc: ['/app/typescript/byoc.d.ts'] },
  })
  expect(config.include).toEqual(['/m/code/**/*.d.ts'])
  expect(config.exclude).toEqual(['/m/code/**/node_modules'])
})

test('the checker is found beside the executable, or the missing file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byoc-checker-'))
  expect(findChecker(join(dir, 'byoc'))).toEqual({ missing: `${join(dir, 'typescript/tsc')} is missing` })
  mkdirSync(join(dir, 'typescript/node_modules/bun-types'), { recursive: true })
  for (const f of ['tsc', 'byoc.d.ts', 'node_modules/bun-types/package.json'])
    writeFileSync(join(dir, 'typescript', f), '')
  expect(findChecker(join(dir, 'byoc'))).toEqual({ dir: join(dir, 'typescript') })
})

test('TypeScript files are checked, JavaScript ones are not', () => {
  for (const f of ['handler.ts', 'h.mts', 'h.cts', 'h.tsx']) expect(TYPESCRIPT_EXTENSION.test(f)).toBe(true)
  for (const f of ['handler.js', 'handler.mjs', 'handler.d.ts.js']) expect(TYPESCRIPT_EXTENSION.test(f)).toBe(false)
})
