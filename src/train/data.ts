/** Loading a channel's CSV sources into one table, and the layouts the algorithms want. */
import { type Table, TableBuilder } from './csv-table'
import { type Channel, channelSources } from './inputs'
import type { StopSignal } from './stop'
import { TrainError } from './train-errors'

export async function loadChannel(
  inputDir: string,
  channel: Channel,
  features: number | null,
  stop: StopSignal,
  log: (line: string) => void,
): Promise<Table> {
  const started = performance.now()
  const sources = await stop.race(channelSources(inputDir, channel))
  const builder = new TableBuilder(features, (name, line) =>
    log(`${name}: first line "${line}" is not numeric; skipped it as a header`),
  )
  for (const source of sources) {
    const bytes = await stop.race(source.read())
    builder.add(bytes, source.name)
    await stop.pause()
  }
  const table = builder.finish()
  const names = sources.map((s) => s.name)
  const list = `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … (${names.length} files)` : ''}`
  if (table.rows === 0) throw new TrainError(`channel ${channel.name} has no data rows (read ${list})`)
  const seconds = ((performance.now() - started) / 1000).toFixed(2)
  log(
    `channel ${channel.name}: ${table.rows} rows × ${table.features} features from ${list} (${channel.mode} mode) in ${seconds} s`,
  )
  return table
}

/** Column-major copy of a table's features (CART scans one feature at a time). */
export function columns(t: Table): Float32Array[] {
  const F = t.features
  return Array.from({ length: F }, (_, f) => {
    const col = new Float32Array(t.rows)
    for (let r = 0; r < t.rows; r++) col[r] = t.x[r * F + f]
    return col
  })
}
