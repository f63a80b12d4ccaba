/**
 * Reductions (sum, prod, max, min over sorted axes), argmax and cumsum.
 *
 * The input dims collapse into alternating runs of kept and reduced dims. float32 sum, max and
 * min over the common run patterns run in wasm SIMD (`asm/reduce.ts`):
 *   [R] or [K, R]  -> `red_rows` (each output folds one contiguous span),
 *   [R, K]         -> `red_cols` (rows fold into a row of outputs),
 *   [K1, R, K2]    -> `red_cols` once per K1 slab (e.g. BatchNormalization statistics).
 * Everything else (prod, int32 and bool, other patterns) runs the CPU oracle's TypeScript
 * (`cpuKernelUtils.reduceInto`) on views: float sums and products accumulate in float64, int32 wraps around, bool
 * reduces as any/all, max/min propagate NaN, empty reductions give the identity.
 */
import { Primitive, cpuKernelUtils } from "@webkeras/core";
import type { SimdReduce } from "../asm/module";
import type { Runtime, WasmTensor } from "../runtime";
import { cpuInput, viaCpu, type ReducePrimitive, type WasmKernel } from "./util";

const { reduceInto, reduceRuns } = cpuKernelUtils;

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
    reduceInto(prim, cpuInput(rt, x), params.axes, rt.v(out));
  };
}

/** First index of the maximum along `axis` (NaN counts as the maximum): the CPU oracle's. */
export const argmaxKernel: WasmKernel<Primitive.Argmax> = viaCpu(cpuKernelUtils.argmaxKernel);

/** Cumulative sum along `axis`; `exclusive` starts at 0, `reverse` runs backwards: the oracle's. */
export const cumsumKernel: WasmKernel<Primitive.Cumsum> = viaCpu(cpuKernelUtils.cumsumKernel);
