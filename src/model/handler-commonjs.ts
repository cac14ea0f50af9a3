/**
 * CommonJS files of a handler's code dir (its own, and vendored packages in code/node_modules), loaded
 * by byoc rather than by Bun: a runtime plugin that hands Bun CommonJS source breaks it (Bun evaluates
 * it as an ES module, oven-sh/bun#19279), and Bun's resolver in the compiled executable cannot find
 * vendored packages. So each file runs in Node's module wrapper, with a `require` that resolves as Node
 * does (handler-resolve.ts): builtins and ES modules through Bun's own require, CommonJS files here.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, resolve, sep } from 'node:path'
import { runInThisContext } from 'node:vm'
import { isBare, isBuiltin, probe, resolveBare } from './handler-resolve'

interface Module {
  id: string
  filename: string
  path: string
  exports: any
  loaded: boolean
  children: Module[]
  require: NodeJS.Require
}

type Wrapper = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void

export class CommonJs {
  private readonly cache = new Map<string, Module>()
  private readonly json = new Map<string, unknown>()

  constructor(
    private readonly root: string,
    /** True for a file under `root` that is CommonJS, given its source (handler-modules.ts decides). */
    private readonly isCommonJs: (path: string, source: string) => boolean,
  ) {}

  /** Where `spec` required from `from` leads: an absolute path, or the builtin's own name. */
  resolve(spec: string, from: string): string {
    if (isBuiltin(spec)) return spec
    if (isBare(spec)) return resolveBare(spec, from, this.root, 'require')
    const path = resolve(dirname(from), spec.startsWith('file:') ? new URL(spec).pathname : spec)
    const found = probe(path, 'require')
    if (!found)
      throw Object.assign(new Error(`cannot find module "${spec}" required by ${from}`), { code: 'MODULE_NOT_FOUND' })
    return found
  }

  /** module.exports of the CommonJS file at `path`, run once (a cycle sees the exports so far, as in Node). */
  load(path: string, source?: string): Module {
    const cached = this.cache.get(path)
    if (cached) return cached
    const module: Module = {
      id: path,
      filename: path,
      path: dirname(path),
      exports: {},
      loaded: false,
      children: [],
      require: this.requireFrom(path),
    }
    this.cache.set(path, module)
    try {
      // A shebang is not JavaScript inside the wrapper; the wrapper stays on line 1 so lines keep their numbers.
      const body = (source ?? readFileSync(path, 'utf8')).replace(/^#!.*/, '')
      const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
        filename: path,
      }) as Wrapper
      wrapper.call(module.exports, module.exports, module.require, module, path, dirname(path))
    } catch (error) {
      this.cache.delete(path)
      throw error
    }
    module.loaded = true
    return module
  }

  private requireFrom(from: string): NodeJS.Require {
    const native = createRequire(from)
    const require = ((spec: string) => {
      if (typeof spec !== 'string') throw new TypeError(`require() takes a string, got ${typeof spec} (in ${from})`)
      const path = this.resolve(spec, from)
      if (isBuiltin(path)) return native(path)
      if (!path.startsWith(this.root + sep)) return native(path)
      if (extname(path) === '.json') {
        if (!this.json.has(path)) this.json.set(path, JSON.parse(readFileSync(path, 'utf8')))
        return this.json.get(path)
      }
      // An ES module (or TypeScript) goes through Bun, and so through handler-modules.ts's onLoad.
      if (this.cache.has(path)) return this.load(path).exports
      const source = readFileSync(path, 'utf8')
      return this.isCommonJs(path, source) ? this.load(path, source).exports : native(path)
    }) as NodeJS.Require
    require.resolve = ((spec: string) => this.resolve(spec, from)) as NodeJS.RequireResolve
    require.resolve.paths = () => null
    require.cache = native.cache
    require.main = undefined
    return require
  }
}

/**
 * What an `import` of a CommonJS module gets, as a Bun plugin's `object` module: module.exports' own
 * properties by name and module.exports as the default (its `default` when it says __esModule, as Bun
 * does). The `__esModule` marker makes Bun's require() of this module return module.exports itself.
 */
export function esmView(exports: any): Record<string, unknown> {
  const named: Record<string, unknown> =
    (typeof exports === 'object' || typeof exports === 'function') && exports !== null ? { ...exports } : {}
  if (exports?.__esModule) {
    delete named.__esModule
    return { ...named, default: exports.default }
  }
  return { ...named, __esModule: true, default: exports }
}
