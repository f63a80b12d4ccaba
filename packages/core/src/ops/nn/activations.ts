/**
 * Activation functions of `keras.ops` (Keras 3 `keras/src/ops/nn.py`), composed from primitives.
 *
 * Numerics follow Keras' JAX/NumPy backends. Where a textbook formula overflows in an untaken
 * branch (which would turn into NaN gradients through `where`), the branch input is clamped
 * first: same values, finite gradients. Piecewise-linear activations built on relu keep integer
 * dtypes; every other activation computes in float32 (int and bool inputs are converted).
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { normalizeAxes, normalizeAxis, type TensorLike } from "../convert";
import { isSymbolic, reduce, stopGrad, toFloat, toTensor } from "./util";
import { deferredCall } from "../../symbolic/deferred_op";

type T_ = AnyTensor;

/** Integer and float inputs keep their dtype; bool becomes float32. */
function numeric(x: TensorLike): T_ {
  const t = toTensor(x);
  return t.dtype === "bool" ? lax.cast(t, "float32") : t;
}

/**
 * Rectified linear unit: `max(x, 0)`. The gradient at 0 is 0, as in TF and JAX.
 * @example
 * keras.ops.relu([-1, 0, 1, 0.2]); // [0, 0, 1, 0.2]
 */
export function relu<T extends T_ = Tensor>(x: TensorLike): T {
  const t = numeric(x);
  // The constant goes first: ties send the gradient to it.
  return lax.maximum(lax.scalar(0, t.dtype), t) as T;
}

/**
 * Rectified linear unit capped at 6: `min(max(x, 0), 6)`.
 * @example
 * keras.ops.relu6([-3, 0.1, 6, 8]); // [0, 0.1, 6, 6]
 */
export function relu6<T extends T_ = Tensor>(x: TensorLike): T {
  const t = numeric(x);
  return lax.minimum(lax.scalar(6, t.dtype), lax.maximum(lax.scalar(0, t.dtype), t)) as T;
}

/**
 * Logistic sigmoid `1 / (1 + exp(-x))`, computed from `exp(-|x|)` so that neither the value nor
 * the gradient overflows for large `|x|`.
 * @example
 * keras.ops.sigmoid([-6, 0, 6]); // [0.00247262, 0.5, 0.9975274]
 */
export function sigmoid<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  const z = lax.exp(lax.neg(lax.abs(t))); // in (0, 1]
  const d = lax.reciprocal(lax.add(z, 1));
  return lax.where(lax.greaterEqual(t, 0), d, lax.mul(z, d)) as T;
}

/**
 * Sparse sigmoid: 0 for `x <= -1`, `(x + 1) / 2` in between, 1 for `x >= 1`.
 * @example
 * keras.ops.sparseSigmoid([-6, 0, 1]); // [0, 0.5, 1]
 */
export function sparseSigmoid<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return clip01(lax.mul(lax.add(t, 1), 0.5)) as T;
}

/** min(max(x, 0), 1) with zero gradient outside (constants first take the ties). */
function clip01(x: T_): T_ {
  return lax.minimum(lax.scalar(1, x.dtype), lax.maximum(lax.scalar(0, x.dtype), x));
}

/**
 * Softplus `log(1 + exp(x))`, computed as `max(x, 0) + log1p(exp(-|x|))` (NumPy's `logaddexp`).
 * @example
 * keras.ops.softplus([-0.555, 0, 0.555]); // [0.45366603, 0.6931472, 1.008666]
 */
export function softplus<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  const a = lax.abs(t);
  // (x + |x|) / 2 is relu(x) exactly, with gradient 1/2 at 0, so softplus'(0) = 1/2.
  const pos = lax.mul(lax.add(t, a), 0.5);
  return lax.add(pos, lax.log1p(lax.exp(lax.neg(a)))) as T;
}

/**
 * Softsign `x / (1 + |x|)`.
 * @example
 * keras.ops.softsign([-10, 0, 1]); // [-0.90909094, 0, 0.5]
 */
export function softsign<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return lax.div(t, lax.add(lax.abs(t), 1)) as T;
}

/**
 * Soft shrink: `x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.
 * @example
 * keras.ops.softShrink([-1, 0, 1]); // [-0.5, 0, 0.5]
 */
