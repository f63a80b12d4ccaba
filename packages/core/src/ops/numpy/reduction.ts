/**
 * Reductions and scans of `keras.ops` (NumPy family): sum, mean, var, max, argmax, cumsum,
 * quantile... `axis` is a number, a list of numbers or null (all axes); `keepdims` keeps reduced
 * dims as size 1. Dtypes follow Keras: sums of bools are int32, means and variances are float32.
 */
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import { fmt } from "../../errors";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, normalizeAxes, normalizeAxis, promoteOperands, type TensorLike } from "../convert";
import {
  boolToInt,
  dims,
  expandAt,
  fail,
  moveAxis,
  prodDims,
  reshapeBy,
  sliceAxis,
  toFloat,
  type Dim,
} from "./internal";
import { deferIfUnknown } from "../../symbolic/deferred_op";
import { take } from "./indexing";
import { sort } from "./sorting";

type Axis = number | readonly number[] | null;

/** Shape after reducing `axes` (sorted), with `keepdims`. */
function reducedShape(shape: readonly Dim[], axes: readonly number[], keepdims: boolean): Dim[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Normalizes `axis`, applies `f` over the axes, restores kept dims. */
function reduce<T extends AnyTensor>(
  op: string,
  x: AnyTensor,
  axis: Axis | undefined,
  keepdims: boolean,
  f: (x: AnyTensor, axes: number[]) => AnyTensor,
): T {
  const axes = normalizeAxes(axis, x.shape.length, op);
  const y = f(x, axes);
  return (keepdims ? expandAt(y, axes, op) : y) as T;
}

/** All dims merged into one (ravel). */
function flat<T extends AnyTensor>(x: T, op: string): T {
  return reshapeBy(x, op, (s) => [prodDims(s)]);
}

/**
 * Sum over `axis` (all axes when null). Bool inputs give int32.
 * @example keras.ops.sum([[1, 2], [3, 4]], 0); // [4, 6]
 */
export function sum<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  return reduce("sum", boolToInt(x), axis, keepdims, (t, axes) => lax.sum(t, axes));
}

/**
 * Arithmetic mean over `axis`; integer inputs give float32.
 * @example keras.ops.mean(x, -1, true);
 */
export function mean<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  const t = toFloat<AnyTensor>(x);
  const axes = normalizeAxes(axis, t.shape.length, "mean");
  const count = prodDims(axes.map((a) => t.shape[a]!));
  if (count === null) {
    const out = deferIfUnknown(
      "mean",
      [t],
      () => [{ shape: reducedShape(t.shape, axes, keepdims), dtype: "float32" }],
      ([u]) => [mean(u!, axis, keepdims)],
    );
    return out![0] as unknown as T;
  }
  const y = lax.div(lax.sum(t, axes), count);
  return (keepdims ? expandAt(y, axes, "mean") : y) as T;
}

function varianceOf(op: string, x: TensorLike, axis: Axis | undefined, keepdims: boolean): AnyTensor {
  const t = toFloat<AnyTensor>(x);
  const axes = normalizeAxes(axis, t.shape.length, op);
  const d = lax.sub(t, mean<AnyTensor>(t, axes, true));
  return mean<AnyTensor>(lax.mul(d, d), axes, keepdims);
}

/**
 * Population variance (divisor N) over `axis`; float32 output.
 * @example keras.ops.var([1, 2, 3, 4]); // 1.25
 */
function variance<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  return varianceOf("var", x, axis, keepdims) as T;
}
export { variance as var };

/**
 * Population standard deviation over `axis`; float32 output.
 * @example keras.ops.std([1, 2, 3, 4]); // 1.118
 */
export function std<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  return lax.sqrt(varianceOf("std", x, axis, keepdims)) as T;
}

function maxMin<T extends AnyTensor>(op: string, isMax: boolean, x: TensorLike, axis: Axis | undefined, keepdims: boolean, initial: TensorLike | null): T {
  const t = convertToTensor<AnyTensor>(x);
  const work = t.dtype === "bool" ? lax.cast(t, "int32") : t;
  let y = reduce<AnyTensor>(op, work, axis, keepdims, (u, axes) => (isMax ? lax.max(u, axes) : lax.min(u, axes)));
  if (initial !== null) {
    const [a, b] = promoteOperands<AnyTensor>([y, initial]);
    y = isMax ? lax.maximum(a!, b!) : lax.minimum(a!, b!);
  }
  return (t.dtype === "bool" && y.dtype === "int32" ? lax.cast(y, "bool") : y) as T;
}

