/**
 * Training benchmark: `dist/byoc train` against scikit-learn's DecisionTreeClassifier and XGBoost's `hist`
 * method (through /usr/bin/python3 with Debian's python3-sklearn and python3-xgboost; they are not project
 * dependencies), on a seeded 100k × 20 synthetic classification set (make_classification-like: 10
 * informative features in clusters at hypercube vertices, 10 noise features, 1% flipped labels) and on iris.
 * Accuracy is on a held-out split; time is the whole process (start, CSV parsing, fit, writing the model).
 * Run: node_modules/.bin/bun run build && node_modules/.bin/bun bench/train.ts [--repeat 3] [--binary path]
 * Writes the table to bench/TRAIN_RESULTS.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { rng } from '../src/train/random'

const ROOT = join(import.meta.dir, '..')
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined)
const BINARY = arg('--binary') ?? join(ROOT, 'dist/byoc')
const PYTHON = '/usr/bin/python3'
const repeat = Number(arg('--repeat')) || 3

/** make_classification-like rows "label,f1,…,f20". */
function synthetic(rows: number, seed: number): string[] {
  const random = rng(seed)
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random())
  const informative = 10
  const features = 20
  const clusters = 4 // 2 per class
  const vertices = Array.from({ length: clusters }, () =>
    Array.from({ length: informative }, () => (random() < 0.5 ? -1 : 1)),
  )
  const mix = Array.from({ length: clusters }, () =>
    Array.from({ length: informative * informative }, () => gauss() * 0.6),
  )
  const out: string[] = []
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(random() * clusters)
    const z = Array.from({ length: informative }, () => gauss())
    const x = vertices[c].map((v, i) => {
      let s = v * 1.0
      for (let j = 0; j < informative; j++) s += mix[c][i * informative + j] * z[j]
      return s
    })
    for (let f = informative; f < features; f++) x.push(gauss())
    let y = c % 2
    if (random() < 0.01) y = 1 - y
    out.push(`${y},${x.map((v) => Math.fround(v).toPrecision(7)).join(',')}`)
  }
  return out
}

function shuffled<T>(a: T[], seed: number): T[] {
  const random = rng(seed)
  const b = a.slice()
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[b[i], b[j]] = [b[j], b[i]]
  }
  return b
}

interface Dataset {
  name: string
  dir: string
  train: string
  test: string
}

function dataset(name: string, train: string[], test: string[]): Dataset {
  const dir = mkdtempSync(join(tmpdir(), `byoc-bench-${name}-`))
  const trainPath = join(dir, 'train.csv')
  const testPath = join(dir, 'test.csv')
  writeFileSync(trainPath, `${train.join('\n')}\n`)
  writeFileSync(testPath, `${test.join('\n')}\n`)
  return { name, dir, train: trainPath, test: testPath }
}

