/**
 * Finding and importing a model's handler (types/handler.d.ts): `code/handler.ts|.js|.mjs` in the model
 * dir, as SageMaker ships `code/` inside model.tar.gz, or the file CUSTOM_SCRIPT_FILENAME names (the name
 * AWS's model-hosting container standards use). Finding runs where the model file is found; importing runs
 * in each model Worker, so a handler never runs on the HTTP thread. A compiled byoc can import() a file
 * from disk, but that file cannot import byoc's own modules: they reach it through `ctx`.
 */
import { statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { canonicalType } from '../formats/media-types'
import { installHandlerModules } from './handler-modules'

export const HANDLER_NAMES = ['code/handler.ts', 'code/handler.js', 'code/handler.mjs'] as const
export const HOOKS = ['load', 'decode', 'preprocess', 'postprocess', 'encode', 'invoke'] as const
export const SETTINGS = ['contentTypes', 'accepts'] as const
type Hook = (typeof HOOKS)[number]

/** What a Worker tells the HTTP thread about the handler it loaded (plain data). */
export interface HandlerInfo {
  path: string
  hooks: Hook[]
  /** Request types byoc does not read that reach the handler; '*\/*' when it takes any (decode or invoke). */
  contentTypes: string[]
  /** Response types byoc does not write that the handler's encode() writes; '*\/*' when it writes any. */
  accepts: string[]
  /**
   * False when the handler has no hook a request calls (none, or load() only): its requests then take
   * byoc's own path, as without a handler, and the HTTP thread sends them no meta.
   */
  perRequest: boolean
}

export interface LoadedHandler {
  info: HandlerInfo
  /** Exports byoc ignores that look like misspelt hooks, for the log. */
  warnings: string[]
  /** The hooks present, each bound to the module (or default-export object) that defined it. */
  hooks: Partial<Record<Hook, (...args: any[]) => unknown>>
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The handler's absolute path, or null when the model has none; a named file that is missing is an error. */
export function findHandler(modelDir: string, scriptName: string | null): string | null {
  if (scriptName) {
    const path = resolve(modelDir, scriptName)
    if (!isFile(path))
      throw new Error(`CUSTOM_SCRIPT_FILENAME names "${scriptName}", but ${path} is not a file in the model directory`)
    return path
  }
  const found = HANDLER_NAMES.map((name) => join(modelDir, name)).filter(isFile)
  if (found.length > 1)
    throw new Error(
      `the model has several handlers (${found.map((p) => relative(modelDir, p)).join(', ')}); keep one, or set CUSTOM_SCRIPT_FILENAME`,
    )
  return found[0] ?? null
}

/**
 * Imports the handler and checks its exports. Anything wrong (a syntax error, a throw at import, an
 * export of the wrong kind) is an Error whose message names the file and line, for the start's log line.
 */
export async function loadHandler(path: string): Promise<LoadedHandler> {
  let mod: Record<string, unknown>
  try {
    installHandlerModules(dirname(path))
    mod = await import(path)
  } catch (error) {
    throw new Error(`handler ${path} failed to load: ${describeLoadError(error, path)}`)
  }
  const def = mod.default
  const sources = [mod, ...(typeof def === 'object' && def !== null ? [def as Record<string, unknown>] : [])]
  const hooks: LoadedHandler['hooks'] = {}
  const settings: Partial<Record<(typeof SETTINGS)[number], string[]>> = {}
  const problems: string[] = []
  const warnings: string[] = []
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (name === 'default' && source === mod) continue
      if ((HOOKS as readonly string[]).includes(name)) {
        if (typeof value !== 'function') problems.push(`"${name}" must be a function, got ${typeof value}`)
        else hooks[name as Hook] = (value as (...a: unknown[]) => unknown).bind(source)
      } else if ((SETTINGS as readonly string[]).includes(name)) {
        if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || !t.includes('/')))
          problems.push(`"${name}" must be an array of media types like "image/png", got ${JSON.stringify(value)}`)
        else settings[name as (typeof SETTINGS)[number]] = value.map((t: string) => canonicalType(t.split(';')[0]))
      } else if (typeof value === 'function' && source === mod)
        // A typo (preProcess) would otherwise be ignored in silence.
        warnings.push(`handler exports a function "${name}", which byoc does not call; hooks are ${HOOKS.join(', ')}`)
    }
  }
  if (hooks.invoke)
    for (const h of ['decode', 'preprocess', 'postprocess'] as const)
      if (hooks[h]) problems.push(`exports both invoke and ${h}; invoke replaces decode, preprocess and postprocess`)
  if (settings.contentTypes && !hooks.decode && !hooks.invoke)
    problems.push('declares contentTypes but has no decode or invoke to read them')
  if (settings.accepts && !hooks.encode && !hooks.invoke && !hooks.postprocess)
    problems.push('declares accepts but has no encode, postprocess or invoke to write them')
  if (problems.length) throw new Error(`handler ${path}: ${problems.join('; ')}`)
  const reads = hooks.decode || hooks.invoke
  const writes = hooks.encode
  return {
    hooks,
    warnings,
    info: {
      path,
      hooks: HOOKS.filter((h) => hooks[h]),
      contentTypes: settings.contentTypes ?? (reads ? ['*/*'] : []),
      accepts: settings.accepts ?? (writes ? ['*/*'] : []),
      perRequest: HOOKS.some((h) => h !== 'load' && hooks[h]),
    },
  }
}

/**
 * Bun reports a syntax error as a BuildMessage with a position and no stack, and a throw at import with
 * a stack whose frames name the file: either way the message ends with file:line:column.
 */
export function describeLoadError(error: unknown, path: string): string {
  const e = error as { message?: string; position?: { file?: string; line?: number; column?: number } | null }
  const message = (e?.message ?? String(error)).split('\n')[0]
  const p = e?.position
  if (p?.line) return `${message} (${p.file ?? path}:${p.line}:${p.column ?? 0})`
  const at = frameIn(error, dirname(path))
  return at ? `${message} (${at})` : message
}

/** The first stack frame inside `dir` (the handler's code), as file:line:column. */
export function frameIn(error: unknown, dir: string): string | null {
  const stack = (error as Error | null)?.stack ?? ''
  for (const m of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)\)?/g))
    if (m[1].replace('file://', '').startsWith(dir)) return `${m[1].replace('file://', '')}:${m[2]}:${m[3]}`
  return null
}
