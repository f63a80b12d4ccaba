/**
 * Threefry-2x32 with 20 rounds, the counter-based generator JAX uses
 * (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3";
 * https://github.com/jax-ml/jax/blob/main/jax/_src/prng.py, `_threefry2x32_lowering`).
 *
 * webkeras' RandomUniform primitive defines element i of its output as
 * `uniformFromBits(threefry2x32(key, [i, 0])[0])`, so every backend (CPU, WGSL, GLSL, wasm)
 * computes the same float32 values from 32-bit integer arithmetic alone.
 */

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** Encrypts the counter (c0, c1) under the key (k0, k1); returns two uint32 words. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks2 = (0x1bd11bda ^ ks0 ^ ks1) >>> 0;
  const ks = [ks0, ks1, ks2];
  let x0 = (c0 + ks0) >>> 0;
  let x1 = (c1 + ks1) >>> 0;
  for (let block = 0; block < 5; block++) {
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotl(x1, ROT[(block % 2) * 4 + r]!) ^ x0;
    }
    x0 = (x0 + ks[(block + 1) % 3]!) >>> 0;
    x1 = (x1 + ks[(block + 2) % 3]! + block + 1) >>> 0;
  }
  return [x0, x1];
}

/** Maps 32 random bits to a float32 in [0, 1) with 23 random mantissa bits. */
export function uniformFromBits(bits: number): number {
  return (bits >>> 9) * 1.1920928955078125e-7; // 2^-23
}

/** Splits a key into two independent keys (as jax.random.split). */
export function splitKey(k0: number, k1: number): [[number, number], [number, number]] {
  const a = threefry2x32(k0, k1, 0, 0);
  const b = threefry2x32(k0, k1, 1, 0);
  return [a, b];
}
