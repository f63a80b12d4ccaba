/**
 * `keras.activations` (Keras 3 `keras/src/activations/`): the activation functions by their
 * Keras names, `get(name)` and `serialize(fn)`.
 *
 * Layers store activations in configs as plain strings ("relu", "softmax"); `get` maps such a
 * name to its function and `serialize` maps the function back, so
 * `serialize(get("relu")) === "relu"`. The aliases "swish" and "hard_swish" resolve to silu and
 * hard_silu and serialize under those canonical names, as in Keras.
 *
 * Each function delegates to `keras.ops` (nn family) and works on concrete and symbolic tensors.
 * Keras' activation defaults differ from the ops' in one place: `gelu` is exact
 * (`approximate=false`) here, tanh-approximated in `keras.ops.gelu`.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/activations/activations.py
 */
import { ValueError, fmt } from "../errors";
import type { AnyTensor } from "../engine/bind";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as nn from "../ops/nn/index";
import { getRegisteredObject, type CustomObjects } from "../saving/object_registration";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../saving/serialization";

type T_ = AnyTensor;

/** An activation: a function of a tensor (extra arguments, if any, have defaults). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActivationFunction = (x: any, ...args: any[]) => any;

function toFloat(x: TensorLike): T_ {
  const t = convertToTensor<T_>(x);
  return t.dtype === "float32" ? t : lax.cast(t, "float32");
}

export interface ReluOptions {
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Saturation value (default none). */
  maxValue?: number | null;
  /** Values below this are damped (default 0). */
  threshold?: number;
}

/**
 * Rectified linear unit (Keras `relu`): `max(x, 0)` by default; `negativeSlope`, `maxValue` and
 * `threshold` give the leaky, capped and thresholded variants.
 * @example keras.activations.relu(x, { maxValue: 5 });
 */
export function relu<T extends T_ = Tensor>(x: T | TensorLike, options: ReluOptions = {}): T {
  const { negativeSlope = 0.0, maxValue = null, threshold: thr = 0.0 } = options;
  if (negativeSlope === 0 && maxValue === null && thr === 0) return nn.relu<T>(x);
  const t = toFloat(x);
  if (negativeSlope !== 0 && maxValue === null && thr === 0)
    return nn.leakyRelu<T>(t as T, negativeSlope);
  const negativePart =
    negativeSlope !== 0 ? nn.relu(thr !== 0 ? lax.add(lax.neg(t), thr) : lax.neg(t)) : null;
  let y: T_;
  let clipMax = maxValue !== null;
  if (thr !== 0) y = lax.mul(t, lax.cast(lax.greater(t, thr), t.dtype));
  else if (maxValue === 6) {
    y = nn.relu6(t);
    clipMax = false;
  } else y = nn.relu(t);
  if (clipMax) y = lax.minimum(lax.maximum(y, 0), maxValue!);
  if (negativePart) y = lax.sub(y, lax.mul(negativePart, negativeSlope));
  return y as T;
}

/** Leaky ReLU: `x` for `x >= 0`, `negativeSlope * x` below (default slope 0.2). */
export function leakyRelu<T extends T_ = Tensor>(x: T | TensorLike, negativeSlope = 0.2): T {
  return nn.leakyRelu<T>(x, negativeSlope);
}

/** ReLU capped at 6. */
export function relu6<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.relu6<T>(x);
}

/** Softmax along `axis` (default last): `exp(x) / sum(exp(x))`. */
export function softmax<T extends T_ = Tensor>(x: T | TensorLike, axis: number | number[] = -1): T {
  return nn.softmax<T>(x, axis);
}

/** Continuously differentiable ELU with `alpha` (default 1). */
export function celu<T extends T_ = Tensor>(x: T | TensorLike, alpha = 1.0): T {
  return nn.celu<T>(x, alpha);
}

/** Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` below (default alpha 1). */
export function elu<T extends T_ = Tensor>(x: T | TensorLike, alpha = 1.0): T {
  return nn.elu<T>(x, alpha);
}

/** Scaled ELU with Keras' constants (alpha 1.67326324, scale 1.05070098). */
export function selu<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.selu<T>(x);
}

/** `log(exp(x) + 1)`. */
export function softplus<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.softplus<T>(x);
}

