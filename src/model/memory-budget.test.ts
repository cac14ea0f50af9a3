import { describe, expect, test } from 'bun:test'
import { ByocError } from '../errors'
import { MemoryBudget } from './memory-budget'

const MiB = 1024 * 1024

describe('MemoryBudget', () => {
  test('books until the budget is full, then refuses with a 507 that says what is in use; release frees', () => {
    const budget = new MemoryBudget(100 * MiB, 10_000 * MiB, () => 0)
    budget.book('a', 60 * MiB, 'model a')
    budget.started('a')
    let refused: unknown
    try {
      budget.book('b', 50 * MiB, 'model b')
    } catch (e) {
      refused = e
    }
    expect(refused).toBeInstanceOf(ByocError)
    expect((refused as ByocError).status).toBe(507)
    expect((refused as ByocError).message).toMatch(
      /model b: it needs about 50\.0 MiB, loaded models take 60\.0 MiB of 100\.0 MiB/,
    )
    budget.release('a')
    budget.book('b', 50 * MiB, 'model b')
    expect(budget.bookedBytes()).toBe(50 * MiB)
  })
  test('a key books more than once (a model gaining Workers) and releases all at once', () => {
    const budget = new MemoryBudget(100 * MiB, 10_000 * MiB, () => 0)
    budget.book('a', 30 * MiB, 'model a')
    budget.book('a', 30 * MiB, 'another Worker for model a')
    expect(budget.bookedBytes()).toBe(60 * MiB)
    budget.release('a')
    expect(budget.bookedBytes()).toBe(0)
  })
  test('what the process holds, plus loads still starting, is checked against the container', () => {
    let resident = 500 * MiB
    const budget = new MemoryBudget(10_000 * MiB, 1000 * MiB, () => resident)
    budget.book('a', 300 * MiB, 'model a') // 500 held + 300 = 800 of 1000
    // Still starting: its 300 are not in the resident figure yet, so they count on top of it.
    expect(() => budget.book('b', 250 * MiB, 'model b')).toThrow(
      /the server holds 800\.0 MiB of the container's 1000\.0 MiB/,
    )
    budget.started('a')
    resident = 600 * MiB // a took less than booked
    budget.book('b', 250 * MiB, 'model b')
  })
})
