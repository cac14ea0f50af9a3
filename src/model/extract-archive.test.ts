import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { c as create } from 'tar'
import { extractModelArchive } from './extract-archive'

/** One hand-written ustar entry, so hostile names, links and device types can be crafted freely. */
interface Raw {
  name: string
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6'
  linkname?: string
  body?: string
}

function header(e: Raw, size: number): Buffer {
  const h = Buffer.alloc(512)
  const put = (text: string, at: number, len: number) => h.write(text.slice(0, len), at, len, 'latin1')
  const octal = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`
  put(e.name, 0, 100)
  put(octal(e.type === '5' ? 0o755 : 0o644, 8), 100, 8)
  put(octal(0, 8), 108, 8)
  put(octal(0, 8), 116, 8)
  put(octal(size, 12), 124, 12)
  put(octal(1_700_000_000, 12), 136, 12)
  put('        ', 148, 8)
  put(e.type ?? '0', 156, 1)
  put(e.linkname ?? '', 157, 100)
  put('ustar\0', 257, 6)
  put('00', 263, 2)
  let sum = 0
  for (const b of h) sum += b
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
  return h
}

function tarOf(entries: Raw[]): Buffer {
  const blocks: Buffer[] = []
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '')
    blocks.push(header(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

let root: string
let modelDir: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'byoc-extract-'))
  modelDir = join(root, 'model')
  mkdirSync(modelDir)
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const writeArchive = (entries: Raw[], name = 'model.tar.gz') =>
  writeFileSync(join(modelDir, name), name === 'model.tar' ? tarOf(entries) : gzipSync(tarOf(entries)))

describe('extractModelArchive', () => {
  test('returns null when there is no archive', async () => {
    expect(await extractModelArchive(modelDir)).toBeNull()
  })

  test('extracts files, folders and inside links, keeps the archive, and can run again', async () => {
    writeArchive([
      { name: 'sub/', type: '5' },
      { name: 'sub/model.onnx', body: 'ONNX' },
      { name: 'byoc.json', body: '{}' },
      { name: 'current', type: '2', linkname: 'sub' },
      { name: 'latest.onnx', type: '2', linkname: './sub/model.onnx' },
      { name: 'sub/up.json', type: '2', linkname: '../byoc.json' },
      { name: 'copy.onnx', type: '1', linkname: 'sub/model.onnx' },
    ])
    const written = await extractModelArchive(modelDir)
    expect(written).toEqual(['sub/model.onnx', 'byoc.json', 'current', 'latest.onnx', 'sub/up.json', 'copy.onnx'])
    expect(readFileSync(join(modelDir, 'latest.onnx'), 'utf8')).toBe('ONNX')
    expect(readFileSync(join(modelDir, 'sub/up.json'), 'utf8')).toBe('{}')
    expect(readlinkSync(join(modelDir, 'current'))).toBe('sub')
    expect(lstatSync(join(modelDir, 'copy.onnx')).nlink).toBe(2)
    expect(existsSync(join(modelDir, 'model.tar.gz'))).toBe(true)

    // A restarted container meets the archive again: extraction overwrites what is there.
    writeFileSync(join(modelDir, 'byoc.json'), 'changed')
    expect(await extractModelArchive(modelDir)).toEqual(written!)
    expect(readFileSync(join(modelDir, 'byoc.json'), 'utf8')).toBe('{}')
  })

  test('reads model.tgz and an uncompressed model.tar', async () => {
    writeArchive([{ name: 'a.onnx', body: 'x' }], 'model.tgz')
    expect(await extractModelArchive(modelDir)).toEqual(['a.onnx'])
    rmSync(join(modelDir, 'model.tgz'))
    writeArchive([{ name: 'b.onnx', body: 'y' }], 'model.tar')
    expect(await extractModelArchive(modelDir)).toEqual(['b.onnx'])
    expect(readFileSync(join(modelDir, 'b.onnx'), 'utf8')).toBe('y')
  })

  const rejects = async (entries: Raw[], message: string | RegExp, opts = {}) => {
    // A harmless first entry proves that nothing at all is written when a later one is bad.
    writeArchive([{ name: 'first.onnx', body: 'ok' }, ...entries])
    await expect(extractModelArchive(modelDir, opts)).rejects.toThrow(message)
    expect(existsSync(join(modelDir, 'first.onnx'))).toBe(false)
    expect(existsSync(join(root, 'x'))).toBe(false)
  }

  test('refuses ".." paths that escape, and writes nothing', async () => {
    await rejects([{ name: '../x', body: 'evil' }], 'model.tar.gz entry "../x" escapes the model directory')
    await rejects([{ name: 'sub/../../x', body: 'evil' }], '"sub/../../x" escapes the model directory')
  })

  test('refuses absolute paths', async () => {
    const target = join(root, 'x')
    await rejects([{ name: target, body: 'evil' }], `entry "${target}" escapes the model directory (absolute path)`)
  })

  test('refuses symlinks that point outside', async () => {
    await rejects([{ name: 'l', type: '2', linkname: '/etc' }], 'symbolic link to "/etc", outside the model directory')
    await rejects([{ name: 'l', type: '2', linkname: '../x' }], 'symbolic link to "../x", outside')
    await rejects([{ name: 'd/l', type: '2', linkname: '../../x' }], 'outside the model directory')
  })

  test('refuses writing through a symlink, even one that points inside', async () => {
    await rejects(
      [
        { name: 'l', type: '2', linkname: 'sub' },
        { name: 'l/x', body: 'evil' },
      ],
      'entry "l/x" lies inside the symbolic link "l"',
    )
  })

  test('refuses link targets that go through another symlink (node-tar would too)', async () => {
    await rejects(
      [
        { name: 'current', type: '2', linkname: 'sub' },
        { name: 'latest', type: '2', linkname: 'current/model.onnx' },
      ],
      '"latest" is a symbolic link to "current/model.onnx", which goes through the symbolic link "current"',
    )
    await rejects(
      [
        { name: 'current', type: '2', linkname: 'sub' },
        { name: 'h', type: '1', linkname: 'current/model.onnx' },
      ],
      '"h" is a hard link to "current/model.onnx", which goes through the symbolic link "current"',
    )
  })

  test('judges links against the whole archive (a later link cannot redirect an earlier one)', async () => {
    // "a -> x/.." is the model dir itself until "x -> ." turns it into the parent.
    await rejects(
      [
        { name: 'a', type: '2', linkname: 'x/..' },
        { name: 'x', type: '2', linkname: '.' },
      ],
      '"a" is a symbolic link to "x/..", which goes through the symbolic link "x"',
    )
  })

  test('refuses to write through a symlink already on disk', async () => {
    symlinkSync(root, join(modelDir, 'out'))
    await rejects([{ name: 'out/x', body: 'evil' }], 'entry "out/x" lies inside the symbolic link "out"')
  })

  test('refuses hard links to files outside', async () => {
    await rejects([{ name: 'h', type: '1', linkname: '../x' }], 'hard link to "../x", outside the model directory')
    await rejects([{ name: 'h', type: '1', linkname: '/etc/passwd' }], 'hard link to "/etc/passwd"')
  })

  test('refuses devices and FIFOs', async () => {
    await rejects([{ name: 'c', type: '3' }], 'entry "c" is a CharacterDevice')
    await rejects([{ name: 'b', type: '4' }], 'entry "b" is a BlockDevice')
    await rejects([{ name: 'f', type: '6' }], 'entry "f" is a FIFO')
  })

  test('refuses an entry that would overwrite the archive', async () => {
    await rejects([{ name: 'model.tar.gz', body: 'x' }], 'would overwrite the archive itself')
  })

  test('enforces the size and entry-count bounds', async () => {
    await rejects(
      [{ name: 'big', body: 'x'.repeat(100) }],
      'unpacks to more than 50 bytes (the limit), at entry "big"',
      {
        maxBytes: 50,
      },
    )
    await rejects([{ name: 'b' }, { name: 'c' }], 'holds more than 2 entries', { maxEntries: 2 })
  })

  test('reports a damaged archive', async () => {
    writeFileSync(join(modelDir, 'model.tar.gz'), gzipSync(Buffer.from('not a tar file at all'.repeat(40))))
    await expect(extractModelArchive(modelDir)).rejects.toThrow('model.tar.gz is not a readable tar archive')
  })

  test('extracts an archive made by a real tar writer, long names (pax headers) included', async () => {
    const src = join(root, 'src')
    const long = 'd'.repeat(120)
    mkdirSync(join(src, long), { recursive: true })
    writeFileSync(join(src, long, 'model.onnx'), 'ONNX')
    await create({ gzip: true, cwd: src, file: join(modelDir, 'model.tar.gz') }, [long])
    expect(await extractModelArchive(modelDir)).toEqual([`${long}/model.onnx`])
    expect(readFileSync(join(modelDir, long, 'model.onnx'), 'utf8')).toBe('ONNX')
  })
})
