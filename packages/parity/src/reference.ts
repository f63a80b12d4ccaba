/**
 * Plain-JavaScript float64 references for every primitive: the independent expectation that makes
 * the cpu run of the parity suite a real test (cpu vs cpu is trivially equal).
 *
 * Written for clarity, not speed: one output element at a time, N-d index arithmetic spelled out,
 * no shared code with the cpu kernels. Values are computed in float64 (int32 maths in BigInt or
 * with explicit wrap-around) and rounded once to the output dtype, so a correctly rounded float32
 * kernel matches exactly and an accumulating one within its case tolerance.
 *
 * Semantics follow the contracts in core's `primitives/primitive.ts` and NumPy where those are
 * silent (e.g. pow(1, NaN) = 1, C99 / NumPy, where JavaScript's Math.pow gives NaN).
 */
import {
  Primitive,
  threefry2x32,
  uniformFromBits,
  type ConvParams,
  type DType,
  type Params,
  type PoolParams,
} from "@webkeras/core";
import { sizeOf } from "./inputs";

/** An input of a reference: like `HostArray`, but float64 values are allowed (finite differences). */
export interface RefArray {
  shape: number[];
  dtype: DType;
  values: ArrayLike<number>;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d]! + idx[d]!;
  return i;
}

/** NumPy broadcast of several shapes (inputs are assumed compatible). */
function broadcastShape(shapes: number[][]): number[] {
  const r = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(r).fill(1);
  for (const s of shapes)
    s.forEach((d, i) => {
      const k = r - s.length + i;
      if (d !== 1) out[k] = d;
    });
  return out;
}

/** Flat index into an input of `shape` for the output index `outIdx` under broadcasting. */
function broadcastIndex(outIdx: readonly number[], shape: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  let i = 0;
  for (let d = 0; d < shape.length; d++)
    i = i * shape[d]! + (shape[d] === 1 ? 0 : outIdx[lead + d]!);
  return i;
}

/** Rounds a float64 result to what `dtype` stores. */
function store(v: number, dtype: DType): number {
  if (dtype === "float32") return Math.fround(v);
  if (dtype === "int32") return v | 0;
  return v !== 0 ? 1 : 0; // NaN is truthy
}

const wrap = (v: bigint): number => Number(BigInt.asIntN(32, v));

// ---------------------------------------------------------------------------------------------
// Scalar semantics, written independently of the cpu kernels

