/**
 * Labels: deciding classification or regression, the class list, and encoding each row's label. Class
 * labels stay what the data says: integers when every label is an integer (the model then outputs int64
 * labels), else text (string labels), sorted as scikit-learn's np.unique sorts them.
 */
import type { Table } from './csv'
import { TrainError } from './errors'

export type Task = 'classification' | 'regression'
export type Classes = number[] | string[]

function numeric(label: string): number {
  const t = label.trim()
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN
}

/** `auto`: classification when every label is an integer or some label is not a number, else regression. */
export function inferTask(table: Table, requested: Task | 'auto'): Task {
  const values = table.labels.map(numeric)
  const firstText = table.labels.find((_, i) => Number.isNaN(values[i]))
  if (requested === 'regression') {
    if (firstText !== undefined) throw new TrainError(`label "${firstText.slice(0, 50)}" is not a number; regression needs numeric labels`)
    return 'regression'
  }
  if (requested === 'classification') return 'classification'
  return firstText !== undefined || values.every(Number.isInteger) ? 'classification' : 'regression'
}

/** The sorted distinct classes of a table. */
export function classesOf(table: Table): Classes {
  const values = table.labels.map(numeric)
  if (values.every(Number.isInteger)) return [...new Set(values)].sort((a, b) => a - b)
  const texts = values.every((v) => !Number.isNaN(v)) ? table.labels.map((l) => String(numeric(l))) : table.labels.map((l) => l.trim())
  return [...new Set(texts)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Class index per row; fails on a label outside `classes` (a validation label never seen in training). */
export function encodeClasses(table: Table, classes: Classes, channel: string): Int32Array {
  const index = new Map<string | number, number>()
  classes.forEach((c, i) => index.set(c, i))
  const allNumeric = typeof classes[0] === 'number'
  // fractional numeric classes are keyed by their canonical text ("0.50" → "0.5"), as classesOf made them
  const numericTexts = !allNumeric && (classes as string[]).every((c) => !Number.isNaN(numeric(c)))
  const perLabel = table.labels.map((l) => {
    const v = numeric(l)
    const key = allNumeric ? v : numericTexts && !Number.isNaN(v) ? String(v) : l.trim()
    const i = index.get(key)
    if (i === undefined)
      throw new TrainError(`${channel} label "${l.slice(0, 50)}" is not one of the ${classes.length} classes of the training data (${classes.slice(0, 10).join(', ')}${classes.length > 10 ? ', …' : ''})`)
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
    if (Number.isNaN(v)) throw new TrainError(`${channel} label "${l.slice(0, 50)}" is not a number; regression needs numeric labels`)
    return v
  })
  const y = new Float64Array(table.rows)
  for (let r = 0; r < table.rows; r++) y[r] = perLabel[table.labelIds[r]]
  return y
}