export function softShrink<T extends T_ = Tensor>(x: TensorLike, threshold = 0.5): T {
  const t = toFloat(x);
  const zero = lax.scalar(0, t.dtype);
  return lax.where(
    lax.greater(t, threshold),
    lax.sub(t, threshold),
    lax.where(lax.less(t, -threshold), lax.add(t, threshold), zero),
  ) as T;
}

/**
 * Sparse plus: 0 for `x <= -1`, `(x + 1)^2 / 4` in between, `x` for `x >= 1`.
 * @example
 * keras.ops.sparsePlus([-1, 0, 1]); // [0, 0.25, 1]
 */
export function sparsePlus<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  const c = lax.minimum(lax.scalar(1, t.dtype), lax.maximum(lax.scalar(-1, t.dtype), t));
  const mid = lax.mul(lax.mul(lax.add(c, 1), lax.add(c, 1)), 0.25);
  return lax.where(
    lax.lessEqual(t, -1),
    lax.scalar(0, t.dtype),
    lax.where(lax.greaterEqual(t, 1), t, mid),
  ) as T;
}

/**
 * SiLU (swish) `x * sigmoid(x)`.
 * @example
 * keras.ops.silu([-6, 0, 1]); // [-0.0148357, 0, 0.7310586]
 */
export function silu<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return lax.mul(t, sigmoid(t)) as T;
}

/**
 * Alias of {@link silu}, as `keras.ops.swish`.
 * @example
 * keras.ops.swish([0, 1]); // [0, 0.7310586]
 */
export const swish = silu;

/**
 * Squareplus `(x + sqrt(x^2 + b)) / 2`.
 * @example
 * keras.ops.squareplus([-1, 0, 1]); // [0.618, 1, 1.618]
 */
export function squareplus<T extends T_ = Tensor>(x: TensorLike, b = 4): T {
  const t = toFloat(x);
  return lax.mul(lax.add(t, lax.sqrt(lax.add(lax.mul(t, t), b))), 0.5) as T;
}

/**
 * Log of the sigmoid, `-softplus(-x)`, stable for large `|x|`.
 * @example
 * keras.ops.logSigmoid([-0.541391, 0, 5]); // [-1.0000418, -0.6931472, -0.00671535]
 */
export function logSigmoid<T extends T_ = Tensor>(x: TensorLike): T {
  return lax.neg(softplus(lax.neg(toFloat(x)))) as T;
}

/**
 * Leaky ReLU: `x` for `x >= 0`, `negativeSlope * x` otherwise.
 * @example
 * keras.ops.leakyRelu([-1, 0, 1]); // [-0.2, 0, 1]
 */
export function leakyRelu<T extends T_ = Tensor>(x: TensorLike, negativeSlope = 0.2): T {
  const t = toFloat(x);
  return lax.where(lax.greaterEqual(t, 0), t, lax.mul(t, negativeSlope)) as T;
}

/**
 * Hard sigmoid as in Keras 3: `clip(x / 6 + 0.5, 0, 1)` (= relu6(x + 3) / 6).
 * @example
 * keras.ops.hardSigmoid([-1, 0, 1]); // [0.33333334, 0.5, 0.6666667]
 */
export function hardSigmoid<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return clip01(lax.add(lax.div(t, 6), 0.5)) as T;
}

/**
 * Hard SiLU (hard swish) `x * hardSigmoid(x)`.
 * @example
 * keras.ops.hardSilu([-3, -1, 0, 1, 3]); // [-0, -0.3333333, 0, 0.6666667, 3]
 */
export function hardSilu<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return lax.mul(t, hardSigmoid(t)) as T;
}

/**
 * Alias of {@link hardSilu}, as `keras.ops.hard_swish`.
 * @example
 * keras.ops.hardSwish([-1, 1]); // [-0.3333333, 0.6666667]
 */
export const hardSwish = hardSilu;

/**
 * Exponential linear unit: `x` for `x >= 0`, `alpha * (exp(x) - 1)` otherwise.
 * @example
 * keras.ops.elu([-1, 0, 1]); // [-0.63212055, 0, 1]
 */
