import { describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { linearClassifierModel, writeModel } from '../../test/fixtures/models'
import { providerPlan } from './execution-provider'
import { createSession } from './session'

// This machine has no CUDA provider libraries, so asking for CUDA fails for real, as it does in a CPU
// image or on a host whose driver is missing.
const dir = mkdtempSync(join(tmpdir(), 'byoc-session-'))
const modelPath = join(dir, 'model.onnx')
await writeModel(modelPath, linearClassifierModel({ features: 4, classes: 3 }))
const settings = { modelPath, intraOpThreads: 1, allowSpinning: false, graphOptimization: 'all' as const }

describe('createSession', () => {
  test('auto with a GPU visible but CUDA unloadable falls back to CPU and says why', async () => {
    const loaded = await createSession({ ...settings, plan: providerPlan('auto', 0, true) })
    expect(loaded.provider).toBe('cpu')
    expect(loaded.fallbacks).toHaveLength(1)
    expect(loaded.fallbacks[0]).toStartWith('cuda unavailable (')
  })
  test('cuda demanded fails with a message naming the provider', async () => {
    await expect(createSession({ ...settings, plan: providerPlan('cuda', 0, true) })).rejects.toThrow(
      /^cuda session failed: /,
    )
  })
  test('cpu reads the signature', async () => {
    const loaded = await createSession({ ...settings, plan: providerPlan('cpu', 0, false) })
    expect(loaded.signature.inputs).toEqual([{ name: 'input', type: 'float32', shape: ['N', 4] }])
    expect(loaded.signature.outputs.map((o) => o.name)).toEqual(['label', 'probabilities'])
  })
})
