/**
 * Safe extraction of a `model.tar.gz` that a user running locally left in the model dir (SageMaker extracts
 * it itself before start, so in production this usually finds nothing).
 *
 * Why validate-then-extract rather than extract-to-temp-and-move: a temp dir does not stop a symlink in the
 * archive from sending a later entry outside the temp dir, so every entry has to be checked anyway. So we
 * read the archive twice: pass 1 only lists (writes nothing) and checks every entry and the size/count
 * bounds; pass 2 extracts with node-tar (whose own guards stay on: no absolute paths, no `..`, no writing
 * through symlinks) and writes only entries identical to the ones pass 1 approved. A hostile archive thus
 * fails before a single byte lands on disk. The archive stays in place: SageMaker may restart the
 * container, and extracting again simply overwrites.
 */
import { closeSync, createReadStream, existsSync, lstatSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { createGunzip } from 'node:zlib'
import { Parser, type ReadEntry, Unpack } from 'tar'
import { ARCHIVE_NAMES } from './archive-names'

export interface ExtractOptions {
  /** Bound on the total uncompressed size of the files, default 4 GiB. */
  maxBytes?: number
  /** Bound on the number of entries, default 100,000. */
  maxEntries?: number
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile'])
const ALLOWED_TYPES = new Set([...FILE_TYPES, 'Directory', 'SymbolicLink', 'Link'])
interface EntryInfo {
  path: string
  type: string
  linkpath: string
  size: number
}

const infoOf = (e: ReadEntry): EntryInfo => ({
  path: String(e.path),
  type: String(e.type),
  linkpath: String(e.linkpath ?? ''),
  size: Number(e.size ?? 0),
})
const sameEntry = (a: EntryInfo, b: EntryInfo) =>
  a.path === b.path && a.type === b.type && a.linkpath === b.linkpath && a.size === b.size

/**
 * Walks `target` from directory `start` one component at a time, without normalizing first (so "x/.."
 * really visits x). Returns why it is unsafe, or null: it may not leave the model dir, and may not pass
 * through a symbolic link (node-tar refuses that too, and it is how a later link redirects an earlier one).
 */
function unsafeTarget(start: string[], target: string, isLink: (rel: string) => boolean): string | null {
  if (target.startsWith('/')) return 'outside the model directory'
  const stack = [...start]
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (!stack.length) return 'outside the model directory'
      stack.pop()
      continue
    }
    stack.push(part)
    const rel = stack.join('/')
    if (isLink(rel)) return `which goes through the symbolic link "${rel}"`
  }
  return null
}

/** Checks entries one by one (pass 1); throws an Error naming the first bad entry. */
class EntryChecker {
  readonly approved: EntryInfo[] = []
  readonly files: string[] = []
  private bytes = 0
  /** Latest type of each path the archive defines; and every path that was ever a symlink. */
  private readonly types = new Map<string, string>()
  private readonly everLinks = new Set<string>()
  private readonly links: { path: string; dir: string[]; target: string; hard: boolean }[] = []

  constructor(
    private readonly dir: string,
    private readonly archive: string,
    private readonly maxBytes: number,
    private readonly maxEntries: number,
  ) {}

  private fail(path: string, why: string): never {
    throw new Error(`${this.archive} entry "${path}" ${why}`)
  }

  /** A symlink already on disk counts too, unless the archive redefines that path. */
  private onDiskLink(rel: string): boolean {
    if (this.types.has(rel)) return false
    try {
      return lstatSync(join(this.dir, rel)).isSymbolicLink()
    } catch {
      return false
    }
  }

  check(info: EntryInfo): void {
    const { path, type } = info
    if (this.approved.length >= this.maxEntries)
      throw new Error(`${this.archive} holds more than ${this.maxEntries} entries (the limit)`)
    if (!ALLOWED_TYPES.has(type)) this.fail(path, `is a ${type}; only files, directories and links are allowed`)
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) this.fail(path, 'escapes the model directory (absolute path)')
    const parts = path.split('/').filter((p) => p !== '' && p !== '.')
    // Any `..` is refused, even one that would stay inside: node-tar skips such entries silently anyway.
    if (parts.includes('..')) this.fail(path, 'escapes the model directory (".." in the path)')
    if (!parts.length) {
      if (type === 'Directory') return void this.approved.push(info)
      this.fail(path, 'has an empty path')
    }
    const rel = parts.join('/')
    if (rel === this.archive) this.fail(path, 'would overwrite the archive itself')
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/')
      if (this.types.get(prefix) === 'SymbolicLink' || this.onDiskLink(prefix))
        this.fail(path, `lies inside the symbolic link "${prefix}"`)
    }
    if (FILE_TYPES.has(type)) {
      this.bytes += info.size
      if (this.bytes > this.maxBytes)
        throw new Error(`${this.archive} unpacks to more than ${this.maxBytes} bytes (the limit), at entry "${path}"`)
    }
    if (type === 'SymbolicLink' || type === 'Link') {
      const hard = type === 'Link'
      // Symlink targets are relative to the link's folder, hard-link targets to the archive root.
      const link = { path, dir: hard ? [] : parts.slice(0, -1), target: info.linkpath, hard }
      if (!link.target || (hard && link.target.split('/').includes('..')))
        this.fail(path, `is a ${hard ? 'hard' : 'symbolic'} link to "${link.target}", outside the model directory`)
      this.checkLink(link)
      this.links.push(link)
    }
    this.types.set(rel, type)
    if (type === 'SymbolicLink') this.everLinks.add(rel)
    this.approved.push(info)
    if (type !== 'Directory') this.files.push(rel)
  }

  private checkLink(link: { path: string; dir: string[]; target: string; hard: boolean }): void {
    const why = unsafeTarget(link.dir, link.target, (rel) => this.everLinks.has(rel) || this.onDiskLink(rel))
    if (why) this.fail(link.path, `is a ${link.hard ? 'hard' : 'symbolic'} link to "${link.target}", ${why}`)
  }

  /** Links judged again against the whole archive: a later symlink can change what an earlier target means. */
  finish(): void {
    for (const link of this.links) this.checkLink(link)
  }
}

