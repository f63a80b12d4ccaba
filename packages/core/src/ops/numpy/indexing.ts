/**
 * Indexing of `keras.ops` (NumPy family): `take`, `takeAlongAxis` (both lower to one GatherNd, so
 * their gradient is a ScatterNd), the data-dependent `nonzero` and `bincount` (eager only: their
 * output shape depends on the values) and the bucketing ops `digitize` and `searchsorted`.
 */
import { fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import { KerasTensor } from "../../symbolic/keras_tensor";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, normalizeAxis, promoteOperands, type TensorLike } from "../convert";
import { dims, expandAt, fail, moveAxis, prodDims, reshapeBy } from "./internal";
import { deferIfUnknown } from "../../symbolic/deferred_op";

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Integer indices as int32 (floats truncate toward zero, as a cast does). */
function indexTensor(indices: TensorLike): AnyTensor {
  const t = convertToTensor<AnyTensor>(indices);
  return t.dtype === "int32" ? t : lax.cast(t, "int32");
}

/** Negative indices count from the end of an axis of length `n`. */
function wrap(idx: AnyTensor, n: number): AnyTensor {
  return lax.where(lax.less(idx, 0), lax.add(idx, n), idx);
}

/**
 * Elements of `x` at `indices` along `axis` (of the flattened input when null); the output has
 * `indices`' shape in place of that axis. Negative indices count from the end; out-of-range
 * indices are clamped (as JAX does), not an error.
 * @example keras.ops.take([[1, 2], [3, 4]], [1, -1], 1); // [[2, 2], [4, 4]]
 */
export function take<T extends AnyTensor = Tensor>(x: TensorLike, indices: TensorLike, axis: number | null = null): T {
  let t = convertToTensor<AnyTensor>(x);
  const idx = indexTensor(indices);
  if (axis === null) {
    t = reshapeBy(t, "take", (s) => [prodDims(s)]);
    axis = 0;
  }
  if (t.shape.length === 0) fail("take", "cannot index a 0-dimensional tensor along an axis", `x.shape=${fmt(t.shape)}`);
  const ax = normalizeAxis(axis, t.shape.length, "take");
  const n = t.shape[ax];
  if (n === null) {
    const shape = [...t.shape.slice(0, ax), ...idx.shape, ...t.shape.slice(ax + 1)];
    return deferIfUnknown("take", [t, idx], () => [{ shape, dtype: t.dtype }], ([u, i]) => [take(u!, i!, ax)])![0] as unknown as T;
  }
  const q = idx.shape.length;
  // (n, ...rest) gathered at (...idx, 1) -> (...idx, ...rest) -> (...before, ...idx, ...after)
  const g = lax.gatherNd(moveAxis(t, ax, 0), expandAt(wrap(idx, n), [q], "take"));
  const r = g.shape.length;
  return lax.transpose(g, [...range(ax, q), ...range(q), ...range(r - q - ax, q + ax)]) as T;
}

/**
 * Picks from `x` along `axis` with `indices` of the same rank (NumPy `take_along_axis`); the
 * other dims broadcast. With `axis` null both are flattened. Negative indices count from the end.
 * @example keras.ops.takeAlongAxis(x, keras.ops.argsort(x, -1), -1); // sorted along the last axis
 */
export function takeAlongAxis<T extends AnyTensor = Tensor>(x: TensorLike, indices: TensorLike, axis: number | null = null): T {
  let t = convertToTensor<AnyTensor>(x);
  let idx = indexTensor(indices);
  if (axis === null) {
    t = reshapeBy(t, "takeAlongAxis", (s) => [prodDims(s)]);
    idx = reshapeBy(idx, "takeAlongAxis", (s) => [prodDims(s)]);
    axis = 0;
  }
  const r = t.shape.length;
  if (idx.shape.length !== r)
    fail("takeAlongAxis", "indices must have the same rank as x", `x.shape=${fmt(t.shape)}, indices.shape=${fmt(idx.shape)}`);
  const ax = normalizeAxis(axis, r, "takeAlongAxis");
  // Broadcast shape of the dims other than `axis`.
  const batch = range(r)
    .filter((i) => i !== ax)
    .map((i) => {
      const a = t.shape[i]!;
      const b = idx.shape[i]!;
      if (a !== null && b !== null && a !== b && a !== 1 && b !== 1)
        fail("takeAlongAxis", `x and indices must broadcast on dims other than axis ${ax}`, `x.shape=${fmt(t.shape)}, indices.shape=${fmt(idx.shape)}`);
      return a === 1 ? b : b === 1 ? a : a ?? b;
    });
  const outShape = [...batch.slice(0, ax), idx.shape[ax]!, ...batch.slice(ax)];
  const deferred = deferIfUnknown("takeAlongAxis", [t, idx], () => [{ shape: outShape, dtype: t.dtype }], ([u, i]) => [
    takeAlongAxis(u!, i!, ax),
  ]);
  if (deferred) return deferred[0] as unknown as T;
  const n = dims(t)[ax]!;
  const k = dims(idx)[ax]!;
  const B = batch as number[];
  const size = prodDims(B)!;
  // Axis last, batch broadcast and flattened: x (size * n), indices (size, k) + row offsets.
  const xs = lax.reshape(lax.broadcastTo(moveAxis(t, ax, r - 1), [...B, n]), [size * n]);
  const is = lax.reshape(lax.broadcastTo(moveAxis(idx, ax, r - 1), [...B, k]), [size, k]);
  // Clamp like GatherNd does, so an out-of-range index cannot reach into a neighbouring row.
  const inRange = lax.minimum(lax.maximum(wrap(is, n), 0), Math.max(n - 1, 0));
  const flatIdx = lax.add(inRange, lax.mul(lax.iota([size, 1], 0), n));
  const g = lax.gatherNd(xs, lax.reshape(flatIdx, [size, k, 1])); // (size, k)
  return moveAxis(lax.reshape(g, [...B, k]), r - 1, ax) as T;
}

