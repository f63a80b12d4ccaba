/**
 * Reductions (sum, prod, max, min over sorted axes) in passes, argmax and cumsum.
 *
 * A reduction of R elements per output runs in one pass when R is small; otherwise the first
 * pass reduces chunks of S elements into an (outputs, ceil(R / S)) partial array and a second
 * pass reduces that, so no fragment loops over millions of elements. Semantics as the cpu
 * backend: max/min propagate NaN, int32 sums and products wrap, bool reduces as any/all (counted
 * in int32, then != 0), empty reductions give the identity (sum 0, prod 1, max -inf, min +inf; the
 * int32 extremes; false / true). Floats accumulate in float32 (the cpu uses float64; the parity
 * tolerance for reductions covers the difference).
 */
import { Primitive, type DType, type REDUCE_PRIMITIVES } from "@webkeras/core";
import { floatLit, intLit, ravel, sizeOf, stridesOf, unravel } from "../glsl";
import { typeOf, type Kernel, type KernelContext, type TexInput } from "./kernel";

type ReducePrimitive = (typeof REDUCE_PRIMITIVES)[number];

/** Reductions longer than this run in two passes. */
const ONE_PASS = 512;

function identity(prim: ReducePrimitive, dtype: DType): string {
  const f = dtype === "float32";
  switch (prim) {
    case Primitive.Sum:
      return f ? "0.0" : "0";
    case Primitive.Prod:
      return f ? "1.0" : "1";
    case Primitive.Max:
      return f ? floatLit(-Infinity) : dtype === "bool" ? "0" : intLit(-2147483648);
    case Primitive.Min:
      return f ? floatLit(Infinity) : dtype === "bool" ? "1" : intLit(2147483647);
    default:
      return prim satisfies never;
  }
}

/** `acc = acc (op) y` for one element. */
function combine(prim: ReducePrimitive, dtype: DType): string {
  const f = dtype === "float32";
  switch (prim) {
    case Primitive.Sum:
      return "acc += y;";
    case Primitive.Prod:
      return "acc *= y;";
    case Primitive.Max:
      return f ? "if (y > acc || wk_isnan(y)) acc = y;" : "acc = max(acc, y);";
    case Primitive.Min:
      return f ? "if (y < acc || wk_isnan(y)) acc = y;" : "acc = min(acc, y);";
    default:
      return prim satisfies never;
  }
}

/**
 * Index expression of element (o, r) of x, with o the output (kept) index and r the index within
 * the reduced dims, both row-major.
 */
function elementIndex(shape: number[], axes: number[]): (o: string, r: string) => { pre: string; idx: string } {
  const r = shape.length;
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const R = sizeOf(axes.map((d) => shape[d]!));
  const O = sizeOf(kept.map((d) => shape[d]!));
  const trailing = axes.every((d, i) => d === r - axes.length + i);
  const leading = axes.every((d, i) => d === i);
  if (trailing) return (o, rr) => ({ pre: "", idx: `${o} * ${R} + ${rr}` });
  if (leading) return (o, rr) => ({ pre: "", idx: `${rr} * ${O} + ${o}` });
  const st = stridesOf(shape);
  return (o, rr) => ({
    pre: `${unravel(
      kept.map((d) => shape[d]!),
      o,
      "k",
    )} int base = ${ravel(
      kept.map((_, i) => `k${i}`),
      kept.map((d) => st[d]!),
    )};`,
    idx: `base + ${ravelInline(
      axes.map((d) => shape[d]!),
      axes.map((d) => st[d]!),
      rr,
    )}`,
  });
}

/** Flat index (with `strides`) of row-major index `i` over `shape`, as one expression. */
function ravelInline(shape: number[], strides: number[], i: string): string {
  const terms: string[] = [];
  let inner = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    let c = inner === 1 ? i : `(${i} / ${inner})`;
    if (d > 0) c = `(${c} % ${shape[d]!})`;
    terms.push(`${c} * ${strides[d]!}`);
    inner *= shape[d]!;
  }
  return terms.join(" + ");
}

/**
 * One pass: output (O, P) where element (o, p) reduces r in [p * S, min(R, p * S + S)).
 * `final` converts bool results to 0/1.
 */
