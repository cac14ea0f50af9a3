/**
 * Which ONNX file to serve. Order: BYOC_MODEL_FILE (relative to the model dir, or absolute), then
 * byoc.json "model", then `model.onnx`, then the only `*.onnx` in the model dir, then the only `*.onnx`
 * one folder down (archives often hold `model/x.onnx`). Anything ambiguous or missing is an error that
 * says what is there and how to choose, never a guess.
 */
import { readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

export interface ModelChoice {
  /** byoc.json "model" (relative to the model dir). */
  fromConfig?: string | null
  /** BYOC_MODEL_FILE. */
  fromEnv?: string | null
}

const HOW_TO_CHOOSE = 'set BYOC_MODEL_FILE or "model" in byoc.json'
const SHOWN = 20

const kind = (path: string): 'file' | 'dir' | null => {
  try {
    const st = statSync(path)
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null
  } catch {
    return null
  }
}

const list = (names: string[]) =>
  names.length > SHOWN ? `${names.slice(0, SHOWN).join(', ')} and ${names.length - SHOWN} more` : names.join(', ')

/** `*.onnx` files directly in `dir`, as paths relative to `base`, sorted. */
function onnxFiles(base: string, dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.onnx') && kind(join(dir, name)) === 'file')
    .map((name) => relative(base, join(dir, name)))
    .sort()
}

/** Returns the absolute path of the ONNX model to load; throws an Error saying what was found otherwise. */
export function findModelFile(modelDir: string, choice: ModelChoice): string {
  const dir = resolve(modelDir)
  if (kind(dir) !== 'dir')
    throw new Error(
      `model directory ${dir} does not exist (SageMaker puts the model in /opt/ml/model; BYOC_ML_ROOT relocates /opt/ml)`,
    )

  const named = (value: string, origin: string) => {
    const path = resolve(dir, value)
    const k = kind(path)
    if (k === 'file') return path
    throw new Error(`${origin} names "${value}", but ${path} ${k === 'dir' ? 'is a directory' : 'does not exist'}`)
  }
  if (choice.fromEnv) return named(choice.fromEnv, 'BYOC_MODEL_FILE')
  if (choice.fromConfig) return named(choice.fromConfig, 'byoc.json "model"')
  if (kind(join(dir, 'model.onnx')) === 'file') return join(dir, 'model.onnx')

  const several = (found: string[]) =>
    new Error(`${dir} holds several ONNX models (${list(found)}); ${HOW_TO_CHOOSE}, e.g. BYOC_MODEL_FILE=${found[0]}`)
  const top = onnxFiles(dir, dir)
  if (top.length === 1) return join(dir, top[0])
  if (top.length > 1) throw several(top)

  const entries = readdirSync(dir).sort()
  const below = entries
    .filter((name) => kind(join(dir, name)) === 'dir')
    .flatMap((name) => onnxFiles(dir, join(dir, name)))
  if (below.length === 1) return join(dir, below[0])
  if (below.length > 1) throw several(below)

  if (!entries.length) throw new Error(`model directory ${dir} is empty: no ONNX model to serve (expected model.onnx)`)
  throw new Error(
    `no .onnx file in ${dir} or its subfolders (found: ${list(entries)}); put the model there as model.onnx`,
  )
}
