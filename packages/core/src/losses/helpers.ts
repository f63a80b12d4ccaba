/**
 * Small tensor compositions that losses and metrics share: axis reductions with keepdims,
 * clipping, `divide_no_nan`, L2 normalization, one-hot, squeeze / expand, on concrete tensors.
 * Written on `lax` (the activations and crossentropies come from `keras.ops.nn`); every helper
 * is differentiable where its maths is (training runs losses under `valueAndGrad`) and none
 * reads tensor data.
 *
 * Not public API: `keras.ops` is the public face of these operations.
 */
import { ValueError, fmt } from "../errors";
import { convertToTensor, normalizeAxes, normalizeAxis, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";

/** Keras' fuzz factor `keras.backend.epsilon()`. */
export const EPSILON = 1e-7;

/** Converts to a tensor of `dtype` (float32 by default), casting ints and bools. */
export function toFloat(x: TensorLike, dtype: DType = "float32"): Tensor {
  return convertToTensor<Tensor>(x, dtype);
}

export const square = (x: Tensor): Tensor => lax.mul(x, x);

/** `x` with a size-1 axis inserted at `axis` (may be negative, counted on the result's rank). */
export function expandDims(x: Tensor, axis: number): Tensor {
  const r = x.shape.length + 1;
  const a = normalizeAxis(axis, r, "expand_dims");
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return lax.reshape(x, shape);
}

/** `x` without its size-1 axis `axis`. */
export function squeeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.shape.length, "squeeze");
  if (x.shape[a] !== 1)
    throw new ValueError(
      `squeeze: cannot squeeze an axis of size ${x.shape[a]}. Received: shape=${fmt(x.shape)}, axis=${axis}`,
    );
  return lax.reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

type Axes = number | readonly number[] | null | undefined;

function keep(y: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  if (!keepdims) return y;
  return lax.reshape(
    y,
    x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

export function sum(x: Tensor, axis: Axes = null, keepdims = false): Tensor {
  const axes = normalizeAxes(axis, x.shape.length, "sum");
  return keep(lax.sum(x, axes), x, axes, keepdims);
}

export function max(x: Tensor, axis: Axes = null, keepdims = false): Tensor {
  const axes = normalizeAxes(axis, x.shape.length, "max");
  return keep(lax.max(x, axes), x, axes, keepdims);
}

export function mean(x: Tensor, axis: Axes = null, keepdims = false): Tensor {
  const axes = normalizeAxes(axis, x.shape.length, "mean");
  let n = 1;
  for (const a of axes) n *= x.shape[a]!;
  return lax.div(keep(lax.sum(x, axes), x, axes, keepdims), n);
}

/** True (bool scalar) when every element is true. */
export function all(x: Tensor): Tensor {
  const axes = x.shape.map((_, i) => i);
  return lax.greater(lax.min(lax.cast(x, "int32"), axes), 0);
}

/** Elementwise clip to [lo, hi]; the gradient passes where lo <= x <= hi. */
export function clip(x: Tensor, lo: number, hi: number): Tensor {
  return lax.minimum(lax.maximum(x, lo), hi);
}

/** `num / den`, and 0 where `den` is 0 (Keras `ops.divide_no_nan`), without NaN gradients. */
export function divideNoNan(num: Tensor, den: Tensor): Tensor {
  const zero = lax.equal(den, 0);
  const safe = lax.where(zero, lax.scalar(1, den.dtype), den);
  return lax.where(zero, lax.scalar(0, num.dtype), lax.div(num, safe));
}

/** `1 / (1 + exp(-x))`, accurate in both tails and with finite gradients everywhere. */
/**
 * One-hot float32 encoding of integer `labels` with `depth` classes inserted at `axis`; labels
 * outside [0, depth) give all-zero rows (as JAX's `one_hot`).
 */
export function oneHot(labels: Tensor, depth: number, axis = -1, dtype: DType = "float32"): Tensor {
  const lab = lax.cast(labels, "int32");
  const r = lab.shape.length + 1;
  const a = normalizeAxis(axis, r, "one_hot");
  const shape = [...lab.shape];
  shape.splice(a, 0, depth);
  const eq = lax.equal(expandDims(lab, a), lax.iota(shape, a, "int32"));
  return lax.cast(eq, dtype);
}

/** L2-normalizes along `axis` as Keras' `ops.normalize(order=2)`: `x * min(rsqrt(sum(x^2)), 1/eps)`. */
export function l2Normalize(x: Tensor, axis = -1): Tensor {
  const sq = sum(square(x), axis, true);
  const inv = lax.minimum(lax.reciprocal(lax.sqrt(sq)), 1 / EPSILON);
  return lax.mul(x, inv);
}

/** Shape as `(a, b)`, for error messages. */
export const shp = (x: { shape: readonly (number | null)[] }): string => fmt([...x.shape]);
