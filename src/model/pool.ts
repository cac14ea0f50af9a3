/**
 * The HTTP thread's side of the model Workers: starts them, sends each invocation to the least busy
 * one, enforces the per-request timeout, and replaces a Worker that timed out or crashed, re-sending
 * the requests it still held so one slow request does not take others with it.
 */

import { takeModelWorker } from '../entrypoints'
import { ByocError, errors } from '../errors'
import { MEDIA_TYPES } from '../formats/media-types'
import { log } from '../log'
import type { HandlerInfo } from './handler-load'
import { CUSTOM_TYPE, NO_META, parseAnswerMeta } from './handler-meta'
import { IdleCollector } from './idle-gc'
import { Outbox } from './outbox'
import type { FromWorker, InvokeResult, ToWorker, WorkerInit, WorkerReady } from './protocol'
import { condemn, newRunGuard } from './run-guard'
import { errorText, packRequests, unpackAnswers, type WireAnswer, type WireRequest } from './wire'

export type PoolInit = Omit<WorkerInit, 'type' | 'index' | 'guard'>

/** How long a Worker told to retire after a timeout may take before it is terminated (when not in a run). */
const RETIRE_GRACE_MS = 1000

/** Events the metrics count that no invocation's answer carries. */
export interface PoolObserver {
  /** A model run finished in a Worker, over this many records (reported even if its requests timed out). */
  ran(rows: number): void
  /** A Worker was replaced: it timed out (stuck in a run) or crashed. */
  restarted(reason: 'timeout' | 'crash'): void
}

interface Pending {
  id: number
  body: Uint8Array
  /** MEDIA_TYPES indices, resolved by the HTTP layer. */
  contentType: number
  accept: number
  /** Handler meta (handler-meta.ts), empty without a handler. */
  meta: Uint8Array
  /** performance.now() when the pool took it: the pool's share of the request starts here. */
  startedAt: number
  resolve: (r: InvokeResult) => void
  reject: (e: ByocError) => void
}

interface Slot {
  index: number
  worker: Worker
  outbox: Outbox<WireRequest>
  inflight: Map<number, Pending>
  /** 'starting' Workers queue requests until warm; a 'dead' one failed to (re)start and gets none. */
  state: 'starting' | 'ready' | 'dead'
  /** Shared with the Worker: is it inside a model run (run-guard.ts). */
  guard: Int32Array
  closed: boolean
}

export class WorkerPool {
  private slots: Slot[] = []
  private nextId = 1
  private closing = false
  private handlerInfo: HandlerInfo | null = null
  /** Set by the HTTP side when metrics are on. */
  observer: PoolObserver | null = null
  /** The HTTP thread held the bodies and answers: it collects after a burst too. */
  private readonly collector = new IdleCollector()
  /** One per Worker ever started: resolves when it has exited (multi-model unload waits for them). */
  private readonly exits: Promise<void>[] = []
  /** Requests held and their bytes, kept as counts: summing the slots per request cost the HTTP thread. */
  private held = 0
  private heldBytes = 0
  /**
   * Request ids in arrival order with their deadlines. Every request has the same timeout, so deadlines
   * come in order and one timer, armed for the oldest, replaces a setTimeout/clearTimeout per request.
   */
  private deadlines: Array<{ id: number; deadline: number }> = []
  private deadlinesHead = 0
  private expiryTimer: Timer | null = null

