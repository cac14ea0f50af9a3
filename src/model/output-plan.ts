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
  names: string[]
  classLabels: string[] | null
  labelOutput: string
}

export function planOutputs(
  outputs: ValueInfo[],
  chosen: string[] | null | undefined,
  classLabels: string[] | null | undefined,
  labelOutput: string = DEFAULTS.labelOutput,
): OutputPlan {
  const tensors = outputs.filter((o) => o.type !== 'non-tensor')
  if (chosen?.length) {
    for (const name of chosen) {
      const o = outputs.find((x) => x.name === name)
      if (!o) throw new Error(`output "${name}" was chosen but the model has no such output; it has ${list(outputs)}`)
      if (o.type === 'non-tensor')
        throw new Error(`output "${name}" is not a tensor (a sequence or map, e.g. ZipMap) and cannot be returned`)
    }
  }
  const names = chosen?.length ? [...chosen] : tensors.map((o) => o.name)
  if (names.length === 0) throw new Error(`the model has no tensor outputs to return (outputs: ${list(outputs)})`)
  return { names, classLabels: classLabels?.length ? classLabels : null, labelOutput }
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
    return { name, dtype, dims, data }
  })
}
