/**
 * The handler examples in examples/, served by the compiled binary as a user would ship them: each
 * example's code/ beside its model, the image example's PNG decoder vendored in code/node_modules. Each
 * passes the type check at start.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { colourModel, textClassifierModel } from './fixtures/handler-models'
import { EXAMPLES, exampleRoot } from './helpers/handler-root'
import { type Running, startServer, waitForLog } from './helpers/server'

// Start-up lines are written asynchronously: one may land just after /ping turns 200.
const TYPE_CHECKED = /code\/handler\.ts type-checked in \d+ ms/

const post = (s: Running, body: string | Uint8Array, headers: Record<string, string>) =>
  fetch(`${s.url}/invocations`, { method: 'POST', body, headers })

describe('text classifier: text -> token ids and attention mask, vocabulary beside the handler', () => {
  let s: Running
  beforeAll(async () => {
    const vocab = readFileSync(join(EXAMPLES, 'text-classifier/code/vocab.txt'), 'utf8').split('\n')
    const model = textClassifierModel(
      vocab,
      ['good', 'great', 'love', 'loved', 'excellent', 'wonderful'],
      ['bad', 'terrible', 'hate', 'hated', 'awful', 'boring'],
    )
    s = await startServer(exampleRoot('text-classifier', model))
  })
  afterAll(() => s.stop())

  test('JSON texts of different lengths get one label each, in order', async () => {
    // It passed byoc's type check at start (against byoc's Handler type).
    expect(await waitForLog(s, TYPE_CHECKED)).toMatch(TYPE_CHECKED)
    const res = await post(s, JSON.stringify(['I loved this movie, the acting was great', 'boring plot, awful']), {
      'content-type': 'application/json',
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Array<{ label: string; score: number }>
    expect(body.map((b) => b.label)).toEqual(['positive', 'negative'])
    // Two positive tokens among 10 (with [CLS] and [SEP]): logits (0, 0.6), so p = sigmoid(0.6).
    expect(body[0].score).toBeCloseTo(1 / (1 + Math.exp(-0.6)), 3)
  })

  test('text/plain, one text a line, passes the HTTP thread because the handler declares it', async () => {
    const res = await post(s, 'what a wonderful film\nI hated it\n', { 'content-type': 'text/plain' })
    expect(res.status).toBe(200)
    expect(((await res.json()) as Array<{ label: string }>).map((b) => b.label)).toEqual(['positive', 'negative'])
  })

  test('the vocabulary was read once per Worker by load(), and a bad body is the client’s 400', async () => {
    expect(s.log()).toContain(`handler: vocabulary of 31 tokens`)
    const res = await post(s, '{"inputs": [1, 2]}', { 'content-type': 'application/json' })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('send a string, an array of strings')
    expect((await post(s, 'a\n', { 'content-type': 'image/png' })).status).toBe(415)
  })
})

describe('wine fields: a JSON object with named fields -> a scikit-learn pipeline, threshold and labels out', () => {
  let s: Running
  // The first two wines of the model's test cases; probabilities from scikit-learn's predict_proba.
  const FIELDS = [
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
  const rows = [
    [14.23, 1.71, 2.43, 15.6, 127.0, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065.0],
    [13.41, 3.84, 2.12, 18.8, 90.0, 2.45, 2.68, 0.27, 1.48, 4.28, 0.91, 3.0, 1035.0],
    [13.78, 2.76, 2.3, 22.0, 90.0, 1.35, 0.68, 0.41, 1.03, 9.58, 0.7, 1.68, 615.0],
  ]
  const barolo = [0.9997804286327913, 0.9538486081340171, 0.0008088603123350618]
  const wines = rows.map((r) => Object.fromEntries(FIELDS.map((f, i) => [f, r[i]])))
  beforeAll(async () => {
    s = await startServer(exampleRoot('wine-fields'), { SAGEMAKER_MODEL_SERVER_WORKERS: '1' })
  })
  afterAll(() => s.stop())

  test('named fields in, class names and probabilities out, the threshold echoed', async () => {
    // It passed byoc's type check at start (against byoc's Handler type).
    expect(await waitForLog(s, TYPE_CHECKED)).toMatch(TYPE_CHECKED)
    const res = await post(s, JSON.stringify(wines), { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-amzn-sagemaker-custom-attributes')).toBe('threshold=0.8')
    const body = (await res.json()) as Array<{ label: string; probability: number; probabilities: any }>
    expect(body.map((b) => b.label)).toEqual(['barolo', 'barolo', 'barbera'])
    body.forEach((b, i) => {
      expect(b.probabilities.barolo).toBeCloseTo(barolo[i], 4)
    })
  })

  test('a client raises the threshold with a custom attribute; one object alone is one record', async () => {
    const res = await post(s, JSON.stringify(wines[1]), {
      'content-type': 'application/json',
      'x-amzn-sagemaker-custom-attributes': 'threshold=0.99',
    })
    expect(res.headers.get('x-amzn-sagemaker-custom-attributes')).toBe('threshold=0.99')
    expect(((await res.json()) as any[]).map((b) => b.label)).toEqual(['uncertain'])
  })

  test('a missing field is a 400 naming it; CSV rows still go through byoc’s own decoding', async () => {
    const { proline: _, ...partial } = wines[0]
    const bad = await post(s, JSON.stringify(partial), { 'content-type': 'application/json' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('record 1: \\"proline\\" must be a number')
    const csv = await post(s, `${rows.map((r) => r.join(',')).join('\n')}\n`, {
      'content-type': 'text/csv',
      accept: 'application/json',
    })
    expect(((await csv.json()) as any[]).map((b) => b.label)).toEqual(['barolo', 'barolo', 'barbera'])
  })
})

describe('image: PNG bytes -> a normalized [1, 3, H, W] tensor, decoder vendored in code/node_modules', () => {
  let s: Running
  beforeAll(async () => {
    s = await startServer(exampleRoot('image-png', colourModel(), ['pngjs']))
  })
  afterAll(() => s.stop())

  const png = (width: number, height: number, rgb: [number, number, number]) => {
    const image = new PNG({ width, height })
    for (let i = 0; i < width * height; i++) image.data.set([...rgb, 255], i * 4)
    return PNG.sync.write(image)
  }

  test('image/png and application/x-image are decoded by the handler; the dominant colour wins', async () => {
    // It passed byoc's type check at start (against byoc's Handler type).
    expect(await waitForLog(s, TYPE_CHECKED)).toMatch(TYPE_CHECKED)
    const red = await post(s, png(40, 20, [220, 30, 30]), { 'content-type': 'image/png' })
    expect(red.status).toBe(200)
    expect(((await red.json()) as { label: string }).label).toBe('red')
    const blue = await post(s, png(7, 9, [10, 40, 250]), { 'content-type': 'application/x-image' })
    expect(((await blue.json()) as { label: string }).label).toBe('blue')
  })

  test('bytes that are not a PNG are a 400; a type the handler does not declare is a 415', async () => {
    const bad = await post(s, 'not an image', { 'content-type': 'image/png' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('not a PNG image')
    expect((await post(s, 'x', { 'content-type': 'image/jpeg' })).status).toBe(415)
  })
})
