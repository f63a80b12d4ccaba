/**
 * Max and average pooling and their gradient, channels-last, 1 to 3 spatial dims.
 *
 * Padded taps never take part: they never win a max (as if -inf) and, with
 * `countIncludePad: false` (Keras/TF "same"), an average divides by the number of real elements in
 * the window. The max gradient goes to the first maximal element in row-major window order (NaN
 * counts as the maximum, as in argmax) and accumulates where windows overlap; the average
 * gradient spreads dy / divisor over the real elements.
 */
import type { PoolParams, Primitive } from "../../../primitives/primitive";
import type { TypedArray } from "../../../tensor/dtype";
import { convGeom, type ConvGeom } from "./conv";
import { alloc, type CpuKernel } from "./util";

/**
 * Visits every output position. Forward (`dy` null): writes pooled values into `out`.
 * Backward: adds the gradient of each output (from `dy`) into `out` (shaped like x).
 */
export function poolLoop(
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
          // Pass 1: the max and its first position, or the sum and the count of real taps.
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
          // Pass 2 (average gradient): spread dy / divisor over the real taps.
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

export const poolKernel: CpuKernel<Primitive.Pool> = (inputs, params, outputs) => {
  const x = inputs[0];
  const out = outputs[0];
  const o = alloc(out);
  const nsp = x.shape.length - 2;
  const g = convGeom(x.shape, params.window, out.shape.slice(1, nsp + 1), params, "pool");
  poolLoop(g, params, x.values, null, o);
  return [o];
};

export const poolBackpropKernel: CpuKernel<Primitive.PoolBackprop> = (inputs, params, outputs) => {
  const [dy, x] = inputs;
  const dx = alloc(outputs[0]);
  const nsp = x.shape.length - 2;
  const g = convGeom(x.shape, params.window, dy.shape.slice(1, nsp + 1), params, "pool_backprop");
  poolLoop(g, params, x.values, dy.values, dx);
  return [dx];
};
