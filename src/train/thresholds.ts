/**
 * Split thresholds that survive float32 inference. ONNX Runtime compares the float32 input with a float32
 * threshold (BRANCH_LEQ: left when x <= t), and training data is float32 too, so for a split between the
 * adjacent training values a < b the threshold must be a float32 t with a <= t < b. We take the midpoint
 * (as scikit-learn does) rounded to float32, or a itself when that rounding lands on b (a and b are then
 * neighbouring float32 values). Training and the exported model then agree on every row, those lying
 * exactly on a split included.
 */
export function splitThreshold(a: number, b: number): number {
  const mid = Math.fround((a + b) / 2)
  return mid >= b || mid < a ? Math.fround(a) : mid
}

/** Sort key of a float32 value as an unsigned integer (IEEE order; -0 as +0, NaN last). */
const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)
export function sortKey(v: number): number {
  if (v !== v) return 0xffffffff
  f32[0] = v === 0 ? 0 : v
  const bits = u32[0]
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0
}
