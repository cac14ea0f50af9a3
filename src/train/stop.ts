/**
 * SIGTERM (and SIGINT) during training: SageMaker sends SIGTERM when a job is stopped or a spot instance is
 * reclaimed, then SIGKILL 120 s later. Training loops call pause() at safe points; it yields to the event
 * loop (so the signal handler can run at all) and throws StoppedError once a signal has arrived.
 */
import { StoppedError } from './train-errors'

export class StopSignal {
  signal: string | null = null
  private wake: (() => void) | null = null
  private readonly stopped: Promise<never>
  private readonly handler = (signal: NodeJS.Signals) => {
    this.signal ??= signal
    this.wake?.()
  }

  constructor() {
    this.stopped = new Promise<never>((_, reject) => {
      this.wake = () => reject(new StoppedError(this.signal ?? 'SIGTERM'))
    })
    this.stopped.catch(() => {}) // observed through race()/pause(); never an unhandled rejection
    process.on('SIGTERM', this.handler)
    process.on('SIGINT', this.handler)
  }

  /** Yields to the event loop; throws StoppedError if a stop signal has arrived. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve))
    if (this.signal) throw new StoppedError(this.signal)
  }

  /** Waits for a promise unless a stop signal comes first (e.g. a Pipe FIFO that never delivers). */
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.stopped])
  }

  dispose(): void {
    process.off('SIGTERM', this.handler)
    process.off('SIGINT', this.handler)
  }
}
