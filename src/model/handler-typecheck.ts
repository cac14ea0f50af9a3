/**
 * Type-checking a TypeScript handler at model start: Bun strips types without checking them, so a
 * handler that reads `ctx.nope` or returns a string from preprocess() would otherwise fail only on a
 * request. The build ships TypeScript's native compiler (tsc 7) beside the executable, in
 * `typescript/` with the es* lib files, bun-types and @types/node in its node_modules, and byoc.d.ts
 * (types/handler.d.ts). The check runs as a child process, off every thread byoc serves on, in a
 * scratch folder under TMPDIR (the only place a read-only image may write): a generated tsconfig.json
 * and a wrapper that assigns each of the handler's hooks and settings to byoc's `Handler` type, one
 * line each, so an error there names the hook that does not match.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { log } from '../log'
import { HOOKS, SETTINGS } from './handler-load'
import { describeTypeErrors, parseTscOutput, type WrapperLine } from './handler-tsc-output'
import type { WorkerPool } from './pool'
import type { WorkerReady } from './protocol'

/** The hooks and settings of types/handler.d.ts's Handler, as the wrapper checks them. */
export const KEYS = [...HOOKS, ...SETTINGS] as const
/** A check this slow is given up (the handler then starts unchecked, with a warning), not waited for. */
const TIMEOUT_MS = 60_000

export const TYPESCRIPT_EXTENSION = /\.[cm]?tsx?$/

/** The checker's folder beside the executable, or why there is none. */
export function findChecker(execPath = process.execPath): { dir: string } | { missing: string } {
  const dir = join(dirname(execPath), 'typescript')
  for (const file of ['tsc', 'byoc.d.ts', 'node_modules/bun-types/package.json'])
    if (!existsSync(join(dir, file))) return { missing: `${join(dir, file)} is missing` }
  return { dir }
}

/** tsconfig.json and check.ts for one handler, and what each wrapper line checks (by 1-based line). */
export function wrapper(
  handlerPath: string,
  checkerDir: string,
): { tsconfig: string; check: string; lines: Map<number, WrapperLine> } {
  const byoc = join(checkerDir, 'byoc.d.ts')
  const code = dirname(handlerPath)
  const tsconfig = {
    compilerOptions: {
      noEmit: true,
      strict: true,
      // On for its inference; its errors are dropped (handler-tsc-output.ts IMPLICIT_ANY), so untyped
      // code and vendored packages without types (code/node_modules) are `any`, not errors.
      noImplicitAny: true,
      target: 'esnext',
      module: 'preserve',
      moduleResolution: 'bundler',
      // Bun imports every file as a module: one without import or export (a comment alone) is one too.
      moduleDetection: 'force',
      skipLibCheck: true,
      lib: ['esnext'],
      types: ['bun-types'],
      typeRoots: [join(checkerDir, 'node_modules')],
      allowImportingTsExtensions: true,
      // Bun imports JSON files as their value.
      resolveJsonModule: true,
      // `import type { Handler } from 'byoc'` needs no copy of byoc.d.ts beside the handler.
      paths: { byoc: [byoc] },
    },
    files: ['check.ts'],
    // The handler's own declarations (e.g. for a vendored package), not its packages'.
    include: [join(code, '**/*.d.ts')],
    exclude: [join(code, '**/node_modules')],
  }
  const head = [
    `import type { Handler } from ${JSON.stringify(byoc)}`,
    `import type * as M from ${JSON.stringify(handlerPath)}`,
    // An export's type, or undefined when the handler has none of that name (no hook is fine).
    'type Of<T, K extends PropertyKey> = T extends object ? (K extends keyof T ? T[K] : undefined) : undefined',
    `type D = Of<typeof M, 'default'>`,
  ]
  const lines = new Map<number, WrapperLine>()
  const body: string[] = []
  for (const from of ['named', 'default'] as const)
    for (const key of KEYS) {
      lines.set(head.length + body.length + 1, { from, key })
      body.push(
        `export const ${from}_${key}: Handler['${key}'] = undefined as unknown as Of<${from === 'named' ? 'typeof M' : 'D'}, '${key}'>`,
      )
    }
  return { tsconfig: JSON.stringify(tsconfig, null, 2), check: `${[...head, ...body].join('\n')}\n`, lines }
}