export function elu<T extends T_ = Tensor>(x: TensorLike, alpha = 1.0): T {
  const t = toFloat(x);
  const neg = lax.mul(lax.expm1(lax.minimum(t, lax.scalar(0, t.dtype))), alpha);
  return lax.where(lax.greaterEqual(t, 0), t, neg) as T;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * Scaled ELU: `scale * elu(x, alpha)` with the self-normalizing constants
 * alpha = 1.6732632423543772, scale = 1.0507009873554805.
 * @example
 * keras.ops.selu([-1, 0, 1]); // [-1.1113306, 0, 1.050701]
 */
export function selu<T extends T_ = Tensor>(x: TensorLike): T {
  return lax.mul(elu(toFloat(x), SELU_ALPHA), SELU_SCALE) as T;
}

/**
 * Gaussian error linear unit. With `approximate` (the default) the tanh form
 * `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, else the exact `x (1 + erf(x / sqrt 2)) / 2`.
 * @example
 * keras.ops.gelu([-1, 0, 1], false); // [-0.15865525, 0, 0.8413447]
 */
export function gelu<T extends T_ = Tensor>(x: TensorLike, approximate = true): T {
  const t = toFloat(x);
  if (approximate) {
    const cube = lax.mul(lax.mul(t, t), t);
    const inner = lax.mul(lax.add(t, lax.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI));
    const cdf = lax.mul(lax.add(lax.tanh(inner), 1), 0.5);
    return lax.mul(t, cdf) as T;
  }
  return lax.div(lax.mul(t, lax.add(lax.erf(lax.div(t, Math.SQRT2)), 1)), 2) as T;
}

/**
 * Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.
 * @example
 * keras.ops.celu([-1, 0, 1]); // [-0.63212055, 0, 1]
 */
export function celu<T extends T_ = Tensor>(x: TensorLike, alpha = 1.0): T {
  const t = toFloat(x);
  const zero = lax.scalar(0, t.dtype);
  return lax.add(
    lax.maximum(t, zero),
    lax.mul(lax.expm1(lax.div(lax.minimum(t, zero), alpha)), alpha),
  ) as T;
}

/**
 * Gated linear unit: splits `x` in halves `a`, `b` along `axis` and returns `a * sigmoid(b)`.
 * @example
 * keras.ops.glu([-1, 0, 1, 1]); // [-0.7310586, 0]
 */
export function glu<T extends T_ = Tensor>(x: TensorLike, axis = -1): T {
  const t = toFloat(x);
  const ax = normalizeAxis(axis, t.shape.length, "glu");
  const n = t.shape[ax]!;
  if (n !== null && n % 2 !== 0)
    throw new ValueError(
      `glu: axis ${axis} must have an even size to be split in two halves. Received: shape=${fmt([...t.shape])}`,
    );
  const outShape = t.shape.map((d, i) => (i === ax && d !== null ? d / 2 : d));
  // Slicing needs every dim; with unknown ones, defer the whole op to replay time.
  if (isSymbolic(t) && t.shape.some((d) => d === null))
    return deferredCall("glu", [t], [{ shape: outShape, dtype: t.dtype }], ([v]) => [
      glu(v!, axis),
    ])[0] as T;
  const shape = t.shape as number[];
  const start = shape.map(() => 0);
  const mid = shape.map((d, i) => (i === ax ? d / 2 : d));
  const a = lax.slice(t, start, mid);
  const b = lax.slice(
    t,
    shape.map((_, i) => (i === ax ? mid[i]! : 0)),
    [...shape],
  );
  return lax.mul(a, sigmoid(b)) as T;
}

/**
 * Tanh shrink `x - tanh(x)`.
 * @example
 * keras.ops.tanhShrink([-1, 0, 1]); // [-0.23840584, 0, 0.23840584]
 */
export function tanhShrink<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return lax.sub(t, lax.tanh(t)) as T;
}

/**
 * Hard tanh: `x` clipped to [-1, 1].
 * @example
 * keras.ops.hardTanh([-2, -1, 0, 1, 2]); // [-1, -1, 0, 1, 1]
 */
export function hardTanh<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  return lax.minimum(lax.scalar(1, t.dtype), lax.maximum(lax.scalar(-1, t.dtype), t)) as T;
}

/**
 * Hard shrink: `x` where `|x| > threshold`, else 0.
 * @example
 * keras.ops.hardShrink([-0.5, 0, 1]); // [0, 0, 1]
 */
export function hardShrink<T extends T_ = Tensor>(x: TensorLike, threshold = 0.5): T {
  const t = toFloat(x);
  return lax.where(lax.greater(lax.abs(t), threshold), t, lax.scalar(0, t.dtype)) as T;
}