/** `x / (|x| + 1)`. */
export function softsign<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.softsign<T>(x);
}

/** `(x + sqrt(x² + b)) / 2` (default b = 4). */
export function squareplus<T extends T_ = Tensor>(x: T | TensorLike, b = 4): T {
  return nn.squareplus<T>(x, b);
}

/** `x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0. */
export function softShrink<T extends T_ = Tensor>(x: T | TensorLike, threshold = 0.5): T {
  return nn.softShrink<T>(x, threshold);
}

/** 0 for `x <= -1`, `(x + 1)² / 4` in between, `x` for `x >= 1`. */
export function sparsePlus<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.sparsePlus<T>(x);
}

/** Swish / SiLU: `x * sigmoid(x)`. */
export function silu<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.silu<T>(x);
}

/** Gaussian error linear unit; exact (erf) by default, as Keras' activation. */
export function gelu<T extends T_ = Tensor>(x: T | TensorLike, approximate = false): T {
  return nn.gelu<T>(x, approximate);
}

/** Gated linear unit along `axis` (default last): `a * sigmoid(b)` of the two halves. */
export function glu<T extends T_ = Tensor>(x: T | TensorLike, axis = -1): T {
  return nn.glu<T>(x, axis);
}

/** Hyperbolic tangent. */
export function tanh<T extends T_ = Tensor>(x: T | TensorLike): T {
  return lax.tanh(toFloat(x)) as T;
}

/** `x - tanh(x)`. */
export function tanhShrink<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.tanhShrink<T>(x);
}

/** `x` where `x > threshold`, else `defaultValue` (both required, as in Keras). */
export function threshold<T extends T_ = Tensor>(
  x: T | TensorLike,
  threshold: number,
  defaultValue: number,
): T {
  return nn.threshold<T>(x, threshold, defaultValue);
}

/** `1 / (1 + exp(-x))`. */
export function sigmoid<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.sigmoid<T>(x);
}

/** 0 for `x <= -1`, `(x + 1) / 2` in between, 1 for `x >= 1`. */
export function sparseSigmoid<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.sparseSigmoid<T>(x);
}

/** `exp(x)`. */
export function exponential<T extends T_ = Tensor>(x: T | TensorLike): T {
  return lax.exp(toFloat(x)) as T;
}

/** Piecewise-linear sigmoid: `relu6(x + 3) / 6`. */
export function hardSigmoid<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.hardSigmoid<T>(x);
}

/** Hard SiLU / hard swish: `x * relu6(x + 3) / 6`. */
export function hardSilu<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.hardSilu<T>(x);
}

/** `x` clipped to [-1, 1]. */
export function hardTanh<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.hardTanh<T>(x);
}

/** `x` where `|x| > threshold` (default 0.5), else 0. */
export function hardShrink<T extends T_ = Tensor>(x: T | TensorLike, threshold = 0.5): T {
  return nn.hardShrink<T>(x, threshold);
}

/** The identity (Keras `linear`): returns its input unchanged. */
export function linear<T extends T_ = Tensor>(x: T): T {
  return x;
}

/** `x * tanh(softplus(x))`. */
export function mish<T extends T_ = Tensor>(x: T | TensorLike): T {
  const t = toFloat(x);
  return lax.mul(t, lax.tanh(nn.softplus(t))) as T;
}

/** Log-softmax along `axis` (default last). */
export function logSoftmax<T extends T_ = Tensor>(
  x: T | TensorLike,
  axis: number | number[] = -1,
): T {
  return nn.logSoftmax<T>(x, axis);
}

/** `log(sigmoid(x))`, computed stably. */
export function logSigmoid<T extends T_ = Tensor>(x: T | TensorLike): T {
  return nn.logSigmoid<T>(x);
}

/** Sparsemax along `axis` (default last). */
export function sparsemax<T extends T_ = Tensor>(x: T | TensorLike, axis = -1): T {
  return nn.sparsemax<T>(x, axis);
}

