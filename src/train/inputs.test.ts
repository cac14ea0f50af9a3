import { expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputConfig } from './inputs'

function inputDir(dataConfig: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'byoc-inputs-'))
  mkdirSync(join(dir, 'config'), { recursive: true })
  writeFileSync(join(dir, 'config', 'inputdataconfig.json'), JSON.stringify(dataConfig))
  return dir
}

test('ContentType is checked only for the channels byoc reads', async () => {
  const parquet = 'application/x-parquet'
  const ok = await readInputConfig(
    inputDir({ training: { ContentType: 'text/csv; header=absent' }, extra: { ContentType: parquet } }),
  )
  expect([...ok.channels.keys()]).toEqual(['training', 'extra'])
  expect(ok.channels.get('extra')!.contentType).toBe(parquet)
  for (const name of ['training', 'validation'])
    await expect(readInputConfig(inputDir({ [name]: { ContentType: parquet } }))).rejects.toThrow(
      `channel ${name}: ContentType "${parquet}" is not supported; byoc train reads text/csv`,
    )
})
