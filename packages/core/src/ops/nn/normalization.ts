/**
 * Normalization ops of `keras.ops`: `moments`, `batchNormalization`, `normalize`,
 * `layerNormalization` and `rmsNormalization`, composed from primitives.
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { normalizeAxes, normalizeAxis, type TensorLike } from "../convert";
import { expandDim, mean, reduce, reshapeDims, shp, toFloat } from "./util";

type T_ = AnyTensor;

/** Keras' `backend.epsilon()` default (fuzz factor). */
export const EPSILON = 1e-7;

/**
 * Mean and variance of `x` over `axes`. The variance is the two-pass `mean((x - mean)^2)` (as
 * Keras' JAX backend computes it): never negative, unlike `E[x^2] - E[x]^2`.
 * `synchronized` is accepted for Keras compatibility (single device: no effect).
 * @example
 * const [m, v] = keras.ops.moments([0, 1, 2, 3, 100], [0]); // 21.2, 1553.36
 */
export function moments<T extends T_ = Tensor>(
  x: TensorLike,
  axes: number | readonly number[],
  keepdims = false,
  synchronized = false,
): [T, T] {
  void synchronized;
  const t = toFloat(x);
  const ax = normalizeAxes(axes, t.shape.length, "moments");
  const m = mean(t, ax, true);
  const d = lax.sub(t, m);
  const v = mean(lax.mul(d, d), ax, keepdims);
  const mOut = keepdims
    ? m
    : reshapeDims(
        m,
        t.shape.flatMap((_, i) => (ax.includes(i) ? [] : [{ axis: i }])),
      );
  return [mOut as T, v as T];
}

/** Reshapes a per-channel vector so it broadcasts along `axis` of a rank-`rank` tensor. */
function alongAxis(v: T_, rank: number, axis: number): T_ {
  if (axis === rank - 1) return v;
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = v.shape[0] as number;
  return reshapeDims(v, shape);
}

/**
 * Normalizes `x` with the given statistics along `axis`:
 * `(x - mean) / sqrt(variance + epsilon) * scale + offset`, computed as Keras does
 * (`x * inv + (offset - mean * inv)` with `inv = scale / sqrt(variance + epsilon)`).
 * `mean`, `variance`, `offset` and `scale` are vectors of length `x.shape[axis]`.
 * @example
 * keras.ops.batchNormalization([[0.1, 0.2], [0.3, 0.4]], [0.2, 0.3], [0.01, 0.01], -1);
 */
export function batchNormalization<T extends T_ = Tensor>(
  x: TensorLike,
  mean: TensorLike,
  variance: TensorLike,
  axis: number,
  offset: TensorLike | null = null,
  scale: TensorLike | null = null,
  epsilon = 1e-3,
): T {
  const op = "batch_normalization";
  const t = toFloat(x);
  const r = t.shape.length;
  const ax = normalizeAxis(axis, r, op);
  const c = t.shape[ax]!;
  const check = (name: string, v: T_): T_ => {
    if (v.shape.length !== 1 || (c !== null && v.shape[0] !== null && v.shape[0] !== c))
      throw new ValueError(
        `${op}: \`${name}\` must be a vector of length x.shape[axis] = ${c}. Expected: ${fmt([c])}. Received: ${name}.shape=${shp(v)}`,
      );
    if (r > 1 && ax !== r - 1 && v.shape[0] === null)
      throw new ValueError(
        `${op}: \`${name}\` must have a known length. Received: ${name}.shape=${shp(v)}`,
      );
    return alongAxis(v, r, ax);
  };
  const m = check("mean", toFloat(mean));
  const v = check("variance", toFloat(variance));
  let inv = lax.reciprocal(lax.sqrt(lax.add(v, epsilon)));
  if (scale !== null && scale !== undefined) inv = lax.mul(inv, check("scale", toFloat(scale)));
  let res = lax.neg(lax.mul(m, inv));
  if (offset !== null && offset !== undefined) res = lax.add(res, check("offset", toFloat(offset)));
  return lax.add(lax.mul(t, inv), res) as T;
}

/**
 * Normalizes `x` along `axis` by its `order`-norm: `x / max(norm(x), epsilon)`. For order 2,
 * Keras' form `x * min(rsqrt(sum(x^2)), 1 / epsilon)`. `epsilon` defaults to 1e-7.
 * @example
 * keras.ops.normalize([[1, 2, 3], [4, 5, 6]]);
 * // [[0.26726124, 0.5345225, 0.8017837], [0.45584232, 0.5698029, 0.68376344]]
 */
