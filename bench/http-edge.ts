/**
 * What Elysia costs per request against Bun's own router: the same handler (read the body, answer a
 * fixed 150-line CSV) served by an Elysia app and by Bun.serve `routes`, each in its own process, driven
 * by wrk in interleaved rounds. Usage: bun bench/http-edge.ts [rounds] [seconds]
 * (a server process: bun bench/http-edge.ts --serve elysia|bun PORT)
 */
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { wrk } from './wrk'

const answer = '0,1,0,0\n'.repeat(150)

if (process.argv[2] === '--serve') {
  const port = Number(process.argv[4])
  const handle = async (request: Request) => {
    const body = new Uint8Array(await request.arrayBuffer())
    const accept = request.headers.get('accept')
    return new Response(body.length && accept ? answer : '', { headers: { 'content-type': 'text/csv' } })
  }
  if (process.argv[3] === 'elysia') {
    const { Elysia } = await import('elysia')
    new Elysia()
      .get('/ping', () => new Response(null))
      .post('/invocations', ({ request }) => handle(request), { parse: 'none' })
      .listen({ hostname: '127.0.0.1', port, reusePort: false })
  } else {
    Bun.serve({
      hostname: '127.0.0.1',
      port,
      routes: { '/ping': { GET: () => new Response(null) }, '/invocations': { POST: handle } },
      fetch: () => new Response('not found', { status: 404 }),
    })
  }
} else {
  const rounds = Number(process.argv[2] ?? 3)
  const seconds = Number(process.argv[3] ?? 3)
  const body = join(tmpdir(), 'http-edge-body.csv')
  writeFileSync(body, '5.1,3.5,1.4,0.2\n'.repeat(150))
  const results: Record<string, number[]> = { elysia: [], bun: [] }
  for (let r = 0; r < rounds; r++)
    for (const kind of r % 2 ? ['bun', 'elysia'] : ['elysia', 'bun']) {
      const port = 19300 + Math.floor(Math.random() * 500)
      const proc = Bun.spawn([process.execPath, import.meta.path, '--serve', kind, String(port)], { stdout: 'ignore' })
      const url = `http://127.0.0.1:${port}`
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`${url}/ping`)).ok) break
        } catch {}
        await Bun.sleep(10)
      }
      await wrk(url, body, 64, 1)
      results[kind].push((await wrk(url, body, 64, seconds)).rps)
      proc.kill('SIGTERM')
      await proc.exited
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const e = median(results.elysia)
  const b = median(results.bun)
  console.log(
    JSON.stringify({
      elysia: results.elysia.map(Math.round),
      bun: results.bun.map(Math.round),
      ratio: b / e,
      elysiaCostUs: (1 / e - 1 / b) * 1e6,
    }),
  )
}
