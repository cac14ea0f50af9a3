/**
 * byoc's metric set, served as GET /metrics for SageMaker's detailed observability (and any Prometheus).
 * Everything is recorded on the HTTP thread: the Workers' share of each request (decode, run, encode)
 * arrives on its answer frame (model/wire.ts), and the run sizes and Worker restarts through the pool's
 * observer, so no message is sent for the metrics themselves. Current state (in flight, queued, Workers
 * ready, process_*) is read at scrape time.
 *
 * Labels stay few: `route` and `code` on HTTP requests, `kind` on errors, `reason` on restarts. Metrics
 * about a model take a `model` label only when several models are served (`modelLabel`), so one series
 * per model, never per request.
 */
import { ERROR_KINDS, type ErrorKind } from '../errors'
import { registerProcessMetrics } from '../metrics/process'
import { type Buckets, type GaugeFamily, type HistogramFamily, Registry, type Value } from '../metrics/registry'
import type { PoolObserver } from '../model/pool'
import type { Timing } from '../model/protocol'

/** The route label: SageMaker's fixed paths, and `other` for anything else (a 404), so it stays bounded. */
export type Route =
  | '/ping'
  | '/invocations'
  | '/execution-parameters'
  | '/metrics'
  /** Multi-model endpoints: every /models management call, and every /models/<name>/invoke. */
  | '/models'
  | '/models/invoke'
  | 'other'

/** End-to-end request time, in seconds: sub-millisecond answers up to SageMaker's 60 s default limit. */
const LATENCY = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** One stage of a request, in seconds: a small decode takes tens of microseconds. */
const STAGE = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60,
]
/** Records per model run: powers of two up to the largest batches, then bulk requests. */
const ROWS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536]

/** The current state the gauges show, read at scrape time. */
export interface Gauges {
  /** /invocations requests between arrival and answer. */
  inFlight: number
  /** Requests the Worker pool holds (waiting or running), and their body bytes. */
  queued: number
  queuedBytes: number
  workersReady: number
}

export interface BuildInfo {
  version: string
  onnxruntime: string
  /** What model/device-start.ts decided and what ran (provider null until the model has loaded). */
  device: () => { provider: string | null; cudaMajor: number | null; driver: string | null }
}

/** The series of one model (the only one, unless several are served). */
export class ModelSeries implements PoolObserver {
  private readonly errors = new Map<ErrorKind, Value>()
  private readonly queue: Buckets
  private readonly decode: Buckets
  private readonly run: Buckets
  private readonly encode: Buckets
  private readonly rows: Buckets
  private readonly load: Value
  private readonly restarts: Record<'timeout' | 'crash', Value>

  constructor(m: ServeMetrics, labels: string[]) {
    const h = m.histograms
    this.queue = h.queue.labels(...labels)
    this.decode = h.decode.labels(...labels)
    this.run = h.run.labels(...labels)
    this.encode = h.encode.labels(...labels)
    this.rows = h.rows.labels(...labels)
    this.load = m.modelLoad.labels(...labels)
    // Created up front at 0, so rate() and increase() see the first one.
    for (const kind of ERROR_KINDS) this.errors.set(kind, m.errors.labels(...labels, kind))
    this.restarts = { timeout: m.restarts.labels(...labels, 'timeout'), crash: m.restarts.labels(...labels, 'crash') }
  }

  /** A successful invocation's split. */
  served(t: Timing): void {
    this.queue.observe(t.queueMs / 1000)
    this.decode.observe(t.decodeMs / 1000)
    this.run.observe(t.runMs / 1000)
    this.encode.observe(t.encodeMs / 1000)
  }

  failed(kind: ErrorKind): void {
    this.errors.get(kind)?.inc()
  }

  ran(rows: number): void {
    this.rows.observe(rows)
  }

  restarted(reason: 'timeout' | 'crash'): void {
    this.restarts[reason].inc()
  }

  loaded(seconds: number): void {
    this.load.set(seconds)
  }
}

export class ServeMetrics {
  readonly registry = new Registry()
  /** Bytes of request bodies read and not yet answered (kept here: only the metrics need it). */
  bytesInFlight = 0
  private readonly requests
  private readonly duration: HistogramFamily
  private readonly bytesIn
  private readonly bytesOut
  readonly errors
  readonly restarts
  readonly modelLoad: GaugeFamily
  readonly histograms: Record<'queue' | 'decode' | 'run' | 'encode' | 'rows', HistogramFamily>
  private readonly byRoute = new Map<Route, { codes: Map<number, Value>; duration: Buckets; in: Value; out: Value }>()
  private readonly models = new Map<string, ModelSeries>()

