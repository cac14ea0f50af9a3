/**
 * Which ONNX Runtime execution provider a session uses. onnxruntime-node has no automatic fallback:
 * `['cuda', 'cpu']` throws when the CUDA provider libraries cannot load, so the plan lists attempts in
 * order and the loader tries them one by one, logging what really ran.
 */
import { existsSync } from 'node:fs'
import type { Device } from '../config'

export interface ProviderAttempt {
  name: 'cuda' | 'cpu'
  /** onnxruntime-node's executionProviders value for this attempt. */
  providers: Array<string | { name: string; deviceId: number }>
  /** When this attempt fails, is the failure fatal (cuda demanded) or does the next attempt run? */
  fatal: boolean
}

/** Is an NVIDIA GPU visible to this container? nvidia-docker mounts /dev/nvidia* and sets the env. */
export function gpuVisible(
  env: Record<string, string | undefined>,
  exists: (p: string) => boolean = existsSync,
): boolean {
  const visible = env.NVIDIA_VISIBLE_DEVICES?.trim().toLowerCase()
  if (visible === 'void' || visible === 'none' || visible === '') return false
  return exists('/dev/nvidiactl') || exists('/dev/nvidia0') || exists('/proc/driver/nvidia/version')
}

export function providerPlan(device: Device, deviceId: number, hasGpu: boolean): ProviderAttempt[] {
  const cuda: ProviderAttempt = { name: 'cuda', providers: [{ name: 'cuda', deviceId }, 'cpu'], fatal: false }
  const cpu: ProviderAttempt = { name: 'cpu', providers: ['cpu'], fatal: true }
  switch (device) {
    case 'cpu':
      return [cpu]
    case 'cuda':
      return [{ ...cuda, fatal: true }]
    case 'auto':
      return hasGpu ? [cuda, cpu] : [cpu]
  }
}