/**
 * Threshold: `x` where `x > threshold`, else `defaultValue`.
 * @example
 * keras.ops.threshold([-1, 0, 1, 2], 1, 0); // [0, 0, 0, 2]
 */
export function threshold<T extends T_ = Tensor>(
  x: TensorLike,
  threshold: number,
  defaultValue: number,
): T {
  const t = toFloat(x);
  return lax.where(lax.greater(t, threshold), t, lax.scalar(defaultValue, t.dtype)) as T;
}

/** Axes of a softmax-like op: a number or a list (Keras accepts tuples). */
function softmaxAxes(x: T_, axis: number | readonly number[] | null, op: string): number[] {
  return normalizeAxes(axis, x.shape.length, op);
}

/**
 * Softmax along `axis` (a number or a list of axes): `exp(x - max) / sum(exp(x - max))`.
 * Subtracting the max keeps large logits finite.
 * @example
 * keras.ops.softmax([-1, 0, 1]); // [0.09003057, 0.24472847, 0.66524096]
 */
export function softmax<T extends T_ = Tensor>(
  x: TensorLike,
  axis: number | readonly number[] = -1,
): T {
  const t = toFloat(x);
  if (t.shape.length === 0) return lax.exp(lax.sub(t, t)) as T;
  const axes = softmaxAxes(t, axis, "softmax");
  const m = stopGrad(reduce("max", t, axes, true));
  const e = lax.exp(lax.sub(t, m));
  return lax.div(e, reduce("sum", e, axes, true)) as T;
}

/**
 * Log-softmax along `axis`: `x - max - log(sum(exp(x - max)))`.
 * @example
 * keras.ops.logSoftmax([-1, 0, 1]); // [-2.407606, -1.4076059, -0.40760595]
 */
export function logSoftmax<T extends T_ = Tensor>(
  x: TensorLike,
  axis: number | readonly number[] = -1,
): T {
  const t = toFloat(x);
  if (t.shape.length === 0) return lax.sub(t, t) as T;
  const axes = softmaxAxes(t, axis, "log_softmax");
  const m = stopGrad(reduce("max", t, axes, true));
  const shifted = lax.sub(t, m);
  const lse = lax.log(reduce("sum", lax.exp(shifted), axes, true));
  return lax.sub(shifted, lse) as T;
}

/**
 * Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of `x` onto the simplex along
 * `axis`; like softmax, but exact zeros for low logits; the outputs sum to 1.
 * @example
 * keras.ops.sparsemax([-1, 0, 1]); // [0, 0, 1]
 */
export function sparsemax<T extends T_ = Tensor>(x: TensorLike, axis = -1): T {
  const t = toFloat(x);
  const r = t.shape.length;
  const ax = normalizeAxis(axis, r, "sparsemax");
  const n = t.shape[ax];
  if (n === null || n === undefined)
    throw new ValueError(
      `sparsemax: the size of axis ${axis} must be known. Received: shape=${fmt([...t.shape])}`,
    );
  // Move `axis` last: TopK sorts along the last axis.
  const perm = [...Array.from({ length: r }, (_, i) => i).filter((i) => i !== ax), ax];
  const inv = perm.map((_, i) => perm.indexOf(i));
  const xt = lax.transpose(t, perm);
  const [sorted] = lax.topK(xt, n);
  const cum = lax.cumsum(sorted, r - 1);
  const k = lax.add(lax.iota([n], 0, "float32"), 1); // 1..n, broadcasts along the last axis
  const support = lax.greater(sorted, lax.div(lax.sub(cum, 1), k));
  const kz = reduce("sum", lax.cast(support, "float32"), [r - 1], true);
  // The support is a prefix of the sorted values: tau = (cumsum at its last index - 1) / k.
  // (Keras' backends sum the cumsum over the whole support instead, which only agrees for k = 1.)
  const cumK = reduce(
    "sum",
    lax.where(lax.equal(k, kz), cum, lax.scalar(0, "float32")),
    [r - 1],
    true,
  );
  const tau = lax.div(lax.sub(cumK, 1), kz);
  const out = lax.maximum(lax.sub(xt, tau), lax.scalar(0, "float32"));
  return lax.transpose(out, inv) as T;
}
