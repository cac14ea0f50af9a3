/**
 * The SageMaker training inputs: the three config files under input/config and the channels under
 * input/data. File (and FastFile) mode channels are folders whose every file, at any depth, is data (gzip
 * detected by its magic bytes); Pipe mode channels are FIFOs `<channel>_<epoch>`, of which we read epoch 0.
 */
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { TrainError } from './train-errors'

export type InputMode = 'File' | 'FastFile' | 'Pipe'
export interface Channel {
  name: string
  mode: InputMode
  contentType: string | null
}
export interface InputConfig {
  hyperparameters: unknown
  channels: Map<string, Channel>
  resource: { currentHost: string; hosts: string[] }
}

const CSV_TYPES = new Set(['text/csv', 'csv', 'application/csv', 'text/plain'])

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new TrainError(`cannot read ${path}: ${(e as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new TrainError(`${path} is not valid JSON: ${(e as Error).message}`)
  }
}

/** Reads input/config; without inputdataconfig.json (local runs) every folder under input/data is a File channel. */
export async function readInputConfig(inputDir: string): Promise<InputConfig> {
  const configDir = join(inputDir, 'config')
  const hyperparameters = (await readJson(join(configDir, 'hyperparameters.json'))) ?? {}
  const dataConfig = await readJson(join(configDir, 'inputdataconfig.json'))
  const channels = new Map<string, Channel>()
  if (dataConfig === undefined) {
    const entries = await readdir(join(inputDir, 'data'), { withFileTypes: true }).catch(() => [])
    for (const e of entries)
      if (e.isDirectory()) channels.set(e.name, { name: e.name, mode: 'File', contentType: null })
  } else {
    if (dataConfig === null || typeof dataConfig !== 'object' || Array.isArray(dataConfig))
      throw new TrainError('inputdataconfig.json must hold a JSON object of channel name → settings')
    for (const [name, raw] of Object.entries(dataConfig as Record<string, Record<string, unknown>>)) {
      const mode = String(raw?.TrainingInputMode ?? 'File')
      if (mode !== 'File' && mode !== 'FastFile' && mode !== 'Pipe')
        throw new TrainError(`channel ${name}: TrainingInputMode "${mode}" must be File, FastFile or Pipe`)
      const type = typeof raw?.ContentType === 'string' ? raw.ContentType : null
      const base = type?.split(';')[0].trim().toLowerCase()
      // only the channels byoc reads must be CSV; the others are just logged as unused (train.ts)
      const read = name === 'training' || name === 'validation'
      if (read && base && !CSV_TYPES.has(base))
        throw new TrainError(`channel ${name}: ContentType "${type}" is not supported; byoc train reads text/csv`)
      channels.set(name, { name, mode, contentType: type })
    }
  }
  const rc = ((await readJson(join(configDir, 'resourceconfig.json'))) ?? {}) as Record<string, unknown>
  const currentHost = typeof rc.current_host === 'string' ? rc.current_host : 'algo-1'
  const hosts = Array.isArray(rc.hosts) ? rc.hosts.map(String) : [currentHost]
  return { hyperparameters, channels, resource: { currentHost, hosts } }
}

/** One data source of a channel: its name for messages and a way to get its (gunzipped) bytes. */
export interface Source {
  name: string
  read: () => Promise<Uint8Array>
}

function gunzipIfNeeded(buf: Uint8Array, name: string): Uint8Array {
  if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) return buf
  try {
    return gunzipSync(buf)
  } catch (e) {
    throw new TrainError(`${name} looks gzip-compressed but cannot be decompressed: ${(e as Error).message}`)
  }
}

async function readStream(path: string): Promise<Uint8Array> {
  const parts: Buffer[] = []
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      // hidden files and Spark/Hadoop markers (_SUCCESS, _committed_…) are not data
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue
      const p = join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile() || e.isSymbolicLink()) out.push(p)
    }
  }
  await walk(dir)
  return out
}

/** The sources of a channel, in a stable order; fails when the channel's data is not there. */
export async function channelSources(inputDir: string, channel: Channel, waitMs = 60_000): Promise<Source[]> {
  const dataDir = join(inputDir, 'data')
  if (channel.mode === 'Pipe') {
    const fifo = join(dataDir, `${channel.name}_0`)
    const deadline = Date.now() + waitMs
    while (!(await stat(fifo).catch(() => null))) {
      if (Date.now() > deadline)
        throw new TrainError(
          `channel ${channel.name} is in Pipe mode but ${fifo} did not appear within ${waitMs / 1000} s`,
        )
      await Bun.sleep(100)
    }
    return [
      { name: `${channel.name}_0`, read: async () => gunzipIfNeeded(await readStream(fifo), `${channel.name}_0`) },
    ]
  }
  const dir = join(dataDir, channel.name)
  const st = await stat(dir).catch(() => null)
  if (!st?.isDirectory()) throw new TrainError(`channel ${channel.name}: folder ${dir} does not exist`)
  const files = await listFiles(dir)
  if (!files.length) throw new TrainError(`channel ${channel.name}: no files under ${dir}`)
  return files.map((p) => {
    const name = p.slice(dataDir.length + 1)
    return { name, read: async () => gunzipIfNeeded(new Uint8Array(await readFile(p)), name) }
  })
}
