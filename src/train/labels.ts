/**
 * Labels: deciding classification or regression, the class list, and encoding each row's label. Class
 * labels stay what the data says: integers when every label is an integer (the model then outputs int64
 * labels; only integers a JS number holds exactly), else text (string labels), sorted as np.unique sorts them.
 */
import type { Table } from './csv-table'
import { TrainError } from './train-errors'

export type Task = 'classification' | 'regression'
export type Classes = number[] | string[]

function numeric(label: string): number {
  const t = label.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN
}

/**
 * The exact integer a label's text denotes ("7", "-3", "1.0", "1e3"), or null when it is not a whole
 * number. Exact even beyond 2^53, where Number would merge neighbours.
 */
export function integerText(label: string): bigint | null {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(label.trim())
  if (!m || (m[2] === '' && m[3] === '')) return null
  let digits = (m[2] + m[3]).replace(/^0+/, '')
  let exp = Number(m[4] ?? 0) - m[3].length
  if (digits === '') return 0n
  while (exp < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1)
    exp++
  }
  if (exp < 0 || exp > 400) return null // a fraction, or far beyond any int64 or float
  const v = BigInt(digits) * 10n ** BigInt(exp)
  return m[1] === '-' ? -v : v
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const safe = (v: bigint | null): v is bigint => v !== null && v <= MAX_SAFE && v >= -MAX_SAFE

/** Under `auto`, more distinct whole-number labels than this are taken for a regression target, not classes. */
export const AUTO_MAX_CLASSES = 100

/** How to set the task explicitly, for the message when `auto` cannot decide (per algorithm). */
export interface TaskAdvice {
  regression: string
  classification: string
}

/**
 * `auto`: classification when every label is an integer or some label is not a number, else regression.
 * Whole-number labels with more than AUTO_MAX_CLASSES distinct values (prices, counts) fail instead of
 * becoming one class per value: the user must say which task it is.
 */
export function inferTask(
  table: Table,
  requested: Task | 'auto',
  advice: TaskAdvice = { regression: 'task=regression', classification: 'task=classification' },
): Task {
  const values = table.labels.map(numeric)
  const firstText = table.labels.find((_, i) => Number.isNaN(values[i]))
  if (requested === 'regression') {
    if (firstText !== undefined)
      throw new TrainError(`label "${firstText.slice(0, 50)}" is not a number; regression needs numeric labels`)
    return 'regression'
  }
  if (requested === 'classification') return 'classification'
  if (firstText !== undefined) return 'classification'
  const ints = table.labels.map(integerText)
  if (!ints.every((v) => v !== null)) return 'regression'
  const distinct = [...new Set(ints.map(String))]
  if (distinct.length > AUTO_MAX_CLASSES)
    throw new TrainError(
      `the labels are whole numbers with ${distinct.length} distinct values (${distinct.slice(0, 5).join(', ')}, …), too many to guess classification: ` +
        `set ${advice.regression} for a numeric target (prices, counts), or ${advice.classification} if they really are ${distinct.length} classes`,
    )
  return 'classification'
}

/** A label's class key when every class is a number: its exact integer text, else its shortest number text ("0.50" → "0.5"). */
function numericKey(label: string): string {
  return integerText(label)?.toString() ?? String(numeric(label))
}

/**
 * The sorted distinct classes of a table: numbers (int64 labels in the model) when every label is an
 * integer that a JS number holds exactly, else text sorted as strings (so 2^60 and 2^60 + 1 stay apart).
 */
export function classesOf(table: Table): Classes {
  const ints = table.labels.map(integerText)
  if (ints.every(safe)) return [...new Set(ints.map(Number))].sort((a, b) => a - b)
  const texts = table.labels.every((l) => !Number.isNaN(numeric(l)))
    ? table.labels.map(numericKey)
    : table.labels.map((l) => l.trim())
  return [...new Set(texts)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Class index per row; fails on a label outside `classes` (a validation label never seen in training). */
export function encodeClasses(table: Table, classes: Classes, channel: string): Int32Array {
  const index = new Map<string | number, number>()
  classes.forEach((c, i) => {
    index.set(c, i)
  })
  const allNumeric = typeof classes[0] === 'number'
  // numeric text classes are keyed by their canonical text ("0.50" → "0.5"), as classesOf made them
  const numericTexts = !allNumeric && (classes as string[]).every((c) => !Number.isNaN(numeric(c)))
  const perLabel = table.labels.map((l) => {
    const v = integerText(l)
    const key = allNumeric
      ? safe(v)
        ? Number(v)
        : NaN
      : numericTexts && !Number.isNaN(numeric(l))
        ? numericKey(l)
        : l.trim()
    const i = index.get(key)
    if (i === undefined)
      throw new TrainError(
        `${channel} label "${l.slice(0, 50)}" is not one of the ${classes.length} classes of the training data (${classes.slice(0, 10).join(', ')}${classes.length > 10 ? ', …' : ''})`,
      )
    return i
  })
  const y = new Int32Array(table.rows)
  for (let r = 0; r < table.rows; r++) y[r] = perLabel[table.labelIds[r]]
  return y
}

/** Numeric target per row for regression. */
export function encodeTargets(table: Table, channel: string): Float64Array {
  const perLabel = table.labels.map((l) => {
    const v = numeric(l)
    if (Number.isNaN(v))
      throw new TrainError(`${channel} label "${l.slice(0, 50)}" is not a number; regression needs numeric labels`)
    return v
  })
  const y = new Float64Array(table.rows)
  for (let r = 0; r < table.rows; r++) y[r] = perLabel[table.labelIds[r]]
  return y
}
