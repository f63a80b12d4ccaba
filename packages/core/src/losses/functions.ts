/**
 * Functional losses (`keras.losses.mean_squared_error` & co., camelCased): each takes
 * `(yTrue, yPred, options?)` and returns per-sample losses (the last axis reduced). They are
 * composed from lax and `keras.ops` only, so they differentiate under `valueAndGrad`.
 *
 * Formulas follow `keras/src/losses/losses.py`; the crossentropies themselves are
 * `keras.ops.*Crossentropy` (probabilities renormalized and clipped to [1e-7, 1 - 1e-7] before
 * the log, logits through log-softmax / log-sigmoid as in the JAX backend; the numpy backend's
 * sigmoid-then-clip for binary logits differs only for |logit| > ~16).
 */
import { ValueError, fmt } from "../errors";
import { normalizeAxes, normalizeAxis, type TensorLike } from "../ops/convert";
import * as nn from "../ops/nn/index";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import { EPSILON, all, clip, l2Normalize, max, mean, shp, square, sum, toFloat } from "./helpers";
import { setLossMask, squeezeOrExpandToSameRank } from "./loss";

/** A functional loss: per-sample losses of `(yTrue, yPred)`. */
export type LossFunction = (yTrue: TensorLike, yPred: TensorLike, options?: never) => Tensor;

function prep(yTrue: TensorLike, yPred: TensorLike, match = true): [Tensor, Tensor] {
  const p = toFloat(yPred);
  const t = toFloat(yTrue, p.dtype);
  return match ? squeezeOrExpandToSameRank(t, p) : [t, p];
}

function requireSameShape(fn: string, t: Tensor, p: Tensor): void {
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]))
    throw new ValueError(
      `${fn}: arguments \`y_true\` and \`y_pred\` must have the same shape. Received: y_true.shape=${shp(t)}, y_pred.shape=${shp(p)}`,
    );
}

/**
 * Mean of squared errors over the last axis.
 * @example keras.losses.meanSquaredError([[0, 1]], [[1, 1]]); // [0.5]
 */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return mean(square(lax.sub(t, p)), -1);
}

/**
 * Mean of absolute errors over the last axis.
 * @example keras.losses.meanAbsoluteError([[0, 1]], [[1, 1]]); // [0.5]
 */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return mean(lax.abs(lax.sub(t, p)), -1);
}

/**
 * `100 * mean(|(yTrue - yPred) / max(|yTrue|, eps)|)` over the last axis.
 * @example keras.losses.meanAbsolutePercentageError([[2, 4]], [[1, 4]]); // [25]
 */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const diff = lax.abs(lax.div(lax.sub(t, p), lax.maximum(lax.abs(t), EPSILON)));
  return lax.mul(mean(diff, -1), 100);
}

/**
 * `mean((log(max(yPred, eps) + 1) - log(max(yTrue, eps) + 1))^2)` over the last axis.
 * @example keras.losses.meanSquaredLogarithmicError([[0, 1]], [[1, 1]]);
 */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const a = lax.log(lax.add(lax.maximum(p, EPSILON), 1));
  const b = lax.log(lax.add(lax.maximum(t, EPSILON), 1));
  return mean(square(lax.sub(a, b)), -1);
}

/**
 * Negative cosine similarity along `axis` (-1 = same direction, 0 = orthogonal or a zero vector).
 * @example keras.losses.cosineSimilarity([[0, 1]], [[0, 2]]); // [-1]
 */
export function cosineSimilarity(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { axis?: number } = {},
): Tensor {
  const axis = options.axis ?? -1;
  const [t, p] = prep(yTrue, yPred);
  return lax.neg(sum(lax.mul(l2Normalize(t, axis), l2Normalize(p, axis)), axis));
}

/**
 * Huber loss: quadratic for |error| <= delta, linear beyond, averaged over the last axis.
 * @example keras.losses.huber([[0, 1]], [[0.6, 0.4]], { delta: 1 });
 */
