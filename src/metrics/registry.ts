/**
 * A small Prometheus registry and its text exposition (format 0.0.4). prom-client works in a compiled Bun
 * binary, but each labelled observe hashes a label object, and its import adds to the cold start; byoc
 * records several histograms per request, so recording here is a bucket search and an add on a series
 * the caller holds. Values are read, and callbacks run, only at scrape time.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram'

/** One labelled series of a counter or gauge. */
export class Value {
  value = 0
  inc(n = 1): void {
    this.value += n
  }
  set(n: number): void {
    this.value = n
  }
}

/** One labelled histogram series: per-bucket (not cumulative) counts, made cumulative when exposed. */
export class Buckets {
  readonly counts: Float64Array
  sum = 0
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1)
  }
  observe(v: number): void {
    const b = this.bounds
    let i = 0
    while (i < b.length && v > b[i]) i++
    this.counts[i]++
    this.sum += v
  }
}

abstract class Family<C> {
  private readonly children = new Map<string, { values: readonly string[]; child: C }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`)
    for (const l of labelNames) if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l)) throw new Error(`bad label name ${l}`)
  }
  protected abstract make(): C

  /** The series for these label values (in labelNames order), created on first use; hold it on hot paths. */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length)
      throw new Error(`${this.name} takes labels ${this.labelNames.join(', ')}; got ${values.length} values`)
    const key = values.join('\u0000')
    let entry = this.children.get(key)
    if (!entry) {
      entry = { values, child: this.make() }
      this.children.set(key, entry)
    }
    return entry.child
  }

  /** Drops every series (for an info gauge whose label values change). */
  clear(): void {
    this.children.clear()
  }

  series(): Iterable<{ values: readonly string[]; child: C }> {
    return this.children.values()
  }
}

export class CounterFamily extends Family<Value> {
  protected make() {
    return new Value()
  }
}

export class GaugeFamily extends Family<Value> {
  protected make() {
    return new Value()
  }
}

export class HistogramFamily extends Family<Buckets> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, 'histogram', labelNames)
    for (let i = 1; i < bounds.length; i++)
      if (!(bounds[i] > bounds[i - 1])) throw new Error(`${name}: bucket bounds must increase`)
  }
  protected make() {
    return new Buckets(this.bounds)
  }
}

type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily

export class Registry {
  private readonly families: AnyFamily[] = []
  private readonly collectors: Array<() => void> = []

  counter(name: string, help: string, labelNames: readonly string[] = []): CounterFamily {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`)
    return this.add(new CounterFamily(name, help, 'counter', labelNames))
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): GaugeFamily {
    return this.add(new GaugeFamily(name, help, 'gauge', labelNames))
  }

  histogram(name: string, help: string, bounds: readonly number[], labelNames: readonly string[] = []) {
    return this.add(new HistogramFamily(name, help, labelNames, bounds))
  }

  /** Runs before every exposition: for values read from elsewhere (gauges of current state, /proc). */
  onCollect(f: () => void): void {
    this.collectors.push(f)
  }

  private add<F extends AnyFamily>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) throw new Error(`metric ${family.name} registered twice`)
    this.families.push(family)
    return family
  }

  /** The text exposition format 0.0.4, one HELP and TYPE per family, series in creation order. */
  expose(): string {
    for (const f of this.collectors) f()
    const out: string[] = []
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`)
      if (f instanceof HistogramFamily) {
        for (const { values, child } of f.series()) {
          let cumulative = 0
          for (let i = 0; i <= f.bounds.length; i++) {
            cumulative += child.counts[i]
            const le = i < f.bounds.length ? formatNumber(f.bounds[i]) : '+Inf'
            out.push(`${f.name}_bucket${labelText(f.labelNames, values, le)} ${formatNumber(cumulative)}`)
          }
          const labels = labelText(f.labelNames, values)
          out.push(`${f.name}_sum${labels} ${formatNumber(child.sum)}`, `${f.name}_count${labels} ${cumulative}`)
        }
      } else {
        for (const { values, child } of f.series())
          out.push(`${f.name}${labelText(f.labelNames, values)} ${formatNumber(child.value)}`)
      }
    }
    return `${out.join('\n')}\n`
  }
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

function labelText(names: readonly string[], values: readonly string[], le?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i])}"`)
  if (le !== undefined) parts.push(`le="${le}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')

/** Go's ParseFloat forms, which the Prometheus parser uses: JS number text plus +Inf, -Inf, NaN. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(n)
}
