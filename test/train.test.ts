/**
 * `dist/byoc train` as SageMaker runs it: a temp /opt/ml tree (BYOC_ML_ROOT), the compiled binary, exit
 * codes, model files, the failure file, metric lines, SIGTERM with checkpoint and resume.
 * Build first: `node_modules/.bin/bun run build`.
 */
import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { syntheticCsv } from './fixtures/train-data'

const BINARY = join(import.meta.dir, '../dist/byoc')
const IRIS = readFileSync(join(import.meta.dir, '../local_test/test_dir/input/data/training/iris.csv'))

/** A temp /opt/ml tree: hyperparameters, optional inputdataconfig, and files under input/data. */
function job(
  hyperparameters: Record<string, string>,
  data: Record<string, string | Uint8Array>,
  dataConfig?: unknown,
): string {
  const root = mkdtempSync(join(tmpdir(), 'byoc-train-'))
  const config = join(root, 'input', 'config')
  mkdirSync(config, { recursive: true })
  writeFileSync(join(config, 'hyperparameters.json'), JSON.stringify(hyperparameters))
  writeFileSync(join(config, 'resourceconfig.json'), JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'] }))
  if (dataConfig) writeFileSync(join(config, 'inputdataconfig.json'), JSON.stringify(dataConfig))
  for (const [path, content] of Object.entries(data)) {
    const p = join(root, 'input', 'data', path)
    mkdirSync(dirname(p), { recursive: true })
    writeFileSync(p, content)
  }
  return root
}

function start(root: string, env: Record<string, string> = {}) {
  const proc = Bun.spawn([BINARY, 'train'], {
    env: { PATH: process.env.PATH ?? '', BYOC_ML_ROOT: root, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
    // The repository on purpose: its node_modules holds long@5, which protobufjs used to pick up at run
    // time from the current directory and fail with (see src/onnx/schema.ts).
    cwd: join(import.meta.dir, '..'),
  })
  let out = ''
  const decoder = new TextDecoder()
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) out += decoder.decode(chunk)
  }
  const done = Promise.all([pump(proc.stdout), pump(proc.stderr)])
  return { proc, log: () => out, finished: async () => ({ code: await proc.exited, log: await done.then(() => out) }) }
}

const run = (root: string) => start(root).finished()
const failure = (root: string) => readFileSync(join(root, 'output', 'failure'), 'utf8').split('\n')[0]

