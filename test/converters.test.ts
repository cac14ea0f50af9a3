/**
 * The converter corpus (test/fixtures/converters: skl2onnx, onnxmltools, torch.onnx.export models with the
 * answers scikit-learn, XGBoost and torch gave) served by the compiled binary, one server per model, all
 * started at once. Each case is sent the way a user would send it, in every format that fits the model:
 * CSV without and with a header, JSON `instances` and `inputs`, JSON lines, npy; answers are read as CSV,
 * JSON, JSON lines and npy. Labels must be equal, numbers within the manifest's tolerance.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { npyBytes, parseNpy } from './helpers/npy'
import { mlRoot, type Running, startServer, waitForPing } from './helpers/server'

const DIR = join(import.meta.dir, 'fixtures/converters')

interface Value {
  name: string
  type: string
  dtype?: string
  shape?: Array<number | string | null>
}
interface Case {
  records: unknown[]
  named_records?: Record<string, unknown>[]
  inputs: Record<string, unknown[]>
  expected: Record<string, { values: unknown[]; classes?: Array<string | number> }>
}
interface Model {
  name: string
  file: string
  inputs: Value[]
  outputs: Value[]
  tolerance: { abs: number; rel: number }
  cases: Case[]
}

const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { models: Model[] }
const models = manifest.models
const servers = new Map<string, Running>()

const isMap = (o: Value) => o.type.startsWith('seq(map(')
const width = (v: Value) =>
  (v.shape ?? []).slice(1).reduce<number | null>((n, d) => (n === null || typeof d !== 'number' ? null : n * d), 1)
const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v])

beforeAll(async () => {
  // StringNormalizer (the text pipeline) needs en_US.UTF-8: the system's, or the copy the build puts
  // beside the binary (dist/locale), which byoc uses when the system has none. No LOCPATH is set here.
  const started = await Promise.all(
    models.map(async (m) => {
      const root = mlRoot({ 'model.onnx': readFileSync(join(DIR, m.file)) })
      const env: Record<string, string> = { MODEL_SERVER_WORKERS: '1' }
      const server = await startServer(root, env, { waitReady: false })
      return [m.name, server] as const
    }),
  )
  for (const [name, server] of started) servers.set(name, server)
  await Promise.all(started.map(([, s]) => waitForPing(s, 200, 60_000)))
}, 90_000)

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()))
})

// ---- request bodies -------------------------------------------------------------------------------

const csvCell = (v: unknown) => {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}
const csvLines = (rows: unknown[][]) => rows.map((r) => `${r.map(csvCell).join(',')}\n`).join('')

/** A header a user's DataFrame would carry: the input names, or feature names for a matrix input. */
function header(m: Model): string[] {
  return m.inputs.flatMap((i) => {
    const w = width(i) as number
    return w === 1 && (m.inputs.length > 1 || i.dtype === 'string')
      ? [i.name]
      : Array.from({ length: w }, (_, k) => `${i.name}_${k}`)
  })
}

interface Body {
  format: string
  contentType: string
  body: string | Uint8Array
}

function bodies(m: Model, c: Case): Body[] {
  const multi = m.inputs.length > 1
  const out: Body[] = []
  const fixed = m.inputs.every((i) => width(i) !== null)
  const rows = c.records.map((r) => flat(r))
  if (fixed) {
    out.push({ format: 'csv', contentType: 'text/csv', body: csvLines(rows) })
    out.push({ format: 'csv with header', contentType: 'text/csv', body: csvLines([header(m), ...rows]) })
    if (!multi && m.inputs[0].dtype === 'string')
      // A text file as batch transform splits it: one document per line, commas unquoted.
      out.push({ format: 'text lines', contentType: 'text/csv', body: rows.map((r) => `${r[0]}\n`).join('') })
  }
  const records = multi ? (c.named_records as unknown[]) : c.records
  out.push({ format: 'json instances', contentType: 'application/json', body: JSON.stringify({ instances: records }) })
  if (multi && fixed)
    out.push({
      format: 'json instances, flat rows',
      contentType: 'application/json',
      body: JSON.stringify({ instances: rows }),
    })
  out.push({ format: 'json inputs', contentType: 'application/json', body: JSON.stringify({ inputs: c.inputs }) })
  out.push({
    format: 'json lines',
    contentType: 'application/jsonlines',
    body: records.map((r) => `${JSON.stringify(r)}\n`).join(''),
  })
  if (!multi && m.inputs[0].dtype === 'float32') {
    const tensor = c.inputs[m.inputs[0].name]
    const shape = shapeOf(tensor)
    const data = Float32Array.from(flat(tensor) as (number | null)[], (v) => (v === null ? Number.NaN : v))
    out.push({ format: 'npy', contentType: 'application/x-npy', body: npyBytes('<f4', shape, data.buffer) })
  }
  return out
}

function shapeOf(v: unknown): number[] {
  const dims: number[] = []
  for (let x = v; Array.isArray(x); x = x[0]) dims.push(x.length)
  return dims
}

// ---- checking answers -----------------------------------------------------------------------------

