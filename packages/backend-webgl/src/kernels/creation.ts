/**
 * Creation kernels: iota, and uniform random numbers from the counter-based Threefry-2x32
 * generator in 32-bit unsigned GLSL arithmetic, bit-identical to the cpu backend (element i is
 * a function of the key and i only).
 */
import type { Primitive } from "@webkeras/core";
import { sizeOf } from "../glsl";
import type { Kernel } from "./kernel";

export const iotaKernel: Kernel<Primitive.Iota> = (ctx, _inputs, p, [out]) => {
  const len = p.shape[p.axis]!;
  const inner = sizeOf(p.shape.slice(p.axis + 1));
  const k = `((e / ${inner}) % ${Math.max(len, 1)})`;
  const v = out!.dtype === "float32" ? `float(${k})` : out!.dtype === "bool" ? `(${k} != 0 ? 1 : 0)` : k;
  return [ctx.map([], out!, `v = ${v};`)];
};

const u32 = (v: number): string => `${v >>> 0}u`;

export const randomUniformKernel: Kernel<Primitive.RandomUniform> = (ctx, _inputs, p, [out]) => {
  const k0 = p.key[0] >>> 0;
  const k1 = p.key[1] >>> 0;
  const k2 = (0x1bd11bda ^ k0 ^ k1) >>> 0;
  const ks = [k0, k1, k2];
  const rot = [
    [13, 15, 26, 6],
    [17, 29, 16, 24],
  ];
  const lines = [`uint x0 = uint(e) + ${u32(k0)}; uint x1 = ${u32(k1)};`];
  // Five groups of four rounds; key injection after each group (as random/threefry.ts).
  for (let g = 0; g < 5; g++) {
    for (const r of rot[g % 2]!) lines.push(`x0 += x1; x1 = ((x1 << ${r}u) | (x1 >> ${32 - r}u)) ^ x0;`);
    if (g < 4) lines.push(`x0 += ${u32(ks[(g + 1) % 3]!)}; x1 += ${u32((ks[(g + 2) % 3]! + g + 1) >>> 0)};`);
    else lines.push(`x0 += ${u32(ks[(g + 1) % 3]!)};`);
  }
  // uniformFromBits: top 23 bits scaled by 2^-23.
  lines.push("v = float(x0 >> 9u) * 1.1920928955078125e-7;");
  return [ctx.map([], out!, lines.join("\n    "))];
};
