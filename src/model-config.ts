/**
 * The optional model config file `<model dir>/byoc.json`: settings that belong to the model rather than
 * the deployment (which outputs to return, class names, ...). Read once at start, validated with every
 * problem reported together, frozen. Reference: docs/model-config.md.
 */

import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { StartupError } from './errors'

export const MODEL_CONFIG_FILE = 'byoc.json'

export interface ModelConfig {
  /** ONNX file, relative to the model dir. */
  model?: string
  /** Which outputs to return, in that order (default: all, declared order). */
  outputs?: string[]
  /** Names for the integer class ids in the label output. */
  classLabels?: string[]
  /** Which output holds class ids (default "label"). */
  labelOutput?: string
  /** Expected feature count (informational; the ONNX shape is authoritative). */
  features?: number
  csvHeader?: 'auto' | 'present' | 'absent'
  /** Dynamic batching limits. */
  batching?: { maxBatchSize?: number; maxQueueDelayMs?: number }
  /** Echo X-Amzn-SageMaker-Custom-Attributes back on responses. */
  echoCustomAttributes?: boolean
  /** Response type when the client sends no Accept. */
  defaultAccept?: string
  /** Free-form, written by `byoc train`, ignored by serve. */
  training?: unknown
}

const FIELDS = [
  'model',
  'outputs',
  'classLabels',
  'labelOutput',
  'features',
  'csvHeader',
  'batching',
  'echoCustomAttributes',
  'defaultAccept',
  'training',
] as const
const BATCHING_FIELDS = ['maxBatchSize', 'maxQueueDelayMs']
const CSV_HEADER = ['auto', 'present', 'absent'] as const

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Validates parsed JSON; `source` names the file in messages. Throws a StartupError listing every problem. */
export function parseModelConfig(json: unknown, source: string): ModelConfig {
  if (!isObject(json)) throw new StartupError(`${source}: must be a JSON object, got ${show(json)}`)
  const problems: string[] = []
  const bad = (field: string, value: unknown, want: string) => problems.push(`"${field}" is ${show(value)}, ${want}`)
  const config: ModelConfig = {}

  const unknown = Object.keys(json).filter((k) => !(FIELDS as readonly string[]).includes(k))
  if (unknown.length) {
    const names = unknown.map((k) => `"${k}"`).join(', ')
    problems.push(`unknown field${unknown.length > 1 ? 's' : ''} ${names} (known: ${FIELDS.join(', ')})`)
  }

  const text = (field: 'model' | 'labelOutput' | 'defaultAccept', check?: (v: string) => string | null) => {
    const v = json[field]
    if (v === undefined) return
    if (typeof v !== 'string' || !v.trim()) return bad(field, v, 'must be a non-empty string')
    const why = check?.(v)
    if (why) return bad(field, v, why)
    config[field] = v
  }
  const names = (field: 'outputs' | 'classLabels') => {
    const v = json[field]
    if (v === undefined) return
    if (!Array.isArray(v) || !v.length || !v.every((s) => typeof s === 'string' && s !== ''))
      return bad(field, v, 'must be a non-empty list of non-empty strings')
    const dup = v.find((s, i) => v.indexOf(s) !== i)
    if (field === 'outputs' && dup !== undefined) return bad(field, v, `names "${dup}" twice`)
    config[field] = Object.freeze([...v]) as string[]
  }

  text('model', (v) => (isAbsolute(v) ? 'must be relative to the model directory' : null))
  names('outputs')
  names('classLabels')
  text('labelOutput')
  text('defaultAccept', (v) => (/^[^\s/]+\/[^\s/]+/.test(v) ? null : 'must be a media type such as "text/csv"'))

  if (json.features !== undefined) {
    const v = json.features
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1) config.features = v
    else bad('features', v, 'must be a whole number ≥ 1')
  }
  if (json.csvHeader !== undefined) {
    const v = json.csvHeader
    if ((CSV_HEADER as readonly unknown[]).includes(v)) config.csvHeader = v as ModelConfig['csvHeader']
    else bad('csvHeader', v, `must be one of ${CSV_HEADER.map((s) => `"${s}"`).join(', ')}`)
  }
  if (json.echoCustomAttributes !== undefined) {
    const v = json.echoCustomAttributes
    if (typeof v === 'boolean') config.echoCustomAttributes = v
    else bad('echoCustomAttributes', v, 'must be true or false')
  }
  if (json.batching !== undefined) {
    const v = json.batching
    if (!isObject(v)) bad('batching', v, 'must be an object like {"maxBatchSize": 64, "maxQueueDelayMs": 2}')
    else {
      const batching: NonNullable<ModelConfig['batching']> = {}
      for (const k of Object.keys(v).filter((k) => !BATCHING_FIELDS.includes(k)))
        problems.push(`unknown field "batching.${k}" (known: ${BATCHING_FIELDS.join(', ')})`)
      const size = v.maxBatchSize
      if (size !== undefined) {
        if (typeof size === 'number' && Number.isInteger(size) && size >= 0 && size <= 1_000_000)
          batching.maxBatchSize = size
        else bad('batching.maxBatchSize', size, 'must be a whole number from 0 (off) to 1000000')
      }
      const delay = v.maxQueueDelayMs
      if (delay !== undefined) {
        if (typeof delay === 'number' && Number.isFinite(delay) && delay >= 0) batching.maxQueueDelayMs = delay
        else bad('batching.maxQueueDelayMs', delay, 'must be a number of milliseconds ≥ 0')
      }
      config.batching = Object.freeze(batching)
    }
  }
  if ('training' in json) config.training = json.training

  if (problems.length) throw new StartupError(`${source}: ${problems.join('; ')}`)
  return Object.freeze(config)
}

/** Reads `<modelDir>/byoc.json`: null when absent; throws a StartupError on bad JSON or bad fields. */
export function readModelConfig(modelDir: string): ModelConfig | null {
  const file = join(modelDir, MODEL_CONFIG_FILE)
  if (!existsSync(file)) return null
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new StartupError(`${file}: not valid JSON (${(err as Error).message})`)
  }
  return parseModelConfig(json, file)
}