/**
 * Maximum over `axis` (NaN propagates); `initial` is a lower bound included in the reduction.
 * @example keras.ops.max([[1, 5], [3, 2]], 1); // [5, 3]
 */
export function max<T extends AnyTensor = Tensor>(
  x: TensorLike,
  axis: Axis = null,
  keepdims = false,
  initial: TensorLike | null = null,
): T {
  return maxMin("max", true, x, axis, keepdims, initial);
}

/**
 * Minimum over `axis` (NaN propagates); `initial` is an upper bound included in the reduction.
 * @example keras.ops.min([[1, 5], [3, 2]], 1); // [1, 2]
 */
export function min<T extends AnyTensor = Tensor>(
  x: TensorLike,
  axis: Axis = null,
  keepdims = false,
  initial: TensorLike | null = null,
): T {
  return maxMin("min", false, x, axis, keepdims, initial);
}

/**
 * Alias of `max` without `initial`.
 * @example keras.ops.amax([1, 5, 3]); // 5
 */
export function amax<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  return maxMin("amax", true, x, axis, keepdims, null);
}

/**
 * Alias of `min` without `initial`.
 * @example keras.ops.amin([1, 5, 3]); // 1
 */
export function amin<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  return maxMin("amin", false, x, axis, keepdims, null);
}

/**
 * Product over `axis`. Bool inputs give int32; `dtype` casts the input first.
 * @example keras.ops.prod([1, 2, 3, 4]); // 24
 */
export function prod<T extends AnyTensor = Tensor>(
  x: TensorLike,
  axis: Axis = null,
  keepdims = false,
  dtype: string | null = null,
): T {
  const t = dtype === null ? boolToInt<AnyTensor>(x) : convertToTensor<AnyTensor>(x, dtype);
  return reduce("prod", t, axis, keepdims, (u, axes) => lax.prod(u, axes));
}

/**
 * True when every element over `axis` is truthy (non-zero).
 * @example keras.ops.all([[true, false], [true, true]], 1); // [false, true]
 */
export function all<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  const f = lax.cast(lax.logicalNot(convertToTensor<AnyTensor>(x, "bool")), "int32");
  return reduce("all", f, axis, keepdims, (u, axes) => lax.equal(lax.sum(u, axes), 0));
}

/**
 * True when some element over `axis` is truthy (non-zero).
 * @example keras.ops.any([[true, false], [false, false]], 1); // [true, false]
 */
export function any<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  const t = lax.cast(convertToTensor<AnyTensor>(x, "bool"), "int32");
  return reduce("any", t, axis, keepdims, (u, axes) => lax.greater(lax.sum(u, axes), 0));
}

function argReduce<T extends AnyTensor>(op: string, x: AnyTensor, axis: number | null, keepdims: boolean): T {
  const rank = x.shape.length;
  if (axis === null) {
    const y = lax.argmax(flat(x, op), 0);
    return (keepdims ? lax.reshape(y, x.shape.map(() => 1)) : y) as T;
  }
  const ax = normalizeAxis(axis, rank, op);
  if (rank === 0) return lax.argmax(lax.reshape(x, [1]), 0) as T;
  const y = lax.argmax(x, ax);
  return (keepdims ? expandAt(y, [ax], op) : y) as T;
}

/**
 * Index (int32) of the first maximum along `axis`; over the flattened input when `axis` is null.
 * NaN counts as the maximum.
 * @example keras.ops.argmax([[1, 5], [7, 2]], 1); // [1, 0]
 */
export function argmax<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = null, keepdims = false): T {
  return argReduce("argmax", boolToInt(x), axis, keepdims);
}

/**
 * Index (int32) of the first minimum along `axis`; over the flattened input when `axis` is null.
 * @example keras.ops.argmin([[1, 5], [7, 2]], 1); // [0, 1]
 */
export function argmin<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = null, keepdims = false): T {
  const t = boolToInt<AnyTensor>(x);
  // Order-reversing maps: -x for floats (NaN stays NaN, still found first), ~x = -x - 1 for int32
  // (no overflow at the int32 minimum).
  const r = t.dtype === "float32" ? lax.neg(t) : lax.sub(lax.neg(t), 1);
  return argReduce("argmin", r, axis, keepdims);
}

