/** Helpers for the train tests: tables from CSV text, iris, synthetic data, and running exported models. */
import * as ort from 'onnxruntime-node'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TableBuilder, type Table } from './csv'
import { rng } from './random'

export function tableFromCsv(text: string, name = 'test.csv'): Table {
  const b = new TableBuilder()
  b.add(new TextEncoder().encode(text), name)
  return b.finish()
}

export const IRIS_CSV = readFileSync(join(import.meta.dir, '../../local_test/test_dir/input/data/training/iris.csv'), 'utf8')

/** Seeded synthetic classification data: `informative` features drive the label, the rest are noise. */
export function syntheticCsv(rows: number, features: number, opts: { classes?: number; seed?: number; informative?: number; noise?: number; regression?: boolean } = {}): string {
  const random = rng(opts.seed ?? 1)
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random())
  const k = opts.classes ?? 2
  const informative = Math.min(opts.informative ?? Math.ceil(features / 2), features)
  const lines: string[] = []
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, () => Math.fround(gauss()))
    let s = 0
    for (let f = 0; f < informative; f++) s += x[f] * (f % 2 ? -1 : 1) * (1 + f / informative)
    s += gauss() * (opts.noise ?? 1)
    const label = opts.regression ? s.toFixed(4) : String(Math.min(k - 1, Math.max(0, Math.floor(((Math.tanh(s / 3) + 1) / 2) * k))))
    lines.push(`${label},${x.join(',')}`)
  }
  return `${lines.join('\n')}\n`
}

/** Runs an ONNX model on a table's features; returns every output as plain arrays. */
export async function runOnnx(bytes: Uint8Array, t: Table): Promise<Record<string, { data: ArrayLike<number | bigint | string>; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes)
  const out = await session.run({ input: new ort.Tensor('float32', t.x, [t.rows, t.features]) })
  const result: Record<string, { data: ArrayLike<number | bigint | string>; dims: readonly number[] }> = {}
  for (const [name, tensor] of Object.entries(out)) result[name] = { data: tensor.data as ArrayLike<number | bigint | string>, dims: tensor.dims }
  await session.release()
  return result
}
