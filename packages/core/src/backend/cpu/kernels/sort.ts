/**
 * Sorting along the last axis: argsort (stable) and top_k.
 *
 * Order: ascending puts NaN last (NumPy). Descending is the exact reverse value order, so NaN
 * comes first (NaN counts as the largest value, as in argmax and in `jnp.argsort(descending=True)`),
 * while ties keep their original order in both directions (stable). top_k takes the first k of
 * the descending order: largest values first, ties by lower index.
 */
import type { Primitive } from "../../../primitives/primitive";
import type { TypedArray } from "../../../tensor/dtype";
import { alloc, type CpuKernel } from "./util";

/** Indices 0..n-1 of row `v[base .. base + n)` in stable sorted order. */
function sortRow(v: TypedArray, base: number, n: number, descending: boolean): number[] {
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // Array.prototype.sort is stable since ES2019, so ties return 0 and keep index order.
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

export const argsortKernel: CpuKernel<Primitive.Argsort> = (inputs, params, outputs) => {
  const x = inputs[0];
  const o = alloc(outputs[0]);
  const n = x.shape[x.shape.length - 1];
  if (n === 0) return [o];
  const rows = x.values.length / n;
  for (let r = 0; r < rows; r++) {
    const idx = sortRow(x.values, r * n, n, params.descending);
    for (let i = 0; i < n; i++) o[r * n + i] = idx[i];
  }
  return [o];
};

export const topKKernel: CpuKernel<Primitive.TopK> = (inputs, params, outputs) => {
  const x = inputs[0];
  const values = alloc(outputs[0]);
  const indices = alloc(outputs[1]);
  const n = x.shape[x.shape.length - 1];
  const k = params.k;
  if (n === 0 || k === 0) return [values, indices];
  const rows = x.values.length / n;
  for (let r = 0; r < rows; r++) {
    const idx = sortRow(x.values, r * n, n, true);
    for (let i = 0; i < k; i++) {
      values[r * k + i] = x.values[r * n + idx[i]];
      indices[r * k + i] = idx[i];
    }
  }
  return [values, indices];
};
