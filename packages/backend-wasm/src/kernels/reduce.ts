/**
 * Reductions (sum, prod, max, min over sorted axes), argmax and cumsum.
 *
 * The input dims collapse into alternating runs of kept and reduced dims. float32 sum, max and
 * min over the common run patterns run in wasm SIMD (`asm/reduce.ts`):
 *   [R] or [K, R]  -> `red_rows` (each output folds one contiguous span),
 *   [R, K]         -> `red_cols` (rows fold into a row of outputs),
 *   [K1, R, K2]    -> `red_cols` once per K1 slab (e.g. BatchNormalization statistics).
 * Everything else (prod, int32 and bool, other patterns) runs in TypeScript on views with the CPU
 * oracle's semantics: float sums and products accumulate in float64, int32 wraps around, bool
 * reduces as any/all, max/min propagate NaN, empty reductions give the identity.
 */
import { Primitive } from "@webkeras/core";
import type { TypedArray } from "@webkeras/core";
import type { SimdReduce } from "../asm/module";
import type { Runtime, WasmTensor } from "../runtime";
import { INT32_MAX, INT32_MIN, sizeOf, type ReducePrimitive, type WasmKernel } from "./util";

/** Alternating runs of kept and reduced dims (size-1 dims dropped). */
function reduceRuns(shape: number[], axes: number[]): { sizes: number[]; reduced: boolean[] } {
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const r = axes.includes(d);
    const last = sizes.length - 1;
    if (last >= 0 && reduced[last] === r) sizes[last] *= shape[d];
    else {
      sizes.push(shape[d]);
      reduced.push(r);
    }
  }
  return { sizes, reduced };
}

function identity(prim: ReducePrimitive, dtype: string): number {
  switch (prim) {
    case Primitive.Sum:
      return 0;
    case Primitive.Prod:
      return 1;
    case Primitive.Max:
      return dtype === "int32" ? INT32_MIN : dtype === "bool" ? 0 : -Infinity;
    case Primitive.Min:
      return dtype === "int32" ? INT32_MAX : dtype === "bool" ? 1 : Infinity;
    default:
      return prim satisfies never;
  }
}

const SIMD_OF: Partial<Record<ReducePrimitive, SimdReduce>> = {
  [Primitive.Sum]: "sum",
  [Primitive.Max]: "max",
  [Primitive.Min]: "min",
};

/** Tries the SIMD layouts; returns false when the pattern is not one of them. */
function simdReduce(
  rt: Runtime,
  op: SimdReduce,
  x: WasmTensor,
  out: WasmTensor,
  sizes: number[],
  reduced: boolean[],
): boolean {
  const r = sizes.length;
  const pattern = reduced.map((b) => (b ? "R" : "K")).join("");
  if (pattern === "R" || pattern === "KR") {
    rt.k[`red_rows_${op}`](x.ptr, out.ptr, r === 1 ? 1 : sizes[0], sizes[r - 1]);
    return true;
  }
  if (pattern !== "RK" && pattern !== "KRK") return false;
  const slabs = pattern === "RK" ? 1 : sizes[0];
  const rows = sizes[r - 2];
  const n = sizes[r - 1];
  if (op === "sum") {
    const acc = rt.scratch(n * 8);
    for (let s = 0; s < slabs; s++) {
      rt.F64.fill(0, acc >> 3, (acc >> 3) + n);
      rt.k.red_cols_sum(x.ptr + s * rows * n * 4, acc, rows, n);
      rt.k.f64_to_f32(acc, out.ptr + s * n * 4, n);
    }
    rt.release(acc, n * 8);
  } else {
    rt.F32.fill(op === "max" ? -Infinity : Infinity, out.ptr >> 2, (out.ptr >> 2) + out.size);
    for (let s = 0; s < slabs; s++)
      rt.k[`red_cols_${op}`](x.ptr + s * rows * n * 4, out.ptr + s * n * 4, rows, n);
  }
  return true;
}

