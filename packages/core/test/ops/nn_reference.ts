/**
 * Float64 reference implementations for the nn / math op tests (naive loops, written from the
 * definitions, not from the ops under test), plus helpers: a gradient check against central
 * finite differences and a tiny evaluator that replays a symbolic graph on concrete tensors.
 */
import { expect } from "vitest";
import { grad } from "../../src/autodiff/grad";
import * as lax from "../../src/primitives/lax";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import { Tensor } from "../../src/tensor/tensor";
import { expectAllclose, numericGrad, randomValues } from "../utils";

export type Arr = { data: Float64Array; shape: number[] };

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Calls `f` with every multi-index of `shape`, row-major. */
export function forEachIndex(shape: readonly number[], f: (idx: number[]) => void): void {
  const n = size(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    f(idx);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
}

export const tensor = (data: ArrayLike<number>, shape: number[]): Tensor =>
  lax.constant(Float32Array.from(data as ArrayLike<number>), shape, "float32");

/** float32-rounded random values as float64 (what the tensor really holds). */
export function rand(shape: number[], seed: number, lo = -1, hi = 1): Arr {
  return { data: Float64Array.from(randomValues(size(shape), seed, lo, hi)), shape };
}

/** TF / Keras "same" pads for one dim. */
export function samePad(n: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + eff - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Naive channels-last convolution. x: (N, ...S, C), k: (...K, C/g, O).
 * pads: explicit [before, after] per spatial dim.
 */
export function convRef(
  x: Arr,
  k: Arr,
  strides: number[],
  pads: [number, number][],
  dil: number[],
  groups = 1,
): Arr {
  const n = x.shape.length - 2;
  const [N] = x.shape as [number];
  const S = x.shape.slice(1, 1 + n);
  const C = x.shape[n + 1]!;
  const K = k.shape.slice(0, n);
  const cg = k.shape[n]!;
  const O = k.shape[n + 1]!;
  const og = O / groups;
  const outS = S.map(
    (s, i) =>
      Math.floor((s + pads[i]![0] + pads[i]![1] - ((K[i]! - 1) * dil[i]! + 1)) / strides[i]!) + 1,
  );
  const outShape = [N, ...outS, O];
  const out = new Float64Array(size(outShape));
  const xs = stridesOf(x.shape);
  const ks = stridesOf(k.shape);
  const os = stridesOf(outShape);
  forEachIndex([N, ...outS, O], (oi) => {
    const b = oi[0]!;
    const o = oi[n + 1]!;
    const g = Math.floor(o / og);
    let acc = 0;
    forEachIndex([...K, cg], (ti) => {
      let xoff = b * xs[0]!;
      for (let d = 0; d < n; d++) {
        const p = oi[d + 1]! * strides[d]! + ti[d]! * dil[d]! - pads[d]![0];
        if (p < 0 || p >= S[d]!) return;
        xoff += p * xs[d + 1]!;
      }
      const c = g * cg + ti[n]!;
      let koff = o;
      for (let d = 0; d <= n; d++) koff += ti[d]! * ks[d]!;
      acc += x.data[xoff + c]! * k.data[koff]!;
    });
    let off = 0;
    oi.forEach((v, i) => (off += v * os[i]!));
    out[off] = acc;
  });
  expect(C).toBe(cg * groups);
  return { data: out, shape: outShape };
}

/** Naive pooling, channels-last; padded positions are ignored (max) / not counted (avg). */
export function poolRef(
  kind: "max" | "avg",
  x: Arr,
  window: number[],
  strides: number[],
  pads: [number, number][],
): Arr {
  const n = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + n);
  const outS = S.map(
    (s, i) => Math.floor((s + pads[i]![0] + pads[i]![1] - window[i]!) / strides[i]!) + 1,
  );
  const outShape = [x.shape[0]!, ...outS, x.shape[n + 1]!];
  const out = new Float64Array(size(outShape));
  const xs = stridesOf(x.shape);
  let w = 0;
  forEachIndex(outShape, (oi) => {
    let acc = kind === "max" ? -Infinity : 0;
    let count = 0;
    forEachIndex(window, (ti) => {
      let off = oi[0]! * xs[0]! + oi[n + 1]!;
      for (let d = 0; d < n; d++) {
        const p = oi[d + 1]! * strides[d]! + ti[d]! - pads[d]![0];
        if (p < 0 || p >= S[d]!) return;
        off += p * xs[d + 1]!;
      }
      const v = x.data[off]!;
      acc = kind === "max" ? Math.max(acc, v) : acc + v;
      count++;
    });
    out[w++] = kind === "max" ? acc : acc / count;
  });
  return { data: out, shape: outShape };
}

/**
 * Transposed convolution by scattering (TF's definition: the input gradient of a forward conv on
 * the output-sized tensor). x: (N, ...S, C), k: (...K, O, C).
 */
export function convTransposeRef(
  x: Arr,
  k: Arr,
  strides: number[],
  padding: "valid" | "same",
  outputPadding: number[] | null,
  dil: number[],
): Arr {
  const n = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + n);
  const C = x.shape[n + 1]!;
  const K = k.shape.slice(0, n);
  const O = k.shape[n]!;
  const outS = S.map((s, i) => {
    const eff = (K[i]! - 1) * dil[i]! + 1;
    const op = outputPadding ? outputPadding[i]! : null;
    if (padding === "valid")
      return (s - 1) * strides[i]! + eff + (op ?? Math.max(eff, strides[i]!) - eff);
    return op === null ? s * strides[i]! : (s - 1) * strides[i]! + (eff % 2) + op;
  });
  const before = S.map((s, i) => {
    if (padding === "valid") return 0;
    const eff = (K[i]! - 1) * dil[i]! + 1;
    return Math.floor(Math.max((s - 1) * strides[i]! + eff - outS[i]!, 0) / 2);
  });
  const outShape = [x.shape[0]!, ...outS, O];
  const out = new Float64Array(size(outShape));
  const os = stridesOf(outShape);
  const ks = stridesOf(k.shape);
  const xs = stridesOf(x.shape);
  forEachIndex(x.shape.slice(0, n + 1), (xi) => {
    forEachIndex(K, (ti) => {
      let ooff = xi[0]! * os[0]!;
      for (let d = 0; d < n; d++) {
        const p = xi[d + 1]! * strides[d]! + ti[d]! * dil[d]! - before[d]!;
        if (p < 0 || p >= outS[d]!) return;
        ooff += p * os[d + 1]!;
      }
      let xoff = 0;
      xi.forEach((v, i) => (xoff += v * xs[i]!));
      let koff = 0;
      ti.forEach((v, i) => (koff += v * ks[i]!));
      for (let o = 0; o < O; o++)
        for (let c = 0; c < C; c++)
          out[ooff + o] += x.data[xoff + c]! * k.data[koff + o * ks[n]! + c]!;
    });
  });
  return { data: out, shape: outShape };
}