export function huber(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { delta?: number } = {},
): Tensor {
  const delta = options.delta ?? 1.0;
  const [t, p] = prep(yTrue, yPred);
  const err = lax.sub(p, t);
  const absErr = lax.abs(err);
  const quad = lax.mul(square(err), 0.5);
  const lin = lax.sub(lax.mul(absErr, delta), 0.5 * delta * delta);
  return mean(lax.where(lax.lessEqual(absErr, delta), quad, lin), -1);
}

/**
 * `mean(log(cosh(yPred - yTrue)))` over the last axis, computed as `x + softplus(-2x) - log 2`.
 * @example keras.losses.logCosh([[0, 1]], [[1, 1]]);
 */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const x = lax.sub(p, t);
  return mean(lax.sub(lax.add(x, nn.softplus(lax.mul(x, -2))), Math.LN2), -1);
}

/** Keras `convert_binary_labels_to_hinge`: 0/1 labels become -1/+1, other labels pass. */
function hingeLabels(t: Tensor): Tensor {
  const isBinary = all(lax.logicalOr(lax.equal(t, 0), lax.equal(t, 1)));
  return lax.where(isBinary, lax.sub(lax.mul(t, 2), 1), t);
}

/**
 * `mean(max(1 - yTrue * yPred, 0))` over the last axis; 0/1 labels are mapped to -1/+1.
 * @example keras.losses.hinge([[0, 1]], [[-0.5, 0.8]]);
 */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p] = prep(yTrue, yPred, false);
  const t = hingeLabels(t0);
  return mean(lax.maximum(lax.sub(1, lax.mul(t, p)), 0), -1);
}

/**
 * `mean(max(1 - yTrue * yPred, 0)^2)` over the last axis; 0/1 labels are mapped to -1/+1.
 * @example keras.losses.squaredHinge([[0, 1]], [[-0.5, 0.8]]);
 */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p] = prep(yTrue, yPred, false);
  const t = hingeLabels(t0);
  return mean(square(lax.maximum(lax.sub(1, lax.mul(t, p)), 0)), -1);
}

/**
 * `max(neg - pos + 1, 0)` with `pos = sum(yTrue * yPred)`, `neg = max((1 - yTrue) * yPred)`.
 * @example keras.losses.categoricalHinge([[0, 1, 0]], [[0.2, 0.7, 0.1]]);
 */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred, false);
  const pos = sum(lax.mul(t, p), -1);
  const neg = max(lax.mul(lax.sub(1, t), p), -1);
  return lax.maximum(lax.add(lax.sub(neg, pos), 1), 0);
}

/**
 * Kullback-Leibler divergence `sum(yTrue * log(yTrue / yPred))`, both clipped to [eps, 1].
 * @example keras.losses.klDivergence([[0.5, 0.5]], [[0.9, 0.1]]);
 */
export function klDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = prep(yTrue, yPred, false);
  const t = clip(t0, EPSILON, 1);
  const p = clip(p0, EPSILON, 1);
  return sum(lax.mul(t, lax.log(lax.div(t, p))), -1);
}

/**
 * Poisson loss `mean(yPred - yTrue * log(yPred + eps))` over the last axis.
 * @example keras.losses.poisson([[1, 2]], [[1, 1]]);
 */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prep(yTrue, yPred, false);
  return mean(lax.sub(p, lax.mul(t, lax.log(lax.add(p, EPSILON)))), -1);
}

export interface CrossentropyOptions {
  /** `yPred` holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Smooths the labels: towards 1/num_classes (categorical) or 0.5 (binary). Default 0. */
  labelSmoothing?: number;
  /** The class axis. Default -1. */
  axis?: number;
}

function checkAxis(fn: string, axis: unknown): number {
  if (typeof axis !== "number" || !Number.isInteger(axis))
    throw new ValueError(`${fn}: \`axis\` must be of type \`int\`. Received: axis=${fmt(axis)}`);
  return axis;
}

/**
 * Categorical crossentropy of one-hot (or soft) labels, `-sum(yTrue * log(yPred))` along `axis`.
 * @example keras.losses.categoricalCrossentropy([[0, 1, 0]], [[0.05, 0.95, 0]]); // [0.0513]
 */
