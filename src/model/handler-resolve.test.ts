import { expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { isBare, isBuiltin, resolveBare } from './handler-resolve'

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'byoc-resolve-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

test('builtins and paths are not bare; Bun stand-ins for npm packages are', () => {
  for (const spec of ['fs', 'node:fs', 'fs/promises', 'bun', 'bun:sqlite', './x', '../x', '/x', 'file:///x'])
    expect(isBare(spec)).toBe(false)
  for (const spec of ['pngjs', '@scope/name', 'pkg/deep/file.js', '#internal', 'ws']) expect(isBare(spec)).toBe(true)
  expect(isBuiltin('path')).toBe(true)
})

test('exports: conditions by kind, subpaths, patterns; deep paths probe extensions; main may omit one', () => {
  const root = tree({
    'node_modules/p/package.json': JSON.stringify({
      name: 'p',
      exports: {
        '.': { node: { import: './n.mjs', require: './n.cjs' }, default: './d.js' },
        './sub/*.js': './lib/*.js',
        './hidden': null,
      },
    }),
    'node_modules/p/n.mjs': '',
    'node_modules/p/n.cjs': '',
    'node_modules/p/lib/a.js': '',
    'node_modules/q/package.json': JSON.stringify({ name: 'q', main: 'lib/entry' }),
    'node_modules/q/lib/entry.js': '',
    'node_modules/q/deep/x.cjs': '',
    'node_modules/q/dir/index.js': '',
    'handler.ts': '',
  })
  const from = join(root, 'handler.ts')
  expect(resolveBare('p', from, root, 'import')).toBe(join(root, 'node_modules/p/n.mjs'))
  expect(resolveBare('p', from, root, 'require')).toBe(join(root, 'node_modules/p/n.cjs'))
  expect(resolveBare('p/sub/a.js', from, root, 'import')).toBe(join(root, 'node_modules/p/lib/a.js'))
  expect(() => resolveBare('p/hidden', from, root, 'import')).toThrow(/package "p" .* exports no "\.\/hidden"/)
  expect(() => resolveBare('p/lib/a.js', from, root, 'import')).toThrow(/exports no "\.\/lib\/a\.js"/)
  expect(resolveBare('q', from, root, 'import')).toBe(join(root, 'node_modules/q/lib/entry.js'))
  expect(resolveBare('q/deep/x', from, root, 'require')).toBe(join(root, 'node_modules/q/deep/x.cjs'))
  expect(resolveBare('q/dir', from, root, 'require')).toBe(join(root, 'node_modules/q/dir/index.js'))
})

test('#imports map to a file of the package or to another package', () => {
  const root = tree({
    'node_modules/r/package.json': JSON.stringify({
      name: 'r',
      imports: { '#util': { import: './util.mjs', default: './util.js' }, '#dep': 'q' },
    }),
    'node_modules/r/util.mjs': '',
    'node_modules/r/index.js': '',
    'node_modules/q/index.js': '',
  })
  const from = join(root, 'node_modules/r/index.js')
  expect(resolveBare('#util', from, root, 'import')).toBe(join(root, 'node_modules/r/util.mjs'))
  expect(resolveBare('#dep', from, root, 'import')).toBe(join(root, 'node_modules/q/index.js'))
})

test('the search stops at the code dir and says where it looked', () => {
  const outer = tree({ 'node_modules/up/index.js': '', 'code/lib/h.js': '' })
  const code = join(outer, 'code')
  expect(() => resolveBare('up', join(code, 'lib/h.js'), code, 'import')).toThrow(
    `cannot find package "up" imported by lib/h.js; looked in ${code}/lib/node_modules/up, ${code}/node_modules/up`,
  )
})
