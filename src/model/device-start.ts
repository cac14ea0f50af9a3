/**
 * The device step of `byoc serve`, run before the port opens: reads the host's NVIDIA driver, logs it
 * against what the image needs, re-execs onto the forward-compatibility libcuda when that can help, and
 * returns the provider plan. `deviceReport` is the plain record of what was decided and what really ran,
 * for the log and for /metrics.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config'
import { flushLog, log } from '../log'
import { readCudaHost } from './cuda-host'
import { type DeviceDecision, decideDevice } from './device-decision'
import { gpuVisible, type ProviderAttempt, providerPlan } from './execution-provider'
import { reexec } from './reexec'

export interface DeviceReport {
  /** The provider the model sessions were created with; null until the model has loaded. */
  provider: 'cuda' | 'cpu' | null
  /** Host NVIDIA driver, null without a GPU or when unreadable. */
  driver: string | null
  /** CUDA major of the image's provider libraries; null in the cpu image. */
  cudaMajor: number | null
  /** True when running on the image's CUDA forward-compatibility libcuda. */
  compat: boolean
}

export const deviceReport: DeviceReport = { provider: null, driver: null, cudaMajor: null, compat: false }

type Env = Record<string, string | undefined>

export interface DeviceStart {
  plan: ProviderAttempt[]
  /** Why the plan is CPU only, for the start-up log. */
  cpuReason: string
  /** Set when the start must fail (BYOC_DEVICE=cuda on a host that cannot run it): /ping stays 503. */
  failure: string | null
}

/** Waits until what was written to stdout/stderr has left the process (execve would drop it). */
const drain = (stream: NodeJS.WriteStream) => new Promise<void>((done) => stream.write('', () => done()))

export async function startDevice(config: Readonly<Config>, env: Env = process.env, root = '/'): Promise<DeviceStart> {
  const visible = gpuVisible(env, (p) => existsSync(join(root, p)))
  const host = visible ? readCudaHost(root) : { driver: null, compat: null }
  let { decision, notes } = decideDevice({
    device: config.device,
    gpuVisible: visible,
    host,
    cudaMajor: config.cudaMajor,
    compatLoaded: config.cudaCompatLoaded,
    batchTransform: config.batchTransform,
  })
  for (const n of notes) log[n.level](n.text)
  Object.assign(deviceReport, { driver: host.driver, cudaMajor: config.cudaMajor, compat: config.cudaCompatLoaded })

  if (decision.kind === 'compat') {
    const ldPath = [decision.compatDir, env.LD_LIBRARY_PATH].filter(Boolean).join(':')
    flushLog()
    await Promise.all([drain(process.stdout), drain(process.stderr)])
    try {
      // A compiled byoc's argv[1] is its embedded entry point; under `bun src/cli.ts` it is the script.
      const script = process.argv[1]?.startsWith('/$bunfs/') ? [] : [process.argv[1]]
      reexec(process.execPath, [process.execPath, ...script, ...process.argv.slice(2)], {
        ...env,
        LD_LIBRARY_PATH: ldPath,
        BYOC_CUDA_COMPAT_LOADED: 'true',
      })
    } catch (error) {
      log.warn(`${(error as Error).message}; not using the forward-compatibility libraries`)
      decision =
        config.device === 'cuda'
          ? { kind: 'fail', message: `BYOC_DEVICE=cuda: ${(error as Error).message}` }
          : { kind: 'cpu' }
    }
  }
  const cpuReason =
    config.device === 'cpu'
      ? 'BYOC_DEVICE=cpu'
      : !visible
        ? 'no GPU visible'
        : `host NVIDIA driver ${host.driver} cannot run this image's CUDA ${config.cudaMajor}`
  return { plan: planFor(decision, config), cpuReason, failure: decision.kind === 'fail' ? decision.message : null }
}

function planFor(decision: DeviceDecision, config: Readonly<Config>): ProviderAttempt[] {
  switch (decision.kind) {
    case 'cuda':
      return providerPlan(decision.fatal ? 'cuda' : 'auto', config.deviceId, true)
    default:
      return providerPlan('cpu', config.deviceId, false)
  }
}
