/**
 * Host-side randomness for data pipelines: a small seeded PRNG keyed from `keras.random`'s
 * global generator (so `keras.random.setRandomSeed` makes shuffles repeatable) and an in-place
 * Fisher-Yates shuffle.
 */
import { drawSeed, type Seed } from "../../random/seed_generator";

/**
 * Uniform floats in [0, 1) from mulberry32, seeded by a key that `seed` (a number, a
 * SeedGenerator or null for the global generator) draws.
 * @example const rand = hostRandom(42); rand(); // 0.37…
 */
export function hostRandom(seed: Seed = null): () => number {
  const [a, b] = drawSeed(seed, "shuffle");
  let s = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Shuffles `a[start..end)` in place (Fisher-Yates).
 * @example const idx = Int32Array.from([0, 1, 2, 3]); shuffleInPlace(idx, hostRandom(1));
 */
export function shuffleInPlace(a: Int32Array | number[], rand: () => number, start = 0, end = a.length): void {
  for (let i = end - 1; i > start; i--) {
    const j = start + Math.floor(rand() * (i - start + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