/**
 * Cumulative sum along `axis` (over the flattened input when null). Bool inputs give int32.
 * @example keras.ops.cumsum([1, 2, 3]); // [1, 3, 6]
 */
export function cumsum<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = null, dtype: string | null = null): T {
  let t = dtype === null ? boolToInt<AnyTensor>(x) : convertToTensor<AnyTensor>(x, dtype);
  if (axis === null) t = flat(t, "cumsum");
  else if (t.shape.length === 0) return t as T;
  const ax = axis === null ? 0 : normalizeAxis(axis, t.shape.length, "cumsum");
  return lax.cumsum(t, ax) as T;
}

/**
 * Cumulative product along `axis` (over the flattened input when null). Bool inputs give int32.
 *
 * There is no product scan primitive, so this is a log-depth (Hillis-Steele) scan: for shifts
 * 1, 2, 4... each step multiplies by the tensor shifted along `axis` (padded with ones). That is
 * exact in products, differentiable through mul/pad/slice (zeros included, unlike
 * exp(cumsum(log|x|))) and costs ceil(log2 n) passes. Needs a static length along `axis`.
 * @example keras.ops.cumprod([1, 2, 3, 4]); // [1, 2, 6, 24]
 */
export function cumprod<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = null, dtype: string | null = null): T {
  let t = dtype === null ? boolToInt<AnyTensor>(x) : convertToTensor<AnyTensor>(x, dtype);
  if (axis === null) t = flat(t, "cumprod");
  else if (t.shape.length === 0) return t as T;
  const ax = axis === null ? 0 : normalizeAxis(axis, t.shape.length, "cumprod");
  const deferred = deferIfUnknown("cumprod", [t], () => [{ shape: [...t.shape], dtype: t.dtype }], ([u]) => [cumprod(u!, ax)]);
  if (deferred) return deferred[0] as unknown as T;
  const n = dims(t)[ax]!;
  let y = t;
  for (let s = 1; s < n; s *= 2) {
    const shifted = lax.pad(
      sliceAxis(y, ax, 0, n - s),
      y.shape.map((_, i): [number, number] => (i === ax ? [s, 0] : [0, 0])),
      1,
    );
    y = lax.mul(y, shifted);
  }
  return y as T;
}

/**
 * Number (int32) of non-zero elements over `axis`.
 * @example keras.ops.countNonzero([[0, 1], [2, 3]], 1); // [1, 2]
 */
export function countNonzero<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null): T {
  const t = convertToTensor<AnyTensor>(x);
  const nz = lax.cast(lax.notEqual(t, lax.scalar(0, t.dtype)), "int32");
  return reduce("countNonzero", nz, axis, false, (u, axes) => lax.sum(u, axes));
}

/**
 * Weighted average over `axis`: `sum(x * w) / sum(w)`. `weights` has the shape of `x`, or is 1-D
 * with the length of `x` along a single `axis`. Float32 output.
 * @example keras.ops.average([1, 2, 3], 0, [3, 1, 0]); // 1.25
 */
export function average<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = null, weights: TensorLike | null = null): T {
  if (weights === null) return mean<T>(x, axis);
  const [t, w0] = promoteOperands<AnyTensor>([x, weights], "float32");
  let w = w0!;
  const rank = t!.shape.length;
  const received = `x.shape=${fmt(t!.shape)}, weights.shape=${fmt(w.shape)}, axis=${fmt(axis)}`;
  if (w.shape.length === rank) {
    if (w.shape.some((d, i) => d !== null && t!.shape[i] !== null && d !== t!.shape[i]))
      fail("average", "weights must have the shape of x, or be 1-D along one given axis", received);
  } else {
    if (axis === null || w.shape.length !== 1)
      fail("average", "weights must have the shape of x, or be 1-D along one given axis", received);
    const ax = normalizeAxis(axis, rank, "average");
    const n = t!.shape[ax];
    if (n !== null && w.shape[0] !== null && w.shape[0] !== n)
      fail("average", `1-D weights must have the length of x along axis ${ax}`, received);
    // (n,) -> (1, ..., n, ..., 1): broadcasts along `axis`; summing it over `axis` gives sum(w).
    w = expandAt(w, [...Array(rank).keys()].filter((i) => i !== ax), "average");
  }
  return lax.div(sum<AnyTensor>(lax.mul(t!, w), axis), sum<AnyTensor>(w, axis)) as T;
}

/**
 * Median over `axis` (all axes when null); float32 output. NaN anywhere in a slice gives NaN.
 * @example keras.ops.median([3, 1, 2, 10]); // 2.5
 */
