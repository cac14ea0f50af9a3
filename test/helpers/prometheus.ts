/**
 * Prometheus's own tools for the metrics tests: `promtool check metrics` as the parser and linter of the
 * exposition, and a real `prometheus` server scraping byoc. Both come from the Debian package
 * `prometheus`, which .ci/run installs; a missing tool fails the test (it is never skipped).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Subprocess, spawn, spawnSync, which } from 'bun'
import { freePort } from './server'

export function requireTool(name: 'promtool' | 'prometheus'): string {
  const path = which(name)
  if (!path)
    throw new Error(
      `${name} is not on PATH: install the Debian package (apt-get update && apt-get install -y prometheus); .ci/run does`,
    )
  return path
}

/** Runs `promtool check metrics` on an exposition: exit code and what it printed (problems, if any). */
export function promtoolCheck(exposition: string): { code: number; output: string } {
  const r = spawnSync([requireTool('promtool'), 'check', 'metrics'], { stdin: new TextEncoder().encode(exposition) })
  return { code: r.exitCode, output: `${r.stdout.toString()}${r.stderr.toString()}`.trim() }
}

export interface PromServer {
  url: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  log: () => string
  /** An instant query through the HTTP API: the result vector. */
  query: (promql: string) => Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>
  stop: () => Promise<void>
}

/** A Prometheus on 127.0.0.1 scraping `target` (host:port) every `intervalS` seconds, job "byoc". */
export async function startPrometheus(target: string, intervalS = 1): Promise<PromServer> {
  const dir = mkdtempSync(join(tmpdir(), 'byoc-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${intervalS}s`,
      `  scrape_timeout: ${intervalS}s`,
      'scrape_configs:',
      '  - job_name: byoc',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  )
  const port = await freePort()
  const proc = spawn(
    [
      requireTool('prometheus'),
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore', cwd: dir },
  )
  let text = ''
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const d = new TextDecoder()
    for await (const chunk of s) text += d.decode(chunk)
  }
  void pump(proc.stdout)
  void pump(proc.stderr)
  const url = `http://127.0.0.1:${port}`
  const server: PromServer = {
    url,
    proc,
    log: () => text,
    query: async (promql) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      const body = (await res.json()) as { status: string; data: { result: any[] }; error?: string }
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`)
      return body.data.result
    },
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM')
      await proc.exited
    },
  }
  const until = performance.now() + 20_000
  while (performance.now() < until) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited ${proc.exitCode}:\n${text}`)
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return server
    } catch {}
    await Bun.sleep(50)
  }
  await server.stop()
  throw new Error(`prometheus was not ready within 20 s:\n${text}`)
}

/** Parses an exposition into `name{labels}` → value, for assertions (promtool is the real parser). */
export function samples(exposition: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const i = line.lastIndexOf(' ')
    out.set(line.slice(0, i), Number(line.slice(i + 1)))
  }
  return out
}
