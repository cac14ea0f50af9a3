import { describe, expect, test } from 'bun:test'
import { gpuVisible, providerPlan } from './execution-provider'

describe('providerPlan', () => {
  test('auto without a GPU runs on CPU only', () => {
    expect(providerPlan('auto', 0, false).map((a) => a.name)).toEqual(['cpu'])
  })
  test('auto with a GPU tries CUDA on the chosen device, then falls back to CPU', () => {
    const plan = providerPlan('auto', 1, true)
    expect(plan.map((a) => a.name)).toEqual(['cuda', 'cpu'])
    expect(plan[0].providers[0]).toEqual({ name: 'cuda', deviceId: 1 })
    expect(plan[0].fatal).toBe(false)
  })
  test('cuda demanded is fatal when it cannot load, even without a visible GPU', () => {
    const plan = providerPlan('cuda', 0, false)
    expect(plan).toHaveLength(1)
    expect(plan[0]).toMatchObject({ name: 'cuda', fatal: true })
  })
  test('cpu never tries CUDA', () => {
    expect(providerPlan('cpu', 0, true).map((a) => a.name)).toEqual(['cpu'])
  })
})

describe('gpuVisible', () => {
  const devices =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p)
  test('device nodes make a GPU visible', () => {
    expect(gpuVisible({}, devices('/dev/nvidiactl'))).toBe(true)
  })
  test('NVIDIA_VISIBLE_DEVICES=void hides it', () => {
    expect(gpuVisible({ NVIDIA_VISIBLE_DEVICES: 'void' }, devices('/dev/nvidiactl'))).toBe(false)
  })
  test('no device nodes: no GPU, whatever the env says', () => {
    expect(gpuVisible({ NVIDIA_VISIBLE_DEVICES: 'all' }, devices())).toBe(false)
  })
})