  constructor(
    build: BuildInfo,
    gauges: () => Gauges,
    /** True when several models are served: model metrics then carry a `model` label. */
    readonly modelLabel = false,
  ) {
    const r = this.registry
    const model = modelLabel ? ['model'] : []
    this.requests = r.counter('byoc_requests_total', 'HTTP requests answered, by route and status code.', [
      'route',
      'code',
    ])
    this.duration = r.histogram(
      'byoc_request_duration_seconds',
      'Time from request arrival to the response, body upload included, by route.',
      LATENCY,
      ['route'],
    )
    this.bytesIn = r.counter('byoc_request_body_bytes_total', 'Request body bytes read, by route.', ['route'])
    this.bytesOut = r.counter('byoc_response_body_bytes_total', 'Response body bytes sent, by route.', ['route'])
    const stage = (name: string, help: string) => r.histogram(name, help, STAGE, model)
    this.histograms = {
      queue: stage(
        'byoc_queue_duration_seconds',
        'Time an invocation waited: for a model Worker, in its queue and in the dynamic batcher, and in transit.',
      ),
      decode: stage(
        'byoc_decode_duration_seconds',
        'Time decoding an invocation body and checking it against the model inputs.',
      ),
      run: stage('byoc_run_duration_seconds', 'Time of the model run (ONNX Runtime) an invocation took part in.'),
      encode: stage('byoc_encode_duration_seconds', 'Time selecting the outputs and encoding the response body.'),
      rows: r.histogram(
        'byoc_model_run_rows',
        'Records per model run; _count is the number of runs and _sum the records run, so _sum/_count is the mean batch.',
        ROWS,
        model,
      ),
    }
    this.errors = r.counter('byoc_request_errors_total', 'Invocations answered with an error, by kind of error.', [
      ...model,
      'kind',
    ])
    const inFlight = r.gauge('byoc_requests_in_flight', 'Invocations received and not yet answered.').labels()
    const bytesInFlight = r.gauge(
      'byoc_request_bytes_in_flight',
      'Body bytes of the invocations received and not yet answered.',
    )
    const queued = r.gauge('byoc_requests_queued', 'Invocations held by the model Workers (waiting or running).')
    const queuedBytes = r.gauge('byoc_request_bytes_queued', 'Body bytes of the invocations held by the model Workers.')
    const ready = r.gauge('byoc_workers_ready', 'Model Workers loaded and taking requests.')
    this.restarts = r.counter(
      'byoc_worker_restarts_total',
      'Model Workers replaced, by reason: timeout (stuck in a run) or crash.',
      [...model, 'reason'],
    )
    this.modelLoad = r.gauge(
      'byoc_model_load_seconds',
      'Time to load the model: extract, find, create the session and warm it up.',
      model,
    )
    const info = r.gauge(
      'byoc_build_info',
      'Always 1: byoc and ONNX Runtime versions, the execution provider, the CUDA major of the image and the host NVIDIA driver.',
      ['version', 'onnxruntime', 'provider', 'cuda_major', 'driver'],
    )
    r.onCollect(() => {
      const g = gauges()
      inFlight.set(g.inFlight)
      bytesInFlight.labels().set(this.bytesInFlight)
      queued.labels().set(g.queued)
      queuedBytes.labels().set(g.queuedBytes)
      ready.labels().set(g.workersReady)
      info.clear()
      const d = build.device()
      info
        .labels(build.version, build.onnxruntime, d.provider ?? 'none', String(d.cudaMajor ?? ''), d.driver ?? '')
        .set(1)
    })
    registerProcessMetrics(r)
  }

  /** The series of one model; `name` is required (and used) only with modelLabel. */
  model(name = ''): ModelSeries {
    let s = this.models.get(name)
    if (!s) {
      s = new ModelSeries(this, this.modelLabel ? [name] : [])
      this.models.set(name, s)
    }
    return s
  }

  /** One answered HTTP request. */
  request(route: Route, status: number, ms: number, bytesIn: number, bytesOut: number): void {
    let r = this.byRoute.get(route)
    if (!r) {
      r = {
        codes: new Map(),
        duration: this.duration.labels(route),
        in: this.bytesIn.labels(route),
        out: this.bytesOut.labels(route),
      }
      this.byRoute.set(route, r)
    }
    let c = r.codes.get(status)
    if (!c) {
      c = this.requests.labels(route, String(status))
      r.codes.set(status, c)
    }
    c.inc()
    r.duration.observe(ms / 1000)
    if (bytesIn) r.in.inc(bytesIn)
    if (bytesOut) r.out.inc(bytesOut)
  }

  expose(): string {
    return this.registry.expose()
  }
}
