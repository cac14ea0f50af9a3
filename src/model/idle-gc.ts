/**
 * Gives memory back after a burst: once a thread has handled many request bytes and then sat idle for a
 * moment, a full synchronous collection (Bun.gc(true)) lets JavaScriptCore free the decoded bodies' pages
 * and mimalloc return them to the system. Under steady load the idle moment never comes, so this costs
 * nothing there; after a burst of large bodies RSS falls back toward idle within a second or two instead
 * of staying near the peak.
 */
const IDLE_MS = 500
/** Bytes handled before an idle moment is worth a full collection. */
const WORTH_BYTES = 4 * 1024 * 1024

export class IdleCollector {
  private bytes = 0
  private timer: Timer | null = null

  constructor(
    private readonly idleMs = IDLE_MS,
    private readonly worthBytes = WORTH_BYTES,
  ) {}

  /** Called as each request finishes; `busy` says whether others are still in progress. */
  noteDone(bytes: number, busy: boolean): void {
    this.bytes += bytes
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (busy || this.bytes < this.worthBytes) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.bytes = 0
      Bun.gc(true)
    }, this.idleMs)
    this.timer.unref()
  }
}
