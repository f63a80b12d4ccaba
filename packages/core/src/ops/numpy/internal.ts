/**
 * Helpers shared by the NumPy-family ops; not part of `keras.ops`.
 *
 * Ops whose composition needs a static dim defer on KerasTensors with unknown dims through
 * `symbolic/deferred_op` (one graph node for the whole op, replayed on concrete values); the
 * structural reshape / broadcast helpers below do so for a target computed from the shape.
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import { broadcastShapes, type Dim } from "../../primitives/shape_rules";
import { staticOrDeferred } from "../../symbolic/deferred_op";
import { KerasTensor } from "../../symbolic/keras_tensor";
import type { DType } from "../../tensor/dtype";
import { convertToTensor, promoteOperands, type TensorLike } from "../convert";

export type { Dim };

/** Same rank and same dims (unknown dims equal only to unknown dims). */
function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Product of dims, null when one is unknown. */
export function prodDims(dims: readonly Dim[]): Dim {
  let n = 1;
  for (const d of dims) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/** Shape of `x` as known numbers (callers checked `hasUnknown` or deferred first). */
export function dims(x: AnyTensor): number[] {
  return x.shape as number[];
}

/**
 * Reshape to `f(shape)`, where `f` is a *structural* function of the tensor's own shape (insert
 * ones, merge the last two dims...), so it can run again on the concrete shape at replay.
 */
export function reshapeBy<T extends AnyTensor>(x: T, op: string, f: (shape: Dim[]) => Dim[]): T {
  const target = f([...x.shape]);
  if (sameShape(target, x.shape)) return x;
  return staticOrDeferred(op, x, target, lax.reshape, (u) => reshapeBy(u, op, f));
}

/** Shape with size-1 dims inserted at the sorted output positions `axes`. */
function insertOnes(shape: readonly Dim[], axes: readonly number[]): Dim[] {
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < shape.length + axes.length; i++) out.push(axes.includes(i) ? 1 : shape[k++]!);
  return out;
}

/** Adds size-1 dims at the sorted output positions `axes`. */
export function expandAt<T extends AnyTensor>(x: T, axes: readonly number[], op: string): T {
  if (axes.length === 0) return x;
  return reshapeBy(x, op, (s) => insertOnes(s, axes));
}

/** Removes the dims at sorted positions `axes` (callers checked they are size 1). */
export function dropAt<T extends AnyTensor>(x: T, axes: readonly number[], op: string): T {
  if (axes.length === 0) return x;
  return reshapeBy(x, op, (s) => s.filter((_, i) => !axes.includes(i)));
}

/** Broadcast to the shape `f(shape)` (structural, as in `reshapeBy`). */
export function broadcastBy<T extends AnyTensor>(x: T, op: string, f: (shape: Dim[]) => Dim[]): T {
  const target = f([...x.shape]);
  if (sameShape(target, x.shape)) return x;
  return staticOrDeferred(op, x, target, lax.broadcastTo, (u) => broadcastBy(u, op, f));
}

/** `lax.broadcastTo` after checking NumPy's rule, naming `op` in the error. */
export function broadcastToChecked<T extends AnyTensor>(op: string, t: T, shape: readonly number[]): T {
  const r = shape.length;
  const ok =
    shape.every((d) => Number.isInteger(d) && d >= 0) &&
    t.shape.length <= r &&
    t.shape.every((d, i) => d === 1 || d === null || d === shape[r - t.shape.length + i]);
  if (!ok) fail(op, `cannot broadcast a tensor of shape ${fmt(t.shape)} to shape ${fmt(shape)}`, `x.shape=${fmt(t.shape)}, shape=${fmt(shape)}`);
  return lax.broadcastTo(t, shape);
}

/** Moves `axis` to position `to` (both non-negative). */
export function moveAxis<T extends AnyTensor>(x: T, axis: number, to: number): T {
  const perm = x.shape.map((_, i) => i).filter((i) => i !== axis);
  perm.splice(to, 0, axis);
  return lax.transpose(x, perm);
}

/** Python-style slice bounds resolved against a length, like `slice(start, stop, step).indices(n)`. */
export function sliceBounds(n: number, start: number | null, stop: number | null): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = start === null ? 0 : clamp(start);
  const e = stop === null ? n : clamp(stop);
  return [s, Math.max(s, e)];
}

/** `x[..., start:stop:step, ...]` along one axis of a tensor with static shape. */
export function sliceAxis<T extends AnyTensor>(x: T, axis: number, start: number, stop: number, step = 1): T {
  const shape = dims(x);
  if (start === 0 && stop === shape[axis] && step === 1) return x;
  return lax.slice(
    x,
    shape.map((_, i) => (i === axis ? start : 0)),
    shape.map((d, i) => (i === axis ? stop : d)),
    shape.map((_, i) => (i === axis ? step : 1)),
  );
}

/**
 * Rows of `x` along `axis` picked by host indices (in range): one GatherNd on `x` with `axis`
 * moved first. Only the length of `axis` must be known; other dims may be unknown.
 */
export function gatherAxis<T extends AnyTensor>(x: T, idx: readonly number[], axis: number): T {
  const moved = moveAxis(x, axis, 0);
  const g = lax.gatherNd(moved, lax.constant(idx, [idx.length, 1], "int32"));
  return moveAxis(g, 0, axis);
}

/** Ones (value `v`) in the shape and on the graph of `x`, without reading it; works symbolically. */
export function fillLike<T extends AnyTensor>(x: T, v: number, dtype: DType): T {
  if (!(x instanceof KerasTensor)) return lax.full(x.shape as number[], v, dtype) as T;
  const s = lax.scalar(v, dtype);
  return lax.where(lax.equal(x, x), s, s) as T;
}

/** Broadcast shape of several shapes, with `op` named in the error. */
export function broadcastShapeOf(op: string, ...xs: AnyTensor[]): Dim[] {
  return broadcastShapes(
    xs.map((x) => [...x.shape]),
    op,
  );
}

/** Converts `x`, casting bool to int32 (NumPy ops that do arithmetic on bools). */
export function boolToInt<T extends AnyTensor>(x: TensorLike): T {
  const t = convertToTensor<T>(x);
  return t.dtype === "bool" ? lax.cast(t, "int32") : t;
}

/** Converts `x`, casting int32 and bool to float32 (transcendental ops). */
export function toFloat<T extends AnyTensor>(x: TensorLike): T {
  return lax.cast(convertToTensor<T>(x), "float32");
}

/** Throws a ValueError `op: msg. Received: received`. */
export function fail(op: string, msg: string, received: unknown): never {
  throw new ValueError(`${op}: ${msg}. Received: ${typeof received === "string" ? received : fmt(received)}`);
}

/** Describes a tensor for error messages. */
export function desc(x: AnyTensor): string {
  return `${x.dtype}${fmt(x.shape)}`;
}

/** Promotes both operands (at least to `minDType`), checks they broadcast, applies `f`. */
export function binaryOp<T extends AnyTensor>(
  op: string,
  x1: TensorLike,
  x2: TensorLike,
  f: (a: AnyTensor, b: AnyTensor) => AnyTensor,
  minDType?: DType,
): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2], minDType);
  broadcastShapeOf(op, a!, b!);
  return f(a!, b!) as T;
}
