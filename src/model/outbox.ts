/**
 * Coalesces the messages one side of a Worker posts during one event-loop turn into a single
 * postMessage. Each postMessage costs tens of microseconds in Bun (a quarter of the HTTP thread's time at
 * 10k requests/s, profiled), far more than one more item in a batch does; under load many requests
 * arrive in one turn (15-20 on average at 64 connections, measured), and when the loop is idle the
 * flush follows at once (setImmediate), so nothing waits for company.
 *
 * With a hold, the items wait over later turns while `holdWhile()` is true, at most `maxHoldMs` after the
 * first: a Worker whose Batcher still has requests queued for its next batch sends that batch's answers
 * with these, one message where the HTTP thread would otherwise handle one per batch.
 */
export interface OutboxHold {
  holdWhile: () => boolean
  maxHoldMs: number
}

export class Outbox<T> {
  private items: T[] = []
  private scheduled = false
  private firstAt = 0

  constructor(
    private readonly send: (items: T[]) => void,
    private readonly hold: OutboxHold | null = null,
  ) {}

  push(item: T): void {
    this.items.push(item)
    if (!this.scheduled) {
      this.scheduled = true
      this.firstAt = performance.now()
      setImmediate(this.flush)
    }
  }

  private flush = (): void => {
    if (this.hold?.holdWhile() && performance.now() - this.firstAt < this.hold.maxHoldMs) {
      setImmediate(this.flush)
      return
    }
    const items = this.items
    this.items = []
    this.scheduled = false
    this.send(items)
  }
}
