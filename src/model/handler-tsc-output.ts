/**
 * What tsc says about a handler (handler-typecheck.ts), as byoc's start reports it: each error as the
 * handler's (or its module's) `path:line:col: message`, an error in the generated wrapper said as the
 * export that does not match byoc's Handler type, at the line that declares it.
 */
import { join, resolve } from 'node:path'

/** Errors named in the start's log line; the rest are counted. */
const SHOWN = 5

/** One line of the wrapper: which export it checks (for rewording errors reported there). */
export interface WrapperLine {
  from: 'named' | 'default'
  key: string
}

/**
 * The errors noImplicitAny adds (TS7005 "implicitly has an 'any' type", TS7006 for a parameter, TS7016
 * for a package without types, ...). The check turns noImplicitAny on and drops these rather than turning
 * it off: untyped code is allowed either way, but only with it on does `const rows = []` take the type of
 * what is pushed (off, with strict null checks, it is `never[]` and every push is an error).
 */
export const IMPLICIT_ANY = new Set(
  [5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26, 31, 32, 33, 34, 39, 51, 52, 53, 54]
    .concat([55, 57])
    .map((n) => `TS${7000 + n}`),
)

/**
 * tsc's `file(line,col): error TSn: message` lines (with their indented elaborations) as
 * `path:line:col: message`, implicit-any errors left out. An error in the wrapper is said as the
 * handler export it checks.
 */
export function parseTscOutput(
  out: string,
  at: { cwd: string; lines: Map<number, WrapperLine>; handlerPath: string; source: string },
): string[] {
  const errors: { where: string; message: string[] }[] = []
  let dropping = false
  for (const line of out.split('\n')) {
    const m = /^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line) ?? /^()()()error (TS\d+): (.*)$/.exec(line)
    if (m) dropping = IMPLICIT_ANY.has(m[4])
    if (dropping) continue
    if (m) {
      const [, file, row, col, code, text] = m
      const path = file ? resolve(at.cwd, file) : ''
      const wrapped = path === join(at.cwd, 'check.ts') ? at.lines.get(Number(row)) : undefined
      if (wrapped) {
        const { line: r, col: c } = exportPosition(at.source, wrapped)
        const what = wrapped.from === 'named' ? `export "${wrapped.key}"` : `default export's "${wrapped.key}"`
        errors.push({
          where: `${at.handlerPath}:${r}:${c}`,
          message: [`${what} does not match byoc's Handler type: ${text}`],
        })
      } else
        errors.push({ where: path ? `${path}:${row}:${col}` : at.handlerPath, message: [`${text}${hint(code, text)}`] })
    } else if (line.startsWith('  ') && errors.length) errors[errors.length - 1].message.push(line.trim())
  }
  // The handler's own errors first, each file's in line order (tsc lists the wrapper's first).
  const key = (where: string) => {
    const m = /^(.*):(\d+):(\d+)$/.exec(where)
    return m ? ([m[1], Number(m[2]), Number(m[3])] as const) : ([where, 0, 0] as const)
  }
  const order = (a: string, b: string) => {
    const [x, y] = [key(a), key(b)]
    return x[0] !== y[0]
      ? x[0] === at.handlerPath
        ? -1
        : y[0] === at.handlerPath
          ? 1
          : x[0] < y[0]
            ? -1
            : 1
      : x[1] - y[1] || x[2] - y[2]
  }
  return errors
    .sort((a, b) => order(a.where, b.where))
    .map((e) => `${e.where}: ${clip(e.message.join(' ').replace(/\.$/, ''))}`)
}

/** A missing byoc.d.ts is the likeliest unresolved import: say how to get it. */
function hint(code: string, text: string): string {
  return code === 'TS2307' && /byoc|types\/handler/.test(text)
    ? " (save byoc's types beside the handler with `byoc handler-types > code/byoc.d.ts`, or import type from 'byoc')"
    : ''
}

const clip = (s: string, max = 400) => (s.length > max ? `${s.slice(0, max - 3)}...` : s)

/** Where the handler declares an export (1-based), found in its text; 1:1 when it cannot be found. */
export function exportPosition(source: string, of: WrapperLine): { line: number; col: number } {
  const name = of.key
  let index = -1
  if (of.from === 'named') {
    const declared = new RegExp(
      `export\\s+(?:async\\s+)?(?:function\\s*\\*?\\s*|const\\s+|let\\s+|var\\s+)(${name})\\b`,
    ).exec(source)
    const listed = declared ? null : new RegExp(`export\\s*\\{[^}]*?\\b(${name})\\b`).exec(source)
    const m = declared ?? listed
    if (m) index = m.index + m[0].length - name.length
  } else {
    const start = source.search(/export\s+default\b/)
    if (start >= 0) {
      const member = new RegExp(`\\b${name}\\b`).exec(source.slice(start))
      index = start + (member ? member.index : 0)
    }
  }
  if (index < 0) return { line: 1, col: 1 }
  const before = source.slice(0, index).split('\n')
  return { line: before.length, col: before[before.length - 1].length + 1 }
}

/** The start's failure message: each error up to a handful, then how many more. */
export function describeTypeErrors(handlerPath: string, errors: string[]): string {
  const more = errors.length > SHOWN ? `; and ${errors.length - SHOWN} more` : ''
  return `handler ${handlerPath} does not type-check (BYOC_HANDLER_TYPECHECK=false skips the check): ${errors.slice(0, SHOWN).join('; ')}${more}`
}