/** Channels-first <-> channels-last permutation of a reference array. */
export function transposeRef(x: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => x.shape[p]!);
  const out = new Float64Array(x.data.length);
  const xs = stridesOf(x.shape);
  let w = 0;
  forEachIndex(shape, (oi) => {
    let off = 0;
    oi.forEach((v, i) => (off += v * xs[perm[i]!]!));
    out[w++] = x.data[off]!;
  });
  return { data: out, shape };
}

/**
 * Checks the autodiff gradient of `sum(f(x) * w)` (w random, fixed) against central finite
 * differences of the float64 reference `ref`, for each argument listed in `argnums`.
 */
export function checkGrad(
  f: (...args: Tensor[]) => Tensor,
  ref: (...args: Float64Array[]) => ArrayLike<number>,
  args: Arr[],
  {
    argnums = args.map((_, i) => i),
    eps = 1e-3,
    rtol = 1e-3,
    atol = 1e-4,
    seed = 99,
  }: {
    argnums?: number[];
    eps?: number;
    rtol?: number;
    atol?: number;
    seed?: number;
  } = {},
): void {
  const outLen = ref(...args.map((a) => a.data)).length;
  const w = Float64Array.from(randomValues(outLen, seed, -1, 1));
  const ts = args.map((a) => tensor(a.data, a.shape));
  const wt = tensor(w, [outLen]);
  const loss = (...xs: Tensor[]): Tensor =>
    lax.sum(lax.mul(lax.reshape(f(...xs), [outLen]), wt), [0]);
  const g = grad(loss, { argnums })(...ts) as Tensor[];
  argnums.forEach((a, j) => {
    const num = numericGrad(
      (v) => {
        const datas = args.map((arg, i) => (i === a ? v : arg.data));
        const y = ref(...datas);
        let s = 0;
        for (let i = 0; i < outLen; i++) s += y[i]! * w[i]!;
        return s;
      },
      args[a]!.data,
      eps,
    );
    expectAllclose(g[j]!, num, { rtol, atol });
  });
}

/** Replays the graph that produced `outputs` on concrete `feeds` (KerasTensor -> Tensor). */
export function evalGraph(outputs: KerasTensor[], feeds: Map<KerasTensor, Tensor>): Tensor[] {
  const memo = new Map<KerasTensor, unknown>(feeds);
  const value = (t: KerasTensor): unknown => {
    if (memo.has(t)) return memo.get(t);
    const h = t.kerasHistory;
    if (!h) throw new Error(`evalGraph: no value for ${t.name}`);
    const ins = h.node.inputs.map(value);
    const outs = h.node.operation.callNode(ins, h.node);
    h.node.outputs.forEach((o, i) => memo.set(o, outs[i]));
    return memo.get(t);
  };
  return outputs.map((o) => value(o) as Tensor);
}

/** Runs `f` on a KerasTensor of `symShape` and on the concrete `x`, checks the graph replays. */
export function checkSymbolicReplay(
  f: (x: KerasTensor | Tensor) => KerasTensor | Tensor,
  symShape: (number | null)[],
  x: Tensor,
  expectedShape: (number | null)[],
  tol = { rtol: 1e-6, atol: 1e-6 },
): void {
  const sym = new KerasTensor(symShape, x.dtype);
  const out = f(sym);
  expect(out).toBeInstanceOf(KerasTensor);
  expect([...out.shape]).toEqual(expectedShape);
  const [replayed] = evalGraph([out as KerasTensor], new Map([[sym, x]]));
  const eager = f(x) as Tensor;
  expect([...replayed!.shape]).toEqual([...eager.shape]);
  expectAllclose(replayed!, eager, tol);
}

export const data = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

/** erf by its Maclaurin series / continued fraction, to ~1e-15 (float64 reference). */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for large |x|.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