export function categoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: CrossentropyOptions = {},
): Tensor {
  const fn = "categorical_crossentropy";
  const axis = checkAxis(fn, options.axis ?? -1);
  const ls = options.labelSmoothing ?? 0;
  const p = toFloat(yPred);
  let t = toFloat(yTrue, p.dtype);
  if (ls) {
    const numClasses = t.shape[t.shape.length - 1]!;
    t = lax.add(lax.mul(t, 1 - ls), ls / numClasses);
  }
  requireSameShape(fn, t, p);
  return nn.categoricalCrossentropy(t, p, options.fromLogits ?? false, axis);
}

/**
 * Crossentropy of integer labels against class probabilities (or logits) along `axis`.
 * With `ignoreClass`, entries labelled with it get loss 0 and a mask so that reductions average
 * over the other entries only.
 * @example keras.losses.sparseCategoricalCrossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);
 */
export function sparseCategoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { fromLogits?: boolean; ignoreClass?: number | null; axis?: number } = {},
): Tensor {
  const fn = "sparse_categorical_crossentropy";
  const axis = checkAxis(fn, options.axis ?? -1);
  let p = toFloat(yPred);
  let t = toFloat(yTrue, p.dtype);
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1)
    t = lax.reshape(t, t.shape.slice(0, -1));
  if (p.shape.length < 1)
    throw new ValueError(
      `${fn}: \`y_pred\` must be at least rank 1. Received: y_pred.shape=${shp(p)}`,
    );
  const a = normalizeAxis(axis, p.shape.length, fn);
  const expected = p.shape.filter((_, i) => i !== a);
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i]))
    throw new ValueError(
      `${fn}: arguments \`y_true\` and \`y_pred\` must have the same shape up until the class axis. Received: y_true.shape=${shp(t)}, y_pred.shape=${shp(p)}`,
    );
  const ignore = options.ignoreClass ?? null;
  let valid: Tensor | null = null;
  if (ignore !== null) {
    valid = lax.notEqual(t, ignore);
    t = lax.mul(t, lax.cast(valid, t.dtype));
    const vexp = lax.reshape(
      lax.cast(valid, p.dtype),
      p.shape.map((d, i) => (i === a ? 1 : d)),
    );
    p = lax.mul(p, vexp);
  }
  let res = nn.sparseCategoricalCrossentropy(t, p, options.fromLogits ?? false, a);
  if (valid !== null) {
    res = lax.where(valid, res, lax.scalar(0, res.dtype));
    setLossMask(res, valid);
  }
  return res;
}

/**
 * Binary crossentropy, averaged over `axis`.
 * @example keras.losses.binaryCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]); // [0.916, 0.714]
 */
export function binaryCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: CrossentropyOptions = {},
): Tensor {
  const fn = "binary_crossentropy";
  const ls = options.labelSmoothing ?? 0;
  const p = toFloat(yPred);
  let t = toFloat(yTrue, p.dtype);
  if (ls) t = lax.add(lax.mul(t, 1 - ls), 0.5 * ls);
  requireSameShape(fn, t, p);
  const bce = nn.binaryCrossentropy(t, p, options.fromLogits ?? false);
  return mean(bce, checkAxis(fn, options.axis ?? -1));
}

export interface FocalOptions extends CrossentropyOptions {
  /** Weight of class 1 (binary, with `applyClassBalancing`) or of every class / per class (categorical). */
  alpha?: number | number[];
  /** Focusing parameter. Default 2. */
  gamma?: number;
}

/**
 * Binary focal crossentropy (Lin et al., 2018), averaged over `axis`.
 * @example keras.losses.binaryFocalCrossentropy([[0, 1]], [[0.6, 0.4]], { gamma: 2 });
 */
