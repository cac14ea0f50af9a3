/**
 * Boosting checkpoints in /opt/ml/checkpoints (which SageMaker syncs with S3, so a spot-interrupted or
 * stopped job resumes where it stopped). One JSON file, replaced atomically. It is used only when its
 * fingerprint (training and validation data checksums, objective, every hyperparameter but
 * num_round/early_stopping_rounds) matches the current job, so changing the data or a setting starts
 * afresh, while raising num_round continues.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Tree } from './tree'

export const CHECKPOINT_FILE = 'byoc-boosting.json'

export interface BoostingState {
  fingerprint: string
  /** Rounds completed. */
  rounds: number
  base: number[]
  trees: Tree[]
  bestRound: number
  bestScore: number
}

interface TreeJson {
  f: number[]
  t: number[]
  l: number[]
  r: number[]
  m: number[]
  v: number[]
}

const toJson = (t: Tree): TreeJson => ({
  f: Array.from(t.feature),
  t: Array.from(t.threshold),
  l: Array.from(t.left),
  r: Array.from(t.right),
  m: Array.from(t.missingLeft),
  v: Array.from(t.value),
})

const fromJson = (j: TreeJson): Tree => ({
  feature: Int32Array.from(j.f),
  threshold: Float32Array.from(j.t),
  left: Int32Array.from(j.l),
  right: Int32Array.from(j.r),
  missingLeft: Uint8Array.from(j.m),
  value: Float64Array.from(j.v),
  width: 1,
})

/** FNV-1a over the bytes' 32-bit words: cheap enough for every row, catches any change of data. */
export function checksum(...arrays: ArrayBufferView[]): string {
  let h = 0x811c9dc5
  for (const a of arrays) {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2)
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193)
    const tail = new Uint8Array(a.buffer, a.byteOffset + (words.length << 2), a.byteLength & 3)
    for (let i = 0; i < tail.length; i++) h = Math.imul(h ^ tail[i], 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** What differs between two JSON fingerprints, for the log line: "different validation data", … */
function differences(saved: unknown, current: string): string {
  const names: Record<string, string> = {
    data: 'training data',
    validation: 'validation data',
    settings: 'hyperparameters',
    kind: 'objective',
    classes: 'classes',
  }
  try {
    const a = JSON.parse(String(saved)) as Record<string, unknown>
    const b = JSON.parse(current) as Record<string, unknown>
    if (a.v === b.v) {
      const keys = Object.keys(b).filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
      if (keys.length) return `different ${keys.map((key) => names[key] ?? key).join(', ')}`
    }
  } catch {}
  return 'different data or settings'
}

export class Checkpoints {
  readonly path: string
  constructor(readonly dir: string) {
    this.path = join(dir, CHECKPOINT_FILE)
  }

  /** The saved state when it exists and matches `fingerprint`; else null with the reason. */
  async load(fingerprint: string): Promise<{ state: BoostingState | null; reason: string }> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch {
      return { state: null, reason: 'no checkpoint' }
    }
    try {
      const j = JSON.parse(text)
      if (j.fingerprint !== fingerprint)
        return {
          state: null,
          reason: `${this.path} is from ${differences(j.fingerprint, fingerprint)}; starting afresh`,
        }
      return {
        state: { ...j, bestScore: j.bestScore ?? NaN, trees: (j.trees as TreeJson[]).map(fromJson) },
        reason: '',
      }
    } catch (e) {
      return { state: null, reason: `${this.path} is unreadable (${(e as Error).message}); starting afresh` }
    }
  }

  async save(state: BoostingState): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const tmp = `${this.path}.tmp`
    await writeFile(tmp, JSON.stringify({ ...state, trees: state.trees.map(toJson) }))
    await rename(tmp, this.path)
  }
}
