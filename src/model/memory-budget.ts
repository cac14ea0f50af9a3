/**
 * The memory a multi-model endpoint's models may take, booked per Worker before it starts. Two checks,
 * both answered at once with a 507 (which SageMaker answers by unloading other models and retrying):
 * - the bookings against the budget (BYOC_MME_MEMORY_BYTES, or a share of the container's memory);
 * - what the process really holds, plus what loads still starting will take, against the container's
 *   memory: an estimate that was too low, or memory held elsewhere, cannot run the container out of it.
 */
import { errors } from '../errors'
import { residentBytes } from './memory-estimate'

const MiB = 1024 * 1024
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`

export class MemoryBudget {
  private readonly booked = new Map<string, number>()
  /** Bookings whose Workers are still starting: not yet in the resident figure. */
  private readonly starting = new Map<string, number>()

  constructor(
    /** Bytes the models may take in all. */
    readonly limitBytes: number,
    /** Bytes the whole process may hold: the container's memory less a margin. */
    readonly hardLimitBytes: number,
    private readonly resident: () => number = residentBytes,
  ) {}

  bookedBytes(): number {
    let n = 0
    for (const b of this.booked.values()) n += b
    return n
  }

  /** Books `bytes` under `key` for a Worker about to start, or throws a 507 saying what is in use. */
  book(key: string, bytes: number, what: string): void {
    const booked = this.bookedBytes()
    if (booked + bytes > this.limitBytes)
      throw errors.insufficientMemory(
        `not enough memory for ${what}: it needs about ${mib(bytes)}, loaded models take ${mib(booked)} of ${mib(this.limitBytes)} (BYOC_MME_MEMORY_BYTES); unload a model and retry`,
      )
    let coming = 0
    for (const b of this.starting.values()) coming += b
    const held = this.resident()
    if (held + coming + bytes > this.hardLimitBytes)
      throw errors.insufficientMemory(
        `not enough memory for ${what}: it needs about ${mib(bytes)}, the server holds ${mib(held + coming)} of the container's ${mib(this.hardLimitBytes)}; unload a model and retry`,
      )
    this.booked.set(key, (this.booked.get(key) ?? 0) + bytes)
    this.starting.set(key, (this.starting.get(key) ?? 0) + bytes)
  }

  /** The Workers booked under `key` have started: their memory is now part of the resident figure. */
  started(key: string): void {
    this.starting.delete(key)
  }

  release(key: string): void {
    this.booked.delete(key)
    this.starting.delete(key)
  }
}
