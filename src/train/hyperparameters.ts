/**
 * Parsing of /opt/ml/input/config/hyperparameters.json against a schema. SageMaker passes every value as a
 * string, and SDKs since 2.110 JSON-encode them once more (`"\"5\""`), so each value is decoded until it
 * is plain text. Names starting with `sagemaker_` (and `_tuning_objective_metric`) belong to the platform
 * and are ignored; unknown names and bad values fail, all of them named in one message.
 */
import { TrainError } from './train-errors'

/** Turns one stored value into its text: `"\"5\""` → `5`, `5` → `5`, `true` → `true`. */
export function decodeValue(value: unknown): string {
  let v = value
  for (let i = 0; i < 3 && typeof v === 'string'; i++) {
    const t = v.trim()
    if (!t.startsWith('"')) break
    try {
      v = JSON.parse(t)
    } catch {
      break
    }
  }
  if (typeof v === 'string') return v.trim()
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v === null) return 'null'
  return JSON.stringify(v)
}

export function isReserved(name: string): boolean {
  return name.startsWith('sagemaker_') || name === '_tuning_objective_metric'
}

/** A parser returns the value or throws a string saying what it must be. */
export interface Param<T> {
  parse: (text: string) => T
  default: T
  /** One line for the README/errors, e.g. "whole number ≥ 1". */
  describe: string
  aliases?: string[]
}

const NONE = new Set(['none', 'null', ''])

export function int(def: number | null, min: number, max = Number.MAX_SAFE_INTEGER, aliases?: string[]): Param<number> {
  const describe = max === Number.MAX_SAFE_INTEGER ? `whole number ≥ ${min}` : `whole number from ${min} to ${max}`
  return {
    default: def as number,
    describe,
    aliases,
    parse: (t) => {
      const n = Number(t)
      if (t === '' || !Number.isInteger(n) || n < min || n > max) throw describe
      return n
    },
  }
}

export function float(
  def: number,
  min: number,
  max = Infinity,
  opts: { minExclusive?: boolean; aliases?: string[] } = {},
): Param<number> {
  const lo = opts.minExclusive ? `> ${min}` : `≥ ${min}`
  const describe = max === Infinity ? `number ${lo}` : `number ${lo} and ≤ ${max}`
  return {
    default: def,
    describe,
    aliases: opts.aliases,
    parse: (t) => {
      const n = Number(t)
      if (t === '' || !Number.isFinite(n) || n < min || (opts.minExclusive && n === min) || n > max) throw describe
      return n
    },
  }
}

/** `true`/`false`/`1`/`0` (also yes/no) in any case. */
export function bool(def: boolean): Param<boolean> {
  const describe = 'true or false'
  return {
    default: def,
    describe,
    parse: (t) => {
      const v = t.toLowerCase()
      if (v === 'true' || v === '1' || v === 'yes') return true
      if (v === 'false' || v === '0' || v === 'no') return false
      throw describe
    },
  }
}

export function oneOf<T extends string>(def: T, values: readonly T[], synonyms: Record<string, T> = {}): Param<T> {
  const describe = `one of ${values.join(', ')}`
  return {
    default: def,
    describe,
    parse: (t) => {
      const v = t.toLowerCase()
      if ((values as readonly string[]).includes(v)) return v as T
      if (v in synonyms) return synonyms[v]
      throw describe
    },
  }
}

/** Allows `None`/`null`/empty for "not set", as scikit-learn's `None`. */
export function optional<T>(p: Param<T>): Param<T | null> {
  const describe = `${p.describe}, or None`
  return {
    ...p,
    default: p.default ?? null,
    describe,
    parse: (t) => {
      if (NONE.has(t.toLowerCase())) return null
      try {
        return p.parse(t)
      } catch (e) {
        throw typeof e === 'string' ? describe : e
      }
    },
  }
}

export type Schema = Record<string, Param<unknown>>
export type Parsed<S extends Schema> = { [K in keyof S]: S[K] extends Param<infer T> ? T : never }

/**
 * Parses decoded values (name → text) against a schema; `what` names the schema in messages
 * (e.g. "algorithm decision_tree"). Collects every problem before failing.
 */
export function parseWith<S extends Schema>(schema: S, values: Record<string, string>, what: string): Parsed<S> {
  const out: Record<string, unknown> = {}
  const lookup = new Map<string, string>()
  for (const [name, p] of Object.entries(schema)) {
    out[name] = p.default
    lookup.set(name, name)
    for (const a of p.aliases ?? []) lookup.set(a, name)
  }
  const problems: string[] = []
  const seen = new Map<string, string>()
  for (const [given, text] of Object.entries(values)) {
    const name = lookup.get(given)
    if (!name) {
      problems.push(`unknown hyperparameter "${given}" for ${what} (known: ${Object.keys(schema).join(', ')})`)
      continue
    }
    if (seen.has(name)) {
      problems.push(`hyperparameters "${seen.get(name)}" and "${given}" set the same thing; keep one`)
      continue
    }
    seen.set(name, given)
    try {
      out[name] = schema[name].parse(text)
    } catch (e) {
      if (typeof e !== 'string') throw e
      problems.push(`hyperparameter ${given}="${text}" must be a ${e}`)
    }
  }
  if (problems.length) throw new TrainError(problems.join('; '))
  return out as Parsed<S>
}
