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