describe('byoc train (compiled)', () => {
  test('decision tree on iris: model, config, report and metric lines', async () => {
    const root = job(
      { algorithm: '"decision_tree"', max_depth: '"\\"4\\""', sagemaker_program: 'x' },
      { 'training/iris.csv': IRIS },
    )
    const { code, log } = await run(root)
    expect(code).toBe(0)
    expect(log).toMatch(/train:accuracy=0\.9[0-9]*; train:error=[0-9.e-]+; train:logloss=[0-9.e-]+;/)
    const config = JSON.parse(readFileSync(join(root, 'model', 'byoc.json'), 'utf8'))
    expect(config).toMatchObject({
      model: 'model.onnx',
      outputs: ['label', 'probabilities'],
      features: 4,
      labelOutput: 'label',
    })
    expect(config.training.depth).toBe(4)
    expect(readFileSync(join(root, 'model', 'model.onnx')).length).toBeGreaterThan(100)
    const report = JSON.parse(readFileSync(join(root, 'output', 'data', 'evaluation.json'), 'utf8'))
    expect(report.metrics.train.accuracy).toBeGreaterThan(0.95)
    expect(existsSync(join(root, 'output', 'failure'))).toBe(false)
  })

  test('gradient boosting with a gzip validation channel and a header row', async () => {
    const header = 'species,a,b,c,d\n'
    const root = job(
      { num_round: '10', eta: '0.3' },
      { 'training/iris.csv': header + IRIS, 'validation/part/iris.csv.gz': gzipSync(IRIS) },
    )
    const { code, log } = await run(root)
    expect(code).toBe(0)
    expect(log).toContain('skipped it as a header')
    expect(log).toMatch(
      /\[10\/10\] train:logloss=[0-9.]+; train:accuracy=[0-9.]+; validation:logloss=[0-9.]+; validation:accuracy=[0-9.]+; elapsed=[0-9.]+s/,
    )
    expect(log).toMatch(/validation:accuracy=0\.9[0-9]*;/)
  })

  const failures: Array<[string, () => string, RegExp]> = [
    [
      'missing training channel',
      () => job({}, { 'validation/iris.csv': IRIS }),
      /^no "training" channel: expected CSV files under .*\(channels given: validation\)$/,
    ],
    [
      'bad hyperparameter',
      () => job({ algorithm: 'decision_tree', max_depth: 'deep' }, { 'training/iris.csv': IRIS }),
      /^hyperparameter max_depth="deep" must be a whole number ≥ 1, or None$/,
    ],
    [
      'unknown hyperparameter',
      () => job({ num_rounds: '5' }, { 'training/iris.csv': IRIS }),
      /^unknown hyperparameter "num_rounds"/,
    ],
    [
      'empty data',
      () => job({}, { 'training/empty.csv': '' }),
      /^channel training has no data rows \(read training\/empty.csv\)$/,
    ],
    [
      'eval_metric unfit for the task',
      () =>
        job(
          { eval_metric: 'rmse', early_stopping_rounds: '3', num_round: '50' },
          {
            'training/d.csv': syntheticCsv(200, 4, { seed: 5 }),
            'validation/d.csv': syntheticCsv(100, 4, { seed: 6 }),
          },
        ),
      /^hyperparameter eval_metric="rmse" does not fit the task classification; use one of logloss, error, accuracy$/,
    ],
    [
      'whole-number target under auto',
      () => job({}, { 'training/d.csv': Array.from({ length: 300 }, (_, i) => `${1000 + i},${i}`).join('\n') }),
      /^the labels are whole numbers with 300 distinct values .*set objective=reg:squarederror/,
    ],
    [
      'non-numeric cell',
      () => job({}, { 'training/bad.csv': '1,2,3\n0,4,x5\n' }),
      /^training\/bad.csv line 2 column 3: "x5" is not a number$/,
    ],
  ]
  for (const [name, make, reason] of failures)
    test(`failure: ${name} → output/failure and exit 1`, async () => {
      const root = make()
      const { code, log } = await run(root)
      expect(code).toBe(1)
      expect(failure(root)).toMatch(reason)
      expect(log).toContain('training failed:')
      expect(existsSync(join(root, 'model', 'model.onnx'))).toBe(false)
    })

  test('SIGTERM mid-boosting: checkpoint, failure says stopped, exit 143; the next run resumes', async () => {
    const root = job(
      { num_round: '100000', max_depth: '3' },
      { 'training/data.csv': syntheticCsv(5000, 10, { seed: 3 }) },
    )
    const first = start(root)
    const t0 = performance.now()
    while (!first.log().includes('[1/100000]') && performance.now() - t0 < 20000) await Bun.sleep(20)
    await Bun.sleep(300)
    first.proc.kill('SIGTERM')
    const killedAt = performance.now()
    const { code } = await first.finished()
    expect(performance.now() - killedAt).toBeLessThan(5000)
    expect(code).toBe(143)
    expect(failure(root)).toMatch(
      /^training stopped by SIGTERM before it finished; the finished rounds are checkpointed in /,
    )
    const checkpoint = JSON.parse(readFileSync(join(root, 'checkpoints', 'byoc-boosting.json'), 'utf8'))
    expect(checkpoint.rounds).toBeGreaterThan(0)
    // resume with a few more rounds (num_round is not part of the checkpoint's fingerprint)
    writeFileSync(
      join(root, 'input', 'config', 'hyperparameters.json'),
      JSON.stringify({ num_round: String(checkpoint.rounds + 3), max_depth: '3' }),
    )
    const second = await run(root)
    expect(second.code).toBe(0)
    expect(second.log).toContain(`resumed from checkpoint after round ${checkpoint.rounds}`)
    expect(second.log).toContain(`boosted ${checkpoint.rounds + 3} rounds`)
    expect(existsSync(join(root, 'output', 'failure'))).toBe(false)
  })

  test('SIGTERM while a Pipe mode channel waits for data: stops promptly', async () => {
    const root = job({}, {}, { training: { TrainingInputMode: 'Pipe', ContentType: 'text/csv' } })
    const fifo = join(root, 'input', 'data', 'training_0')
    mkdirSync(dirname(fifo), { recursive: true })
    expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0)
    const p = start(root)
    // SIGTERM once byoc is running (its first log line follows the signal handler), not at a fixed time
    // that a slow start could precede.
    const t0 = performance.now()
    while (!/ train: algorithm /.test(p.log()) && performance.now() - t0 < 15_000) await Bun.sleep(10)
    await Bun.sleep(200)
    p.proc.kill('SIGTERM')
    const { code } = await p.finished()
    expect(code).toBe(143)
    expect(failure(root)).toMatch(/^training stopped by SIGTERM/)
    // stopped before any round: no checkpoint was written, so the message must not claim one
    expect(failure(root)).not.toContain('checkpointed')
    expect(existsSync(join(root, 'checkpoints'))).toBe(false)
  })

  test('an unwritable checkpoint folder only warns: the model is written, exit 0', async () => {
    const root = job({ num_round: '5' }, { 'training/iris.csv': IRIS })
    const { code, log } = await start(root, { BYOC_CHECKPOINT_DIR: '/proc/nope' }).finished()
    expect(code).toBe(0)
    expect(log.match(/WARN cannot write the checkpoint \/proc\/nope\/byoc-boosting\.json/g)?.length).toBe(1)
    expect(existsSync(join(root, 'model', 'model.onnx'))).toBe(true)
  })

  test('Pipe mode: trains from the FIFO training_0', async () => {
    const root = job(
      { algorithm: 'decision_tree' },
      {},
      { training: { TrainingInputMode: 'Pipe', ContentType: 'text/csv' } },
    )
    const fifo = join(root, 'input', 'data', 'training_0')
    mkdirSync(dirname(fifo), { recursive: true })
    expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0)
    const p = start(root)
    writeFileSync(fifo, IRIS) // blocks until the trainer opens the FIFO
    const { code, log } = await p.finished()
    expect(code).toBe(0)
    expect(log).toContain('channel training: 150 rows × 4 features from training_0 (Pipe mode)')
  })
})
