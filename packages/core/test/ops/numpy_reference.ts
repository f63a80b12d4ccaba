/**
 * Float64 reference implementations for the NumPy-family op tests: a tiny n-d array (`Nd`) with
 * broadcasting maps, reductions, index-mapped gathers and matmul, written from the definitions
 * (naive loops), not from the ops under test. Plus the shared checks: gradients against central
 * finite differences of the reference, symbolic replay against eager, and error messages.
 */
import { expect } from "vitest";
import { grad } from "../../src/autodiff/grad";
import * as lax from "../../src/primitives/lax";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { DType } from "../../src/tensor/dtype";
import { Tensor } from "../../src/tensor/tensor";
import { expectAllclose, numericGrad, randomValues } from "../utils";

export class Nd {
  constructor(
    readonly data: Float64Array,
    readonly shape: number[],
  ) {}
  get size(): number {
    return this.data.length;
  }
  at(idx: readonly number[]): number {
    return this.data[ravel(idx, this.shape)]!;
  }
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const nd = (data: ArrayLike<number>, shape: number[]): Nd => new Nd(Float64Array.from(data), shape);

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let i = 0; i < shape.length; i++) k = k * shape[i]! + idx[i]!;
  return k;
}
export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = k % shape[i]!;
    k = Math.floor(k / shape[i]!);
  }
  return idx;
}

/** float32-rounded random values (what a float32 tensor really holds), as float64. */
export function rand(shape: number[], seed: number, lo = -1, hi = 1): Nd {
  return new Nd(Float64Array.from(randomValues(size(shape), seed, lo, hi)), shape);
}

export const tensor = (a: Nd | ArrayLike<number>, shape?: number[], dtype: DType = "float32"): Tensor =>
  a instanceof Nd ? lax.constant(a.data, a.shape, dtype) : lax.constant(a, shape!, dtype);

export const values = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

export function broadcastShape(...shapes: number[][]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: r }, (_, i) => {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - r + i] ?? 1;
      if (e !== 1) d = e;
    }
    return d;
  });
}

/** Element of `a` at output index `idx` under broadcasting. */
function bget(a: Nd, idx: number[]): number {
  const off = idx.length - a.shape.length;
  let k = 0;
  for (let i = 0; i < a.shape.length; i++) k = k * a.shape[i]! + (a.shape[i] === 1 ? 0 : idx[off + i]!);
  return a.data[k]!;
}

export function map(a: Nd, f: (v: number) => number): Nd {
  return new Nd(a.data.map(f), [...a.shape]);
}

/** Broadcasting elementwise function of several arrays. */
export function zip(arrs: Nd[], f: (...v: number[]) => number): Nd {
  const shape = broadcastShape(...arrs.map((a) => a.shape));
  const out = new Float64Array(size(shape));
  for (let k = 0; k < out.length; k++) {
    const idx = unravel(k, shape);
    out[k] = f(...arrs.map((a) => bget(a, idx)));
  }
  return new Nd(out, shape);
}

/** Reduction over `axes` with `f(acc, v)` from `init`. */
export function reduce(a: Nd, axes: number[], f: (acc: number, v: number) => number, init: number, keepdims = false): Nd {
  const outShape = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(outShape)).fill(init);
  for (let k = 0; k < a.size; k++) {
    const idx = unravel(k, a.shape).map((v, i) => (axes.includes(i) ? 0 : v));
    const o = ravel(idx, outShape);
    out[o] = f(out[o]!, a.data[k]!);
  }
  return new Nd(out, keepdims ? outShape : a.shape.filter((_, i) => !axes.includes(i)));
}

export const sumAx = (a: Nd, axes: number[], keepdims = false): Nd => reduce(a, axes, (s, v) => s + v, 0, keepdims);
export const meanAx = (a: Nd, axes: number[], keepdims = false): Nd => {
  const n = size(axes.map((i) => a.shape[i]!));
  return map(sumAx(a, axes, keepdims), (v) => v / n);
};

/** out[idx] = a[src(idx)] for every output index (null = `fill`). */
export function gather(a: Nd, outShape: number[], src: (idx: number[]) => number[] | null, fill = 0): Nd {
  const out = new Float64Array(size(outShape));
  for (let k = 0; k < out.length; k++) {
    const s = src(unravel(k, outShape));
    out[k] = s === null ? fill : a.at(s);
  }
  return new Nd(out, outShape);
}

export const reshape = (a: Nd, shape: number[]): Nd => new Nd(a.data, shape);
export const transpose = (a: Nd, perm: number[]): Nd =>
  gather(
    a,
    perm.map((p) => a.shape[p]!),
    (idx) => {
      const s = new Array<number>(perm.length);
      perm.forEach((p, i) => (s[p] = idx[i]!));
      return s;
    },
  );

export function concat(arrs: Nd[], axis: number): Nd {
  const shape = [...arrs[0]!.shape];
  shape[axis] = arrs.reduce((s, a) => s + a.shape[axis]!, 0);
  const starts: number[] = [];
  let o = 0;
  for (const a of arrs) {
    starts.push(o);
    o += a.shape[axis]!;
  }
  const out = new Float64Array(size(shape));
  for (let k = 0; k < out.length; k++) {
    const idx = unravel(k, shape);
    let j = arrs.length - 1;
    while (starts[j]! > idx[axis]!) j--;
    idx[axis] = idx[axis]! - starts[j]!;
    out[k] = arrs[j]!.at(idx);
  }
  return new Nd(out, shape);
}

