/**
 * Creation kernels: iota and the counter-based uniform random generator.
 */
import type { Primitive } from "../../../primitives/primitive";
import { alloc, sizeOf, type CpuKernel } from "./util";

/** Values 0, 1, 2, … along `axis`, repeated over the other axes. */
export const iotaKernel: CpuKernel<Primitive.Iota> = (_inputs, params, outputs) => {
  const o = alloc(outputs[0]);
  const shape = params.shape;
  const len = shape[params.axis];
  const inner = sizeOf(shape.slice(params.axis + 1));
  const n = o.length;
  for (let i = 0, k = 0, j = 0; i < n; i++) {
    o[i] = k;
    if (++j === inner) {
      j = 0;
      if (++k === len) k = 0;
    }
  }
  if (outputs[0].dtype === "bool") for (let i = 0; i < n; i++) o[i] = o[i] !== 0 ? 1 : 0;
  return [o];
};

/**
 * Element i = uniformFromBits(threefry2x32(key, (i, 0))[0]): the same bits on every backend.
 *
 * This is `threefry2x32` from `random/threefry.ts` inlined with the counter high word fixed at 0,
 * so a million draws allocate nothing; the tests check it against that reference.
 */
export const randomUniformKernel: CpuKernel<Primitive.RandomUniform> = (
  _inputs,
  params,
  outputs,
) => {
  const o = alloc(outputs[0]);
  const k0 = params.key[0] >>> 0;
  const k1 = params.key[1] >>> 0;
  const k2 = (0x1bd11bda ^ k0 ^ k1) >>> 0;
  // prettier-ignore
  for (let i = 0; i < o.length; i++) {
    let x0 = (i + k0) >>> 0;
    let x1 = k1;
    // Rotations 13, 15, 26, 6 | 17, 29, 16, 24, alternating; key injection after every 4 rounds.
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
    x0 = (x0 + k1) >>> 0; x1 = (x1 + k2 + 1) >>> 0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
    x0 = (x0 + k2) >>> 0; x1 = (x1 + k0 + 2) >>> 0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
    x0 = (x0 + k0) >>> 0; x1 = (x1 + k1 + 3) >>> 0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
    x0 = (x0 + k1) >>> 0; x1 = (x1 + k2 + 4) >>> 0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
    x0 = (x0 + x1) >>> 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
    x0 = (x0 + k2) >>> 0;
    // uniformFromBits: top 23 bits scaled by 2^-23.
    o[i] = (x0 >>> 9) * 1.1920928955078125e-7;
  }
  return [o];
};