export function binaryFocalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: FocalOptions & { applyClassBalancing?: boolean } = {},
): Tensor {
  const fn = "binary_focal_crossentropy";
  const ls = options.labelSmoothing ?? 0;
  const gamma = options.gamma ?? 2.0;
  const alpha = options.alpha ?? 0.25;
  if (typeof alpha !== "number")
    throw new ValueError(`${fn}: \`alpha\` must be a number. Received: alpha=${fmt(alpha)}`);
  let p = toFloat(yPred);
  let t = toFloat(yTrue, p.dtype);
  if (ls) t = lax.add(lax.mul(t, 1 - ls), 0.5 * ls);
  if (options.fromLogits) p = nn.sigmoid(p);
  requireSameShape(fn, t, p);
  const bce = nn.binaryCrossentropy(t, p, false);
  const pt = lax.add(lax.mul(t, p), lax.mul(lax.sub(1, t), lax.sub(1, p)));
  let focal = lax.mul(lax.pow(lax.sub(1, pt), gamma), bce);
  if (options.applyClassBalancing) {
    const w = lax.add(lax.mul(t, alpha), lax.mul(lax.sub(1, t), 1 - alpha));
    focal = lax.mul(w, focal);
  }
  return mean(focal, checkAxis(fn, options.axis ?? -1));
}

/**
 * Categorical focal crossentropy: `sum(alpha * (1 - p)^gamma * -yTrue * log(p))` along `axis`.
 * @example keras.losses.categoricalFocalCrossentropy([[0, 1, 0]], [[0.05, 0.9, 0.05]]);
 */
export function categoricalFocalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: FocalOptions = {},
): Tensor {
  const fn = "categorical_focal_crossentropy";
  const axis = checkAxis(fn, options.axis ?? -1);
  const ls = options.labelSmoothing ?? 0;
  const gamma = options.gamma ?? 2.0;
  const alpha = options.alpha ?? 0.25;
  let p = toFloat(yPred);
  let t = toFloat(yTrue, p.dtype);
  if (ls) {
    const numClasses = t.shape[t.shape.length - 1]!;
    t = lax.add(lax.mul(t, 1 - ls), ls / numClasses);
  }
  requireSameShape(fn, t, p);
  const a = normalizeAxis(axis, p.shape.length, fn);
  if (options.fromLogits) p = nn.softmax(p, a);
  const output = clip(lax.div(p, sum(p, a, true)), EPSILON, 1 - EPSILON);
  const cce = lax.mul(lax.neg(t), lax.log(output));
  const modulating = lax.pow(lax.sub(1, output), gamma);
  // alpha: one weight for every class, or one per class (broadcast along the last axis).
  const weighting =
    typeof alpha === "number" ? lax.mul(modulating, alpha) : lax.mul(modulating, toFloat(alpha));
  return sum(lax.mul(weighting, cce), a);
}

/**
 * Dice loss `1 - 2 sum(yTrue * yPred) / (sum(yTrue) + sum(yPred) + eps)` over `axis`
 * (all axes by default, giving a scalar).
 * @example keras.losses.dice([[1, 0]], [[0.8, 0.1]]);
 */
export function dice(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { axis?: number | number[] | null } = {},
): Tensor {
  const [t, p] = prep(yTrue, yPred, false);
  const axes = normalizeAxes(options.axis ?? null, p.shape.length, "dice");
  const inter = sum(lax.mul(t, p), axes);
  const d = lax.div(lax.mul(inter, 2), lax.add(lax.add(sum(t, axes), sum(p, axes)), EPSILON));
  return lax.sub(1, d);
}

/**
 * Tversky loss `1 - TP / (TP + alpha FP + beta FN + eps)` over `axis` (all axes by default).
 * @example keras.losses.tversky([[1, 0]], [[0.8, 0.1]], { alpha: 0.7, beta: 0.3 });
 */
export function tversky(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { alpha?: number; beta?: number; axis?: number | number[] | null } = {},
): Tensor {
  const alpha = options.alpha ?? 0.5;
  const beta = options.beta ?? 0.5;
  const [t, p] = prep(yTrue, yPred, false);
  const axes = normalizeAxes(options.axis ?? null, p.shape.length, "tversky");
  const inter = sum(lax.mul(t, p), axes);
  const fp = sum(lax.mul(lax.sub(1, p), t), axes);
  const fn = sum(lax.mul(p, lax.sub(1, t)), axes);
  const den = lax.add(lax.add(lax.add(inter, lax.mul(fp, alpha)), lax.mul(fn, beta)), EPSILON);
  return lax.sub(1, lax.div(inter, den));
}