export interface CheckResult {
  /** Each error as `path:line:col: message`, the handler's own first (handler-tsc-output.ts). */
  errors: string[]
  ms: number
}

/**
 * Runs tsc on the handler; resolves with its errors (none: it type-checks). Rejects only when the
 * check itself could not run (tsc failed to start, timed out, or answered nothing byoc understands).
 */
export async function typecheck(handlerPath: string, checkerDir: string): Promise<CheckResult> {
  const t0 = performance.now()
  const work = mkdtempSync(join(tmpdir(), 'byoc-typecheck-'))
  try {
    const { tsconfig, check, lines } = wrapper(handlerPath, checkerDir)
    writeFileSync(join(work, 'tsconfig.json'), tsconfig)
    writeFileSync(join(work, 'check.ts'), check)
    const child = Bun.spawn([join(checkerDir, 'tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: work,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      timeout: TIMEOUT_MS,
    })
    const [out, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ])
    if (child.signalCode) throw new Error(`tsc did not finish in ${TIMEOUT_MS / 1000} s (${child.signalCode})`)
    const source = readFileSync(handlerPath, 'utf8')
    const errors = parseTscOutput(out, { cwd: work, lines, handlerPath, source })
    // Failing with no diagnostic at all is tsc's own failure, not the handler's.
    if (code !== 0 && !/error TS\d+:/.test(out))
      throw new Error(`tsc exited ${code}: ${(err || out).trim().split('\n')[0] || 'no output'}`)
    return { errors, ms: performance.now() - t0 }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The check a model's start waits for beside its Workers. Rejects with the type errors; resolves, with
 * a log line saying so, when the handler type-checks or is not checked (a .js handler, the setting off,
 * no checker beside the executable, a check that could not run).
 */
export async function checkHandlerTypes(
  handlerPath: string,
  enabled: boolean,
  model: string | null = null,
): Promise<void> {
  const prefix = model ? `model ${model}: ` : ''
  const fields = { event: 'handler_typecheck', handler: handlerPath, ...(model ? { model_name: model } : {}) }
  if (!TYPESCRIPT_EXTENSION.test(handlerPath))
    return log.info(`${prefix}handler ${handlerPath} is JavaScript: not type-checked`, {
      ...fields,
      result: 'javascript',
    })
  if (!enabled)
    return log.info(`${prefix}handler ${handlerPath} not type-checked: BYOC_HANDLER_TYPECHECK=false`, {
      ...fields,
      result: 'off',
    })
  const checker = findChecker()
  if ('missing' in checker)
    return log.warn(
      `${prefix}handler ${handlerPath} was not type-checked: no TypeScript checker beside the executable (${checker.missing}; the build puts it in dist/typescript)`,
      { ...fields, result: 'no_checker' },
    )
  let result: CheckResult
  try {
    result = await typecheck(handlerPath, checker.dir)
  } catch (error) {
    return log.warn(
      `${prefix}handler ${handlerPath} was not type-checked: ${error instanceof Error ? error.message : String(error)}`,
      { ...fields, result: 'not_run' },
    )
  }
  const ms = Math.round(result.ms)
  if (result.errors.length) {
    log.debug(`${prefix}handler type check failed in ${ms} ms`, { ...fields, result: 'failed', ms })
    throw new Error(describeTypeErrors(handlerPath, result.errors))
  }
  log.info(`${prefix}handler ${handlerPath} type-checked in ${ms} ms`, { ...fields, result: 'passed', ms })
}

/**
 * Starts the pool while the check runs and resolves once both succeeded. A Worker that failed to
 * start is the error (a syntax error fails both; the Worker's import says it as a user would see it);
 * else the type errors, after the started Workers were retired.
 */
export async function startChecked(pool: WorkerPool, checked: Promise<void> | null): Promise<WorkerReady> {
  const [started, check] = await Promise.allSettled([pool.start(), checked])
  if (started.status === 'rejected') throw started.reason
  if (check.status === 'rejected') {
    await pool.close()
    throw check.reason
  }
  return started.value
}