export function median<T extends AnyTensor = Tensor>(x: TensorLike, axis: Axis = null, keepdims = false): T {
  return quantileImpl("median", x, 0.5, axis, "linear", keepdims);
}

/** How `quantile` picks between the two nearest sorted values (NumPy names). */
export type QuantileMethod = "linear" | "lower" | "higher" | "midpoint" | "nearest";

/**
 * The `q`-th quantiles (q in [0, 1], a number, list or tensor) over `axis`, from the sorted values;
 * float32 output of shape `q.shape + reduced shape`. NaN anywhere in a slice gives NaN.
 * @example keras.ops.quantile([1, 2, 3, 4], [0.25, 0.5]); // [1.75, 2.5]
 */
export function quantile<T extends AnyTensor = Tensor>(
  x: TensorLike,
  q: TensorLike,
  axis: Axis = null,
  method: QuantileMethod = "linear",
  keepdims = false,
): T {
  return quantileImpl("quantile", x, q, axis, method, keepdims);
}

function quantileImpl<T extends AnyTensor>(op: string, x: TensorLike, q: TensorLike, axis: Axis, method: QuantileMethod, keepdims: boolean): T {
  const t = toFloat<AnyTensor>(x);
  const qt = toFloat<AnyTensor>(q);
  if (qt.shape.length > 1) fail(op, "q must be a scalar or 1-D", `q.shape=${JSON.stringify(qt.shape)}`);
  if (!["linear", "lower", "higher", "midpoint", "nearest"].includes(method))
    fail(op, 'method must be one of "linear", "lower", "higher", "midpoint", "nearest"', `method=${method}`);
  const checkQ = (v: number) => {
    if (!(v >= 0 && v <= 1)) fail(op, "q must be in [0, 1]", `q=${v}`);
  };
  if (typeof q === "number") checkQ(q);
  else if (Array.isArray(q)) (q as number[]).forEach(checkQ);
  const axes = normalizeAxes(axis, t.shape.length, op);
  const outShape = [...qt.shape, ...reducedShape(t.shape, axes, keepdims)];
  const deferred = deferIfUnknown(op, [t, qt], () => [{ shape: outShape, dtype: "float32" }], ([u, v]) => [
    quantileImpl(op, u!, v!, axis, method, keepdims),
  ]);
  if (deferred) return deferred[0] as unknown as T;
  // Move the reduced axes last and merge them: (...kept, n).
  const kept = t.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const moved = lax.transpose(t, [...kept, ...axes]);
  const keptShape = kept.map((i) => dims(t)[i]!);
  const n = prodDims(axes.map((a) => dims(t)[a]!))!;
  if (n === 0) fail(op, "cannot take a quantile of an empty slice", `shape=${JSON.stringify(t.shape)}`);
  const sorted = sort<AnyTensor>(lax.reshape(moved, [...keptShape, n]), -1);
  const pos = lax.mul(qt, n - 1);
  const lo = lax.floor(pos);
  const hi = lax.minimum(lax.neg(lax.floor(lax.neg(pos))), n - 1);
  const at = (i: AnyTensor) => take<AnyTensor>(sorted, lax.cast(i, "int32"), -1); // (...kept, ...q)
  let v: AnyTensor;
  if (method === "lower") v = at(lo);
  else if (method === "higher") v = at(hi);
  else if (method === "nearest") v = at(lax.round(pos));
  else {
    const a = at(lo);
    const b = at(hi);
    v = method === "midpoint" ? lax.mul(lax.add(a, b), 0.5) : lax.add(a, lax.mul(lax.sub(b, a), lax.sub(pos, lo)));
  }
  // NaN sorts last; NumPy returns NaN for a slice holding any NaN.
  const hasNan = lax.greater(lax.sum(lax.cast(lax.notEqual(sorted, sorted), "int32"), [kept.length]), 0);
  const nanMask = qt.shape.length === 1 ? lax.reshape(hasNan, [...keptShape, 1]) : hasNan;
  v = lax.where(nanMask, NaN, v);
  // (...kept, ...q) -> (...q, ...kept), then kept dims restored for keepdims.
  if (qt.shape.length === 1) v = moveAxis(v, kept.length, 0);
  if (keepdims) v = lax.reshape(v, [...dims(qt), ...reducedShape(dims(t), axes, true)] as number[]);
  return v as T;
}