/** erf: Maclaurin series below 2.5, the Laplace continued fraction of erfc above. */
export function erfRef(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = a;
    let sum = a;
    for (let n = 1; n < 100; n++) {
      term *= (-a * a) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else if (a === Infinity) {
    r = 1;
  } else {
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated
    // from the tail.
    let f = a;
    for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

function roundHalfEvenRef(x: number): number {
  const fl = Math.floor(x);
  const diff = x - fl;
  if (diff < 0.5) return fl;
  if (diff > 0.5) return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** C99 / NumPy pow: x^0 = 1 and 1^y = 1 for every y (NaN included), (-1)^(+-inf) = 1. */
function powRef(a: number, b: number): number {
  if (b === 0 || a === 1) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

function intPowRef(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let result = 1n;
  let base = BigInt(a);
  let e = b;
  while (e > 0) {
    if (e & 1) result = BigInt.asIntN(32, result * base);
    base = BigInt.asIntN(32, base * base);
    e = Math.floor(e / 2);
  }
  return Number(result);
}

function unaryRef(p: Primitive, x: number, int: boolean): number {
  switch (p) {
    case Primitive.Neg:
      return -x;
    case Primitive.Abs:
      return Math.abs(x);
    case Primitive.Sign:
      return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
    case Primitive.Exp:
      return Math.exp(x);
    case Primitive.Log:
      return Math.log(x);
    case Primitive.Log1p:
      return Math.log1p(x);
    case Primitive.Expm1:
      return Math.expm1(x);
    case Primitive.Sqrt:
      return Math.sqrt(x);
    case Primitive.Sin:
      return Math.sin(x);
    case Primitive.Cos:
      return Math.cos(x);
    case Primitive.Tanh:
      return Math.tanh(x);
    case Primitive.Erf:
      return erfRef(x);
    case Primitive.Floor:
      return int ? x : Math.floor(x);
    case Primitive.Round:
      return int ? x : roundHalfEvenRef(x);
    case Primitive.Reciprocal:
      return 1 / x;
    case Primitive.LogicalNot:
      return x === 0 ? 1 : 0;
    default:
      throw new Error(`unaryRef: not a unary primitive. Received: ${p}`);
  }
}

function binaryRef(p: Primitive, a: number, b: number, dtype: DType): number {
  if (dtype === "int32") {
    const A = BigInt(a);
    const Bn = BigInt(b);
    switch (p) {
      case Primitive.Add:
        return wrap(A + Bn);
      case Primitive.Sub:
        return wrap(A - Bn);
      case Primitive.Mul:
        return wrap(A * Bn);
      case Primitive.Div: {
        if (b === 0) return 0;
        let q = A / Bn; // truncates toward zero
        if (A % Bn !== 0n && A < 0n !== Bn < 0n) q -= 1n;
        return wrap(q);
      }
      case Primitive.Mod: {
        if (b === 0) return 0;
        let r = A % Bn;
        if (r !== 0n && r < 0n !== Bn < 0n) r += Bn;
        return wrap(r);
      }
      case Primitive.Pow:
        return intPowRef(a, b);
      default:
        break;
    }
  }
  switch (p) {
    case Primitive.Add:
      return a + b;
    case Primitive.Sub:
      return a - b;
    case Primitive.Mul:
      return a * b;
    case Primitive.Div:
      return a / b;
    case Primitive.Pow:
      return powRef(a, b);
    case Primitive.Maximum:
      return a !== a || b !== b ? NaN : a > b ? a : b;
    case Primitive.Minimum:
      return a !== a || b !== b ? NaN : a < b ? a : b;
    case Primitive.Mod:
      // Sign of the divisor. Exact for float32 operands in float64 (the product is exact).
      return a - b * Math.floor(a / b);
    case Primitive.Equal:
      return a === b ? 1 : 0;
    case Primitive.NotEqual:
      return a !== b ? 1 : 0;
    case Primitive.Less:
      return a < b ? 1 : 0;
    case Primitive.LessEqual:
      return a <= b ? 1 : 0;
    case Primitive.LogicalAnd:
      return a !== 0 && b !== 0 ? 1 : 0;
    case Primitive.LogicalOr:
      return a !== 0 || b !== 0 ? 1 : 0;
    default:
      throw new Error(`binaryRef: not a binary primitive. Received: ${p}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Structured primitives

/** Elementwise over broadcast inputs: f receives one value per input. */
function elementwise(inputs: RefArray[], f: (...v: number[]) => number): number[] {
  const shape = broadcastShape(inputs.map((x) => x.shape));
  const n = sizeOf(shape);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    out[i] = f(...inputs.map((x) => x.values[broadcastIndex(idx, x.shape)]!));
  }
  return out;
}

function reduceRef(p: Primitive, x: RefArray, axes: number[]): number[] {
  const outShape = x.shape.filter((_, d) => !axes.includes(d));
  const outSize = sizeOf(outShape);
  const int = x.dtype === "int32";
  const bool = x.dtype === "bool";
  const init =
    p === Primitive.Sum
      ? 0
      : p === Primitive.Prod
        ? 1
        : p === Primitive.Max
          ? int
            ? INT32_MIN
            : bool
              ? 0
              : -Infinity
          : int
            ? INT32_MAX
            : bool
              ? 1
              : Infinity;
  const acc = new Array<number>(outSize).fill(init);
  const accBig = new Array<bigint>(outSize).fill(BigInt(int ? init : 0));
  for (let i = 0; i < x.values.length; i++) {
    const idx = unravel(i, x.shape);
    const o = ravel(
      idx.filter((_, d) => !axes.includes(d)),
      outShape,
    );
    const v = x.values[i]!;
    if (p === Primitive.Sum && int) accBig[o] = BigInt.asIntN(32, accBig[o]! + BigInt(v));
    else if (p === Primitive.Prod && int) accBig[o] = BigInt.asIntN(32, accBig[o]! * BigInt(v));
    else if (p === Primitive.Sum) acc[o] = bool ? (acc[o]! || v ? 1 : 0) : acc[o]! + v;
    else if (p === Primitive.Prod) acc[o] = bool ? (acc[o]! && v ? 1 : 0) : acc[o]! * v;
    else if (p === Primitive.Max)
      acc[o] = acc[o]! !== acc[o]! || v !== v ? NaN : Math.max(acc[o]!, v);
    else acc[o] = acc[o]! !== acc[o]! || v !== v ? NaN : Math.min(acc[o]!, v);
  }
  if (int && (p === Primitive.Sum || p === Primitive.Prod)) return accBig.map(Number);
  return acc;
}

/** Calls f(outer, inner, len) for the (outer, len, inner) split of `shape` around `axis`. */
function axisSplit(shape: number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

function argmaxRef(x: RefArray, axis: number): number[] {
  const [outer, len, inner] = axisSplit(x.shape, axis);
  const out: number[] = [];
  for (let a = 0; a < outer; a++)
    for (let c = 0; c < inner; c++) {
      let best = 0;
      for (let k = 0; k < len; k++) {
        const v = x.values[(a * len + k) * inner + c]!;
        const b = x.values[(a * len + best) * inner + c]!;
        if (b !== b) break; // the first NaN wins
        if (v !== v || v > b) best = k;
      }
      out.push(len === 0 ? 0 : best);
    }
  return out;
}

function cumsumRef(x: RefArray, p: Params<Primitive.Cumsum>): number[] {
  const [outer, len, inner] = axisSplit(x.shape, p.axis);
  const out = new Array<number>(x.values.length).fill(0);
  for (let a = 0; a < outer; a++)
    for (let c = 0; c < inner; c++) {
      let s = 0n;
      let f = 0;
      for (let t = 0; t < len; t++) {
        const k = p.reverse ? len - 1 - t : t;
        const i = (a * len + k) * inner + c;
        const v = x.values[i]!;
        if (x.dtype === "int32") {
          if (!p.exclusive) s += BigInt(v);
          out[i] = wrap(s);
          if (p.exclusive) s += BigInt(v);
        } else if (x.dtype === "bool") {
          if (!p.exclusive) f = f || v ? 1 : 0;
          out[i] = f;
          if (p.exclusive) f = f || v ? 1 : 0;
        } else {
          if (!p.exclusive) f += v;
          out[i] = f;
          if (p.exclusive) f += v;
        }
      }
    }
  return out;
}

/** Sort key order: ascending puts NaN last; descending is the exact reverse of the value order. */
function sortedIndices(row: number[], descending: boolean): number[] {
  const rank = (v: number) => (v !== v ? Infinity : v);
  const isNaN_ = (v: number) => v !== v;
  return row
    .map((v, i) => ({ v, i }))
    .sort((a, b) => {
      let c: number;
      if (isNaN_(a.v) || isNaN_(b.v)) c = isNaN_(a.v) === isNaN_(b.v) ? 0 : isNaN_(a.v) ? 1 : -1;
      else c = rank(a.v) < rank(b.v) ? -1 : rank(a.v) > rank(b.v) ? 1 : 0;
      if (descending) c = -c;
      return c !== 0 ? c : a.i - b.i; // stable in both directions
    })
    .map((e) => e.i);
}

function rowsOf(x: RefArray): number[][] {
  const n = x.shape[x.shape.length - 1]!;
  const rows: number[][] = [];
  if (n === 0) return rows;
  for (let r = 0; r < x.values.length / n; r++)
    rows.push(Array.from({ length: n }, (_, j) => x.values[r * n + j]!));
  return rows;
}

function transposeRef(x: RefArray, perm: number[]): number[] {
  const outShape = perm.map((p) => x.shape[p]!);
  const out: number[] = [];
  for (let i = 0; i < sizeOf(outShape); i++) {
    const oi = unravel(i, outShape);
    const xi = new Array<number>(perm.length);
    perm.forEach((p, d) => (xi[p] = oi[d]!));
    out.push(x.values[ravel(xi, x.shape)]!);
  }
  return out;
}

function sliceRef(x: RefArray, p: Params<Primitive.Slice>): number[] {
  const outShape = x.shape.map((_, d) => Math.ceil((p.stop[d]! - p.start[d]!) / p.strides[d]!));
  const out: number[] = [];
  for (let i = 0; i < sizeOf(outShape); i++) {
    const oi = unravel(i, outShape);
    out.push(
      x.values[
        ravel(
          oi.map((v, d) => p.start[d]! + v * p.strides[d]!),
          x.shape,
        )
      ]!,
    );
  }
  return out;
}

function padRef(x: RefArray, p: Params<Primitive.Pad>): number[] {
  const outShape = x.shape.map((d, i) => d + p.padding[i]![0] + p.padding[i]![1]);
  const out: number[] = [];
  for (let i = 0; i < sizeOf(outShape); i++) {
    const oi = unravel(i, outShape);
    const xi = oi.map((v, d) => v - p.padding[d]![0]);
    const inside = xi.every((v, d) => v >= 0 && v < x.shape[d]!);
    out.push(inside ? x.values[ravel(xi, x.shape)]! : p.value);
  }
  return out;
}

function concatRef(xs: RefArray[], axis: number): number[] {
  const outShape = [...xs[0]!.shape];
  outShape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const out: number[] = [];
  for (let i = 0; i < sizeOf(outShape); i++) {
    const oi = unravel(i, outShape);
    let k = oi[axis]!;
    for (const x of xs) {
      if (k < x.shape[axis]!) {
        const xi = [...oi];
        xi[axis] = k;
        out.push(x.values[ravel(xi, x.shape)]!);
        break;
      }
      k -= x.shape[axis]!;
    }
  }
  return out;
}

function gatherNdRef(x: RefArray, ind: RefArray): number[] {
  const k = ind.shape[ind.shape.length - 1]!;
  const batch = sizeOf(ind.shape.slice(0, -1));
  const tail = x.shape.slice(k);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    const head: number[] = [];
    for (let j = 0; j < k; j++)
      head.push(Math.min(Math.max(ind.values[b * k + j]!, 0), x.shape[j]! - 1));
    for (let t = 0; t < sizeOf(tail); t++)
      out.push(x.values[ravel([...head, ...unravel(t, tail)], x.shape)]!);
  }
  return out;
}

function scatterNdRef(ind: RefArray, upd: RefArray, shape: number[]): number[] {
  const k = ind.shape[ind.shape.length - 1]!;
  const batch = sizeOf(ind.shape.slice(0, -1));
  const tail = shape.slice(k);
  const ts = sizeOf(tail);
  const out = new Array<number>(sizeOf(shape)).fill(0);
  for (let b = 0; b < batch; b++) {
    const head: number[] = [];
    for (let j = 0; j < k; j++) head.push(ind.values[b * k + j]!);
    if (head.some((v, j) => v < 0 || v >= shape[j]!)) continue;
    for (let t = 0; t < ts; t++) {
      const o = ravel([...head, ...unravel(t, tail)], shape);
      const u = upd.values[b * ts + t]!;
      out[o] =
        upd.dtype === "int32"
          ? wrap(BigInt(out[o]!) + BigInt(u))
          : upd.dtype === "bool"
            ? out[o]! || u
              ? 1
              : 0
            : out[o]! + u;
    }
  }
  return out;
}

function matmulRef(a: RefArray, b: RefArray, p: Params<Primitive.Matmul>): number[] {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = p.transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = p.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const N = p.transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batch = broadcastShape([a.shape.slice(0, -2), b.shape.slice(0, -2)]);
  const aB = a.shape.slice(0, -2);
  const bB = b.shape.slice(0, -2);
  const out: number[] = [];
  for (let t = 0; t < sizeOf(batch); t++) {
    const bi = unravel(t, batch);
    const aOff = broadcastIndex(bi, aB) * a.shape[ra - 2]! * a.shape[ra - 1]!;
    const bOff = broadcastIndex(bi, bB) * b.shape[rb - 2]! * b.shape[rb - 1]!;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        let si = 0n;
        for (let q = 0; q < K; q++) {
          const av = a.values[aOff + (p.transposeA ? q * M + m : m * K + q)]!;
          const bv = b.values[bOff + (p.transposeB ? n * K + q : q * N + n)]!;
          if (a.dtype === "float32") s += av * bv;
          else si += BigInt(av) * BigInt(bv);
        }
        out.push(a.dtype === "float32" ? s : a.dtype === "int32" ? wrap(si) : si !== 0n ? 1 : 0);
      }
  }
  return out;
}

/**
 * Visits every (output position, window tap) pair of a sliding window whose input position is in
 * range: f(n, outSpatialFlat, tapFlat, inSpatialFlat).
 */
function forEachTap(
  xShape: number[],
  window: number[],
  outSpatial: number[],
  p: { strides: number[]; padding: [number, number][]; dilation: number[] },
  f: (n: number, o: number, t: number, i: number) => void,
): void {
  const inSpatial = xShape.slice(1, -1);
  const nsp = inSpatial.length;
  for (let n = 0; n < xShape[0]!; n++)
    for (let o = 0; o < sizeOf(outSpatial); o++) {
      const oi = unravel(o, outSpatial);
      for (let t = 0; t < sizeOf(window); t++) {
        const ti = unravel(t, window);
        const ii = new Array<number>(nsp);
        let inside = true;
        for (let d = 0; d < nsp; d++) {
          ii[d] = oi[d]! * p.strides[d]! - p.padding[d]![0] + ti[d]! * p.dilation[d]!;
          if (ii[d]! < 0 || ii[d]! >= inSpatial[d]!) inside = false;
        }
        if (inside) f(n, o, t, ravel(ii, inSpatial));
      }
    }
}

function convRef(
  prim: Primitive.Conv | Primitive.ConvBackpropInput | Primitive.ConvBackpropFilter,
  xShape: number[],
  kShape: number[],
  dyShape: number[],
  p: ConvParams,
  x: ArrayLike<number> | null,
  k: ArrayLike<number> | null,
  dy: ArrayLike<number> | null,
): number[] {
  const nsp = xShape.length - 2;
  const window = kShape.slice(0, nsp);
  const outSpatial = dyShape.slice(1, -1);
  const C = xShape[nsp + 1]!;
  const O = kShape[nsp + 1]!;
  const cg = C / p.groups;
  const og = O / p.groups;
  const S = sizeOf(xShape.slice(1, -1));
  const OS = sizeOf(outSpatial);
  const outLen =
    prim === Primitive.Conv
      ? sizeOf(dyShape)
      : prim === Primitive.ConvBackpropInput
        ? sizeOf(xShape)
        : sizeOf(kShape);
  const out = new Array<number>(outLen).fill(0);
  forEachTap(xShape, window, outSpatial, p, (n, o, t, i) => {
    for (let oc = 0; oc < O; oc++) {
      const g = Math.floor(oc / og);
      for (let c = 0; c < cg; c++) {
        const xi = (n * S + i) * C + g * cg + c;
        const ki = (t * cg + c) * O + oc;
        const yi = (n * OS + o) * O + oc;
        if (prim === Primitive.Conv) out[yi] += x![xi]! * k![ki]!;
        else if (prim === Primitive.ConvBackpropInput) out[xi] += dy![yi]! * k![ki]!;
        else out[ki] += x![xi]! * dy![yi]!;
      }
    }
  });
  return out;
}

function poolRef(x: RefArray, p: PoolParams, outShape: number[], dy: RefArray | null): number[] {
  const outSpatial = outShape.slice(1, -1);
  const C = x.shape[x.shape.length - 1]!;
  const S = sizeOf(x.shape.slice(1, -1));
  const OS = sizeOf(outSpatial);
  const full = sizeOf(p.window);
  // Per (n, o): the in-range input positions, in row-major window order.
  const taps = new Map<number, number[]>();
  forEachTap(x.shape, p.window, outSpatial, p, (n, o, _t, i) => {
    const key = n * OS + o;
    const list = taps.get(key) ?? [];
    list.push(i);
    taps.set(key, list);
  });
  const out = new Array<number>(dy ? x.values.length : sizeOf(outShape)).fill(0);
  for (let n = 0; n < x.shape[0]!; n++)
    for (let o = 0; o < OS; o++) {
      const list = taps.get(n * OS + o) ?? [];
      for (let c = 0; c < C; c++) {
        const at = (i: number) => (n * S + i) * C + c;
        const yi = (n * OS + o) * C + c;
        if (p.kind === "max") {
          let best = -1;
          for (const i of list) {
            const v = x.values[at(i)]!;
            if (best < 0) best = i;
            else {
              const b = x.values[at(best)]!;
              if (b === b && (v !== v || v > b)) best = i;
            }
          }
          if (dy) {
            if (best >= 0) out[at(best)] += dy.values[yi]!;
          } else out[yi] = best < 0 ? -Infinity : x.values[at(best)]!;
        } else {
          const divisor = p.countIncludePad ? full : list.length;
          if (list.length === 0) continue;
          if (dy) for (const i of list) out[at(i)] += dy.values[yi]! / divisor;
          else out[yi] = list.reduce((s, i) => s + x.values[at(i)]!, 0) / divisor;
        }
      }
    }
  return out;
}

/**
 * The expected values of each output of `prim` on `inputs`, rounded to the output dtypes
 * (`outputs`, from core's shape rules).
 * @example reference(Primitive.Add, [a, b], {}, [{ shape: [2], dtype: "float32" }])
 */
export function reference(
  prim: Primitive,
  inputs: RefArray[],
  params: Params<Primitive>,
  outputs: { shape: number[]; dtype: DType }[],
): number[][] {
  const raw = referenceRaw(prim, inputs, params as never, outputs);
  return raw.map((vals, i) => vals.map((v) => store(v, outputs[i]!.dtype)));
}

/**
 * Like `reference`, without the final rounding to the output dtypes: float64 all the way, for
 * finite differences.
 */
export function referenceRaw(
  prim: Primitive,
  inputs: RefArray[],
  // Narrowed per case below: the table is keyed by the same enum as the params.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  params: any,
  outputs: { shape: number[]; dtype: DType }[],
): number[][] {
  const x = inputs[0]!;
  const P = Primitive;
  switch (prim) {
    case P.Neg:
    case P.Abs:
    case P.Sign:
    case P.Exp:
    case P.Log:
    case P.Log1p:
    case P.Expm1:
    case P.Sqrt:
    case P.Sin:
    case P.Cos:
    case P.Tanh:
    case P.Erf:
    case P.Floor:
    case P.Round:
    case P.Reciprocal:
    case P.LogicalNot:
      return [Array.from(x.values, (v) => unaryRef(prim, v, x.dtype !== "float32"))];
    case P.Add:
    case P.Sub:
    case P.Mul:
    case P.Div:
    case P.Pow:
    case P.Maximum:
    case P.Minimum:
    case P.Mod:
    case P.Equal:
    case P.NotEqual:
    case P.Less:
    case P.LessEqual:
    case P.LogicalAnd:
    case P.LogicalOr:
      return [elementwise(inputs, (a, b) => binaryRef(prim, a!, b!, x.dtype))];
    case P.Where:
      return [elementwise(inputs, (c, a, b) => (c !== 0 ? a! : b!))];
    case P.Cast: {
      const to = (params as Params<Primitive.Cast>).dtype;
      return [
        Array.from(x.values, (v) => {
          if (to !== "int32" || x.dtype !== "float32") return v;
          // Saturating truncation, NaN -> 0.
          if (v !== v) return 0;
          return v >= INT32_MAX ? INT32_MAX : v <= INT32_MIN ? INT32_MIN : Math.trunc(v);
        }),
      ];
    }
    case P.Sum:
    case P.Prod:
    case P.Max:
    case P.Min:
      return [reduceRef(prim, x, params.axes)];
    case P.Argmax:
      return [argmaxRef(x, params.axis)];
    case P.Cumsum:
      return [cumsumRef(x, params)];
    case P.Argsort:
      return [rowsOf(x).flatMap((row) => sortedIndices(row, params.descending))];
    case P.TopK: {
      const k = params.k as number;
      const rows = rowsOf(x).map((row) =>
        sortedIndices(row, true)
          .slice(0, k)
          .map((i) => [row[i]!, i] as const),
      );
      return [rows.flatMap((r) => r.map((e) => e[0])), rows.flatMap((r) => r.map((e) => e[1]))];
    }
    case P.Reshape:
      return [Array.from(x.values)];
    case P.Transpose:
      return [transposeRef(x, params.perm)];
    case P.BroadcastTo: {
      const shape = params.shape as number[];
      return [
        Array.from(
          { length: sizeOf(shape) },
          (_, i) => x.values[broadcastIndex(unravel(i, shape), x.shape)]!,
        ),
      ];
    }
    case P.Slice:
      return [sliceRef(x, params)];
    case P.Pad:
      return [padRef(x, params)];
    case P.Concat:
      return [concatRef(inputs, params.axis)];
    case P.GatherNd:
      return [gatherNdRef(x, inputs[1]!)];
    case P.ScatterNd:
      return [scatterNdRef(x, inputs[1]!, params.shape)];
    case P.Matmul:
      return [matmulRef(x, inputs[1]!, params)];
    case P.Conv:
      return [
        convRef(
          prim,
          x.shape,
          inputs[1]!.shape,
          outputs[0]!.shape,
          params,
          x.values,
          inputs[1]!.values,
          null,
        ),
      ];
    case P.ConvBackpropInput:
      return [
        convRef(
          prim,
          params.inputShape,
          inputs[1]!.shape,
          x.shape,
          params,
          null,
          inputs[1]!.values,
          x.values,
        ),
      ];
    case P.ConvBackpropFilter:
      return [
        convRef(
          prim,
          x.shape,
          params.kernelShape,
          inputs[1]!.shape,
          params,
          x.values,
          null,
          inputs[1]!.values,
        ),
      ];
    case P.Pool:
      return [poolRef(x, params, outputs[0]!.shape, null)];
    case P.PoolBackprop:
      return [poolRef(inputs[1]!, params, x.shape, x)];
    case P.Iota: {
      const shape = params.shape as number[];
      return [Array.from({ length: sizeOf(shape) }, (_, i) => unravel(i, shape)[params.axis]!)];
    }
    case P.RandomUniform: {
      const [k0, k1] = params.key as [number, number];
      return [
        Array.from({ length: sizeOf(params.shape) }, (_, i) =>
          uniformFromBits(threefry2x32(k0, k1, i, 0)[0]),
        ),
      ];
    }
    default:
      return prim satisfies never;
  }
}
