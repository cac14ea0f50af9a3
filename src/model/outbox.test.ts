import { expect, test } from 'bun:test'
import { Outbox } from './outbox'

test('items pushed in one turn go out in one send, in order; the next turn starts a new send', async () => {
  const sends: number[][] = []
  const box = new Outbox<number>((items) => sends.push(items))
  box.push(1)
  box.push(2)
  box.push(3)
  expect(sends).toEqual([])
  await new Promise((r) => setImmediate(r))
  expect(sends).toEqual([[1, 2, 3]])
  box.push(4)
  await new Promise((r) => setImmediate(r))
  expect(sends).toEqual([[1, 2, 3], [4]])
})

test('while holdWhile holds, items wait over later turns and go out together once it stops', async () => {
  const sends: number[][] = []
  let queued = true
  const box = new Outbox<number>((items) => sends.push(items), { holdWhile: () => queued, maxHoldMs: 1000 })
  const turn = () => new Promise((r) => setImmediate(r))
  box.push(1)
  await turn()
  box.push(2)
  await turn()
  await turn()
  expect(sends).toEqual([])
  queued = false
  await turn()
  await turn()
  expect(sends).toEqual([[1, 2]])
})

test('a hold ends after maxHoldMs even while holdWhile still holds', async () => {
  const sends: number[][] = []
  const box = new Outbox<number>((items) => sends.push(items), { holdWhile: () => true, maxHoldMs: 20 })
  const t0 = performance.now()
  box.push(1)
  while (!sends.length) await new Promise((r) => setImmediate(r))
  expect(sends).toEqual([[1]])
  expect(performance.now() - t0).toBeGreaterThanOrEqual(20)
  expect(performance.now() - t0).toBeLessThan(500)
})
