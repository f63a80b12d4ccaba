/**
 * Max and average pooling and their gradient, channels-last, 1 to 3 spatial dims, in TypeScript
 * on views, with the CPU oracle's semantics: padded taps never take part (never win a max; with
 * `countIncludePad: false` an average divides by the number of real taps); the max gradient goes
 * to the first maximal element in window order (NaN counts as the maximum) and accumulates where
 * windows overlap.
 *
 * float32 with a channel count divisible by 4 runs in wasm SIMD (`asm/pool.ts`, four channels per
 * f32x4); other channel counts run the CPU oracle's TypeScript loop (`cpuKernelUtils.poolLoop`).
 */
import { cpuKernelUtils } from "@webkeras/core";
import type { PoolParams, Primitive } from "@webkeras/core";
import type { Runtime } from "../runtime";
import { convGeom, withGeom, type ConvGeom } from "./conv";
import type { WasmKernel } from "./util";

const { poolLoop } = cpuKernelUtils;

const useSimd = (g: ConvGeom, dtype: string) => dtype === "float32" && g.C % 4 === 0;
const positionsOf = (g: ConvGeom) => g.N * g.outS[0] * g.outS[1] * g.outS[2];

function simdPool(
  rt: Runtime,
  g: ConvGeom,
  p: PoolParams,
  run: (geom: number, rows: number, pad: number) => void,
): void {
  withGeom(rt, g, g.C, (geom) => run(geom, positionsOf(g), p.countIncludePad ? 1 : 0));
}

export const poolKernel: WasmKernel<Primitive.Pool> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const out = outputs[0];
  const nsp = x.shape.length - 2;
  const g = convGeom(x.shape, params.window, out.shape.slice(1, nsp + 1), params, "pool");
  if (out.size === 0) return;
  if (useSimd(g, x.dtype)) {
    simdPool(rt, g, params, (geom, rows, pad) =>
      rt.k[params.kind === "max" ? "pool_max" : "pool_avg"](geom, rows, x.ptr, out.ptr, pad),
    );
    return;
  }
  poolLoop(g, params, rt.v(x), null, rt.v(out));
};

export const poolBackpropKernel: WasmKernel<Primitive.PoolBackprop> = (
  rt,
  inputs,
  params,
  outputs,
) => {
  const [dy, x] = inputs;
  const out = outputs[0];
  rt.v(out).fill(0);
  const nsp = x.shape.length - 2;
  const g = convGeom(x.shape, params.window, dy.shape.slice(1, nsp + 1), params, "pool_backprop");
  if (dy.size === 0) return;
  if (useSimd(g, x.dtype)) {
    simdPool(rt, g, params, (geom, rows, pad) =>
      rt.k[params.kind === "max" ? "pool_max_bwd" : "pool_avg_bwd"](
        geom,
        rows,
        x.ptr,
        dy.ptr,
        out.ptr,
        pad,
      ),
    );
    return;
  }
  poolLoop(g, params, rt.v(x), rt.v(dy), rt.v(out));
};
