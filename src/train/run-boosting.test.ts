import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticCsv, tableFromCsv } from '../../test/fixtures/train-data'
import { type BoostingParams, boostingSchema } from './params'
import { runBoosting } from './run-boosting'
import { StoppedError } from './train-errors'

const defaults = Object.fromEntries(Object.entries(boostingSchema).map(([k, v]) => [k, v.default])) as BoostingParams
const train = tableFromCsv(syntheticCsv(400, 5, { seed: 21 }))
const validA = tableFromCsv(syntheticCsv(150, 5, { seed: 22 }))
const validB = tableFromCsv(syntheticCsv(150, 5, { seed: 23 }))
const p: BoostingParams = { ...defaults, num_round: 4, max_depth: 3 }

async function boost(dir: string, valid: typeof validA | null, params = p, pause = async () => {}) {
  const lines: string[] = []
  const warnings: string[] = []
  const trained = await runBoosting(
    train,
    valid,
    params,
    dir,
    pause,
    (l) => lines.push(l),
    (l) => warnings.push(l),
  )
  return { trained, lines, warnings }
}

describe('runBoosting checkpoints', () => {
  test('a checkpoint from other validation data is not resumed (it decided the best round)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byoc-ckpt-'))
    await boost(dir, validA)
    const same = await boost(dir, validA, { ...p, num_round: 6 })
    expect(same.lines).toContain('resumed from checkpoint after round 4 (4 trees)')
    const other = await boost(dir, validB, { ...p, num_round: 6 })
    expect(other.lines.some((l) => l.startsWith('resumed'))).toBe(false)
    expect(other.lines).toContain(
      `${join(dir, 'byoc-boosting.json')} is from different validation data; starting afresh`,
    )
    const none = await boost(dir, null, { ...p, num_round: 6 })
    expect(none.lines).toContain(
      `${join(dir, 'byoc-boosting.json')} is from different validation data; starting afresh`,
    )
  })

  test('an unwritable checkpoint folder warns once and the job still trains its model', async () => {
    const { trained, warnings } = await boost('/proc/nope', validA, { ...p, num_round: 3 })
    expect(trained.info.rounds).toBe(3)
    expect(trained.onnx.length).toBeGreaterThan(100)
    expect(warnings.length).toBe(1)
    expect(warnings[0]).toMatch(
      /^cannot write the checkpoint \/proc\/nope\/byoc-boosting\.json: .+; training goes on without checkpoints$/,
    )
  })

  test('a stop names the checkpoint only when one was written', async () => {
    const stopAfter2 = () => {
      let rounds = 0
      return async () => {
        if (++rounds === 2) throw new StoppedError('SIGTERM')
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'byoc-ckpt-'))
    const written = await boost(dir, null, p, stopAfter2()).catch((e) => e)
    expect(written).toBeInstanceOf(StoppedError)
    expect(written.checkpoint).toBe(join(dir, 'byoc-boosting.json'))
    expect(existsSync(written.checkpoint)).toBe(true)
    const failed = await boost('/proc/nope', null, p, stopAfter2()).catch((e) => e)
    expect(failed).toBeInstanceOf(StoppedError)
    expect(failed.checkpoint).toBeNull()
  })
})