/**
 * Feeds the archive's tar stream to `parser` (node-tar's Parser or Unpack), gunzipping it here. Reading
 * stops at the end-of-archive marker: node-tar would otherwise read, and buffer, whatever follows it
 * (GiBs of zeros in a hostile archive). The tar stream itself is bounded by `limit` bytes.
 */
function feed(file: string, parser: Parser, limit: number, fail: (e: Error) => void): void {
  const source = createReadStream(file)
  const magic = Buffer.alloc(2)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, magic, 0, 2, 0)
  } finally {
    closeSync(fd)
  }
  const gunzip = magic[0] === 0x1f && magic[1] === 0x8b ? createGunzip() : null
  const tar = gunzip ? source.pipe(gunzip) : source
  let seen = 0
  let done = false
  const finish = (error?: Error) => {
    if (done) return
    done = true
    source.destroy()
    gunzip?.destroy()
    if (error) fail(error)
    else queueMicrotask(() => parser.end())
  }
  parser.on('eof', () => finish())
  tar.on('data', (chunk: Buffer) => {
    if (done) return
    seen += chunk.length
    if (seen > limit) return finish(new Error(`${file} holds more than ${limit} bytes of tar stream (the limit)`))
    if (!parser.write(chunk)) {
      tar.pause()
      parser.once('drain', () => tar.resume())
    }
  })
  tar.on('end', () => finish())
  source.on('error', (e) => finish(e))
  gunzip?.on('error', (e) => finish(new Error(`${file} is not a readable gzip file: ${e.message}`)))
}

/** Pass 1: list the archive without writing, stopping at the first bad entry. */
function scan(file: string, checker: EntryChecker, limit: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        entry.resume()
        try {
          checker.check(infoOf(entry))
        } catch (err) {
          parser.abort(err as Error)
          reject(err)
        }
      },
    })
    parser.on('error', (err: Error) => reject(new Error(`${file} is not a readable tar archive: ${err.message}`)))
    parser.on('end', () => resolve())
    feed(file, parser, limit, reject)
  })
}

/**
 * Extracts `model.tar.gz` (or `model.tgz`, `model.tar`) found in `modelDir` into `modelDir`. Returns the
 * paths (relative to modelDir, archive order, directories left out) of what was written, or null when
 * there is no archive. Throws, having written nothing, when any entry is unsafe or a bound is exceeded.
 */
export async function extractModelArchive(modelDir: string, options: ExtractOptions = {}): Promise<string[] | null> {
  const name = ARCHIVE_NAMES.find((n) => existsSync(join(modelDir, n)))
  if (!name) return null
  const file = join(modelDir, name)
  const maxBytes = options.maxBytes ?? 4 * 1024 ** 3
  const maxEntries = options.maxEntries ?? 100_000
  const checker = new EntryChecker(modelDir, name, maxBytes, maxEntries)
  // File data plus headers and padding: a few blocks per entry is generous (long names take PAX blocks).
  const limit = maxBytes + maxEntries * 4 * 512 + 1024
  await scan(file, checker, limit)
  checker.finish()

  // Pass 2: the archive could in theory change between passes; anything not approved is skipped and fails.
  let index = 0
  let mismatch: string | null = null
  await new Promise<void>((resolve, reject) => {
    const unpack = new Unpack({
      cwd: modelDir,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (_path, entry) => {
        const info = infoOf(entry as ReadEntry)
        const expected = checker.approved[index++]
        if (expected && sameEntry(expected, info)) return true
        mismatch ??= info.path
        return false
      },
    })
    unpack.on('error', reject)
    unpack.on('close', () => resolve())
    feed(file, unpack, limit, reject)
  })
  if (mismatch !== null) throw new Error(`${name} changed while being extracted (entry "${mismatch}")`)
  return checker.files
}
