/**
 * Sorting along the last axis: argsort (stable) and top_k, as two passes of the map template.
 * Pass 1 gives each element its rank (how many elements of its row sort before it, ties broken by
 * index, so the order is stable); pass 2 has each output position find the element of that rank.
 * Order as the cpu backend: ascending puts NaN last, descending is the exact reverse value order
 * (NaN first), ties keep index order in both. O(n^2) per row of n, in parallel over elements:
 * fine for the rows models sort (classes, k of top-k), slow for rows of tens of thousands.
 */
import type { DType, Primitive } from "@webkeras/core";
import { sizeOf } from "../glsl";
import { typeOf, type Kernel, type KernelContext, type TexInput } from "./kernel";

/** `wk_before(a, ia, b, ib)`: does value a at index ia sort before value b at index ib? */
function beforeDecl(dtype: DType, descending: boolean): string {
  const T = typeOf(dtype);
  const cmp = descending ? ">" : "<";
  if (dtype !== "float32")
    return `bool wk_before(${T} a, int ia, ${T} b, int ib) { if (a != b) return a ${cmp} b; return ia < ib; }`;
  return `bool wk_before(float a, int ia, float b, int ib) {
  bool an = wk_isnan(a); bool bn = wk_isnan(b);
  if (an != bn) return ${descending ? "an" : "bn"};
  if (!an && a != b) return a ${cmp} b;
  return ia < ib;
}`;
}

/** Rank of every element within its row (int32, shaped like x). */
function ranks(ctx: KernelContext, x: TexInput, descending: boolean): TexInput {
  const n = x.shape[x.shape.length - 1]!;
  const T = typeOf(x.dtype);
  const body = `int row = e / ${n}; int i = e - row * ${n}; int base = row * ${n}; ${T} xi = x0_e(e); int rank = 0;
    for (int j = 0; j < ${n}; j++) { if (wk_before(x0_e(base + j), j, xi, i)) rank++; }
    v = rank;`;
  const spec = { shape: x.shape, dtype: "int32" as const };
  return { tex: ctx.map([x], spec, body, { decls: beforeDecl(x.dtype, descending) }), ...spec };
}

export const argsortKernel: Kernel<Primitive.Argsort> = (ctx, [x], p, [out]) => {
  const n = x!.shape[x!.shape.length - 1]!;
  if (sizeOf(x!.shape) === 0) return [ctx.map([], out!, "")];
  const r = ranks(ctx, x!, p.descending);
  const body = `int row = e / ${n}; int q = e - row * ${n}; int base = row * ${n};
    for (int j = 0; j < ${n}; j++) { if (x0_e(base + j) == q) { v = j; break; } }`;
  const res = ctx.map([r], out!, body);
  ctx.free(r.tex);
  return [res];
};

export const topKKernel: Kernel<Primitive.TopK> = (ctx, [x], p, [values, indices]) => {
  const n = x!.shape[x!.shape.length - 1]!;
  const k = p.k;
  if (sizeOf(values!.shape) === 0) return [ctx.map([], values!, ""), ctx.map([], indices!, "")];
  const r = ranks(ctx, x!, true);
  const find = (set: string) => `int row = e / ${k}; int q = e - row * ${k}; int base = row * ${n};
    for (int j = 0; j < ${n}; j++) { if (x1_e(base + j) == q) { ${set} break; } }`;
  const v = ctx.map([x!, r], values!, find("v = x0_e(base + j);"));
  const i = ctx.map([x!, r], indices!, find("v = j;"));
  ctx.free(r.tex);
  return [v, i];
};