  constructor(
    private readonly size: number,
    private readonly init: PoolInit,
    private readonly timeoutMs: number,
    private readonly maxInflight: number,
    /** Request bytes held at once (queued and running): a byte bound as well as a count bound. */
    private readonly maxInflightBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Starts the first Worker and resolves once it is warm, so /ping can turn 200 then; the others start
   * after it, in the background. Starting them all at once made them compete for the cores and delayed
   * the first 200 (cold start); a model that loads once will load again, and a later Worker that fails
   * is logged and left out of dispatch.
   */
  async start(): Promise<WorkerReady> {
    const first = await this.spawn(0)
    this.logBatching(first)
    for (let i = 1; i < this.size; i++)
      this.spawn(i).catch((e: Error) => log.error(`model worker ${i} failed to start: ${e.message}`))
    return first
  }

  private logBatching(ready: WorkerReady): void {
    const { maxBatchSize, maxQueueDelayMs } = this.init.batching
    log.info(
      ready.batching
        ? `dynamic batching on: up to ${maxBatchSize} records per run, max queue delay ${maxQueueDelayMs} ms, queue bound ${this.maxInflight} requests`
        : `dynamic batching off: ${maxBatchSize <= 1 ? `max batch size is ${maxBatchSize}` : 'the model has an input without a batch axis'}; queue bound ${this.maxInflight} requests`,
      {
        event: 'batching',
        batching: ready.batching,
        max_batch_size: maxBatchSize,
        max_queue_delay_ms: maxQueueDelayMs,
        queue_bound: this.maxInflight,
      },
    )
  }

  /** The model's handler as the first Worker loaded it: which types it reads and writes beyond byoc's. */
  get handler(): HandlerInfo | null {
    return this.handlerInfo
  }

  /** False once every Worker is dead (its restart failed): /ping then reports the server unhealthy. */
  get healthy(): boolean {
    return this.slots.some((s) => s.state !== 'dead')
  }

  /** Workers warm and taking requests. */
  get readyWorkers(): number {
    return this.slots.filter((s) => s.state === 'ready').length
  }

  get inflightBytes(): number {
    return this.heldBytes
  }

  get inflight(): number {
    return this.held
  }

  /** `contentType` and `accept` are indices into MEDIA_TYPES (the HTTP layer resolved them, with its 415/406). */
  invoke(body: Uint8Array, contentType: number, accept: number, meta: Uint8Array = NO_META): Promise<InvokeResult> {
    const queued = this.inflight
    if (queued >= this.maxInflight) return Promise.reject(errors.overloaded(queued))
    // 1024 queued 6 MB bodies would be 6 GB: past the byte budget the answer is 503 too.
    if (queued > 0 && this.inflightBytes + body.byteLength > this.maxInflightBytes)
      return Promise.reject(errors.overloaded(queued))
    return new Promise<InvokeResult>((resolve, reject) => {
      const id = this.nextId
      // Ids travel as uint32 (wire.ts); wrap before 2^32 so a long-running server never reuses a live one.
      this.nextId = (this.nextId % 0xfffffffe) + 1
      const startedAt = performance.now()
      this.held++
      this.heldBytes += body.byteLength
      this.pruneDeadlines()
      this.deadlines.push({ id, deadline: startedAt + this.timeoutMs })
      if (!this.expiryTimer) this.armExpiry()
      this.dispatch({ id, body, contentType, accept, meta, resolve, reject, startedAt })
    })
  }

  /** One request is answered (or refused): it no longer counts against the bounds. */
  private release(p: Pending): void {
    this.held--
    this.heldBytes -= p.body.byteLength
  }

  private armExpiry(): void {
    const head = this.deadlines[this.deadlinesHead]
    if (!head) return
    this.expiryTimer = setTimeout(this.expire, Math.max(0, head.deadline - performance.now()))
  }

  /** Times out every request past its deadline that is still held, then re-arms for the next one. */
  private expire = (): void => {
    this.expiryTimer = null
    const now = performance.now()
    while (this.deadlinesHead < this.deadlines.length) {
      const d = this.deadlines[this.deadlinesHead]
      if (d.deadline > now) break
      this.deadlinesHead++
      this.timedOut(d.id)
    }
    this.pruneDeadlines()
    this.armExpiry()
  }

  /** Answers come roughly in arrival order: entries of answered requests are dropped from the head. */
  private pruneDeadlines(): void {
    while (this.deadlinesHead < this.deadlines.length && !this.holds(this.deadlines[this.deadlinesHead].id))
      this.deadlinesHead++
    if (this.deadlinesHead === this.deadlines.length) {
      this.deadlines = []
      this.deadlinesHead = 0
    } else if (this.deadlinesHead > 1024 && this.deadlinesHead * 2 > this.deadlines.length) {
      this.deadlines = this.deadlines.slice(this.deadlinesHead)
      this.deadlinesHead = 0
    }
  }

  private holds(id: number): boolean {
    for (const s of this.slots) if (s.inflight.has(id)) return true
    return false
  }

  /**
   * For shutdown: no more Worker replacements; waits for the requests in flight, bounded by the request
   * timeout and by 25 s (inside the 30 s SageMaker leaves between SIGTERM and SIGKILL). The Workers are
   * retired, not terminated: terminating one mid-run would abort the process (see replace).
   */
  async close(): Promise<void> {
    this.closing = true
    const until = performance.now() + Math.min(this.timeoutMs, 25_000)
    while (this.inflight > 0 && performance.now() < until) await Bun.sleep(5)
    // Retire, not terminate: each Worker closes itself once no run is in progress.
    for (const s of this.slots) s.worker.postMessage({ type: 'retire' })
  }

  /** Workers started so far (a multi-model endpoint's pools grow with their model's traffic). */
  get workers(): number {
    return this.slots.length
  }

  /** Starts one more Worker; it takes requests once warm. */
  grow(): Promise<WorkerReady> {
    return this.spawn(this.slots.length)
  }

  /** Resolves once every Worker this pool started has exited, its session released (after close()). */
  async exited(): Promise<void> {
    await Promise.all(this.exits)
  }

  private dispatch(p: Pending): void {
    // Least busy warm Worker; a starting one only when none is warm (it queues until loaded).
    let best: Slot | null = null
    for (const s of this.slots) if (s.state === 'ready' && (!best || s.inflight.size < best.inflight.size)) best = s
    if (!best)
      for (const s of this.slots)
        if (s.state === 'starting' && (!best || s.inflight.size < best.inflight.size)) best = s
    if (!best) {
      this.release(p)
      p.reject(errors.notReady('no model worker is running; see the container log'))
      return
    }
    best.inflight.set(p.id, p)
    best.outbox.push({ id: p.id, body: p.body, contentType: p.contentType, accept: p.accept, meta: p.meta })
  }

  private spawn(index: number): Promise<WorkerReady> {
    const worker = takeModelWorker()
    this.exits.push(new Promise((resolve) => worker.addEventListener('close', () => resolve(), { once: true })))
    const outbox = new Outbox<WireRequest>((requests) => {
      const batch = packRequests(requests)
      worker.postMessage(batch satisfies ToWorker, [batch])
    })
    const guard = newRunGuard()
    const slot: Slot = { index, worker, outbox, inflight: new Map(), state: 'starting', guard, closed: false }
    worker.addEventListener('close', () => (slot.closed = true))
    this.slots[index] = slot
    return new Promise<WorkerReady>((resolve, reject) => {
      let loadTimer: Timer | null = null
      const failed = (why: string, stuck = false) => {
        if (loadTimer) clearTimeout(loadTimer)
        if (slot.state === 'dead') return
        // A Worker that dies before it is warm is not restarted: it would only die again.
        slot.state = 'dead'
        if (!stuck) worker.terminate()
        else {
          // Awaiting forever, it reads `retire` and closes; stuck in a loop, it is terminated (not mid-run).
          worker.postMessage({ type: 'retire' } satisfies ToWorker)
          this.terminateIfStuck(slot)
        }
        const orphans = [...slot.inflight.values()]
        slot.inflight.clear()
        for (const p of orphans) this.dispatch(p)
        reject(new Error(why))
      }
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const m = event.data
        if (m instanceof ArrayBuffer) {
          for (const a of unpackAnswers(m)) {
            if (a.runRows > 0) this.observer?.ran(a.runRows)
            this.settle(slot, a)
          }
          return
        }
        switch (m.type) {
          case 'loading-handler': {
            const limit = this.init.handler?.loadTimeoutMs
            if (limit)
              loadTimer = setTimeout(
                () =>
                  failed(
                    `handler ${this.init.handler?.path}: its import and load() did not finish within ${limit / 1000} s (BYOC_HANDLER_LOAD_TIMEOUT); model worker ${index} is stopped`,
                    true,
                  ),
                limit,
              )
            return
          }
          case 'ready':
            if (loadTimer) clearTimeout(loadTimer)
            // Answered after its time limit: the Worker is already retired.
            if (slot.state === 'dead') return
            slot.state = 'ready'
            this.handlerInfo ??= m.handler
            return resolve(m)
          case 'failed':
            return failed(m.message)
        }
      }
      worker.onerror = (event) => {
        const reason = (event as ErrorEvent).message ?? 'unknown error'
        if (slot.state === 'ready') this.replace(slot, null, `worker crashed: ${reason}`)
        else if (slot.state === 'starting') failed(`model worker ${index} crashed while loading: ${reason}`)
      }
      worker.postMessage({ ...this.init, type: 'init', index, guard } satisfies WorkerInit)
    })
  }

