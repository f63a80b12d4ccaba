/**
 * Loss primitives of `keras.ops`: the three crossentropies and PSNR, exactly as Keras 3 computes
 * them (`keras/src/backend/jax/nn.py`): probabilities are clipped to [1e-7, 1 - 1e-7] before
 * the log (categorical ones first renormalized to sum to 1 along `axis`); logits go through
 * log-softmax / log-sigmoid, which stay finite for large logits.
 */
import { ValueError } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { normalizeAxis, type TensorLike } from "../convert";
import { logSigmoid, logSoftmax } from "./activations";
import { oneHot } from "./encoding";
import { EPSILON } from "./normalization";
import { mean, reduce, shp, squeezeAxes, toFloat, toTensor, type Dim } from "./util";

type T_ = AnyTensor;

function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** clip(x, eps, 1 - eps) with zero gradient outside, as `np.clip`. */
function clipProbs(x: T_): T_ {
  const lo = lax.scalar(EPSILON, "float32");
  const hi = lax.scalar(1 - EPSILON, "float32");
  return lax.minimum(lax.maximum(x, lo), hi);
}

/**
 * Binary crossentropy between `target` and `output`, elementwise (no reduction):
 * `-(t * log(o) + (1 - t) * log(1 - o))` with `o` clipped to [1e-7, 1 - 1e-7]; with
 * `fromLogits`, `-(t * logSigmoid(o) + (1 - t) * logSigmoid(-o))`.
 * @example
 * keras.ops.binaryCrossentropy([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.2]);
 * // [0.10536054, 0.10536054, 0.22314355, 0.22314355]
 */
export function binaryCrossentropy<T extends T_ = Tensor>(
  target: TensorLike,
  output: TensorLike,
  fromLogits = false,
): T {
  const t = toFloat(target);
  const o = toFloat(output);
  if (!sameShape(t.shape, o.shape))
    throw new ValueError(
      `binary_crossentropy: arguments \`target\` and \`output\` must have the same shape. Received: target.shape=${shp(t)}, output.shape=${shp(o)}`,
    );
  if (fromLogits) {
    const pos = lax.mul(t, logSigmoid(o));
    const neg = lax.mul(lax.sub(1, t), logSigmoid(lax.neg(o)));
    return lax.neg(lax.add(pos, neg)) as T;
  }
  const p = clipProbs(o);
  const bce = lax.add(lax.mul(t, lax.log(p)), lax.mul(lax.sub(1, t), lax.log(lax.sub(1, p))));
  return lax.neg(bce) as T;
}

/** log-probabilities along `ax` from probabilities (renormalized, clipped) or logits. */
function logProbs(o: T_, ax: number, fromLogits: boolean): T_ {
  if (fromLogits) return logSoftmax(o, ax);
  const p = lax.div(o, reduce("sum", o, [ax], true));
  return lax.log(clipProbs(p));
}

/**
 * Categorical crossentropy `-sum(target * log(output), axis)` between one-hot (or soft) targets
 * and probabilities (renormalized along `axis`, clipped to [1e-7, 1 - 1e-7]) or logits.
 * @example
 * keras.ops.categoricalCrossentropy([[1, 0, 0], [0, 1, 0]], [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]]);
 * // [0.10536054, 0.22314355]
 */
export function categoricalCrossentropy<T extends T_ = Tensor>(
  target: TensorLike,
  output: TensorLike,
  fromLogits = false,
  axis = -1,
): T {
  const op = "categorical_crossentropy";
  const t = toFloat(target);
  const o = toFloat(output);
  if (!sameShape(t.shape, o.shape))
    throw new ValueError(
      `${op}: arguments \`target\` and \`output\` must have the same shape. Received: target.shape=${shp(t)}, output.shape=${shp(o)}`,
    );
  if (t.shape.length < 1)
    throw new ValueError(
      `${op}: arguments \`target\` and \`output\` must be at least rank 1. Received: target.shape=${shp(t)}, output.shape=${shp(o)}`,
    );
  const ax = normalizeAxis(axis, o.shape.length, op);
  return lax.neg(lax.sum(lax.mul(t, logProbs(o, ax, fromLogits)), [ax])) as T;
}

/**
 * Sparse categorical crossentropy: like {@link categoricalCrossentropy} with integer class
 * labels. `target` has `output`'s shape without the class axis (a trailing size-1 axis is
 * squeezed). Labels outside [0, classes) contribute 0.
 * @example
 * keras.ops.sparseCategoricalCrossentropy([0, 1, 2], [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]]);
 * // [0.10536056, 0.22314355, 0.6931472]
 */
export function sparseCategoricalCrossentropy<T extends T_ = Tensor>(
  target: TensorLike,
  output: TensorLike,
  fromLogits = false,
  axis = -1,
): T {
  const op = "sparse_categorical_crossentropy";
  let t = toTensor(target);
  if (t.dtype !== "int32") t = lax.cast(t, "int32");
  const o = toFloat(output);
  if (t.shape.length === o.shape.length && t.shape[t.shape.length - 1] === 1)
    t = squeezeAxes(t, [t.shape.length - 1]);
  if (o.shape.length < 1)
    throw new ValueError(
      `${op}: argument \`output\` must be at least rank 1. Received: output.shape=${shp(o)}`,
    );
  if (!sameShape(t.shape, o.shape.slice(0, -1)))
    throw new ValueError(
      `${op}: arguments \`target\` and \`output\` must have the same shape up until the last dimension. Received: target.shape=${shp(t)}, output.shape=${shp(o)}`,
    );
  const ax = normalizeAxis(axis, o.shape.length, op);
  const classes = o.shape[ax];
  if (classes === null || classes === undefined)
    throw new ValueError(
      `${op}: the number of classes (output.shape[axis]) must be known. Received: output.shape=${shp(o)}`,
    );
  const hot = oneHot<T_>(t, classes, ax === t.shape.length ? -1 : ax, "float32");
  return lax.neg(lax.sum(lax.mul(hot, logProbs(o, ax, fromLogits)), [ax])) as T;
}

/**
 * Peak signal-to-noise ratio between `x1` and `x2`:
 * `20 log10(maxVal) - 10 log10(mean((x1 - x2)^2))`, a scalar.
 * @example
 * keras.ops.psnr([0, 0.5, 1], [0, 0.5, 0.9], 1); // 14.77
 */
export function psnr<T extends T_ = Tensor>(x1: TensorLike, x2: TensorLike, maxVal: number): T {
  const a = toFloat(x1);
  const b = toFloat(x2);
  if (a.shape.length !== b.shape.length)
    throw new ValueError(
      `psnr: inputs must have the same rank. Received: x1.shape=${shp(a)}, x2.shape=${shp(b)}`,
    );
  const d = lax.sub(a, b);
  const mse = mean(
    lax.mul(d, d),
    a.shape.map((_, i) => i),
    false,
  );
  const log10 = (v: T_): T_ => lax.div(lax.log(v), Math.LN10);
  return lax.sub(lax.scalar(20 * Math.log10(maxVal), "float32"), lax.mul(log10(mse), 10)) as T;
}
