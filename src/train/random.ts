/** mulberry32: a tiny seeded PRNG, so runs (and generated test weights) are identical every time. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
