/** /opt/ml trees whose model has a handler: an example's code/ copied in, or handler source given inline. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { mlRoot } from './server'

export const EXAMPLES = join(import.meta.dir, '../../examples')
const NODE_MODULES = join(import.meta.dir, '../../node_modules')

/**
 * examples/<name>/code (and its model.onnx unless `model` is given) in a fresh model dir; the packages
 * named in `vendor` are copied from the repo's node_modules into code/node_modules, as a user vendors them.
 */
export function exampleRoot(name: string, model?: Uint8Array, vendor: string[] = []): string {
  const root = model ? mlRoot({ 'model.onnx': model }) : mlRoot()
  const dir = join(root, 'model')
  if (!model) cpSync(join(EXAMPLES, name, 'model.onnx'), join(dir, 'model.onnx'))
  cpSync(join(EXAMPLES, name, 'code'), join(dir, 'code'), { recursive: true })
  for (const pkg of vendor) cpSync(join(NODE_MODULES, pkg), join(dir, 'code/node_modules', pkg), { recursive: true })
  return root
}

/** A model dir with `files` (paths relative to it, e.g. code/handler.ts) beside the model. */
export function handlerRoot(model: Uint8Array, files: Record<string, string>): string {
  const root = mlRoot({ 'model.onnx': model })
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, 'model', name)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  return root
}