function concrete(op: string, x: AnyTensor): Tensor {
  if (x instanceof KerasTensor)
    fail(op, "its output shape depends on the values, so it needs a concrete tensor (it cannot run symbolically)", `${x}`);
  return x;
}

/**
 * Indices of the non-zero elements, one int32 tensor per dim (row-major order).
 * Data-dependent: eager only, and reads the values synchronously (cpu and wasm backends).
 * @example keras.ops.nonzero([[0, 1], [2, 0]]); // [[0, 1], [1, 0]]
 */
export function nonzero(x: TensorLike): Tensor[] {
  const t = concrete("nonzero", convertToTensor<AnyTensor>(x));
  const v = t.dataSync();
  const shape = t.shape;
  const r = shape.length;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[][] = shape.map(() => []);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) continue; // NaN is non-zero, as in NumPy
    for (let d = 0; d < r; d++) out[d]!.push(Math.floor(i / strides[d]!) % shape[d]!);
  }
  if (r === 0) return [lax.constant(v[0] !== 0 ? [0] : [], [v[0] !== 0 ? 1 : 0], "int32")];
  return out.map((o) => lax.constant(o, [o.length], "int32"));
}

/**
 * Counts of each value 0..max(x) (at least `minlength` bins) in non-negative integers `x`, or sums
 * of `weights` per value. A 2-D `x` counts per row. Data-dependent length: eager only (the
 * maximum is read; the counting itself is a ScatterNd, differentiable in `weights`).
 * @example keras.ops.bincount([0, 1, 1, 3]); // [1, 2, 0, 1]
 */
export function bincount<T extends AnyTensor = Tensor>(x: TensorLike, weights: TensorLike | null = null, minlength = 0): T {
  const t = concrete("bincount", indexTensor(x));
  if (t.shape.length !== 1 && t.shape.length !== 2) fail("bincount", "x must be 1-D or 2-D", `x.shape=${fmt(t.shape)}`);
  const v = t.dataSync();
  let hi = -1;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < 0) fail("bincount", "x must hold non-negative integers", `a value of ${v[i]}`);
    hi = Math.max(hi, v[i]!);
  }
  const len = Math.max(hi + 1, minlength);
  let w: Tensor;
  if (weights === null) w = lax.full(t.shape as number[], 1, "int32");
  else {
    const wt = concrete("bincount", convertToTensor<AnyTensor>(weights));
    w = lax.cast(wt, wt.dtype === "float32" ? "float32" : "int32");
  }
  if (w.shape.length !== t.shape.length || w.shape.some((d, i) => d !== t.shape[i]))
    fail("bincount", "weights must have the shape of x", `x.shape=${fmt(t.shape)}, weights.shape=${fmt(w.shape)}`);
  if (t.shape.length === 1) return lax.scatterNd(lax.reshape(t, [t.shape[0]!, 1]), w, [len]) as T;
  const [rows, cols] = t.shape as [number, number];
  const coords = lax.concat([lax.iota([rows, cols, 1], 0), lax.reshape(t, [rows, cols, 1])], 2);
  return lax.scatterNd(coords, w, [rows, len]) as T;
}

/**
 * Index (int32) of the bin each value falls in: `i` such that `bins[i-1] <= x < bins[i]`
 * (`bins` increasing, 1-D); 0 below the first edge, `len(bins)` at or above the last.
 * @example keras.ops.digitize([0.5, 1, 2.5], [1, 2, 3]); // [0, 1, 2]
 */
export function digitize<T extends AnyTensor = Tensor>(x: TensorLike, bins: TensorLike): T {
  const [t, b] = promoteOperands<AnyTensor>([x, bins]);
  if (b!.shape.length !== 1) fail("digitize", "bins must be 1-D", `bins.shape=${fmt(b!.shape)}`);
  // Number of edges <= x: compare (..., 1) against (nbins,) and count.
  const ge = lax.lessEqual(b!, expandAt(t!, [t!.shape.length], "digitize"));
  return lax.sum(lax.cast(ge, "int32"), [t!.shape.length]) as T;
}

/**
 * Insertion indices (int32) that keep the 1-D `sortedSequence` sorted: for "left" the first
 * suitable position, for "right" the last.
 * @example keras.ops.searchsorted([1, 2, 3], [2, 5]); // [1, 3]
 */
export function searchsorted<T extends AnyTensor = Tensor>(
  sortedSequence: TensorLike,
  values: TensorLike,
  side: "left" | "right" = "left",
): T {
  const [s, v] = promoteOperands<AnyTensor>([sortedSequence, values]);
  if (s!.shape.length !== 1) fail("searchsorted", "sortedSequence must be 1-D", `sortedSequence.shape=${fmt(s!.shape)}`);
  if (side !== "left" && side !== "right") fail("searchsorted", 'side must be "left" or "right"', `side=${side}`);
  const ve = expandAt(v!, [v!.shape.length], "searchsorted");
  const before = side === "left" ? lax.less(s!, ve) : lax.lessEqual(s!, ve);
  return lax.sum(lax.cast(before, "int32"), [v!.shape.length]) as T;
}