export function normalize<T extends T_ = Tensor>(
  x: TensorLike,
  axis: number | readonly number[] = -1,
  order = 2,
  epsilon: number | null = null,
): T {
  const op = "normalize";
  if (!Number.isInteger(order) || order < 1)
    throw new ValueError(`${op}: \`order\` must be an int >= 1. Received: order=${fmt(order)}`);
  let t = toFloat(x);
  if (t.shape.length === 0) t = expandDim(t, 0);
  const eps = epsilon ?? EPSILON;
  const axes = normalizeAxes(axis, t.shape.length, op);
  if (order === 2) {
    const sq = reduce("sum", lax.mul(t, t), axes, true);
    const inv = lax.minimum(lax.reciprocal(lax.sqrt(sq)), lax.scalar(1 / eps, "float32"));
    return lax.mul(t, inv) as T;
  }
  if (axes.length !== 1)
    throw new ValueError(
      `${op}: orders other than 2 need a single axis (vector norm). Received: axis=${fmt(axis)}, order=${order}`,
    );
  const a = lax.abs(t);
  const norm =
    order === 1
      ? reduce("sum", a, axes, true)
      : lax.pow(
          reduce("sum", lax.pow(a, lax.scalar(order, "float32")), axes, true),
          lax.scalar(1 / order, "float32"),
        );
  return lax.div(t, lax.maximum(norm, lax.scalar(eps, "float32"))) as T;
}

/**
 * Root-mean-square normalization over `axis`: `x * rsqrt(mean(x^2) + epsilon) * scale`
 * (Keras' `ops.rms_normalization`; `epsilon` defaults to 1e-7).
 * @example
 * keras.ops.rmsNormalization([[1, 2, 3]], [1, 1, 1]);
 */
export function rmsNormalization<T extends T_ = Tensor>(
  x: TensorLike,
  scale: TensorLike | null = 1,
  axis: number | readonly number[] = -1,
  epsilon: number | null = null,
): T {
  let t = toFloat(x);
  if (t.shape.length === 0) t = expandDim(t, 0);
  const axes = normalizeAxes(axis, t.shape.length, "rms_normalization");
  const ms = mean(lax.mul(t, t), axes, true);
  let y = lax.mul(t, lax.reciprocal(lax.sqrt(lax.add(ms, epsilon ?? EPSILON))));
  if (scale !== null && scale !== undefined)
    y = lax.mul(y, typeof scale === "number" ? lax.scalar(scale, "float32") : toFloat(scale));
  return y as T;
}

/**
 * Layer normalization over `axis` (Keras' `ops.layer_normalization`):
 * `(x - mean) / sqrt(var + epsilon) * gamma + beta`, computed as `x * inv + (beta - mean * inv)`.
 * With `rmsScaling`, Keras' shortcut `x * rsqrt(var + epsilon) * gamma` (no centering, no beta).
 * `epsilon` defaults to 1e-7 (the LayerNormalization layer passes its own, 1e-3).
 * @example
 * keras.ops.layerNormalization([[1, 2, 3]], [1, 1, 1], [0, 0, 0]);
 */
export function layerNormalization<T extends T_ = Tensor>(
  x: TensorLike,
  gamma: TensorLike | null = null,
  beta: TensorLike | null = null,
  axis: number | readonly number[] = -1,
  epsilon: number | null = null,
  rmsScaling = false,
): T {
  const t = toFloat(x);
  const eps = epsilon ?? EPSILON;
  const r = t.shape.length;
  const axes = normalizeAxes(axis, r, "layer_normalization");
  // gamma / beta cover the normalized axes; reshape them to broadcast unless that is just the last.
  const bshape = (v: T_): T_ => {
    if (v.shape.length === r || (axes.length === 1 && axes[0] === r - 1)) return v;
    return reshapeDims(
      v,
      t.shape.map((d, i) => (axes.includes(i) ? (d ?? 1) : 1)),
    );
  };
  const [m, v] = moments(t, axes, true);
  const inv = lax.reciprocal(lax.sqrt(lax.add(v, eps)));
  if (rmsScaling) {
    const y = lax.mul(t, inv);
    return (gamma === null || gamma === undefined ? y : lax.mul(y, bshape(toFloat(gamma)))) as T;
  }
  const scaled = gamma === null || gamma === undefined ? inv : lax.mul(inv, bshape(toFloat(gamma)));
  let res = lax.neg(lax.mul(m, scaled));
  if (beta !== null && beta !== undefined) res = lax.add(res, bshape(toFloat(beta)));
  return lax.add(lax.mul(t, scaled), res) as T;
}