export function reduceKernel(prim: ReducePrimitive): WasmKernel<ReducePrimitive> {
  const simd = SIMD_OF[prim];
  return (rt, inputs, params, outputs) => {
    const x = inputs[0];
    const out = outputs[0];
    const outSize = out.size;
    const dtype = x.dtype;
    if (outSize === 0) return;
    const { sizes, reduced } = reduceRuns(x.shape, params.axes);
    if (
      simd &&
      dtype === "float32" &&
      x.size > 0 &&
      sizes.length > 0 &&
      simdReduce(rt, simd, x, out, sizes, reduced)
    )
      return;
    const int = dtype === "int32";
    const acc: Float64Array | Int32Array =
      int && (prim === Primitive.Sum || prim === Primitive.Prod)
        ? new Int32Array(outSize)
        : new Float64Array(outSize);
    acc.fill(identity(prim, dtype));
    const v = rt.v(x);
    if (v.length > 0) {
      if (sizes.length === 0) acc[0] = combine(prim, int, acc[0], v[0]);
      else accumulate(prim, int, v, sizes, reduced, acc);
    }
    const o = rt.v(out);
    if (dtype === "bool") for (let i = 0; i < outSize; i++) o[i] = acc[i] !== 0 ? 1 : 0;
    else o.set(acc);
  };
}

function combine(prim: ReducePrimitive, int: boolean, a: number, b: number): number {
  switch (prim) {
    case Primitive.Sum:
      return int ? (a + b) | 0 : a + b;
    case Primitive.Prod:
      return int ? Math.imul(a, b) : a * b;
    case Primitive.Max:
      return a > b || a !== a ? a : b;
    case Primitive.Min:
      return a < b || a !== a ? a : b;
    default:
      return prim satisfies never;
  }
}

/** Walks the input once in row-major order, folding each innermost span (see the CPU oracle). */
function accumulate(
  prim: ReducePrimitive,
  int: boolean,
  v: TypedArray,
  sizes: number[],
  reduced: boolean[],
  acc: Float64Array | Int32Array,
): void {
  const r = sizes.length;
  const n = sizes[r - 1];
  const innerReduced = reduced[r - 1];
  const outStride = new Array<number>(r).fill(0);
  let s = innerReduced ? 1 : n;
  for (let d = r - 2; d >= 0; d--) {
    if (!reduced[d]) {
      outStride[d] = s;
      s *= sizes[d];
    }
  }
  const rows = v.length / n;
  const idx = new Array<number>(r).fill(0);
  let oo = 0;
  for (let row = 0, i = 0; row < rows; row++, i += n) {
    if (innerReduced) {
      let a = acc[oo];
      for (let k = i; k < i + n; k++) a = combine(prim, int, a, v[k]);
      acc[oo] = a;
    } else {
      for (let j = 0; j < n; j++) acc[oo + j] = combine(prim, int, acc[oo + j], v[i + j]);
    }
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      oo += outStride[d];
      if (idx[d] < sizes[d]) break;
      oo -= outStride[d] * sizes[d];
      idx[d] = 0;
    }
  }
}

/** (outer, len, inner) split of `shape` around `axis`. */
function axisSplit(shape: number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/** First index of the maximum along `axis`; NaN counts as the maximum. */
export const argmaxKernel: WasmKernel<Primitive.Argmax> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const v = rt.v(x);
  const o = rt.v(outputs[0]);
  o.fill(0);
  const [outer, len, inner] = axisSplit(x.shape, params.axis);
  if (len === 0) return;
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < inner; c++) {
      let base = a * len * inner + c;
      let best = v[base];
      let bi = 0;
      if (best === best) {
        for (let k = 1; k < len; k++) {
          base += inner;
          const y = v[base];
          if (y > best || y !== y) {
            best = y;
            bi = k;
            if (y !== y) break;
          }
        }
      }
      o[a * inner + c] = bi;
    }
  }
};

/** Cumulative sum along `axis`; `exclusive` starts at 0, `reverse` runs backwards. */
export const cumsumKernel: WasmKernel<Primitive.Cumsum> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const v = rt.v(x);
  const o = rt.v(outputs[0]);
  const int = x.dtype === "int32";
  const bool = x.dtype === "bool";
  const [outer, len, inner] = axisSplit(x.shape, params.axis);
  const step = params.reverse ? -inner : inner;
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < inner; c++) {
      let i = a * len * inner + c + (params.reverse ? (len - 1) * inner : 0);
      let s = 0;
      for (let k = 0; k < len; k++, i += step) {
        const y = v[i];
        if (params.exclusive) {
          o[i] = bool ? (s !== 0 ? 1 : 0) : s;
          s = int ? (s + y) | 0 : s + y;
        } else {
          s = int ? (s + y) | 0 : s + y;
          o[i] = bool ? (s !== 0 ? 1 : 0) : s;
        }
      }
    }
  }
};
