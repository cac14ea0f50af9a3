/**
 * The memory a multi-model endpoint's models may take, booked per Worker before it starts. A booking
 * that would not fit is refused at once with a 507, which SageMaker answers by unloading other models
 * and retrying. What is booked is compared with what the process really holds above its baseline, and
 * the larger counts, so an estimate that was too low cannot let loads run the container out of memory.
 */
import { errors } from '../errors'
import { residentBytes } from './memory-estimate'

const MiB = 1024 * 1024
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`

export class MemoryBudget {
  private readonly booked = new Map<string, number>()
  private readonly baseline: number

  constructor(
    /** Bytes the models may take in all (BYOC_MME_MEMORY_BYTES, or derived from the container's memory). */
    readonly limitBytes: number,
    private readonly resident: () => number = residentBytes,
  ) {
    this.baseline = resident()
  }

  /** Bytes booked now, and what the models hold by the resident-memory measure. */
  usage(): { booked: number; held: number } {
    let booked = 0
    for (const b of this.booked.values()) booked += b
    return { booked, held: Math.max(0, this.resident() - this.baseline) }
  }

  /** Books `bytes` under `key`, or throws a 507 saying how much is in use. */
  book(key: string, bytes: number, what: string): void {
    const { booked, held } = this.usage()
    const used = Math.max(booked, held)
    if (used + bytes > this.limitBytes)
      throw errors.insufficientMemory(
        `not enough memory for ${what}: it needs about ${mib(bytes)}, loaded models take ${mib(used)} of ${mib(this.limitBytes)} (BYOC_MME_MEMORY_BYTES); unload a model and retry`,
      )
    this.booked.set(key, (this.booked.get(key) ?? 0) + bytes)
  }

  release(key: string): void {
    this.booked.delete(key)
  }
}
