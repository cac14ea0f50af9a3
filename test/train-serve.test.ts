/**
 * The README's first command: train the example model from local_test/test_dir with `dist/byoc train`,
 * serve it with `dist/byoc serve`, predict local_test/payload.csv. Build first: `bun run build`.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BINARY, type Running, startServer } from './helpers/server'

const TEST_DIR = join(import.meta.dir, '../local_test/test_dir')
const running: Running[] = []
afterAll(async () => {
  for (const r of running) await r.stop()
})

async function trainIn(root: string, hyperparameters?: Record<string, string>) {
  if (hyperparameters) await Bun.write(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters))
  const proc = Bun.spawn([BINARY, 'train'], {
    env: { PATH: process.env.PATH ?? '', BYOC_ML_ROOT: root },
    stdout: 'pipe',
    stderr: 'pipe',
    cwd: root,
  })
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ])
  expect(code, `${out}${err}`).toBe(0)
}

async function predictIris(server: Running): Promise<{ accuracy: number; lines: string[] }> {
  const iris = readFileSync(join(TEST_DIR, 'input/data/training/iris.csv'), 'utf8').trim().split('\n')
  const labels = iris.map((l) => l.split(',')[0])
  const body = `${iris.map((l) => l.split(',').slice(1).join(',')).join('\n')}\n`
  const res = await fetch(`${server.url}/invocations`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', Accept: 'text/csv' },
    body,
  })
  expect(res.status).toBe(200)
  const lines = (await res.text()).split('\n')
  expect(lines.pop()).toBe('') // every line ends in \n
  expect(lines.length).toBe(iris.length)
  const correct = lines.filter((l, i) => l.split(',')[0] === labels[i]).length
  return { accuracy: correct / lines.length, lines }
}

describe('train → serve round trip (compiled)', () => {
  for (const [name, hp] of [
    ['example hyperparameters (decision tree)', undefined],
    ['gradient boosting', { algorithm: 'gradient_boosting', num_round: '20' }],
  ] as const) {
    test(name, async () => {
      const root = mkdtempSync(join(tmpdir(), 'byoc-train-serve-'))
      cpSync(TEST_DIR, root, { recursive: true })
      await trainIn(root, hp)
      const server = await startServer(root)
      running.push(server)
      const { accuracy, lines } = await predictIris(server)
      expect(accuracy).toBeGreaterThanOrEqual(0.95)
      expect(lines[0]).toMatch(/^0,/) // label first, then the class probabilities
      const payload = readFileSync(join(TEST_DIR, '../payload.csv'))
      const res = await fetch(`${server.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Accept: 'text/csv' },
        body: payload,
      })
      expect(res.status).toBe(200)
      const rows = payload.toString().trim().split('\n').length
      expect((await res.text()).trim().split('\n').length).toBe(rows)
    })
  }
})