function pass(
  ctx: KernelContext,
  x: TexInput,
  prim: ReducePrimitive,
  dtype: DType,
  O: number,
  R: number,
  S: number,
  index: (o: string, r: string) => { pre: string; idx: string },
  outDtype: DType,
  final: boolean,
): TexInput {
  const P = Math.ceil(R / S);
  const T = typeOf(dtype);
  const { pre, idx } = index("o", "r");
  const body = `int o = e / ${P}; int p = e - o * ${P}; ${pre}
    ${T} acc = ${identity(prim, dtype)};
    for (int j = 0; j < ${S}; j++) { int r = p * ${S} + j; if (r >= ${R}) break; ${T} y = x0_e(${idx}); ${combine(prim, dtype)} }
    v = ${final && outDtype === "bool" ? "acc != 0 ? 1 : 0" : "acc"};`;
  const shape = [O, P];
  const spec = { shape, dtype: outDtype };
  return { tex: ctx.map([x], spec, body), shape, dtype: outDtype };
}

export function reduceKernel(prim: ReducePrimitive): Kernel<ReducePrimitive> {
  return (ctx, [x], p, [out]) => {
    const dtype = x!.dtype;
    const work: DType = dtype === "bool" ? "int32" : dtype;
    const O = sizeOf(out!.shape);
    const R = sizeOf(p.axes.map((d) => x!.shape[d]!));
    if (O === 0 || R === 0) return [ctx.map([], out!, `v = ${R === 0 && dtype === "bool" ? identity(prim, "bool") : identity(prim, dtype)};`)];
    if (R <= ONE_PASS) {
      const res = pass(ctx, x!, prim, work, O, R, R, elementIndex(x!.shape, p.axes), out!.dtype, true);
      return [res.tex];
    }
    const S = Math.min(1024, Math.max(64, Math.ceil(Math.sqrt(R))));
    let cur = pass(ctx, x!, prim, work, O, R, S, elementIndex(x!.shape, p.axes), work, false);
    for (;;) {
      const P = cur.shape[1]!;
      const last = P <= ONE_PASS;
      const S2 = last ? P : S;
      const next = pass(ctx, cur, prim, work, O, P, S2, (o, r) => ({ pre: "", idx: `${o} * ${P} + ${r}` }), last ? out!.dtype : work, last);
      ctx.free(cur.tex);
      cur = next;
      if (last) return [cur.tex];
    }
  };
}

/** (outer, len, inner) around `axis`. */
function split(shape: number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

/** First index of the maximum; NaN counts as the maximum (NumPy), the first NaN wins. */
export const argmaxKernel: Kernel<Primitive.Argmax> = (ctx, [x], p, [out]) => {
  const [, len, inner] = split(x!.shape, p.axis);
  if (len === 0) return [ctx.map([], out!, "v = 0;")];
  const T = typeOf(x!.dtype);
  const isF = x!.dtype === "float32";
  const body = `int a = e / ${inner}; int cc = e - a * ${inner}; int base = a * ${len * inner} + cc;
    ${T} best = x0_e(base); int bi = 0;
    ${isF ? "if (!wk_isnan(best))" : ""} for (int k = 1; k < ${len}; k++) {
      ${T} y = x0_e(base + k * ${inner});
      if (y > best${isF ? " || wk_isnan(y)" : ""}) { best = y; bi = k; ${isF ? "if (wk_isnan(y)) break;" : ""} }
    }
    v = bi;`;
  return [ctx.map([x!], out!, body)];
};

/** Cumulative sum along `axis` (exclusive / reverse); bool is a running "any". */
export const cumsumKernel: Kernel<Primitive.Cumsum> = (ctx, [x], p, [out]) => {
  const [, len, inner] = split(x!.shape, p.axis);
  const T = typeOf(x!.dtype);
  const ex = p.exclusive;
  const [lo, hi] = p.reverse ? [ex ? "k + 1" : "k", `${len}`] : ["0", ex ? "k" : "k + 1"];
  const body = `int a = e / ${len * inner}; int rem = e - a * ${len * inner}; int k = rem / ${inner}; int cc = rem - k * ${inner};
    int base = a * ${len * inner} + cc;
    ${T} s = ${T === "float" ? "0.0" : "0"};
    for (int j = ${lo}; j < ${hi}; j++) s += x0_e(base + j * ${inner});
    v = ${x!.dtype === "bool" ? "s != 0 ? 1 : 0" : "s"};`;
  return [ctx.map([x!], out!, body)];
};
