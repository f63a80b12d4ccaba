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
import { floatLit, idiv, intLit, ravel, sizeOf, stridesOf, unravel } from "../glsl";
import { mapVec, typeOf, type Kernel, type KernelContext, type TexInput } from "./kernel";

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

/** `acc = acc (op) y` for vec4 accumulators, lane by lane. */
function combine4(prim: ReducePrimitive, dtype: DType): string {
  const f = dtype === "float32";
  switch (prim) {
    case Primitive.Sum:
      return "acc += y;";
    case Primitive.Prod:
      return "acc *= y;";
    case Primitive.Max:
      return f ? "for (int q = 0; q < 4; q++) if (y[q] > acc[q] || wk_isnan(y[q])) acc[q] = y[q];" : "acc = max(acc, y);";
    case Primitive.Min:
      return f ? "for (int q = 0; q < 4; q++) if (y[q] < acc[q] || wk_isnan(y[q])) acc[q] = y[q];" : "acc = min(acc, y);";
    default:
      return prim satisfies never;
  }
}

/**
 * Leading-axes pass with 4 outputs per fragment: x viewed as (R, O) with O % 4 == 0; output
 * (P, O), element (p, o) reducing rows [p * S, p * S + S). Each step reads one texel: 4 outputs.
 */
function leadingVecPass(ctx: KernelContext, x: TexInput, prim: ReducePrimitive, dtype: DType, O: number, R: number, S: number, outDtype: DType, final: boolean): TexInput {
  const P = Math.ceil(R / S);
  const V = dtype === "float32" ? "vec4" : "ivec4";
  const body = `int p = ${idiv("e0", O, P * O)}; int o0 = e0 - p * ${O};
    ${V} acc = ${V}(${identity(prim, dtype)});
    for (int j = 0; j < ${S}; j++) { int r = p * ${S} + j; if (r >= ${R}) break; ${V} y = x0_t((r * ${O} + o0) >> 2); ${combine4(prim, dtype)} }
    v = ${final && outDtype === "bool" ? "ivec4(notEqual(acc, ivec4(0)))" : "acc"};`;
  const spec = { shape: [P, O], dtype: outDtype };
  return { tex: mapVec(ctx, [x], spec, body), ...spec };
}

/**
 * Trailing-axes pass reading texels: x viewed as (O, R) with R % 4 == 0; output (O, P), element
 * (o, p) reducing [p * S, p * S + S) of row o (S % 4 == 0) four lanes at a time, then across lanes.
 */
function trailingVecPass(ctx: KernelContext, x: TexInput, prim: ReducePrimitive, dtype: DType, O: number, R: number, S: number, outDtype: DType, final: boolean): TexInput {
  const P = Math.ceil(R / S);
  const V = dtype === "float32" ? "vec4" : "ivec4";
  const T = typeOf(dtype);
  const lanes = ["acc.x", "acc.y", "acc.z", "acc.w"];
  const fold = lanes
    .slice(1)
    .map((l) => `{ ${T} y = ${l}; ${combine(prim, dtype).replace(/\bacc\b/g, "s")} }`)
    .join(" ");
  const body = `int o = ${idiv("e", P, O * P)}; int p = e - o * ${P}; int base = o * ${R} + p * ${S};
    ${V} acc = ${V}(${identity(prim, dtype)});
    for (int j = 0; j < ${S / 4}; j++) { int i = base + 4 * j; if (i >= (o + 1) * ${R}) break; ${V} y = x0_t(i >> 2); ${combine4(prim, dtype)} }
    ${T} s = acc.x; ${fold}
    v = ${final && outDtype === "bool" ? "s != 0 ? 1 : 0" : "s"};`;
  const spec = { shape: [O, P], dtype: outDtype };
  return { tex: ctx.map([x], spec, body, { texels: true }), ...spec };
}

export function reduceKernel(prim: ReducePrimitive): Kernel<ReducePrimitive> {
  return (ctx, [x], p, [out]) => {
    const dtype = x!.dtype;
    const work: DType = dtype === "bool" ? "int32" : dtype;
    const O = sizeOf(out!.shape);
    const R = sizeOf(p.axes.map((d) => x!.shape[d]!));
    if (O === 0 || R === 0) return [ctx.map([], out!, `v = ${R === 0 && dtype === "bool" ? identity(prim, "bool") : identity(prim, dtype)};`)];
    const rank = x!.shape.length;
    const leading = p.axes.every((d, i) => d === i);
    const trailing = p.axes.every((d, i) => d === rank - p.axes.length + i);
    const S = R <= ONE_PASS ? R : Math.min(1024, Math.max(64, Math.ceil(Math.sqrt(R) / 4) * 4));
    const last = (t: TexInput) => t.tex;
    // Reductions over leading axes with 4k kept elements (sums over a batch, per-channel
    // statistics): 4 outputs per fragment, partials laid out (P, O) so the next pass is the same.
    if (leading && O % 4 === 0) {
      // Few outputs: short chunks, so that the first pass still has many fragments.
      const SL = R <= ONE_PASS ? R : O >= 256 ? S : 64;
      let cur = leadingVecPass(ctx, x!, prim, work, O, R, SL, SL === R ? out!.dtype : work, SL === R);
      while (cur.shape[0]! > 1) {
        const P = cur.shape[0]!;
        const S2 = P <= ONE_PASS ? P : S;
        const next = leadingVecPass(ctx, cur, prim, work, O, P, S2, S2 === P ? out!.dtype : work, S2 === P);
        ctx.free(cur.tex);
        cur = next;
      }
      return [last(cur)];
    }
    // Reductions over trailing axes of 4k elements (rows: softmax, means over features).
    if (trailing && R % 4 === 0) {
      let cur = trailingVecPass(ctx, x!, prim, work, O, R, S, S === R ? out!.dtype : work, S === R);
      while (cur.shape[1]! > 1) {
        const P = cur.shape[1]!;
        const next = P % 4 === 0 && P <= ONE_PASS ? trailingVecPass(ctx, cur, prim, work, O, P, P, out!.dtype, true) : pass(ctx, cur, prim, work, O, P, Math.min(P, ONE_PASS), (o, r) => ({ pre: "", idx: `${o} * ${P} + ${r}` }), P <= ONE_PASS ? out!.dtype : work, P <= ONE_PASS);
        ctx.free(cur.tex);
        cur = next;
      }
      return [last(cur)];
    }
    let cur = pass(ctx, x!, prim, work, O, R, S, elementIndex(x!.shape, p.axes), S === R ? out!.dtype : work, S === R);
    while (cur.shape[1]! > 1) {
      const P = cur.shape[1]!;
      const fin = P <= ONE_PASS;
      const next = pass(ctx, cur, prim, work, O, P, fin ? P : S, (o, r) => ({ pre: "", idx: `${o} * ${P} + ${r}` }), fin ? out!.dtype : work, fin);
      ctx.free(cur.tex);
      cur = next;
    }
    return [last(cur)];
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
