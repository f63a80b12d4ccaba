/**
 * Creation kernels in TypeScript: iota and the counter-based Threefry-2x32 uniform generator
 * (element i = top 23 bits of threefry2x32(key, (i, 0))[0] times 2^-23), so every backend draws
 * the same bits for the same key. Checked against core's `threefry2x32` in the tests.
 */
import type { Primitive } from "@webkeras/core";
import { sizeOf, type WasmKernel } from "./util";

export const iotaKernel: WasmKernel<Primitive.Iota> = (rt, _inputs, params, outputs) => {
  const o = rt.v(outputs[0]);
  const shape = params.shape;
  const len = shape[params.axis];
  const inner = sizeOf(shape.slice(params.axis + 1));
  const n = o.length;
  const bool = outputs[0].dtype === "bool";
  for (let i = 0, k = 0, j = 0; i < n; i++) {
    o[i] = bool ? (k !== 0 ? 1 : 0) : k;
    if (++j === inner) {
      j = 0;
      if (++k === len) k = 0;
    }
  }
};

export const randomUniformKernel: WasmKernel<Primitive.RandomUniform> = (
  rt,
  _inputs,
  params,
  outputs,
) => {
  const o = rt.v(outputs[0]);
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
    o[i] = (x0 >>> 9) * 1.1920928955078125e-7;
  }
};
