// Seeded inputs, so that every contender gets byte-identical data and every run the same data.

/**
 * mulberry32: a tiny 32-bit PRNG; good enough for benchmark inputs, not for statistics.
 * https://github.com/bryc/code/blob/master/jshash/PRNGs.md#mulberry32
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, used to derive one seed per case from its id. */
export function seedOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `size` floats uniform in [-scale, scale).
 * @example uniform(rng, 64 * 784, 1)
 */
export function uniform(rng, size, scale = 1) {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng() * 2 - 1) * scale;
  return out;
}

/** `size` integers uniform in [0, n). */
export function randint(rng, size, n) {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(rng() * n);
  return out;
}
