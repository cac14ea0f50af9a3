import { mulberry32 } from '../onnx/prng'

/** Seeded pseudo-random numbers (mulberry32), so `seed` / `random_state` make training reproducible. */
export function rng(seed: number): () => number {
  // mulberry32 maps seed 0 to a weak start; any fixed non-zero value keeps runs reproducible.
  return mulberry32(seed >>> 0 || 0x9e3779b9)
}

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(n: number, random: () => number): Int32Array {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = p[i]
    p[i] = p[j]
    p[j] = t
  }
  return p
}
