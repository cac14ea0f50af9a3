/**
 * Image bytes (image/png, or application/x-image holding a PNG) -> a normalized float32 [1, 3, H, W]
 * tensor for a vision model with input "pixels" and output "probabilities" [N, 3]. PNG decoding is
 * pngjs, vendored in code/node_modules (npm install --prefix code). Every image is resized (nearest
 * neighbour) to SIZE x SIZE and normalized with the ImageNet mean and standard deviation.
 */
import type { Feeds, Outputs, RequestContext } from 'byoc'
import { PNG } from 'pngjs'

const SIZE = 32
const MEAN = [0.485, 0.456, 0.406]
const STD = [0.229, 0.224, 0.225]
const LABELS = ['red', 'green', 'blue']

export const contentTypes = ['image/png', 'application/x-image']

export function decode(body: Uint8Array, _contentType: string, ctx: RequestContext): Feeds {
  let png: PNG
  try {
    png = PNG.sync.read(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
  } catch (error) {
    return ctx.error(400, `not a PNG image: ${(error as Error).message}`)
  }
  const { width, height, data } = png // RGBA, 8 bits a channel
  const plane = SIZE * SIZE
  const pixels = new Float32Array(3 * plane)
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const from = (Math.floor((y * height) / SIZE) * width + Math.floor((x * width) / SIZE)) * 4
      for (let c = 0; c < 3; c++) pixels[c * plane + y * SIZE + x] = (data[from + c] / 255 - MEAN[c]) / STD[c]
    }
  ctx.log.debug(`decoded a ${width}x${height} PNG`)
  return { pixels: { data: pixels, dims: [1, 3, SIZE, SIZE] } }
}

export function postprocess(outputs: Outputs) {
  const p = Array.from(outputs.probabilities.data as Float32Array)
  const best = p.indexOf(Math.max(...p))
  return { label: LABELS[best], probabilities: Object.fromEntries(LABELS.map((l, i) => [l, Number(p[i].toFixed(4))])) }
}