/** Keras name -> function: Keras' `ALL_OBJECTS` (canonical names). */
const BY_NAME: Record<string, ActivationFunction> = {
  relu,
  leaky_relu: leakyRelu,
  relu6,
  softmax,
  celu,
  elu,
  selu,
  softplus,
  softsign,
  squareplus,
  soft_shrink: softShrink,
  sparse_plus: sparsePlus,
  silu,
  gelu,
  glu,
  tanh,
  tanh_shrink: tanhShrink,
  threshold,
  sigmoid,
  sparse_sigmoid: sparseSigmoid,
  exponential,
  hard_sigmoid: hardSigmoid,
  hard_silu: hardSilu,
  hard_tanh: hardTanh,
  hard_shrink: hardShrink,
  linear,
  mish,
  log_softmax: logSoftmax,
  log_sigmoid: logSigmoid,
  sparsemax,
};

/** Extra names that `get` accepts (Keras aliases); they serialize under the canonical name. */
const ALIASES: Record<string, string> = { swish: "silu", hard_swish: "hard_silu" };

const ALL_OBJECTS_DICT: Record<string, ActivationFunction> = { ...BY_NAME };
for (const [alias, name] of Object.entries(ALIASES)) ALL_OBJECTS_DICT[alias] = BY_NAME[name]!;

const NAME_OF = new Map<ActivationFunction, string>(
  Object.entries(BY_NAME).map(([k, f]) => [f, k]),
);

for (const [name, fn] of Object.entries(BY_NAME)) {
  const aliases = Object.keys(ALIASES).filter((a) => ALIASES[a] === name);
  registerBuiltin("keras.activations", name, fn, aliases);
}

/** The Keras names `get` accepts, canonical names first. */
export const ACTIVATION_NAMES: readonly string[] = [
  ...Object.keys(BY_NAME),
  ...Object.keys(ALIASES),
];

/**
 * Retrieves an activation function (Keras `keras.activations.get`): a Keras name ("relu",
 * "softmax", "swish", ...) or a registered custom function name, a serialized function dict, or a
 * function (returned as is). `null` / `undefined` give `linear`.
 * @example
 * const act = keras.activations.get("relu");
 * keras.activations.serialize(act); // "relu"
 */
export function get(identifier: unknown): ActivationFunction {
  if (identifier === null || identifier === undefined) return linear;
  if (typeof identifier === "function") return identifier as ActivationFunction;
  if (typeof identifier === "string") {
    if (Object.prototype.hasOwnProperty.call(ALL_OBJECTS_DICT, identifier))
      return ALL_OBJECTS_DICT[identifier]!;
    const custom = getRegisteredObject(identifier);
    if (typeof custom === "function") return custom as ActivationFunction;
    throw new ValueError(
      `Unknown activation function: '${identifier}'. Could not interpret activation function identifier; use one of ${ACTIVATION_NAMES.join(", ")}, or register a custom function with registerKerasSerializable(). Received: activation=${identifier}`,
    );
  }
  if (typeof identifier === "object") {
    const obj = deserializeKerasObject(identifier, { moduleObjects: ALL_OBJECTS_DICT });
    if (typeof obj === "function") return obj as ActivationFunction;
  }
  throw new ValueError(
    `Could not interpret activation function identifier: ${fmt(identifier)}. Received: activation=${fmt(identifier)}`,
  );
}

/**
 * The config form of an activation (Keras `keras.activations.serialize`): the Keras name for
 * built-ins (aliases give their canonical name: `serialize(get("swish")) === "silu"`), else the
 * `serializeKerasObject` dict of a registered custom function.
 * @example keras.activations.serialize(keras.activations.relu); // "relu"
 */
export function serialize(activation: ActivationFunction): string | Record<string, unknown> {
  const name = NAME_OF.get(activation);
  if (name !== undefined) return name;
  return serializeKerasObject(activation) as Record<string, unknown>;
}

/**
 * Rebuilds an activation from its config form (a name or a function dict).
 * @example keras.activations.deserialize("gelu");
 */
export function deserialize(
  config: string | Record<string, unknown>,
  customObjects?: CustomObjects,
): ActivationFunction {
  if (typeof config === "string" && !customObjects) return get(config);
  const obj = deserializeKerasObject(config, { moduleObjects: ALL_OBJECTS_DICT, customObjects });
  if (typeof obj !== "function")
    throw new ValueError(
      `Could not interpret activation function identifier: ${fmt(config)}. Received: activation=${fmt(config)}`,
    );
  return obj as ActivationFunction;
}
