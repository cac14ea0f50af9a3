/**
 * Makes a handler's vendored packages (code/node_modules) import as they would under Node or Bun. Inside
 * byoc's compiled executable, Bun's resolver follows neither a package's `main` nor its `exports` for
 * files on disk, and a runtime plugin's onResolve is called for the top-level import only; its onLoad,
 * though, is called for every file under the code dir. So onLoad rewrites each bare specifier of an ES
 * module (import, export from, import(), require()) to the absolute path handler-resolve.ts finds, and
 * hands CommonJS files to handler-commonjs.ts. Builtins (node:*, fs, bun, bun:*) are left as they are.
 * The Worker registers it before it imports the handler; the rewritten source keeps its line numbers.
 */
import { readFileSync } from 'node:fs'
import { dirname, extname, sep } from 'node:path'
import { CommonJs, esmView } from './handler-commonjs'
import { isBare, readPackage, resolveBare } from './handler-resolve'

type Loader = 'ts' | 'tsx' | 'js' | 'jsx'
const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
}
const transpilers = new Map<Loader, Bun.Transpiler>()
const transpiler = (loader: Loader) => {
  let t = transpilers.get(loader)
  if (!t) transpilers.set(loader, (t = new Bun.Transpiler({ loader })))
  return t
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const installed = new Set<string>()

/** Registers the loader for the files under `codeDir` (once per Worker and dir). */
export function installHandlerModules(codeDir: string): void {
  if (installed.has(codeDir)) return
  installed.add(codeDir)
  const commonJs = new CommonJs(codeDir, isCommonJs)
  Bun.plugin({
    name: `byoc handler modules ${codeDir}`,
    setup(build) {
      // Synchronous, or Bun's require() of these files (from CommonJS, or an ES module) refuses them.
      build.onLoad({ filter: new RegExp(`^${escapeRegExp(codeDir + sep)}.*\\.(m|c)?(j|t)sx?$`) }, ({ path }) => {
        const source = readFileSync(path, 'utf8')
        if (isCommonJs(path, source)) return { loader: 'object', exports: esmView(commonJs.load(path, source).exports) }
        const loader = LOADERS[extname(path)] ?? 'js'
        return { loader, contents: rewriteImports(source, path, codeDir, loader) }
      })
    },
  })
}

/**
 * Node's rule: .cjs is CommonJS, .mjs and TypeScript are not, and a .js file is CommonJS unless its
 * package.json says "type": "module"; like Bun, a .js file with import or export statements is an ES
 * module wherever it is, and one with neither that never touches require/module/exports is too.
 */
export function isCommonJs(path: string, source: string): boolean {
  const ext = extname(path)
  if (ext === '.cjs' || ext === '.cts') return true
  if (ext !== '.js' && ext !== '.jsx') return false
  if (nearestType(dirname(path)) === 'module') return false
  let imports: Bun.Import[]
  try {
    imports = transpiler('jsx').scanImports(source)
  } catch {
    return false // a syntax error: Bun reports it, with its position, when it loads the file as it is
  }
  if (imports.some((i) => i.kind === 'import-statement')) return false
  if (/^\s*export\s/m.test(source) && transpiler('jsx').scan(source).exports.length > 0) return false
  return /\b(require\s*\(|module\.exports|exports\.[\w$]+\s*=|exports\[)/.test(source)
}

function nearestType(dir: string): string | undefined {
  for (; ; dir = dirname(dir)) {
    const pkg = readPackage(dir)
    if (pkg) return pkg.type
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * The source with every bare specifier of an import replaced by its absolute path. A static import
 * that resolves nowhere fails the load, naming it; a dynamic import() or require() that does not is
 * left for its own call to fail (optional dependencies are tried that way).
 */
export function rewriteImports(source: string, path: string, root: string, loader: Loader): string {
  let imports: Bun.Import[]
  try {
    imports = transpiler(loader).scanImports(source)
  } catch {
    return source // a syntax error: Bun reports it, with its position
  }
  const targets = new Map<string, string>()
  for (const { path: spec, kind } of imports) {
    if (!isBare(spec) || targets.has(spec)) continue
    const require = kind === 'require-call' || kind === 'require-resolve'
    try {
      targets.set(spec, resolveBare(spec, path, root, require ? 'require' : 'import'))
    } catch (error) {
      if (kind === 'import-statement') throw error
    }
  }
  if (targets.size === 0) return source
  // Only string literals in import position: the same text elsewhere (a message, a key) stays as it is.
  const specs = [...targets.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp)
  const pattern = new RegExp(
    `(\\bfrom\\s*|\\bimport\\s*(?:\\(\\s*)?|\\brequire\\s*\\(\\s*|\\brequire\\.resolve\\s*\\(\\s*)(['"\`])(${specs.join('|')})\\2`,
    'g',
  )
  return source.replace(pattern, (_, lead: string, quote: string, spec: string) => {
    const target = (targets.get(spec) as string).replace(/[\\'"`$]/g, '\\$&')
    return `${lead}${quote}${target}${quote}`
  })
}