/** Batched matmul with broadcasting batch dims (rank >= 2). */
export function matmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const out = new Float64Array(size(shape));
  for (let o = 0; o < out.length; o++) {
    const idx = unravel(o, shape);
    const bi = idx.slice(0, -2);
    const [i, j] = idx.slice(-2) as [number, number];
    let s = 0;
    for (let p = 0; p < k; p++) s += bget(a, [...bi, i, p]) * bget(b, [...bi, p, j]);
    out[o] = s;
  }
  return new Nd(out, shape);
}

/** Generic einsum by summing over every assignment of the contracted labels (explicit output). */
export function einsumRef(spec: string, ...arrs: Nd[]): Nd {
  const [lhs, out] = spec.split("->") as [string, string];
  const terms = lhs.split(",");
  const sizes = new Map<string, number>();
  terms.forEach((t, i) => t.split("").forEach((l, j) => sizes.set(l, arrs[i]!.shape[j]!)));
  const outLabels = out.split("");
  const sumLabels = [...sizes.keys()].filter((l) => !outLabels.includes(l));
  const outShape = outLabels.map((l) => sizes.get(l)!);
  const sumShape = sumLabels.map((l) => sizes.get(l)!);
  const res = new Float64Array(size(outShape));
  for (let o = 0; o < res.length; o++) {
    const oi = unravel(o, outShape);
    let s = 0;
    for (let q = 0; q < size(sumShape); q++) {
      const qi = unravel(q, sumShape);
      const val = (l: string) => (outLabels.includes(l) ? oi[outLabels.indexOf(l)]! : qi[sumLabels.indexOf(l)]!);
      let p = 1;
      terms.forEach((t, i) => (p *= arrs[i]!.at(t.split("").map(val))));
      s += p;
    }
    res[o] = s;
  }
  return new Nd(res, outShape);
}

/**
 * Checks `grad` of `sum(f(...xs) * w)` (w fixed random) against central finite differences of the
 * float64 reference `ref`, for every argument in `argnums`.
 */
export function checkGrad(
  f: (...xs: Tensor[]) => Tensor,
  ref: (...xs: Nd[]) => Nd,
  args: Nd[],
  { argnums = args.map((_, i) => i), eps = 1e-3, rtol = 2e-3, atol = 2e-4, seed = 99 } = {},
): void {
  const outLen = ref(...args).size;
  const w = Float64Array.from(randomValues(outLen, seed, -1, 1));
  const wt = lax.constant(w, [outLen], "float32");
  const ts = args.map((a) => tensor(a));
  const loss = (...xs: Tensor[]): Tensor => lax.sum(lax.mul(lax.reshape(f(...xs), [outLen]), wt), [0]);
  const g = grad(loss, { argnums })(...ts) as Tensor[];
  argnums.forEach((a, j) => {
    const num = numericGrad((v) => {
      const y = ref(...args.map((arg, i) => (i === a ? new Nd(v, arg.shape) : arg)));
      let s = 0;
      for (let i = 0; i < outLen; i++) s += y.data[i]! * w[i]!;
      return s;
    }, args[a]!.data, eps);
    expect([...g[j]!.shape]).toEqual(args[a]!.shape);
    expectAllclose(g[j]!, num, { rtol, atol });
  });
}

/** Replays the graph that produced `outputs` on concrete `feeds` (as a Functional model does). */
export function evalGraph(outputs: KerasTensor[], feeds: Map<KerasTensor, Tensor>): Tensor[] {
  const memo = new Map<KerasTensor, unknown>(feeds);
  const value = (t: KerasTensor): unknown => {
    if (memo.has(t)) return memo.get(t);
    const h = t.kerasHistory;
    if (!h) throw new Error(`evalGraph: no value for ${t.name}`);
    const outs = h.node.operation.callNode(h.node.inputs.map(value), h.node);
    h.node.outputs.forEach((o, i) => memo.set(o, outs[i]));
    return memo.get(t);
  };
  return outputs.map((o) => value(o) as Tensor);
}

/**
 * Calls `f` on KerasTensors of `symShapes` (checks the output shapes), then replays the recorded
 * graph on the concrete `xs` and compares with calling `f` eagerly.
 */
export function checkSymbolic(
  f: (...xs: (KerasTensor | Tensor)[]) => KerasTensor | Tensor | (KerasTensor | Tensor)[],
  symShapes: (number | null)[][],
  expected: (number | null)[] | (number | null)[][],
  xs?: Tensor[],
): void {
  const syms = symShapes.map((s, i) => new KerasTensor(s, xs?.[i]?.dtype ?? "float32"));
  const out = f(...syms);
  const outs = Array.isArray(out) ? out : [out];
  const exp = (Array.isArray(out) ? expected : [expected]) as (number | null)[][];
  outs.forEach((o, i) => {
    expect(o).toBeInstanceOf(KerasTensor);
    expect([...o.shape]).toEqual(exp[i]);
  });
  if (!xs) return;
  const replayed = evalGraph(outs as KerasTensor[], new Map(syms.map((s, i) => [s, xs[i]!])));
  const eager = f(...xs);
  const eagerList = (Array.isArray(eager) ? eager : [eager]) as Tensor[];
  replayed.forEach((r, i) => {
    expect(r).toBeInstanceOf(Tensor);
    expect([...r.shape]).toEqual([...eagerList[i]!.shape]);
    expectAllclose(r, eagerList[i]!, { rtol: 1e-6, atol: 1e-6 });
  });
}

/** Asserts `f` throws an error naming `op` and ending in the received value. */
export function expectOpError(f: () => unknown, op: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `${op}: expected an error`).toBeInstanceOf(Error);
  const msg = (err as Error).message;
  expect(msg).toContain(op);
  expect(msg).toContain("Received:");
}
