/**
 * The warm-up: one synthetic request through the real path (the decoded form of a record built from the
 * signature, cast and checked as a client's would be, run, outputs selected, encoded as CSV and JSON),
 * so /ping says 200 only for a model that can answer. The record: numbers 0, strings "a", token ids 0
 * (every embedding table has row 0), and 1 for each dynamic dimension; if that fails, a second one
 * (numbers and ids 1, strings "byoc warm-up", dynamic dimensions 8) is tried.
 *
 * A failure must tell a broken model from an unlucky synthetic record (see README "Health"):
 * - broken: byoc cannot feed an input, fetch or encode an output, or an output does not keep records
 *   apart; or ONNX Runtime fails although the record had exactly the declared shape (no dynamic
 *   dimension but the batch) in a node that does not read input values as indices or sizes. Every
 *   well-formed request would fail the same way, so the model is not served (/ping 503).
 * - synthetic: ONNX Runtime failed in a node that reads values as indices or sizes (Gather, Slice,
 *   Reshape, ...), or after byoc chose the size of a dynamic dimension. Real records may well pass, so
 *   the model is served and the failure logged once.
 */
import { ByocError } from '../errors'
import { CODECS } from '../formats'
import { mediaTypeIndex } from '../formats/media-types'
import type { DecodedBody, DecodedTensor } from '../formats/types'
import { buildFeeds } from './feeds'
import { cleanOrtMessage } from './ort-message'
import { type OutputPlan, selectOutputs } from './output-plan'
import type { Signature, ValueInfo } from './signature'
import type { Feeds, Results } from './tensors'

export interface WarmUpResult {
  /** Milliseconds of the run that passed, or null. */
  ms: number | null
  verdict: 'ok' | 'synthetic' | 'broken'
  /** Why it failed (the last attempt's error), or null. */
  problem: string | null
}

interface Variant {
  number: number
  text: string
  dynamic: number
}

const VARIANTS: Variant[] = [
  { number: 0, text: 'a', dynamic: 1 },
  { number: 1, text: 'byoc warm-up', dynamic: 8 },
]

/** Kernels whose success depends on input values read as indices, counts or shapes. */
const VALUE_READERS = new Set([
  'Gather',
  'GatherElements',
  'GatherND',
  'Scatter',
  'ScatterElements',
  'ScatterND',
  'OneHot',
  'Range',
  'Reshape',
  'Expand',
  'Tile',
  'Slice',
  'TopK',
  'ConstantOfShape',
  'Resize',
  'Upsample',
  'Pad',
  'Compress',
  'Split',
  'Squeeze',
  'Unsqueeze',
  'Embedding',
])

class Stage extends Error {
  constructor(
    readonly stage: 'feed' | 'run' | 'answer',
    override readonly cause: unknown,
  ) {
    super(message(cause))
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]

export async function warmUp(
  signature: Signature,
  plan: OutputPlan,
  run: (feeds: Feeds, records: number) => Promise<Results>,
): Promise<WarmUpResult> {
  let last: Stage | null = null
  for (const variant of VARIANTS) {
    try {
      return { ms: await attempt(signature, plan, run, variant), verdict: 'ok', problem: null }
    } catch (error) {
      last = error instanceof Stage ? error : new Stage('answer', error)
      if (verdictOf(last, signature) === 'broken') break
    }
  }
  const stage = last as Stage
  const problem = (stage.stage === 'run' ? cleanOrtMessage(stage.message) : stage.message).replace(
    /^model failed: /,
    '',
  )
  return { ms: null, verdict: verdictOf(stage, signature), problem }
}

function verdictOf(failure: Stage, signature: Signature): 'synthetic' | 'broken' {
  if (failure.stage !== 'run') return 'broken'
  if (failure.cause instanceof ByocError) return 'broken'
  const dynamic = signature.inputs.some((i) => i.shape.some((d, k) => k > 0 && !(typeof d === 'number' && d >= 0)))
  if (dynamic) return 'synthetic'
  const node = /while running (\S+) node/.exec(failure.message)
  return node && VALUE_READERS.has(node[1]) ? 'synthetic' : 'broken'
}

async function attempt(
  signature: Signature,
  plan: OutputPlan,
  run: (feeds: Feeds, records: number) => Promise<Results>,
  variant: Variant,
): Promise<number> {
  // A batch fixed by the model (e.g. [4, 3]) is what it answers; otherwise one record.
  const first = signature.inputs[0]?.shape[0]
  const records = typeof first === 'number' && first > 0 ? first : 1
  let feeds: Feeds
  try {
    feeds = buildFeeds(syntheticBody(signature.inputs, variant, records), signature)
  } catch (error) {
    throw new Stage('feed', error)
  }
  const t0 = performance.now()
  let results: Results
  try {
    results = await run(feeds, records)
  } catch (error) {
    throw new Stage('run', error)
  }
  const ms = performance.now() - t0
  try {
    const outputs = selectOutputs(results, plan, records)
    for (const type of ['text/csv', 'application/json']) CODECS[mediaTypeIndex(type)].encode!({ records, outputs })
  } catch (error) {
    throw new Stage('answer', error)
  }
  return ms
}

/** `records` records per input, shaped as the signature declares, in the decoded form a client's body takes. */
function syntheticBody(inputs: ValueInfo[], v: Variant, records: number): DecodedBody {
  const tensors: Record<string, DecodedTensor> = {}
  for (const input of inputs) {
    const dims = input.shape.map((d, k) => (k === 0 ? records : typeof d === 'number' && d >= 0 ? d : v.dynamic))
    const shape = dims.length === 0 ? [1] : dims
    const n = shape.reduce((a, b) => a * b, 1)
    tensors[input.name] =
      input.type === 'string'
        ? { dtype: 'string', shape, values: new Array(n).fill(v.text) }
        : input.type === 'bool'
          ? { dtype: 'bool', shape, values: new Uint8Array(n).fill(v.number) }
          : { dtype: 'number', shape, values: new Float64Array(n).fill(v.number) }
  }
  return { records, tensors }
}