function near(m: Model, got: unknown, want: unknown, where: string) {
  if (typeof want === 'number') {
    const g = got === null ? Number.NaN : Number(got)
    const ok = Math.abs(g - want) <= m.tolerance.abs + m.tolerance.rel * Math.abs(want)
    if (!ok) throw new Error(`${where}: got ${got}, expected ${want}`)
  } else if (String(got) !== String(want)) throw new Error(`${where}: got ${JSON.stringify(got)}, expected ${want}`)
}

/** The label-like outputs (strings, int64) must be exact; a number in a label output is compared exactly too. */
function exact(m: Model, output: string) {
  const o = m.outputs.find((x) => x.name === output)
  return o?.dtype === 'string' || o?.dtype === 'int64'
}

function checkJsonRecord(m: Model, c: Case, r: number, got: unknown, where: string) {
  const names = m.outputs.map((o) => o.name)
  const values: Record<string, unknown> = names.length === 1 ? { [names[0]]: got } : (got as Record<string, unknown>)
  expect(Object.keys(values)).toEqual(names)
  for (const o of m.outputs) {
    const want = c.expected[o.name].values[r]
    const v = values[o.name]
    if (isMap(o)) {
      const classes = (c.expected[o.name].classes ?? []).map(String)
      const map = v as Record<string, number>
      expect(Object.keys(map)).toEqual(classes)
      for (const [i, k] of classes.entries()) near(m, map[k], (want as number[])[i], `${where} ${o.name}[${k}]`)
    } else if (exact(m, o.name)) {
      expect(String(v)).toBe(String(want))
    } else {
      const w = flat(want)
      const g = flat(v)
      expect(g.length).toBe(w.length)
      for (const [i, x] of w.entries()) near(m, g[i], x, `${where} ${o.name}[${i}]`)
    }
  }
}

function checkCsvLine(m: Model, c: Case, r: number, line: string, where: string) {
  const fields = parseCsvLine(line)
  const want: Array<{ v: unknown; exact: boolean }> = []
  for (const o of m.outputs)
    for (const v of flat(c.expected[o.name].values[r])) want.push({ v, exact: exact(m, o.name) })
  expect(fields.length).toBe(want.length)
  for (const [i, w] of want.entries()) {
    if (w.exact) expect(fields[i]).toBe(String(w.v))
    else near(m, Number(fields[i]), w.v, `${where} field ${i + 1}`)
  }
}

function parseCsvLine(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out
}

async function post(m: Model, b: Body, accept: string) {
  const res = await fetch(`${servers.get(m.name)!.url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': b.contentType, accept },
    body: b.body,
  })
  const bytes = new Uint8Array(await res.arrayBuffer())
  if (res.status !== 200)
    throw new Error(`${m.name}, ${b.format} → ${accept}: ${res.status} ${new TextDecoder().decode(bytes)}`)
  expect(res.headers.get('content-type')).toBe(accept)
  return bytes
}

/** What npy carries: the numeric outputs (a string label beside them is left out). */
const numericOutputs = (m: Model) =>
  m.outputs.filter((o) => isMap(o) || (o.dtype !== undefined && o.dtype !== 'string'))

for (const m of models) {
  describe(m.name, () => {
    m.cases.forEach((c, k) => {
      for (const b of bodies(m, c)) {
        const label = `case ${k + 1}: ${b.format}`
        test(`${label} → CSV`, async () => {
          const text = new TextDecoder().decode(await post(m, b, 'text/csv'))
          const lines = text.split('\n')
          expect(lines.pop()).toBe('')
          expect(lines.length).toBe(c.records.length)
          for (const [r, line] of lines.entries()) checkCsvLine(m, c, r, line, `${label} record ${r + 1}`)
        })
        test(`${label} → JSON`, async () => {
          const json = JSON.parse(new TextDecoder().decode(await post(m, b, 'application/json')))
          expect(json.predictions.length).toBe(c.records.length)
          for (const [r, p] of (json.predictions as unknown[]).entries())
            checkJsonRecord(m, c, r, p, `${label} record ${r + 1}`)
        })
      }
      const [first] = bodies(m, c)
      test(`case ${k + 1}: ${first.format} → JSON lines`, async () => {
        const lines = new TextDecoder().decode(await post(m, first, 'application/jsonlines')).split('\n')
        expect(lines.pop()).toBe('')
        expect(lines.length).toBe(c.records.length)
        for (const [r, line] of lines.entries())
          checkJsonRecord(m, c, r, JSON.parse(line), `json lines record ${r + 1}`)
      })
      if (numericOutputs(m).length > 0)
        test(`case ${k + 1}: ${first.format} → npy`, async () => {
          const npy = parseNpy(await post(m, first, 'application/x-npy'))
          expect(npy.shape[0]).toBe(c.records.length)
          const per = npy.values.length / c.records.length
          for (let r = 0; r < c.records.length; r++) {
            const want = numericOutputs(m).flatMap((o) => flat(c.expected[o.name].values[r]))
            expect(want.length).toBe(per)
            for (const [i, w] of want.entries())
              near(m, Number(npy.values[r * per + i]), w, `npy record ${r + 1} value ${i + 1}`)
          }
        })
    })
  })
}
