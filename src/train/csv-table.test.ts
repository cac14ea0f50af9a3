import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { tableFromCsv } from '../../test/fixtures/train-data'
import { TableBuilder } from './csv-table'
import { channelSources, readInputConfig } from './inputs'
import { TrainError } from './train-errors'

describe('TableBuilder', () => {
  test('label first, features as float32, CRLF and blank lines', () => {
    const t = tableFromCsv('1,0.1,2\r\n\r\n0,3,-4.5e1\n')
    expect(t.rows).toBe(2)
    expect(t.features).toBe(2)
    expect(Array.from(t.x)).toEqual([Math.fround(0.1), 2, 3, -45])
    expect(t.labels).toEqual(['1', '0'])
    expect(Array.from(t.labelIds)).toEqual([0, 1])
  })
  test('a header line is detected and skipped', () => {
    const seen: string[] = []
    const b = new TableBuilder(null, (name, line) => seen.push(`${name}:${line}`))
    b.add(new TextEncoder().encode('species,sepal_length,sepal_width\nsetosa,5.1,3.5\n'), 'a.csv')
    const t = b.finish()
    expect(t.rows).toBe(1)
    expect(t.labels).toEqual(['setosa'])
    expect(seen).toEqual(['a.csv:species,sepal_length,sepal_width'])
  })
  test('quoted fields and empty cells (missing)', () => {
    const t = tableFromCsv('"Iris, setosa","1.5",\n"say ""hi""",2,3\n')
    expect(t.labels).toEqual(['Iris, setosa', 'say "hi"'])
    expect(t.x[0]).toBe(1.5)
    expect(t.x[1]).toBeNaN()
  })
  test('a non-numeric cell fails, naming file, line, column and value', () => {
    expect(() => tableFromCsv('1,2,3\n0,4,abc\n', 'train.csv')).toThrow(
      'train.csv line 2 column 3: "abc" is not a number',
    )
  })
  test('a row with another field count fails', () => {
    expect(() => tableFromCsv('1,2,3\n0,4\n', 'train.csv')).toThrow('train.csv line 2 has 2 fields; expected 3')
  })
  test('a validation table must have the training feature count', () => {
    const b = new TableBuilder(3)
    expect(() => b.add(new TextEncoder().encode('1,2,3\n'), 'v.csv')).toThrow(TrainError)
  })
})

describe('channels', () => {
  const root = mkdtempSync(join(tmpdir(), 'byoc-csv-'))
  test('every file below the channel folder, gzip included, hidden and _ files skipped', async () => {
    const dir = join(root, 'data', 'training')
    mkdirSync(join(dir, 'part', 'deeper'), { recursive: true })
    writeFileSync(join(dir, 'a.csv'), '1,1\n')
    writeFileSync(join(dir, 'part', 'deeper', 'b.csv.gz'), gzipSync('0,2\n0,3\n'))
    writeFileSync(join(dir, '.hidden'), 'garbage')
    writeFileSync(join(dir, '_SUCCESS'), '')
    const sources = await channelSources(root, { name: 'training', mode: 'File', contentType: null })
    expect(sources.map((s) => s.name)).toEqual(['training/a.csv', 'training/part/deeper/b.csv.gz'])
    const b = new TableBuilder()
    for (const s of sources) b.add(await s.read(), s.name)
    expect(b.finish().rows).toBe(3)
  })
  test('a missing channel folder fails clearly', async () => {
    await expect(channelSources(root, { name: 'validation', mode: 'File', contentType: null })).rejects.toThrow(
      'channel validation: folder',
    )
  })
  test('Pipe mode reads the FIFO <channel>_0', async () => {
    const fifo = join(root, 'data', 'training_0')
    expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0)
    const [source] = await channelSources(root, { name: 'training', mode: 'Pipe', contentType: null })
    const writer = Bun.spawn(['sh', '-c', `printf '1,1\\n0,2\\n' > ${fifo}`])
    const bytes = await source.read()
    await writer.exited
    expect(new TextDecoder().decode(bytes)).toBe('1,1\n0,2\n')
  })
  test('inputdataconfig: modes and content types', async () => {
    const cfg = join(root, 'config')
    mkdirSync(cfg, { recursive: true })
    writeFileSync(
      join(cfg, 'inputdataconfig.json'),
      JSON.stringify({ training: { TrainingInputMode: 'Pipe', ContentType: 'text/csv; label_size=1' } }),
    )
    const c = await readInputConfig(root)
    expect(c.channels.get('training')).toEqual({
      name: 'training',
      mode: 'Pipe',
      contentType: 'text/csv; label_size=1',
    })
    writeFileSync(
      join(cfg, 'inputdataconfig.json'),
      JSON.stringify({ training: { ContentType: 'application/x-recordio-protobuf' } }),
    )
    await expect(readInputConfig(root)).rejects.toThrow(
      'ContentType "application/x-recordio-protobuf" is not supported',
    )
  })
})
