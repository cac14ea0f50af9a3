/**
 * Chooses which model outputs a response carries, in which order, and replaces class ids by class names.
 * The choice is validated once at load so a typo in BYOC_OUTPUTS or byoc.json fails the start, not
 * every request.
 */
import { DEFAULTS } from '../config'
import { errors } from '../errors'
import type { OutputDtype, OutputTensor } from '../formats/types'
import type { ValueInfo } from './signature'
import { checkRecordsFirst, type Results } from './tensors'

export interface OutputPlan {
  /** What each run fetches and each answer carries, in this order (ONNX Runtime computes only these). */
  names: string[]
  classLabels: string[] | null
  labelOutput: string
  /** Outputs that were ZipMaps → their class labels: JSON writes each record as {label: value}. */
  classKeys: Record<string, string[]>
  /** Non-tensor outputs left out of the default choice (onnxruntime-node cannot return them). */
  skipped: ValueInfo[]
}

export function planOutputs(
  outputs: ValueInfo[],
  chosen: string[] | null | undefined,
  classLabels: string[] | null | undefined,
  labelOutput: string = DEFAULTS.labelOutput,
  classKeys: Record<string, string[]> = {},
): OutputPlan {
  const tensors = outputs.filter((o) => o.type !== 'non-tensor')
  if (chosen?.length) {
    for (const name of chosen) {
      const o = outputs.find((x) => x.name === name)
      if (!o) throw new Error(`output "${name}" was chosen but the model has no such output; it has ${list(outputs)}`)
      if (o.type === 'non-tensor')
        throw new Error(
          `output "${name}" is ${o.onnxType ?? 'not a tensor'}, which onnxruntime-node cannot return; ` +
            `choose among the tensor outputs ${list(tensors) || '(none)'}`,
        )
    }
  }
  const names = chosen?.length ? [...chosen] : tensors.map((o) => o.name)
  if (names.length === 0)
    throw new Error(
      `the model has no output byoc can return: ${outputs.map((o) => `"${o.name}" is ${o.onnxType ?? o.type}`).join(', ')} ` +
        '(onnxruntime-node returns tensors only)',
    )
  const skipped = chosen?.length ? [] : outputs.filter((o) => o.type === 'non-tensor')
  return { names, classLabels: classLabels?.length ? classLabels : null, labelOutput, classKeys, skipped }
}

const list = (outputs: ValueInfo[]) => outputs.map((o) => `"${o.name}"`).join(', ')

/** Picks the planned outputs from a run's results; `records` is what the request sent. */
export function selectOutputs(results: Results, plan: OutputPlan, records: number): OutputTensor[] {
  return plan.names.map((name) => {
    const t = results[name]
    if (!t) throw errors.modelFailed(`the model returned no output "${name}"`)
    checkRecordsFirst(name, t, records)
    const dims = [...t.dims]
    let data = t.data as OutputTensor['data']
    let dtype = t.type as OutputDtype
    if (plan.classLabels && name === plan.labelOutput && (dtype === 'int64' || dtype === 'int32')) {
      const labels = plan.classLabels
      data = Array.from(data as ArrayLike<number | bigint>, (id) => labels[Number(id)] ?? String(id))
      dtype = 'string'
    }
    const keys = plan.classKeys[name]
    return keys ? { name, dtype, dims, data, keys } : { name, dtype, dims, data }
  })
}
