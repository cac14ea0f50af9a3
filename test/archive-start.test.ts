/**
 * Start-up from a hostile model archive: extraction runs in a child process, bounded in size and time,
 * so /ping answers (503) throughout and SIGTERM is obeyed at once.
 */
import { expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { linearClassifierModel } from './fixtures/models'
import { mlRoot, startServer, waitForPing } from './helpers/server'
import { tarGz } from './helpers/tar'

const model = linearClassifierModel({ features: 4, classes: 3 })

/** A valid archive holding model.onnx, its end marker, then `zeros` more bytes of zeros, gzipped. */
function neverEnding(zeros: number): Uint8Array {
  const tar = Bun.gunzipSync(tarGz([{ name: 'model.onnx', data: model }]) as Uint8Array<ArrayBuffer>)
  const chunk = sparseBytes(64 * 1024 * 1024)
  const parts: Uint8Array[] = [gzipSync(tar, { level: 1 })]
  // Concatenated gzip members are one stream to a reader: the zeros follow the end-of-archive marker.
  const zerosMember = gzipSync(chunk, { level: 1 })
  for (let n = 0; n < zeros; n += chunk.length) parts.push(zerosMember)
  return Buffer.concat(parts)
}

/** Mostly zeros, with a byte every 256 that defeats a decompression-ratio guard (node-tar refuses > 1000:1). */
function sparseBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 256) out[i] = (i * 2654435761) >>> 24
  return out
}

/** Times /ping calls for `ms`: each must answer (503 or 200) well inside SageMaker's 2 s budget. */
async function pingsDuring(url: string, ms: number): Promise<{ statuses: Set<number>; slowest: number }> {
  const statuses = new Set<number>()
  let slowest = 0
  const until = performance.now() + ms
  while (performance.now() < until) {
    const t0 = performance.now()
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) })
    statuses.add(res.status)
    slowest = Math.max(slowest, performance.now() - t0)
    await Bun.sleep(20)
  }
  return { statuses, slowest }
}

test('an archive that never ends (GiBs of zeros after the end marker) loads quickly; /ping answers throughout', async () => {
  const root = mlRoot()
  writeFileSync(join(root, 'model', 'model.tar.gz'), neverEnding(2 * 1024 ** 3))
  const s = await startServer(root, {}, { waitReady: false })
  try {
    await waitForPing(s, 503)
    const pings = await pingsDuring(s.url, 300)
    expect(pings.slowest).toBeLessThan(500)
    await waitForPing(s, 200, 10_000)
    expect(s.log()).toContain('extracted model archive: 1 files')
  } finally {
    await s.stop()
  }
}, 30_000)

test('extraction past BYOC_ARCHIVE_TIMEOUT is stopped: 503 with the reason; SIGTERM during extraction exits 0 at once', async () => {
  // A 512 MiB file inside the archive: legal, within the size bound, slow to write.
  const big = { name: 'weights.bin', data: sparseBytes(512 * 1024 ** 2) }
  const archive = tarGz([{ name: 'model.onnx', data: model }, big])
  const root = mlRoot({ 'model.tar.gz': archive })
  const s = await startServer(root, { BYOC_ARCHIVE_TIMEOUT: '0.2' }, { waitReady: false })
  try {
    await Bun.sleep(1500)
    const res = await fetch(`${s.url}/ping`)
    expect(res.status).toBe(503)
    expect(await res.text()).toContain('0.2 s')
  } finally {
    await s.stop()
  }
  const again = await startServer(root, {}, { waitReady: false })
  await waitForPing(again, 503)
  const pings = await pingsDuring(again.url, 200)
  expect([...pings.statuses]).toEqual([503])
  const t0 = performance.now()
  expect(await again.stop('SIGTERM')).toBe(0)
  expect(performance.now() - t0).toBeLessThan(1000)
}, 60_000)
