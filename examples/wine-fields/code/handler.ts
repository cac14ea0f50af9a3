/**
 * A raw JSON object with named fields -> the feature vector of a scikit-learn pipeline
 * (StandardScaler + LogisticRegression on the wine data, converted by skl2onnx with zipmap "columns":
 * input "float_input" [N, 13], outputs "output_label" and one probability per class). The answer names
 * the class when its probability reaches the threshold, "uncertain" below it; a client may ask for
 * another threshold with the custom attribute `threshold=0.95`.
 *
 *   {"alcohol": 14.23, "malic_acid": 1.71, ...}   or an array of such objects
 */
import type { Decoded, DecodedTensor, Feeds, Outputs, RequestContext } from 'byoc'

/** The pipeline's columns, in training order. */
const FEATURES = [
  'alcohol',
  'malic_acid',
  'ash',
  'alcalinity_of_ash',
  'magnesium',
  'total_phenols',
  'flavanoids',
  'nonflavanoid_phenols',
  'proanthocyanins',
  'color_intensity',
  'hue',
  'od280_od315_of_diluted_wines',
  'proline',
]
/** The class names, and the model output that holds each one's probability. */
const CLASSES = { barolo: 'sbarolo', grignolino: 'sgrignolino', barbera: 'sbarbera' }
const THRESHOLD = 0.8

type Wine = Record<string, number>

export function decode(body: Uint8Array, contentType: string, ctx: RequestContext): Wine[] | undefined {
  if (contentType !== 'application/json') return undefined // CSV rows etc.: byoc's own decoding
  const value = JSON.parse(new TextDecoder().decode(body))
  const wines = Array.isArray(value) ? value : [value]
  wines.forEach((wine, i) => {
    for (const f of FEATURES)
      if (typeof wine?.[f] !== 'number') ctx.error(400, `record ${i + 1}: "${f}" must be a number`)
  })
  return wines
}

export function preprocess(wines: Wine[] | Decoded, ctx: RequestContext): Feeds {
  if (!Array.isArray(wines)) {
    // CSV rows (or npy): byoc decoded them already, the 13 values of each in training order.
    const t = wines.tensors as DecodedTensor
    if (t.shape[1] !== FEATURES.length) ctx.error(400, `each row must hold the ${FEATURES.length} features`)
    return { float_input: { data: t.values, dims: t.shape } }
  }
  const data = new Float32Array(wines.length * FEATURES.length)
  wines.forEach((wine, r) => {
    FEATURES.forEach((f, c) => {
      data[r * FEATURES.length + c] = wine[f]
    })
  })
  return { float_input: { data, dims: [wines.length, FEATURES.length] } }
}

export function postprocess(outputs: Outputs, _records: unknown, ctx: RequestContext) {
  const asked = /(?:^|[,;\s])threshold=([0-9.]+)/.exec(ctx.headers.customAttributes ?? '')
  const threshold = asked ? Number(asked[1]) : THRESHOLD
  ctx.setHeader('X-Amzn-SageMaker-Custom-Attributes', `threshold=${threshold}`)
  return Array.from({ length: outputs.output_label.dims[0] }, (_, r) => {
    const probabilities = Object.fromEntries(
      Object.entries(CLASSES).map(([name, output]) => [name, Number((outputs[output].data[r] as number).toFixed(6))]),
    )
    const [best, p] = Object.entries(probabilities).sort((a, b) => b[1] - a[1])[0]
    return { label: p >= threshold ? best : 'uncertain', probability: p, probabilities }
  })
}
