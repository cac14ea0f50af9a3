/**
 * What the HTTP layer costs per request: the same handler (read the body, answer a fixed 150-line CSV)
 * served by an Elysia app, by Bun.serve `routes`, by byoc's own front (src/serve/direct-front.ts) handing
 * the handler plain values, and by that front building a Request and a Response for it, each in its own
 * process, driven by wrk in interleaved rounds. Usage: bun bench/http-edge.ts [rounds] [seconds]
 * (a server process: bun bench/http-edge.ts --serve elysia|bun|direct|direct-request PORT [ANSWER_FILE], which
 * answers the file's bytes instead of the 150-line CSV: a ceiling for a model's own answer, no model run)
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pingReady } from './ping-ready'
import { wrk } from './wrk'

const answer: string | Uint8Array = process.argv[5]
  ? new Uint8Array(readFileSync(process.argv[5]))
  : '0,1,0,0\n'.repeat(150)

if (process.argv[2] === '--serve') {
  const port = Number(process.argv[4])
  const handle = async (request: Request) => {
    const body = new Uint8Array(await request.arrayBuffer())
    const accept = request.headers.get('accept')
    return new Response(body.length && accept ? answer : '', { headers: { 'content-type': 'text/csv' } })
  }
  const kind = process.argv[3]
  if (kind === 'direct' || kind === 'direct-request') {
    const { listenDirect } = await import('../src/serve/direct-front')
    const plain = async (incoming: import('../src/serve/answer').Incoming) => {
      const body = await incoming.body(1 << 30, { bytes: 0 })
      const accept = incoming.header('accept')
      return { status: 200, headers: { 'content-type': 'text/csv' }, body: body.length && accept ? answer : '' }
    }
    // As a front would that builds the fetch API's objects: a Request in, the Response read back.
    const viaRequest = async (incoming: import('../src/serve/answer').Incoming) => {
      const request = new Request(`http://localhost/invocations`, {
        method: 'POST',
        headers: { accept: incoming.header('accept') ?? '', 'content-type': incoming.header('content-type') ?? '' },
        body: await incoming.body(1 << 30, { bytes: 0 }),
      })
      const response = await handle(request)
      const headers: Record<string, string> = {}
      for (const [k, v] of response.headers) headers[k] = v
      return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) }
    }
    listenDirect({
      hostname: '127.0.0.1',
      port,
      idleTimeout: 60,
      reusePort: false,
      maxPayloadBytes: 1 << 30,
      routes: {
        invocation: kind === 'direct' ? plain : viaRequest,
        ping: () => ({ status: 200, headers: {}, body: null }),
        fetch: () => new Response('not found', { status: 404 }),
      },
    })
  } else if (kind === 'elysia') {
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
  const kinds = ['elysia', 'bun', 'direct', 'direct-request']
  const results: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]))
  for (let r = 0; r < rounds; r++)
    for (const kind of r % 2 ? [...kinds].reverse() : kinds) {
      const port = 19300 + Math.floor(Math.random() * 500)
      const proc = Bun.spawn([process.execPath, import.meta.path, '--serve', kind, String(port)], { stdout: 'ignore' })
      const url = `http://127.0.0.1:${port}`
      await pingReady(url, 200)
      await wrk(url, body, 64, 1)
      results[kind].push((await wrk(url, body, 64, seconds)).rps)
      proc.kill('SIGTERM')
      await proc.exited
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const rps = Object.fromEntries(kinds.map((k) => [k, median(results[k])]))
  // Extra machine time per request against Bun.serve routes (both cores, wrk included).
  const costUs = (k: string) => Number(((2 / rps[k] - 2 / rps.bun) * 1e6).toFixed(1))
  console.log(
    JSON.stringify({
      rounds: Object.fromEntries(kinds.map((k) => [k, results[k].map(Math.round)])),
      median: Object.fromEntries(kinds.map((k) => [k, Math.round(rps[k])])),
      extraUsAgainstBun: Object.fromEntries(kinds.map((k) => [k, costUs(k)])),
    }),
  )
}
