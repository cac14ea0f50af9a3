/**
 * The first half of loading one model of a multi-model endpoint, run in a short-lived Worker so that
 * extracting an archive or scanning a large file never holds the HTTP thread: the model's own archive
 * extraction, byoc.json and model file choice (the single-model rules), then its size and kind, which
 * the memory estimate needs before any session is created.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { type ModelConfig, readModelConfig } from '../model-config'
import { extractModelArchive } from './extract-archive'
import { findModelFile } from './find-model'
import type { ModelKind } from './memory-estimate'

export interface PreparedModel {
  modelPath: string
  modelConfig: ModelConfig | null
  /** Files written by archive extraction, or null when the folder held no archive. */
  extracted: number | null
  fileBytes: number
  kind: ModelKind
}

export async function prepareModel(dir: string, modelFile: string | null): Promise<PreparedModel> {
  const extracted = await extractModelArchive(dir)
  const modelConfig = readModelConfig(dir)
  const modelPath = findModelFile(dir, { fromConfig: modelConfig?.model, fromEnv: modelFile })
  return {
    modelPath,
    modelConfig,
    extracted: extracted?.length ?? null,
    fileBytes: statSync(modelPath).size,
    kind: modelKind(modelPath),
  }
}

const TREE_OP = Buffer.from('TreeEnsemble')

/**
 * 'tree' when the graph holds a TreeEnsemble* node (op types are plain strings in the protobuf), else
 * 'dense'. Read in chunks, overlapping by the pattern's length, so a large file is never held whole.
 */
export function modelKind(path: string): ModelKind {
  const fd = openSync(path, 'r')
  try {
    const chunk = Buffer.alloc(1 << 20)
    let carry = 0
    let position = 0
    for (;;) {
      const n = readSync(fd, chunk, carry, chunk.length - carry, position)
      if (n === 0) return 'dense'
      position += n
      const filled = carry + n
      if (chunk.subarray(0, filled).includes(TREE_OP)) return 'tree'
      carry = Math.min(TREE_OP.length - 1, filled)
      chunk.copyWithin(0, filled - carry, filled)
    }
  } finally {
    closeSync(fd)
  }
}
