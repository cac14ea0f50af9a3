/**
 * Dynamic batching inside a model Worker, as Triton's dynamic batcher does it: requests already validated
 * into feeds wait in a queue; one batch runs at a time (run() blocks the Worker, so requests arriving
 * meanwhile pile up), and each batch takes the queue's head plus every later request with the same
 * per-record shapes and dtypes, up to maxBatchSize records, concatenated along dim 0. Outputs are split
 * back by record offsets. With maxQueueDelayMs 0 a request that finds the session idle runs at once.
 *
 * With a merge budget, requests keep merging past maxBatchSize while the merged run is expected to take
 * less than the budget, judged by the time per record of the runs so far: a run has a fixed cost (tens of
 * microseconds in onnxruntime-node) that dominates a cheap model's run even at hundreds of records, so
 * merging queued multi-record requests removes most of it, while for a model whose cost grows with its
 * records the estimate stops the merge early and latency stays as it was.
 */
import { concatFeeds, type Feeds, type Results, splitResults } from './tensors'

export type RunFn = (feeds: Feeds, records: number) => Promise<Results>

/**
 * One request's share of a run, with the run's duration and size for the metrics. `runRows` is the run's
 * record count on the first request of the run and 0 on the others, so a run is counted once.
 */
export interface Ran {
  results: Results
  runMs: number
  runRows: number
}

/** A single run, timed, for the path without batching. */
export async function timedRun(run: RunFn, feeds: Feeds, records: number): Promise<Ran> {
  const t0 = performance.now()
  const results = await run(feeds, records)
  return { results, runMs: performance.now() - t0, runRows: records }
}

export interface BatcherOptions {
  /** Largest merged batch, in records; a request holding more runs alone. */
  maxBatchSize: number
  /** How long the oldest request may wait for company when the session is idle; 0 never waits. */
  maxQueueDelayMs: number
  /** Merge past maxBatchSize while the estimated run time stays below this (0: never). */
  mergeBudgetMs?: number
  run: RunFn
}

/** Most records one merged run takes, budget or not. */
const MERGE_CAP = 16384

interface Job {
  feeds: Feeds
  records: number
  key: string
  enqueuedAt: number
  resolve: (r: Ran) => void
  reject: (e: unknown) => void
}

export interface BatcherStats {
  runs: number
  requests: number
  /** Batches whose run failed and were retried request by request. */
  retried: number
}

export class Batcher {
  private queue: Job[] = []
  private running = false
  private scheduled = false
  private timer: Timer | null = null
  /** Milliseconds per record of recent runs (a moving average); 0 until the first run. */
  private msPerRecord = 0
  readonly stats: BatcherStats = { runs: 0, requests: 0, retried: 0 }

  constructor(private readonly o: BatcherOptions) {}

  /** Requests queued for a later batch (not in the one running). */
  get waiting(): number {
    return this.queue.length
  }

  /** Resolves with this request's own slice of the outputs (dim 0 = its records). */
  submit(feeds: Feeds, records: number): Promise<Ran> {
    return new Promise<Ran>((resolve, reject) => {
      this.queue.push({ feeds, records, key: shapeKey(feeds, records), enqueuedAt: performance.now(), resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    if (this.running || this.scheduled || !this.queue.length) return
    const queuedRecords = this.queue.reduce((n, j) => n + j.records, 0)
    const wait = this.o.maxQueueDelayMs - (performance.now() - this.queue[0].enqueuedAt)
    if (wait > 0 && queuedRecords < this.o.maxBatchSize) {
      if (!this.timer)
        this.timer = setTimeout(() => {
          this.timer = null
          this.kick()
        }, wait)
      return
    }
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    // setImmediate, not a direct call: messages that arrived while the last run blocked the thread are
    // decoded and queued first, so they join this batch.
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      void this.flush()
    })
  }

  private async flush(): Promise<void> {
    const batch = this.take()
    if (!batch.length) return
    this.running = true
    try {
      await this.execute(batch)
    } finally {
      this.running = false
      this.kick()
    }
  }

  /** The head of the queue plus every later job that can share its run, in arrival order. */
  private take(): Job[] {
    const head = this.queue[0]
    if (!head) return []
    const batch: Job[] = [head]
    let records = head.records
    const rest: Job[] = []
    const limit = this.mergeLimit()
    for (let i = 1; i < this.queue.length; i++) {
      const j = this.queue[i]
      if (j.key === head.key && records + j.records <= limit) {
        batch.push(j)
        records += j.records
      } else rest.push(j)
    }
    this.queue = rest
    return batch
  }

  /** Records a merged run may hold: maxBatchSize, or more while the budget allows. */
  private mergeLimit(): number {
    const budget = this.o.mergeBudgetMs ?? 0
    if (budget <= 0 || this.msPerRecord <= 0) return this.o.maxBatchSize
    return Math.max(this.o.maxBatchSize, Math.min(MERGE_CAP, Math.floor(budget / this.msPerRecord)))
  }

  /** Feeds the merge estimate with one run's duration and size. */
  private learn(runMs: number, records: number): void {
    const perRecord = runMs / records
    this.msPerRecord = this.msPerRecord > 0 ? 0.8 * this.msPerRecord + 0.2 * perRecord : perRecord
  }

  private async execute(batch: Job[]): Promise<void> {
    this.stats.runs++
    this.stats.requests += batch.length
    if (batch.length === 1) {
      const [job] = batch
      return timedRun(this.o.run, job.feeds, job.records).then((r) => {
        this.learn(r.runMs, job.records)
        job.resolve(r)
      }, job.reject)
    }
    const total = batch.reduce((n, j) => n + j.records, 0)
    let parts: Results[]
    const t0 = performance.now()
    let runMs: number
    try {
      const results = await this.o.run(concatFeeds(batch.map((j) => j.feeds)), total)
      runMs = performance.now() - t0
      this.learn(runMs, total)
      parts = splitResults(
        results,
        batch.map((j) => j.records),
      )
    } catch {
      // One request can make a whole batch fail (a value a Reshape or lookup refuses), or the model may
      // not keep records apart on dim 0: each request runs alone, so only the culprit gets the error.
      this.stats.retried++
      for (const job of batch) await timedRun(this.o.run, job.feeds, job.records).then(job.resolve, job.reject)
      return
    }
    batch.forEach((job, i) => {
      job.resolve({ results: parts[i], runMs, runRows: i === 0 ? total : 0 })
    })
  }
}

/** Requests merge only when every input has the same dtype and per-record dims. */
export function shapeKey(feeds: Feeds, records: number): string {
  let key = ''
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name]
    if (t.dims[0] !== records) return `unbatchable:${Math.random()}`
    key += `${name}:${t.type}[${t.dims.slice(1).join(',')}];`
  }
  return key
}
