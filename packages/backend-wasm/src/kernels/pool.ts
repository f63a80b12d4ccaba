/**
 * Max and average pooling and their gradient, channels-last, 1 to 3 spatial dims, in TypeScript
 * on views, with the CPU oracle's semantics: padded taps never take part (never win a max; with
 * `countIncludePad: false` an average divides by the number of real taps); the max gradient goes
 * to the first maximal element in window order (NaN counts as the maximum) and accumulates where
 * windows overlap.
 *
 * float32 with a channel count divisible by 4 runs in wasm SIMD (`asm/pool.ts`, four channels per
 * f32x4); other channel counts run the TypeScript loop below.
 */
import type { PoolParams, Primitive, TypedArray } from "@webkeras/core";
import type { Runtime } from "../runtime";
import { convGeom, withGeom, type ConvGeom } from "./conv";
import type { WasmKernel } from "./util";

function poolLoop(
  g: ConvGeom,
  p: PoolParams,
  x: TypedArray,
  dy: TypedArray | null,
  out: TypedArray,
): void {
  const [D, H, W] = g.inS;
  const [KD, KH, KW] = g.kS;
  const [OD, OH, OW] = g.outS;
  const [sd, sh, sw] = g.st;
  const [dd, dh, dw] = g.dil;
  const [pd, ph, pw] = g.pad;
  const C = g.C;
  const isMax = p.kind === "max";
  const acc = new Float64Array(C);
  const arg = new Int32Array(C);
  const fullWindow = KD * KH * KW;
  let o = 0;
  for (let n = 0; n < g.N; n++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o += C) {
          acc.fill(isMax ? -Infinity : 0);
          arg.fill(-1);
          let count = 0;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const rowBase = ((n * D + id) * H + ih) * W;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const src = (rowBase + iw) * C;
                count++;
                if (isMax) {
                  for (let c = 0; c < C; c++) {
                    const v = x[src + c];
                    const m = acc[c];
                    if (arg[c] < 0 || v > m || (v !== v && m === m)) {
                      acc[c] = v;
                      arg[c] = src + c;
                    }
                  }
                } else if (dy === null) {
                  for (let c = 0; c < C; c++) acc[c] += x[src + c];
                }
              }
            }
          }
          const divisor = p.countIncludePad ? fullWindow : count;
          if (dy === null) {
            if (isMax) for (let c = 0; c < C; c++) out[o + c] = acc[c];
            else for (let c = 0; c < C; c++) out[o + c] = count === 0 ? 0 : acc[c] / divisor;
            continue;
          }
          if (isMax) {
            for (let c = 0; c < C; c++) if (arg[c] >= 0) out[arg[c]] += dy[o + c];
            continue;
          }
          if (count === 0) continue;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const rowBase = ((n * D + id) * H + ih) * W;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const src = (rowBase + iw) * C;
                for (let c = 0; c < C; c++) out[src + c] += dy[o + c] / divisor;
              }
            }
          }
        }
      }
    }
  }
}

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
