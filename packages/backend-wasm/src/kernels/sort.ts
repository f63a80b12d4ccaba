/**
 * Sorting along the last axis in TypeScript: argsort (stable) and top_k, with the CPU oracle's
 * order: ascending puts NaN last, descending is the exact reverse value order (NaN first) with
 * ties in index order, top_k takes the first k of the descending order.
 */
import type { Primitive, TypedArray } from "@webkeras/core";
import type { WasmKernel } from "./util";

function sortRow(v: TypedArray, base: number, n: number, descending: boolean): number[] {
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // Array.prototype.sort is stable, so ties return 0 and keep index order.
  idx.sort(
    descending
      ? (i, j) => {
          const a = v[base + i];
          const b = v[base + j];
          if (a !== a) return b !== b ? 0 : -1;
          if (b !== b) return 1;
          return a > b ? -1 : a < b ? 1 : 0;
        }
      : (i, j) => {
          const a = v[base + i];
          const b = v[base + j];
          if (a !== a) return b !== b ? 0 : 1;
          if (b !== b) return -1;
          return a < b ? -1 : a > b ? 1 : 0;
        },
  );
  return idx;
}

export const argsortKernel: WasmKernel<Primitive.Argsort> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const o = rt.v(outputs[0]);
  const n = x.shape[x.shape.length - 1];
  if (n === 0) return;
  const v = rt.v(x);
  const rows = x.size / n;
  for (let r = 0; r < rows; r++) {
    const idx = sortRow(v, r * n, n, params.descending);
    for (let i = 0; i < n; i++) o[r * n + i] = idx[i];
  }
};

export const topKKernel: WasmKernel<Primitive.TopK> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const values = rt.v(outputs[0]);
  const indices = rt.v(outputs[1]);
  const n = x.shape[x.shape.length - 1];
  const k = params.k;
  if (n === 0 || k === 0) return;
  const v = rt.v(x);
  const rows = x.size / n;
  for (let r = 0; r < rows; r++) {
    const idx = sortRow(v, r * n, n, true);
    for (let i = 0; i < k; i++) {
      values[r * k + i] = v[r * n + idx[i]];
      indices[r * k + i] = idx[i];
    }
  }
};
