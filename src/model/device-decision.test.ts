import { describe, expect, test } from 'bun:test'
import type { Device } from '../config'
import type { CudaHost } from './cuda-host'
import { amiAdvice, type DecisionInput, decideDevice } from './device-decision'

const compat = (driver: string) => ({ dir: '/usr/local/cuda/compat', driver })
const input = (device: Device, host: CudaHost, more: Partial<DecisionInput> = {}): DecisionInput => ({
  device,
  gpuVisible: true,
  host,
  cudaMajor: 12,
  compatLoaded: false,
  batchTransform: false,
  ...more,
})
const text = (d: ReturnType<typeof decideDevice>) => d.notes.map((n) => `${n.level}: ${n.text}`).join('\n')

describe('decideDevice', () => {
  test('a driver new enough for the CUDA major: cuda, and the log names driver and minimum', () => {
    const d = decideDevice(input('auto', { driver: '535.183.01', compat: null }))
    expect(d.decision).toEqual({ kind: 'cuda', fatal: false })
    expect(text(d)).toBe("info: host NVIDIA driver 535.183.01; this image's CUDA 12 needs >= 525.60.13")
  })

  test('CUDA 13 on a 550 host with a compat libcuda 580: re-exec onto compat, and say which AMI to set', () => {
    const d = decideDevice(input('auto', { driver: '550.163.01', compat: compat('580.95.05') }, { cudaMajor: 13 }))
    expect(d.decision).toEqual({ kind: 'compat', compatDir: '/usr/local/cuda/compat' })
    expect(text(d)).toContain(
      'host NVIDIA driver 550.163.01 is too old for CUDA 13 (needs >= 580): set InferenceAmiVersion=al2023-ami-sagemaker-inference-gpu-4-1',
    )
  })

  test('after the re-exec the same host runs cuda on the compat libcuda (no second re-exec)', () => {
    const d = decideDevice(
      input('cuda', { driver: '550.163.01', compat: compat('580.95.05') }, { cudaMajor: 13, compatLoaded: true }),
    )
    expect(d.decision).toEqual({ kind: 'cuda', fatal: true })
    expect(text(d)).toContain('running on the CUDA forward-compatibility libcuda 580.95.05')
  })

  test('the 470 default driver with no compat libraries: CPU under auto, with the AMI to set', () => {
    const d = decideDevice(input('auto', { driver: '470.256.02', compat: null }))
    expect(d.decision).toEqual({ kind: 'cpu' })
    expect(text(d)).toContain('set InferenceAmiVersion=al2-ami-sagemaker-inference-gpu-3-1')
    expect(text(d)).toContain('the image has no CUDA forward-compatibility libraries: running on CPU')
  })

  test('the same host with BYOC_DEVICE=cuda fails, naming the driver, the need and the fix', () => {
    const d = decideDevice(input('cuda', { driver: '470.256.02', compat: null }))
    expect(d.decision.kind).toBe('fail')
    if (d.decision.kind !== 'fail') return
    expect(d.decision.message).toContain('host NVIDIA driver 470.256.02 cannot run CUDA 12 (needs >= 525.60.13)')
    expect(d.decision.message).toContain('InferenceAmiVersion=al2-ami-sagemaker-inference-gpu-3-1')
  })

  test('CUDA 13 compat does not run on R470: CPU, and the reason names the floor', () => {
    const d = decideDevice(input('auto', { driver: '470.256.02', compat: compat('580.95.05') }, { cudaMajor: 13 }))
    expect(d.decision).toEqual({ kind: 'cpu' })
    expect(text(d)).toContain(
      'forward-compatibility libcuda 580.95.05 does not run on driver 470.256.02 (needs >= 535)',
    )
  })

  test('CUDA 12 compat on R470 is tried (NVIDIA supports it on data center GPUs)', () => {
    const d = decideDevice(input('auto', { driver: '470.256.02', compat: compat('575.57.08') }))
    expect(d.decision.kind).toBe('compat')
  })

  test('a compat libcuda older than the host driver is no help', () => {
    const d = decideDevice(input('auto', { driver: '520.61.05', compat: compat('510.47.03') }))
    expect(d.decision).toEqual({ kind: 'cpu' })
  })

  test('batch transform: the advice names TransformAmiVersion, or says none exists for CUDA 13', () => {
    const d = decideDevice(input('auto', { driver: '470.256.02', compat: null }, { batchTransform: true }))
    expect(text(d)).toContain('set TransformAmiVersion=al2-ami-sagemaker-batch-gpu-535 on the transform job')
    expect(amiAdvice(13, true)).toContain('batch transform has no AMI with a driver for CUDA 13')
  })

  test('unknown driver or an image without BYOC_CUDA_MAJOR: try CUDA and let the provider decide', () => {
    expect(decideDevice(input('auto', { driver: null, compat: null })).decision).toEqual({ kind: 'cuda', fatal: false })
    expect(decideDevice(input('auto', { driver: '470.256.02', compat: null }, { cudaMajor: null })).decision).toEqual({
      kind: 'cuda',
      fatal: false,
    })
  })

  test('no GPU: CPU under auto, a fatal CUDA attempt when demanded; BYOC_DEVICE=cpu never looks', () => {
    const host = { driver: null, compat: null }
    expect(decideDevice(input('auto', host, { gpuVisible: false }))).toEqual({ decision: { kind: 'cpu' }, notes: [] })
    expect(decideDevice(input('cuda', host, { gpuVisible: false })).decision).toEqual({ kind: 'cuda', fatal: true })
    expect(decideDevice(input('cpu', { driver: '470.256.02', compat: null })).notes).toEqual([])
  })
})