  private settle(slot: Slot, m: WireAnswer): void {
    const p = slot.inflight.get(m.id)
    if (!p) return // already answered (timed out)
    slot.inflight.delete(m.id)
    this.release(p)
    this.collector.noteDone(p.body.byteLength, this.inflight > 0)
    if (m.status !== 200) {
      p.reject(new ByocError(m.status, errorText(m.body), m.kind))
      return
    }
    // What the Worker did not spend working, the request spent waiting (see Timing).
    const queueMs = Math.max(0, performance.now() - p.startedAt - m.decodeMs - m.runMs - m.encodeMs)
    const timing = { queueMs, decodeMs: m.decodeMs, runMs: m.runMs, encodeMs: m.encodeMs }
    if (m.meta?.byteLength || m.contentType === CUSTOM_TYPE) {
      // A handler's own response type or headers (handler-meta.ts).
      const meta = parseAnswerMeta(m.meta ?? NO_META)
      p.resolve({
        body: m.body,
        contentType: meta.contentType ?? MEDIA_TYPES[m.contentType],
        headers: meta.headers,
        timing,
      })
    } else p.resolve({ body: m.body, contentType: MEDIA_TYPES[m.contentType], timing })
  }

  private timedOut(id: number): void {
    const slot = this.slots.find((s) => s.inflight.has(id))
    if (!slot) return
    const p = slot.inflight.get(id)!
    slot.inflight.delete(id)
    this.release(p)
    p.reject(errors.timeout(this.timeoutMs / 1000))
    // The Worker holding it (a replacement still loading, or one busy with others) must not start it later.
    slot.worker.postMessage({ type: 'cancel', ids: [id] } satisfies ToWorker)
    // A warm Worker is presumably stuck in a run, which cannot be interrupted: it is replaced. One still
    // loading is not (its requests only waited for the load).
    if (slot.state === 'ready') this.replace(slot, id, `request ${id} exceeded ${this.timeoutMs / 1000} s`)
  }

