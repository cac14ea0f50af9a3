/**
 * A design byoc does not ship, measured as a bound: each HTTP loop runs the model on its own thread (no
 * Workers, no messages, no batching), one process per core sharing the port (SO_REUSEPORT), byoc's own
 * front (src/serve/direct-front.ts) and the same decode → buildFeeds → run → select → encode steps as
 * bench/inprocess.ts (bench/csv-steps.ts). It loses what the Workers give (a stuck or long run blocks /ping and every request
 * of that loop; no timeout can interrupt it), so it only says how close to the in-process loop HTTP could
 * come on this machine. Rounds alternate with the in-process loop; prints one JSON line per case.
 * Usage: bun bench/inline-loop.ts [rounds] [seconds]
 * (a server process: bun bench/inline-loop.ts --serve <model.onnx> PORT)
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listenDirect } from '../src/serve/direct-front'
import { csvSteps } from './csv-steps'
import { benchModels, csvBody } from './models'
import { pingReady } from './ping-ready'
import { wrk } from './wrk'

if (process.argv[2] === '--serve') {
  const [modelPath, port] = process.argv.slice(3)
  const steps = await csvSteps(modelPath, 1)
  listenDirect({
    hostname: '127.0.0.1',
    port: Number(port),
    idleTimeout: 60,
    reusePort: true,
    maxPayloadBytes: 1 << 30,
    routes: {
      async invocation(incoming) {
        const decoded = steps.decode(await incoming.body(1 << 30, { bytes: 0 }))
        const body = steps.encode(decoded, await steps.run(decoded, steps.feeds(decoded)))
        return { status: 200, headers: { 'content-type': 'text/csv' }, body }
      },
      ping: () => ({ status: 200, headers: {}, body: null }),
      fetch: () => new Response('not found', { status: 404 }),
    },
  })
} else {
  const rounds = Number(process.argv[2] ?? 3)
  const seconds = Number(process.argv[3] ?? 3)
  const loops = 2
  const work = mkdtempSync(join(tmpdir(), 'byoc-inline-'))
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  for (const m of benchModels().slice(0, 2))
    for (const rows of [1, 150]) {
      const modelPath = join(work, `${m.features}-${m.name.length}.onnx`)
      const bodyPath = join(work, `${m.features}x${rows}.csv`)
      writeFileSync(modelPath, m.bytes)
      writeFileSync(bodyPath, csvBody(rows, m.features))
      const http: number[] = []
      const local: number[] = []
      const viaHttp = async () => {
        const port = 19600 + Math.floor(Math.random() * 300)
        const procs = Array.from({ length: loops }, () =>
          Bun.spawn([process.execPath, import.meta.path, '--serve', modelPath, String(port)], { stdout: 'ignore' }),
        )
        const url = `http://127.0.0.1:${port}`
        await pingReady(url, 500)
        await Bun.sleep(300) // the second process joins the port
        await wrk(url, bodyPath, 64, 1)
        http.push((await wrk(url, bodyPath, 64, seconds)).rps)
        for (const p of procs) p.kill('SIGKILL')
        await Promise.all(procs.map((p) => p.exited))
      }
      const inProcess = async () => {
        const ps = Array.from({ length: loops }, () =>
          Bun.spawn(
            [process.execPath, join(import.meta.dir, 'inprocess.ts'), modelPath, bodyPath, String(seconds), '1'],
            { stdout: 'pipe' },
          ),
        )
        const outs = await Promise.all(ps.map(async (p) => JSON.parse((await new Response(p.stdout).text()).trim())))
        local.push(outs.reduce((n, o) => n + o.rps, 0))
      }
      for (let r = 0; r < rounds; r++)
        if (r % 2) await inProcess().then(viaHttp)
        else await viaHttp().then(inProcess)
      const ratios = http.map((h, i) => h / local[i])
      console.log(
        JSON.stringify({
          model: m.name,
          rows,
          httpRps: Math.round(median(http)),
          inProcessRps: Math.round(median(local)),
          ratio: Number(median(ratios).toFixed(3)),
          rounds: ratios.map((x) => Number(x.toFixed(3))),
        }),
      )
    }
}
