/**
 * Where a handler's bare import ('pngjs', '@scope/name/sub', '#internal') lives, resolved as Node would:
 * node_modules folders from the importing file's directory up to the handler's code dir, then the
 * package's `exports` (conditions, subpaths, patterns: resolve.exports, which follows Node's algorithm
 * to the letter), else `module` / `main`, else index.js, with extension probing for deep paths. Needed
 * because inside byoc's compiled executable Bun's own resolver follows neither `main` nor `exports`
 * for files on disk (handler-modules.ts rewrites the imports to the paths found here).
 */
import { readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { exports as packageExports, imports as packageImports } from 'resolve.exports'

export type ImportKind = 'import' | 'require'

/** Bun's own stand-ins for npm packages: a vendored copy wins, as it would in Node. */
const BUN_STAND_INS = new Set(['ws', 'undici'])
const BUILTINS = new Set(builtinModules)

/** node:*, bun, bun:*, and Node's core module names: left to the runtime. */
export function isBuiltin(spec: string): boolean {
  if (spec.startsWith('node:') || spec.startsWith('bun:') || spec === 'bun') return true
  return BUILTINS.has(spec) && !BUN_STAND_INS.has(spec.split('/')[0])
}

/** A specifier this module resolves: not relative, absolute, a URL or a builtin. */
export const isBare = (spec: string) =>
  !/^(\.{1,2}(\/|$)|\/|[a-z][a-z0-9+.-]*:)/i.test(spec) && spec !== '' && !isBuiltin(spec)

const kindOf = (path: string) => {
  try {
    const s = statSync(path)
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : null
  } catch {
    return null
  }
}

interface Package {
  name?: string
  main?: string
  module?: string
  type?: string
  exports?: unknown
  imports?: unknown
}

const packages = new Map<string, Package | null>()

/** package.json in `dir`, parsed once; null when there is none. A broken one is an error naming it. */
export function readPackage(dir: string): Package | null {
  let pkg = packages.get(dir)
  if (pkg !== undefined) return pkg
  const path = join(dir, 'package.json')
  if (kindOf(path) !== 'file') pkg = null
  else
    try {
      pkg = JSON.parse(readFileSync(path, 'utf8')) as Package
    } catch (error) {
      throw new Error(`${path} is not valid JSON: ${(error as Error).message}`)
    }
  packages.set(dir, pkg)
  return pkg
}

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.json']

/** Node's LOAD_AS_FILE then LOAD_AS_DIRECTORY (with .mjs, .cjs and .ts probed as Bun does). */
export function probe(path: string, kind: ImportKind): string | null {
  if (kindOf(path) === 'file') return path
  for (const ext of EXTENSIONS) if (kindOf(path + ext) === 'file') return path + ext
  if (kindOf(path) !== 'dir') return null
  const pkg = readPackage(path)
  const entry = kind === 'import' ? (pkg?.module ?? pkg?.main) : (pkg?.main ?? pkg?.module)
  if (entry) {
    const found = probe(join(path, entry), kind)
    if (found) return found
  }
  for (const index of ['index.js', 'index.mjs', 'index.cjs', 'index.ts', 'index.json'])
    if (kindOf(join(path, index)) === 'file') return join(path, index)
  return null
}

const conditions = (kind: ImportKind) => ({
  require: kind === 'require',
  conditions: kind === 'import' ? ['bun', 'module'] : ['bun'],
})

/** The first target of an exports/imports match that is a file. */
function firstFile(dir: string, targets: string[] | undefined, what: string): string {
  for (const t of targets ?? []) if (kindOf(join(dir, t)) === 'file') return join(dir, t)
  throw new Error(`${what} maps to ${(targets ?? []).join(', ') || 'nothing'}, which is not a file in ${dir}`)
}

/**
 * The absolute path of bare specifier `spec` imported (or required) by `from`, looking no higher than
 * `root` (the code dir). Throws an Error naming the specifier, the importing file and where it looked.
 */
export function resolveBare(spec: string, from: string, root: string, kind: ImportKind): string {
  if (spec.startsWith('#')) return resolveInternal(spec, from, root, kind)
  const parts = spec.split('/')
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  const sub = spec.slice(name.length) // '' or '/rest'
  const looked: string[] = []
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const at = join(dir, 'node_modules', name)
      looked.push(at)
      if (kindOf(at) === 'dir') return inPackage(at, name, sub, kind, from)
    }
    if (dir === root || !dir.startsWith(root + sep) || dirname(dir) === dir) break
  }
  throw new Error(
    `cannot find package "${name}" imported by ${relative(root, from) || from}; looked in ${looked.join(', ')}`,
  )
}

function inPackage(dir: string, name: string, sub: string, kind: ImportKind, from: string): string {
  const pkg = readPackage(dir)
  if (pkg?.exports !== undefined && pkg.exports !== null) {
    const entry = sub ? `.${sub}` : '.'
    let targets: string[] | undefined
    try {
      targets = packageExports({ ...pkg, name }, entry, conditions(kind)) as string[] | undefined
    } catch {
      const offered = typeof pkg.exports === 'object' ? Object.keys(pkg.exports as object).join(', ') : '.'
      throw new Error(
        `package "${name}" (${dir}) exports no "${entry}" for ${kind} (imported by ${from}); its exports are ${offered}`,
      )
    }
    return firstFile(dir, targets, `package "${name}" export "${entry}"`)
  }
  const found = probe(sub ? dir + sub : dir, kind)
  if (found) return found
  throw new Error(
    `package "${name}" (${dir}) has no ${sub ? `file "${sub.slice(1)}"` : 'entry (package.json main, or index.js)'} (imported by ${from})`,
  )
}

/** '#name' through the `imports` of the nearest package.json above the importing file. */
function resolveInternal(spec: string, from: string, root: string, kind: ImportKind): string {
  for (let dir = dirname(from); dir.startsWith(root); dir = dirname(dir)) {
    const pkg = readPackage(dir)
    if (!pkg) {
      if (dir === root) break
      continue
    }
    let targets: string[] | undefined
    try {
      targets = packageImports({ ...pkg, name: pkg.name ?? '' }, spec, conditions(kind)) as string[] | undefined
    } catch {
      throw new Error(`"${spec}" (imported by ${from}) is not in the imports of ${join(dir, 'package.json')}`)
    }
    const target = targets?.[0]
    if (target && isBare(target)) return resolveBare(target, join(dir, 'package.json'), root, kind)
    if (target && isBuiltin(target)) return target
    return firstFile(dir, targets, `"${spec}" in ${join(dir, 'package.json')} imports`)
  }
  throw new Error(`"${spec}" (imported by ${from}) needs a package.json with "imports" above it`)
}