  /**
   * A retired Worker stuck in JavaScript (a handler's loop) never reads `retire`: once it is not inside a
   * model run, it is terminated. One inside a run is left to finish it (terminating it would abort the process).
   */
  private terminateIfStuck(slot: Slot): void {
    setTimeout(() => {
      if (slot.closed) return
      if (!condemn(slot.guard)) return this.terminateIfStuck(slot)
      log.warn(`model worker ${slot.index} did not retire and is not in a model run (a handler stuck?): terminating it`)
      slot.worker.terminate()
    }, RETIRE_GRACE_MS).unref()
  }

  /**
   * Starts a fresh Worker in the slot and sends it the requests the old one held. The old one, if alive,
   * is told to retire: it finishes the run it is in (terminate() mid-run aborts the process), answers
   * nothing more that anyone waits for, and closes itself.
   */
  private replace(slot: Slot, culprit: number | null, why: string): void {
    if (this.slots[slot.index] !== slot || this.closing) return
    log.warn(`replacing model worker ${slot.index}: ${why}`)
    this.observer?.restarted(culprit === null ? 'crash' : 'timeout')
    slot.state = 'dead'
    if (culprit !== null) {
      slot.worker.postMessage({ type: 'retire' })
      this.terminateIfStuck(slot)
    }
    const orphans = [...slot.inflight.values()]
    slot.inflight.clear()
    this.spawn(slot.index).then(
      () => log.info(`model worker ${slot.index} replaced`),
      (e) => log.error(`model worker ${slot.index} could not be replaced: ${e.message}`),
    )
    for (const p of orphans) {
      if (culprit === null) {
        // After a crash nobody knows which request caused it; re-sending could crash the next Worker.
        this.release(p)
        p.reject(errors.modelFailed('the model worker crashed while holding this request'))
      } else this.dispatch(p)
    }
  }
}
