/**
 * Creates the ONNX Runtime session for a model, trying execution providers in the planned order
 * (warm-up.ts then runs it once, so the first real request does not pay for lazy initialisation).
 */
import { readFileSync, statSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import type { GraphOptimization } from '../config'
import type { ProviderAttempt } from './execution-provider'
import { cleanOrtMessage } from './ort-message'
import { type Signature, signatureOf } from './signature'

// ONNX Runtime writes its own log lines in ANSI colour (unconditionally) and byoc reports every failure
// itself (a provider that cannot load, a session that cannot be created, a failed run), so its process-
// wide logger shows only what is fatal. Set before the first session, which creates the environment.
ort.env.logLevel = 'fatal'

export interface SessionSettings {
  modelPath: string
  plan: ProviderAttempt[]
  intraOpThreads: number
  allowSpinning: boolean
  graphOptimization: GraphOptimization
}

export interface LoadedSession {
  session: ort.InferenceSession
  provider: 'cuda' | 'cpu'
  signature: Signature
  /** Why earlier attempts failed (e.g. CUDA libraries missing), for the log. */
  fallbacks: string[]
  /** Outputs that were ZipMaps (now [N, classes] tensors) → their class labels, in column order. */
  classKeys: Record<string, string[]>
}

/**
 * The session. A model that holds a ZipMap (skl2onnx's classifiers; found by its op name in the bytes,
 * for files small enough to read whole) is rewritten first (zipmap-rewrite.ts) and created from the
 * rewritten bytes; any other model from its path, which keeps external-data models and big files off the
 * protobuf decoder. Outputs ONNX Runtime still reports as non-tensors get their ONNX type for messages.
 */
export async function createSession(settings: SessionSettings): Promise<LoadedSession> {
  const bytes = statSync(settings.modelPath).size <= SCAN_LIMIT ? readFileSync(settings.modelPath) : null
  // The rewrite needs ONNX's protobuf schema, whose parsing would otherwise lengthen every Worker's start.
  const rewriteZipMaps = async (b: Uint8Array) => (await import('./zipmap-rewrite')).rewriteZipMaps(b)
  let rewrite = bytes && bytes.indexOf(ZIPMAP) >= 0 ? await rewriteZipMaps(bytes) : null
  let loaded = await createWithPlan(settings, rewrite?.bytes ?? settings.modelPath)
  const nonTensor = () => loaded.signature.outputs.filter((o) => o.type === 'non-tensor')
  if (nonTensor().length && !rewrite) {
    // Not scanned (too big), or outputs that are not ZipMaps: read the graph for their types.
    rewrite = await rewriteZipMaps(bytes ?? readFileSync(settings.modelPath))
    if (rewrite.bytes) {
      await loaded.session.release()
      loaded = await createWithPlan(settings, rewrite.bytes)
    }
  }
  for (const o of nonTensor()) o.onnxType = rewrite?.nonTensor[o.name] ?? 'a sequence or map'
  return { ...loaded, classKeys: rewrite?.classKeys ?? {} }
}

/** Models above this are not scanned for ZipMap (converter-made classifiers are far smaller). */
const SCAN_LIMIT = 512 * 1024 * 1024
const ZIPMAP = Buffer.from('ZipMap')

async function createWithPlan(settings: SessionSettings, model: string | Uint8Array) {
  const fallbacks: string[] = []
  for (const attempt of settings.plan) {
    try {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: attempt.providers as any,
        intraOpNumThreads: settings.intraOpThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: settings.graphOptimization,
        // Spinning threads burn the cores other Workers need between runs; see README "Workers".
        extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
        // A CUDA session keeps ONNX Runtime's warnings: they say which nodes fell back to the CPU, which
        // nothing else reports (the CPU logs only what is fatal, see ort.env.logLevel above).
        logSeverityLevel: attempt.name === 'cuda' ? 2 : 4,
      }
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options)
      return { session, provider: attempt.name, signature: signatureOf(session), fallbacks }
    } catch (error) {
      const message = loadFailure(error)
      if (attempt.fatal) throw new Error(`${attempt.name} session failed: ${message}`)
      fallbacks.push(`${attempt.name} unavailable (${message})`)
    }
  }
  throw new Error('no execution provider could load the model')
}

/**
 * What ONNX Runtime said, without its source paths; a missing locale is said in words a user can act on
 * (StringNormalizer, in skl2onnx's text pipelines, constructs `en_US.UTF-8` by name).
 */
function loadFailure(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error)
  const locale = /Failed to construct locale with name:\s*([^\s:]+)/.exec(raw)
  if (locale)
    return (
      `the model's StringNormalizer needs the locale ${locale[1]}, which this system does not have ` +
      `(locale -a lists what it has). The byoc image ships it; elsewhere install it: on Debian/Ubuntu ` +
      `\`apt-get install locales && localedef -i en_US -f UTF-8 en_US.UTF-8\`, or compile it anywhere with ` +
      `\`mkdir -p DIR && localedef -i en_US -f UTF-8 DIR/en_US.UTF-8\` and start byoc with LOCPATH=DIR ` +
      `(or keep the locale/ folder \`bun run build\` writes beside the executable, with LOCPATH unset)`
    )
  return cleanOrtMessage(raw).slice(0, 400)
}

/** A one-node model (Identity on float32 [1]), written by src/onnx: the smallest session there is. */
const SMALLEST_MODEL = Uint8Array.from(
  atob(
    'CAgSBGJ5b2MyADpICh4KAXgSAXkaCklkZW50aXR5XzAiCElkZW50aXR5OgASBHdhcm1aDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAR',
  ),
  (c) => c.charCodeAt(0),
)

/**
 * The first session a process creates pays for ONNX Runtime's process-wide set-up (its environment and
 * kernel registries), several times what a small model's own session costs; a Worker started ahead of
 * need (entrypoints.ts) pays it on the smallest model while the HTTP thread is still starting.
 */
export async function warmRuntime(): Promise<void> {
  const session = await ort.InferenceSession.create(SMALLEST_MODEL, { intraOpNumThreads: 1, interOpNumThreads: 1 })
  await session.release()
}
