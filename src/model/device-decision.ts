/**
 * Decides, before any model loads, whether this process runs ONNX Runtime on CUDA, must first re-exec
 * itself onto the image's CUDA forward-compatibility libcuda, falls back to CPU, or fails, and says why
 * in words a SageMaker user can act on. The gpu images set NVIDIA_DISABLE_REQUIRE=true so that a too-old
 * driver reaches this code instead of stopping the container with CannotStartContainerError and no log.
 */
import type { Device } from '../config'
import { type CudaHost, compareVersions } from './cuda-host'

/** What a CUDA major needs of the host (NVIDIA's CUDA compatibility guide) and where SageMaker has it. */
export interface CudaNeeds {
  /** Lowest driver that runs this CUDA major natively (minor-version compatibility). */
  minDriver: string
  /** Lowest driver branch the forward-compatibility libraries of this major run on. */
  compatFloor: string
  /** AMI versions whose driver is new enough. */
  inferenceAmi: string
  transformAmi: string | null
}

export const CUDA_NEEDS: Readonly<Record<number, CudaNeeds>> = Object.freeze({
  12: {
    minDriver: '525.60.13',
    compatFloor: '470',
    inferenceAmi: 'al2-ami-sagemaker-inference-gpu-3-1',
    transformAmi: 'al2-ami-sagemaker-batch-gpu-535',
  },
  // No batch transform AMI has a 580 driver: there CUDA 13 runs only through forward compatibility.
  13: {
    minDriver: '580',
    compatFloor: '535',
    inferenceAmi: 'al2023-ami-sagemaker-inference-gpu-4-1',
    transformAmi: null,
  },
})

export type DeviceDecision =
  /** Run the planned providers; `fatal` when a CUDA failure must stop the start (BYOC_DEVICE=cuda). */
  | { kind: 'cuda'; fatal: boolean }
  /** Re-exec with `compatDir` first on LD_LIBRARY_PATH, then decide again. */
  | { kind: 'compat'; compatDir: string }
  | { kind: 'cpu' }
  | { kind: 'fail'; message: string }

export interface DecisionInput {
  device: Device
  gpuVisible: boolean
  host: CudaHost
  /** The CUDA major the image's provider links (BYOC_CUDA_MAJOR, set by the gpu images), else null. */
  cudaMajor: number | null
  /** True in the process started by the compat re-exec. */
  compatLoaded: boolean
  batchTransform: boolean
}

export interface Decided {
  decision: DeviceDecision
  /** Lines to log, in order. */
  notes: Array<{ level: 'info' | 'warn' | 'error'; text: string }>
}

/** The AMI setting that gives this CUDA major a new enough driver, phrased for the job type. */
export function amiAdvice(major: number, batchTransform: boolean): string {
  const needs = CUDA_NEEDS[major]
  if (!needs) return `use a host whose NVIDIA driver supports CUDA ${major}`
  if (!batchTransform) return `set InferenceAmiVersion=${needs.inferenceAmi} on the production variant`
  if (needs.transformAmi) return `set TransformAmiVersion=${needs.transformAmi} on the transform job`
  return `batch transform has no AMI with a driver for CUDA ${major}: build the CUDA 12 image (the default) or run on CPU`
}

export function decideDevice(i: DecisionInput): Decided {
  const notes: Decided['notes'] = []
  if (i.device === 'cpu') return { decision: { kind: 'cpu' }, notes }
  if (!i.gpuVisible) return { decision: i.device === 'cuda' ? { kind: 'cuda', fatal: true } : { kind: 'cpu' }, notes }
  const fatal = i.device === 'cuda'
  const needs = i.cudaMajor === null ? undefined : CUDA_NEEDS[i.cudaMajor]
  const driver = i.host.driver
  const want = needs ? `; this image's CUDA ${i.cudaMajor} needs >= ${needs.minDriver}` : ''
  notes.push({
    level: 'info',
    text: `host NVIDIA driver ${driver ?? 'unknown (no /proc/driver/nvidia/version)'}${want}`,
  })
  if (!needs || driver === null || compareVersions(driver, needs.minDriver) >= 0)
    return { decision: { kind: 'cuda', fatal }, notes }

  const major = i.cudaMajor!
  const advice = amiAdvice(major, i.batchTransform)
  notes.push({
    level: 'warn',
    text: `host NVIDIA driver ${driver} is too old for CUDA ${major} (needs >= ${needs.minDriver}): ${advice}`,
  })
  if (i.compatLoaded) {
    notes.push({
      level: 'info',
      text: `running on the CUDA forward-compatibility libcuda ${i.host.compat?.driver ?? '?'} from ${i.host.compat?.dir ?? '?'}`,
    })
    return { decision: { kind: 'cuda', fatal }, notes }
  }
  const compat = i.host.compat
  if (compat && compareVersions(compat.driver, driver) > 0 && compareVersions(driver, needs.compatFloor) >= 0) {
    notes.push({
      level: 'info',
      text: `trying the image's CUDA forward-compatibility libcuda ${compat.driver}: restarting with ${compat.dir} on LD_LIBRARY_PATH`,
    })
    return { decision: { kind: 'compat', compatDir: compat.dir }, notes }
  }
  const why = compat
    ? `the image's forward-compatibility libcuda ${compat.driver} does not run on driver ${driver} (needs >= ${needs.compatFloor})`
    : 'the image has no CUDA forward-compatibility libraries'
  if (fatal) {
    const message = `BYOC_DEVICE=cuda but host NVIDIA driver ${driver} cannot run CUDA ${major} (needs >= ${needs.minDriver}) and ${why}: ${advice}`
    notes.push({ level: 'error', text: message })
    return { decision: { kind: 'fail', message }, notes }
  }
  notes.push({ level: 'warn', text: `${why}: running on CPU (BYOC_DEVICE=cuda would make this an error)` })
  return { decision: { kind: 'cpu' }, notes }
}
