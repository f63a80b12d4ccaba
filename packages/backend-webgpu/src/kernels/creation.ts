/**
 * Creation: iota and the counter-based uniform generator (Threefry-2x32, 20 rounds, the same bits
 * as core's `random/threefry.ts` and the CPU kernel: element i = bits of threefry(key, (i, 0))).
 */
import type { Primitive } from "@webkeras/core";
import type { GpuKernel } from "../kernel";
import { grid1d, mainHeader, storageType, uniformDecl } from "../wgsl";
import { sizeOf } from "./util";

export const iotaKernel: GpuKernel<Primitive.Iota> = (ctx, _inputs, params, outputs) => {
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0) return [o];
  const len = params.shape[params.axis]!;
  const inner = sizeOf(params.shape.slice(params.axis + 1));
  const v = "((idx / U(2u)) % U(1u))";
  const value = out.dtype === "float32" ? `f32(${v})` : out.dtype === "int32" ? `i32(${v})` : `u32(${v} != 0u)`;
  const source = `${uniformDecl(3)}
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(out.dtype)}>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  out[idx] = ${value};
}`;
  ctx.run({ source, inputs: [], outputs: [o], uniforms: [n, len, inner], grid: grid1d(n) });
  return [o];
};

// Rotations 13, 15, 26, 6 | 17, 29, 16, 24, alternating; key injection after every 4 rounds.
const ROT = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

function threefryBody(): string {
  const lines: string[] = [];
  const ks = ["k0", "k1", "k2"];
  for (let g = 0; g < 5; g++) {
    for (const r of ROT[g % 2]!) lines.push(`x0 = x0 + x1; x1 = ((x1 << ${r}u) | (x1 >> ${32 - r}u)) ^ x0;`);
    const a = ks[(g + 1) % 3]!;
    const b = ks[(g + 2) % 3]!;
    if (g < 4) lines.push(`x0 = x0 + ${a}; x1 = x1 + ${b} + ${g + 1}u;`);
    else lines.push(`x0 = x0 + ${a};`);
  }
  return lines.join("\n  ");
}

export const randomUniformKernel: GpuKernel<Primitive.RandomUniform> = (ctx, _inputs, params, outputs) => {
  const o = ctx.alloc(outputs[0]!);
  const n = sizeOf(params.shape);
  if (n === 0) return [o];
  const k0 = params.key[0] >>> 0;
  const k1 = params.key[1] >>> 0;
  const source = `${uniformDecl(3)}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  let k0 = U(1u); let k1 = U(2u); let k2 = 0x1bd11bdau ^ k0 ^ k1;
  var x0 = idx + k0;
  var x1 = k1;
  ${threefryBody()}
  out[idx] = f32(x0 >> 9u) * 1.1920928955078125e-7;
}`;
  ctx.run({ source, inputs: [], outputs: [o], uniforms: [n, k0, k1], grid: grid1d(n) });
  return [o];
};
