/**
 * The architecture as a test: imports point down (serve → model → formats → errors), the formats layer
 * depends on nothing above it, production code imports no test fixture, and there is no import cycle.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { Glob } from 'bun'

const root = join(import.meta.dir, '..')
const files = [...new Glob('src/**/*.ts').scanSync(root)].filter((f) => !f.endsWith('.d.ts'))
const production = files.filter((f) => !f.endsWith('.test.ts'))

/** Relative imports of a file, resolved to repository paths (extension-less specifiers get .ts). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2]
    let target = relative(root, resolve(dirname(join(root, file)), spec))
    if (!/\.(ts|js|proto)$/.test(target))
      target = files.includes(`${target}.ts`) ? `${target}.ts` : `${target}/index.ts`
    out.push(target)
  }
  return out
}

const graph = new Map(production.map((f) => [f, importsOf(f)]))

describe('layout', () => {
  test('the scan sees the tree (guards the checks below against an empty graph)', () => {
    expect(production.length).toBeGreaterThan(50)
    expect(graph.get('src/model/model-worker.ts')).toContain('src/formats/index.ts')
  })

  test('nothing under src/model, src/train or src/formats imports from src/serve', () => {
    const upward = [...graph].flatMap(([f, deps]) =>
      /^src\/(model|train|formats)\//.test(f)
        ? deps.filter((d) => d.startsWith('src/serve/')).map((d) => `${f} → ${d}`)
        : [],
    )
    expect(upward).toEqual([])
  })

  test('the formats layer imports only itself, errors and protobuf', () => {
    const allowed = (d: string) => d.startsWith('src/formats/') || d === 'src/errors.ts' || d === 'src/protobuf.ts'
    const bad = [...graph].flatMap(([f, deps]) =>
      f.startsWith('src/formats/') ? deps.filter((d) => !allowed(d)).map((d) => `${f} → ${d}`) : [],
    )
    expect(bad).toEqual([])
  })

  test('src/onnx (the ONNX writer) depends on nothing but itself and the protobuf setup', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      f.startsWith('src/onnx/')
        ? deps.filter((d) => !d.startsWith('src/onnx/') && d !== 'src/protobuf.ts').map((d) => `${f} → ${d}`)
        : [],
    )
    expect(bad).toEqual([])
  })

  test('production code imports no test fixture', () => {
    const bad = [...graph].flatMap(([f, deps]) => deps.filter((d) => d.startsWith('test/')).map((d) => `${f} → ${d}`))
    expect(bad).toEqual([])
  })

  test('there is no import cycle', () => {
    const state = new Map<string, 'active' | 'done'>()
    const cycles: string[] = []
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'active') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' → '))
        return
      }
      state.set(f, 'active')
      for (const d of graph.get(f) ?? []) visit(d, [...path, f])
      state.set(f, 'done')
    }
    for (const f of graph.keys()) visit(f, [])
    expect(cycles).toEqual([])
  })

  test('no two source files share a name', () => {
    const byName = new Map<string, string[]>()
    for (const f of production) {
      const name = f.split('/').at(-1)!
      if (name === 'index.ts') continue
      byName.set(name, [...(byName.get(name) ?? []), f])
    }
    expect([...byName.values()].filter((v) => v.length > 1)).toEqual([])
  })
})
