/**
 * Reductions (sum, prod, max, min over sorted axes), argmax and cumsum.
 *
 * Sum and prod accumulate float32 inputs in float64 (JavaScript numbers) and round once at the
 * end; int32 accumulates with int32 wrap-around; bool reduces as any/all. Max and min propagate
 * NaN (NumPy). Empty reductions give the identity: sum 0, prod 1, max -inf, min +inf (int32:
 * the int32 min/max; bool: false/true).
 */
import { Primitive, type ReducePrimitive } from "../../../primitives/primitive";
import type { TypedArray } from "../../../tensor/dtype";
import { INT32_MAX, INT32_MIN, alloc, sizeOf, type CpuInput, type CpuKernel } from "./util";

/**
 * Collapses the input dims into alternating runs of kept and reduced dims (size-1 dims dropped),
 * since adjacent dims of the same kind are contiguous in a dense row-major input.
 */
export function reduceRuns(
  shape: number[],
  axes: number[],
): { sizes: number[]; reduced: boolean[] } {
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

export function reduceKernel(prim: ReducePrimitive): CpuKernel<ReducePrimitive> {
  return (inputs, params, outputs) => {
    const o = alloc(outputs[0]);
    reduceInto(prim, inputs[0], params.axes, o);
    return [o];
  };
}

/**
 * Reduces `x` over sorted `axes` into `o` (the output size; every element written). Shared with
 * the other backends' TypeScript fallbacks (`cpuKernelUtils`).
 */
export function reduceInto(
  prim: ReducePrimitive,
  x: CpuInput,
  axes: number[],
  o: TypedArray,
): void {
  const outSize = o.length;
  const dtype = x.dtype;
  const int = dtype === "int32";
  // int32 sums and products wrap exactly in an Int32Array (`| 0`, Math.imul); everything else
  // accumulates in float64.
  const acc: Float64Array | Int32Array =
    int && (prim === Primitive.Sum || prim === Primitive.Prod)
      ? new Int32Array(outSize)
      : new Float64Array(outSize);
  acc.fill(identity(prim, dtype));
  const v = x.values;
  if (v.length > 0 && outSize > 0) {
    const { sizes, reduced } = reduceRuns(x.shape, axes);
    if (sizes.length === 0) acc[0] = combine(prim, int, acc[0], v[0]);
    else accumulate(prim, int, v, sizes, reduced, acc);
  }
  // Bools are stored from the float64 accumulator directly: `set` into a Uint8Array would wrap
  // a count of 256 to 0.
  if (dtype === "bool") for (let i = 0; i < outSize; i++) o[i] = acc[i] !== 0 ? 1 : 0;
  else o.set(acc);
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

/**
 * Walks the input once in row-major order. An odometer over the outer runs tracks the output
 * offset (kept runs advance it, reduced runs do not); the innermost run is a tight loop that
 * either folds a contiguous span into one output (innermost run reduced, e.g. a last-axis sum)
 * or folds a contiguous span element-wise into a row of outputs (innermost run kept, e.g.
 * summing an (N, C) tensor over N).
 */
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
  // Output strides of the outer runs: product of the sizes of kept runs after them.
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
    if (innerReduced) acc[oo] = reduceSpan(prim, int, acc[oo], v, i, n);
    else foldSpan(prim, int, acc, oo, v, i, n);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]++;
      oo += outStride[d];
      if (idx[d] < sizes[d]) break;
      oo -= outStride[d] * sizes[d];
      idx[d] = 0;
    }
  }
}

function reduceSpan(
  prim: ReducePrimitive,
  int: boolean,
  init: number,
  v: TypedArray,
  i: number,
  n: number,
): number {
  let a = init;
  const end = i + n;
  switch (prim) {
    case Primitive.Sum:
      if (int) for (let k = i; k < end; k++) a = (a + v[k]) | 0;
      else for (let k = i; k < end; k++) a += v[k];
      return a;
    case Primitive.Prod:
      if (int) for (let k = i; k < end; k++) a = Math.imul(a, v[k]);
      else for (let k = i; k < end; k++) a *= v[k];
      return a;
    case Primitive.Max:
      for (let k = i; k < end; k++) {
        const b = v[k];
        if (b > a || b !== b) a = b;
        if (a !== a) return a;
      }
      return a;
    case Primitive.Min:
      for (let k = i; k < end; k++) {
        const b = v[k];
        if (b < a || b !== b) a = b;
        if (a !== a) return a;
      }
      return a;
    default:
      return prim satisfies never;
  }
}

function foldSpan(
  prim: ReducePrimitive,
  int: boolean,
  acc: Float64Array | Int32Array,
  o: number,
  v: TypedArray,
  i: number,
  n: number,
): void {
  switch (prim) {
    case Primitive.Sum:
      if (int) for (let j = 0; j < n; j++) acc[o + j] = (acc[o + j] + v[i + j]) | 0;
      else for (let j = 0; j < n; j++) acc[o + j] += v[i + j];
      return;
    case Primitive.Prod:
      if (int) for (let j = 0; j < n; j++) acc[o + j] = Math.imul(acc[o + j], v[i + j]);
      else for (let j = 0; j < n; j++) acc[o + j] *= v[i + j];
      return;
    case Primitive.Max:
      for (let j = 0; j < n; j++) {
        const a = acc[o + j];
        const b = v[i + j];
        if (b > a || b !== b) acc[o + j] = b;
      }
      return;
    case Primitive.Min:
      for (let j = 0; j < n; j++) {
        const a = acc[o + j];
        const b = v[i + j];
        if (b < a || b !== b) acc[o + j] = b;
      }
      return;
    default:
      return prim satisfies never;
  }
}

/** (outer, len, inner) split of `shape` around `axis`. */
export function axisSplit(shape: number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/** First index of the maximum along `axis`; NaN counts as the maximum (NumPy). */
export const argmaxKernel: CpuKernel<Primitive.Argmax> = (inputs, params, outputs) => {
  const x = inputs[0];
  const v = x.values;
  const o = alloc(outputs[0]);
  const [outer, len, inner] = axisSplit(x.shape, params.axis);
  if (len === 0) return [o];
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
  return [o];
};

/** Cumulative sum along `axis`; `exclusive` shifts by one (starts at 0), `reverse` runs backwards. */
export const cumsumKernel: CpuKernel<Primitive.Cumsum> = (inputs, params, outputs) => {
  const x = inputs[0];
  const v = x.values;
  const o = alloc(outputs[0]);
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
        // Bool cumsum is a running "any" (stored as 0/1 so a Uint8Array cannot wrap).
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
  return [o];
};
