/**
 * Movement kernels on the map template: each output element computes the flat index it reads
 * (transpose, slice, pad, concat, gather_nd; broadcast_to is fused, see `elementwise.ts`), or gathers what lands on it
 * (scatter_nd: out-of-range rows are dropped and duplicates add, like the cpu backend).
 */
import type { Primitive } from "@webkeras/core";
import { floatLit, intLit, ravel, sizeOf, stridesOf, unravel } from "../glsl";
import { typeOf, type Kernel, type TexInput } from "./kernel";

const coordNames = (r: number, p = "c"): string[] => Array.from({ length: r }, (_, d) => `${p}${d}`);

/** A literal of the output's compute kind. */
const valueLit = (v: number, dtype: string): string => (dtype === "float32" ? floatLit(v) : intLit(dtype === "bool" ? (v !== 0 ? 1 : 0) : v));

/** Reads element `idx` of input x0 converted to the output's kind (they match for movement). */
export const transposeKernel: Kernel<Primitive.Transpose> = (ctx, [x], p, [out]) => {
  const st = stridesOf(x!.shape);
  const r = out!.shape.length;
  const body = `${unravel(out!.shape, "e", "c")} v = x0_e(${ravel(coordNames(r), p.perm.map((d) => st[d]!))});`;
  return [ctx.map([x!], out!, body)];
};

export const sliceKernel: Kernel<Primitive.Slice> = (ctx, [x], p, [out]) => {
  const st = stridesOf(x!.shape);
  const offset = p.start.reduce((a, s, d) => a + s * st[d]!, 0);
  const r = out!.shape.length;
  const body = `${unravel(out!.shape, "e", "c")} v = x0_e(${ravel(coordNames(r), st.map((s, d) => s * p.strides[d]!), offset)});`;
  return [ctx.map([x!], out!, body)];
};

export const padKernel: Kernel<Primitive.Pad> = (ctx, [x], p, [out]) => {
  const fill = valueLit(p.value, out!.dtype);
  if (sizeOf(x!.shape) === 0) return [ctx.map([], out!, `v = ${fill};`)];
  const st = stridesOf(x!.shape);
  const r = out!.shape.length;
  const conds: string[] = [];
  const coords = coordNames(r).map((c, d) => {
    const [b, a] = p.padding[d]!;
    if (b === 0 && a === 0) return c;
    conds.push(`${c} >= ${b} && ${c} < ${b + x!.shape[d]!}`);
    return `(${c} - ${b})`;
  });
  const read = `x0_e(${ravel(coords, st)})`;
  const body = `${unravel(out!.shape, "e", "c")} v = ${conds.length ? `(${conds.join(" && ")}) ? ${read} : ${fill}` : read};`;
  return [ctx.map([x!], out!, body)];
};

/** Inputs per concat program; more are concatenated in groups (concat is associative). */
const CONCAT_GROUP = 12;

export const concatKernel: Kernel<Primitive.Concat> = (ctx, inputs, p, [out]) => {
  const axis = p.axis;
  const parts = inputs.filter((x) => sizeOf(x.shape) > 0);
  if (parts.length > CONCAT_GROUP) {
    // Concatenate groups, then the groups' results.
    const groups: TexInput[] = [];
    const temps = [];
    for (let i = 0; i < parts.length; i += CONCAT_GROUP) {
      const g = parts.slice(i, i + CONCAT_GROUP);
      const shape = [...g[0]!.shape];
      shape[axis] = g.reduce((a, x) => a + x.shape[axis]!, 0);
      const [tex] = concatKernel(ctx, g, p, [{ shape, dtype: out!.dtype }]);
      temps.push(tex!);
      groups.push({ tex: tex!, shape, dtype: out!.dtype });
    }
    const res = concatKernel(ctx, groups, p, [out!]);
    for (const t of temps) ctx.free(t);
    return res;
  }
  if (parts.length === 0) return [ctx.map([], out!, `v = ${valueLit(0, out!.dtype)};`)];
  const r = out!.shape.length;
  const c = coordNames(r);
  let at = 0;
  const branches = parts.map((x, i) => {
    const st = stridesOf(x.shape);
    const coords = c.map((ci, d) => (d === axis && at > 0 ? `(${ci} - ${at})` : ci));
    at += x.shape[axis]!;
    const read = `v = x${i}_e(${ravel(coords, st)});`;
    return i === parts.length - 1 ? `{ ${read} }` : `if (c${axis} < ${at}) { ${read} }`;
  });
  const body = `${unravel(out!.shape, "e", "c")} ${branches.join(" else ")}`;
  return [ctx.map(parts, out!, body)];
};

export const gatherNdKernel: Kernel<Primitive.GatherNd> = (ctx, [x, ind], _p, [out]) => {
  const k = ind!.shape[ind!.shape.length - 1]!;
  const slice = sizeOf(x!.shape.slice(k));
  if (sizeOf(out!.shape) === 0 || slice === 0) return [ctx.map([], out!, "")];
  const st = stridesOf(x!.shape);
  const terms = Array.from(
    { length: k },
    (_, j) => `clamp(x1_e(b * ${k} + ${j}), 0, ${x!.shape[j]! - 1}) * ${st[j]!}`,
  );
  const body = `int b = e / ${slice}; int s = e - b * ${slice}; v = x0_e(${[...terms, "s"].join(" + ")});`;
  return [ctx.map([x!, ind!], out!, body)];
};

export const scatterNdKernel: Kernel<Primitive.ScatterNd> = (ctx, [ind, upd], p, [out]) => {
  const shape = p.shape;
  const k = ind!.shape[ind!.shape.length - 1]!;
  const slice = sizeOf(shape.slice(k));
  const batch = k === 0 ? sizeOf(ind!.shape.slice(0, -1)) : sizeOf(ind!.shape) / k;
  const zero = valueLit(0, out!.dtype);
  if (slice === 0 || batch === 0 || sizeOf(out!.shape) === 0) return [ctx.map([], out!, `v = ${zero};`)];
  // Pass 1: the target slice (row) of each update row, or -1 when any index is out of range.
  const st = stridesOf(shape);
  const rowSpec = { shape: [batch], dtype: "int32" as const };
  const inRange = Array.from({ length: k }, (_, j) => `i${j} >= 0 && i${j} < ${shape[j]!}`);
  const reads = Array.from({ length: k }, (_, j) => `int i${j} = x0_e(e * ${k} + ${j});`).join(" ");
  const rowExpr = ravel(
    Array.from({ length: k }, (_, j) => `i${j}`),
    st.slice(0, k).map((s) => s / slice),
  );
  const rows = ctx.map([ind!], rowSpec, k === 0 ? "v = 0;" : `${reads} v = (${inRange.join(" && ")}) ? ${rowExpr} : -1;`);
  // Pass 2: each output element sums the update rows aimed at its row, in row order.
  const T = typeOf(out!.dtype);
  const body = `int row = e / ${slice}; int s = e - row * ${slice}; ${T} acc = ${zero};
    for (int b = 0; b < ${batch}; b++) { if (x0_e(b) == row) acc += x1_e(b * ${slice} + s); }
    v = ${out!.dtype === "bool" ? "acc != 0 ? 1 : 0" : "acc"};`;
  const res = ctx.map([{ tex: rows, shape: [batch], dtype: "int32" }, upd!], out!, body);
  ctx.free(rows);
  return [res];
};