async function byoc(d: Dataset, hp: Record<string, string>): Promise<{ seconds: number; accuracy: number }> {
  const root = mkdtempSync(join(d.dir, 'ml-'))
  mkdirSync(join(root, 'input/config'), { recursive: true })
  mkdirSync(join(root, 'input/data/training'), { recursive: true })
  mkdirSync(join(root, 'input/data/validation'), { recursive: true })
  writeFileSync(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hp))
  writeFileSync(join(root, 'input/data/training/train.csv'), readFileSync(d.train))
  writeFileSync(join(root, 'input/data/validation/test.csv'), readFileSync(d.test))
  const t0 = performance.now()
  const proc = Bun.spawn([BINARY, 'train'], {
    env: { PATH: process.env.PATH ?? '', BYOC_ML_ROOT: root },
    cwd: root,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  const seconds = (performance.now() - t0) / 1000
  if (code !== 0) throw new Error(`byoc train failed (${code}):\n${out}${err}`)
  const report = JSON.parse(readFileSync(join(root, 'output/data/evaluation.json'), 'utf8'))
  return { seconds, accuracy: report.metrics.validation.accuracy }
}

async function python(
  kind: 'tree' | 'xgboost',
  d: Dataset,
  params: Record<string, unknown>,
): Promise<{ seconds: number; accuracy: number }> {
  const t0 = performance.now()
  const proc = Bun.spawn(
    [PYTHON, join(import.meta.dir, 'train-compare.py'), kind, d.train, d.test, JSON.stringify(params)],
    { stdout: 'pipe', stderr: 'pipe' },
  )
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  const seconds = (performance.now() - t0) / 1000
  if (code !== 0) throw new Error(`${kind} failed (${code}): ${err}`)
  return { seconds, accuracy: JSON.parse(out.trim().split('\n').pop()!).accuracy }
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function measure(
  run: () => Promise<{ seconds: number; accuracy: number }>,
): Promise<{ seconds: number; accuracy: number }> {
  const results = []
  for (let i = 0; i < repeat; i++) results.push(await run())
  return { seconds: median(results.map((r) => r.seconds)), accuracy: results[0].accuracy }
}

const big = synthetic(125_000, 7)
const iris = shuffled(
  readFileSync(join(ROOT, 'local_test/test_dir/input/data/training/iris.csv'), 'utf8').trim().split('\n'),
  3,
)
const sets = [
  dataset('synthetic-100k-x20', big.slice(0, 100_000), big.slice(100_000)),
  dataset('iris', iris.slice(0, 100), iris.slice(100)),
]

const rows: string[] = []
const table = [
  '| data set | model | byoc accuracy | reference accuracy | Δ points | byoc wall s | reference wall s | time ratio |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
]
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')
const loadBefore = load()
for (const d of sets) {
  const tree = await measure(() => byoc(d, { algorithm: 'decision_tree', random_state: '0' }))
  const sk = await measure(() => python('tree', d, { random_state: 0 }))
  const gbParams = { algorithm: 'gradient_boosting', num_round: '100', eta: '0.3', max_depth: '6', max_bin: '256' }
  const gb = await measure(() => byoc(d, gbParams))
  const xgbParams = d.name === 'iris' ? { objective: 'multi:softprob', num_class: 3 } : { objective: 'binary:logistic' }
  const xg = await measure(() =>
    python('xgboost', d, {
      ...xgbParams,
      tree_method: 'hist',
      num_round: 100,
      eta: 0.3,
      max_depth: 6,
      max_bin: 256,
      seed: 0,
    }),
  )
  const results: [string, { seconds: number; accuracy: number }, { seconds: number; accuracy: number }][] = [
    ['decision tree vs sklearn DecisionTreeClassifier', tree, sk],
  ]
  results.push(['gradient boosting vs XGBoost hist (100 rounds, depth 6)', gb, xg])
  for (const [model, mine, ref] of results) {
    const line = `| ${d.name} | ${model} | ${mine.accuracy.toFixed(4)} | ${ref.accuracy.toFixed(4)} | ${((mine.accuracy - ref.accuracy) * 100).toFixed(2)} | ${mine.seconds.toFixed(2)} | ${ref.seconds.toFixed(2)} | ${(mine.seconds / ref.seconds).toFixed(2)} |`
    table.push(line)
    console.log(line)
  }
}
const versions = Bun.spawnSync([
  PYTHON,
  '-c',
  'import sklearn, xgboost; print(f"scikit-learn {sklearn.__version__}, XGBoost {xgboost.__version__}")',
])
  .stdout.toString()
  .trim()
rows.push(
  '# Training benchmark',
  '',
  `Generated by \`bun bench/train.ts\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), median of ${repeat} runs.`,
  'Accuracy on a held-out split (25,000 rows for the synthetic set, 50 for iris); wall time of the whole process',
  '(start, CSV parsing, fit, evaluation, writing the model). References: scikit-learn and XGBoost from Debian',
  `(/usr/bin/python3: ${versions}), data read with pandas; both use every core, byoc trains on one thread`,
  '(a second histogram thread was measured and did not pay: src/train/README.md, Threads).',
  `The machine was shared with other work while measuring (load average ${loadBefore} before, ${load()} after); ratios are indicative.`,
  '',
  ...table,
  '',
)
writeFileSync(join(import.meta.dir, 'TRAIN_RESULTS.md'), rows.join('\n'))
console.log('wrote bench/TRAIN_RESULTS.md')
