import { afterAll, expect, test } from 'bun:test'
import { slowModel } from '../../test/fixtures/models'
import { poolInit } from '../../test/fixtures/pool-init'
import { ByocError } from '../errors'
import { mediaTypeIndex } from '../formats/media-types'
import { WorkerPool } from './pool'

const CSV = mediaTypeIndex('text/csv')

// A real Worker running a real model made slow on purpose, so the first request is still in flight when the
// next ones arrive.
const pool = new WorkerPool(
  1,
  await poolInit(slowModel({ features: 4, work: 10 })),
  10_000,
  100,
  40, // bytes: room for one 24-byte body at a time
)
await pool.start()
afterAll(() => pool.close())

const body = () => new TextEncoder().encode('1,2,3,4\n1,2,3,4\n1,2,3,4\n') // 24 bytes

test('past the byte budget a request is answered 503 at once; one alone is always taken', async () => {
  const first = pool.invoke(body(), CSV, CSV)
  const second = pool.invoke(body(), CSV, CSV).catch((e: ByocError) => e)
  const refused = await second
  expect(refused).toBeInstanceOf(ByocError)
  expect((refused as ByocError).status).toBe(503)
  const answer = await first
  expect(new TextDecoder().decode(answer.body)).toBe('10\n10\n10\n')
  // Once the first is answered the budget is free again.
  expect(new TextDecoder().decode((await pool.invoke(body(), CSV, CSV)).body)).toBe('10\n10\n10\n')
})
