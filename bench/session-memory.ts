/**
 * `bun bench/session-memory.ts`: what an ONNX Runtime session costs in resident memory against its file
 * size, per kind of model (tree ensembles, dense MLPs), and what an idle model Worker costs on its own.
 * The multi-model memory estimate (src/model/memory-estimate.ts) takes its factors from this. Each kind is
 * measured in a fresh process: RSS before, after creating `COPIES` sessions of the same file, divided.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { treeEnsembleClassifierModel } from '../src/onnx/tree-ensemble'
import { mulberry32 } from '../src/train/random'
import { mlpModel } from '../test/fixtures/models'
import { completeTree } from './models'

const COPIES = 10

function forest(trees: number, depth: number, features: number): Uint8Array {
  const rand = mulberry32(7)
  const all = Array.from({ length: trees }, () => completeTree(features, depth, rand))
  return treeEnsembleClassifierModel({ features, classLabels: [0, 1], trees: all, postTransform: 'LOGISTIC' })
}

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))![1]) * 1024

if (process.argv[2] === 'child') {
  const [path, mode] = process.argv.slice(3)
  const ort = await import('onnxruntime-node')
  const keep: unknown[] = []
  // One session first, so the runtime's own one-time allocations are not counted per session.
  keep.push(await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 }))
  Bun.gc(true)
  const before = rss()
  if (mode === 'sessions')
    for (let i = 0; i < COPIES; i++)
      keep.push(await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 }))
  else
    for (let i = 0; i < COPIES; i++) {
      const w = new Worker(new URL('./session-memory-worker.ts', import.meta.url).href)
      await new Promise((resolve) => {
        w.onmessage = resolve
        w.postMessage(path)
      })
      keep.push(w)
    }
  Bun.gc(true)
  await Bun.sleep(200)
  console.log(JSON.stringify({ perCopy: (rss() - before) / COPIES }))
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'byoc-session-memory-'))
const models: [string, Uint8Array][] = [
  ['tree: 1 tree, depth 8', forest(1, 8, 20)],
  ['tree: 100 trees, depth 6', forest(100, 6, 20)],
  ['tree: 300 trees, depth 7', forest(300, 7, 50)],
  ['MLP 20-256-256-2', mlpModel({ layers: [20, 256, 256, 2] })],
  ['MLP 512-2048-2048-10', mlpModel({ layers: [512, 2048, 2048, 10] })],
]
const MiB = 1024 * 1024
console.log('| model | file | session RSS | session / file | Worker + session RSS |')
console.log('|---|---:|---:|---:|---:|')
for (const [name, bytes] of models) {
  const path = join(dir, `${name.replace(/\W+/g, '_')}.onnx`)
  writeFileSync(path, bytes)
  const size = statSync(path).size
  const run = (mode: string) => {
    const r = Bun.spawnSync([process.execPath, import.meta.path, 'child', path, mode])
    if (r.exitCode !== 0) throw new Error(r.stderr.toString())
    return JSON.parse(r.stdout.toString().trim().split('\n').pop()!).perCopy as number
  }
  const s = run('sessions')
  const w = run('workers')
  console.log(
    `| ${name} | ${(size / MiB).toFixed(2)} MiB | ${(s / MiB).toFixed(2)} MiB | ${(s / size).toFixed(1)} | ${(w / MiB).toFixed(2)} MiB |`,
  )
}
