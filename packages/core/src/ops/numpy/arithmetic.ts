/**
 * Elementwise arithmetic of `keras.ops` (NumPy family): broadcasting binary ops and their unary
 * relatives. Operands are promoted with Keras rules (JavaScript numbers are weak, like Python
 * scalars); `divide` of integers gives float32 as Keras' true division does.
 */
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, type TensorLike } from "../convert";
import { binaryOp, boolToInt, broadcastShapeOf, toFloat } from "./internal";

/**
 * Elementwise `x1 + x2` with broadcasting (logical or for two bool tensors, as NumPy).
 * @example keras.ops.add([1, 2], 0.5); // float32 [1.5, 2.5]
 */
export function add<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("add", x1, x2, (a, b) => (a.dtype === "bool" ? lax.logicalOr(a, b) : lax.add(a, b)));
}

/**
 * Elementwise `x1 - x2` with broadcasting.
 * @example keras.ops.subtract([[1, 2]], [[1], [2]]); // shape (2, 2)
 */
export function subtract<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("subtract", x1, x2, (a, b) => lax.sub(a, b), "int32");
}

/**
 * Elementwise `x1 * x2` with broadcasting (logical and for two bool tensors).
 * @example keras.ops.multiply(x, 2);
 */
export function multiply<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("multiply", x1, x2, (a, b) => (a.dtype === "bool" ? lax.logicalAnd(a, b) : lax.mul(a, b)));
}

/**
 * True division `x1 / x2`: integer and bool operands give float32 (Keras `true_divide`).
 * @example keras.ops.divide(1, [2, 4]); // float32 [0.5, 0.25]
 */
export function divide<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("divide", x1, x2, (a, b) => lax.div(a, b), "float32");
}

/**
 * Alias of `divide` (NumPy `true_divide`).
 * @example keras.ops.trueDivide(x, 3);
 */
export function trueDivide<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("trueDivide", x1, x2, (a, b) => lax.div(a, b), "float32");
}

/**
 * `x1 / x2`, with 0 where `x2` is 0 (instead of inf or NaN); gradients stay finite there too.
 * @example keras.ops.divideNoNan([1, 2], [0, 4]); // [0, 0.5]
 */
export function divideNoNan<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp(
    "divideNoNan",
    x1,
    x2,
    (a, b) => {
      const zero = lax.equal(b, 0);
      return lax.where(zero, 0, lax.div(a, lax.where(zero, 1, b)));
    },
    "float32",
  );
}

/**
 * Floor division `x1 // x2` (rounds toward -inf); integers stay integers, and integer division by
 * zero gives 0 (as TensorFlow and XLA do).
 * @example keras.ops.floorDivide([7, -7], 2); // int32 [3, -4]
 */
export function floorDivide<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp(
    "floorDivide",
    x1,
    x2,
    (a, b) => (a.dtype === "float32" ? lax.floor(lax.div(a, b)) : lax.div(a, b)),
    "int32",
  );
}

/**
 * Remainder with the sign of the divisor (Python `%`, NumPy `mod`).
 * @example keras.ops.mod([5, -5], 3); // int32 [2, 1]
 */
export function mod<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("mod", x1, x2, (a, b) => lax.mod(a, b), "int32");
}

/**
 * Elementwise `x1 ** x2` with broadcasting.
 * @example keras.ops.power(x, 2);
 */
export function power<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("power", x1, x2, (a, b) => lax.pow(a, b), "int32");
}

/**
 * Elementwise `-x`.
 * @example keras.ops.negative([1, -2]); // [-1, 2]
 */
export function negative<T extends AnyTensor = Tensor>(x: TensorLike): T {
  return lax.neg(convertToTensor<T>(x));
}

/**
 * Elementwise `+x`: the input as a tensor.
 * @example keras.ops.positive([1, -2]); // [1, -2]
 */
export function positive<T extends AnyTensor = Tensor>(x: TensorLike): T {
  return convertToTensor<T>(x);
}

/**
 * Elementwise absolute value.
 * @example keras.ops.abs([-1.5, 2]); // [1.5, 2]
 */
export function abs<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<T>(x);
  return t.dtype === "bool" ? t : lax.abs(t);
}

/**
 * Alias of `abs`.
 * @example keras.ops.absolute([-1, 2]); // [1, 2]
 */
export function absolute<T extends AnyTensor = Tensor>(x: TensorLike): T {
  return abs<T>(x);
}

/**
 * Elementwise `x * x` (bool input gives int32).
 * @example keras.ops.square([1, -3]); // [1, 9]
 */
export function square<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = boolToInt<T>(x);
  return lax.mul(t, t);
}

/**
 * Elementwise `1 / x` (float32 output).
 * @example keras.ops.reciprocal([2, 4]); // [0.5, 0.25]
 */
export function reciprocal<T extends AnyTensor = Tensor>(x: TensorLike): T {
  return lax.reciprocal(toFloat<T>(x));
}

/**
 * Elementwise maximum with broadcasting; NaN propagates.
 * @example keras.ops.maximum([1, 5], 3); // [3, 5]
 */
export function maximum<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("maximum", x1, x2, (a, b) => lax.maximum(a, b));
}

/**
 * Elementwise minimum with broadcasting; NaN propagates.
 * @example keras.ops.minimum([1, 5], 3); // [1, 3]
 */
export function minimum<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("minimum", x1, x2, (a, b) => lax.minimum(a, b));
}

/**
 * Limits values to `[xMin, xMax]`. The result has the dtype of `x` (bool gives int32), as in Keras;
 * the bounds may be tensors that broadcast against `x`.
 * @example keras.ops.clip([-2, 0.5, 3], 0, 1); // [0, 0.5, 1]
 */
export function clip<T extends AnyTensor = Tensor>(x: TensorLike, xMin: TensorLike, xMax: TensorLike): T {
  const t = boolToInt<AnyTensor>(x);
  const lo = convertToTensor<AnyTensor>(xMin, t.dtype);
  const hi = convertToTensor<AnyTensor>(xMax, t.dtype);
  broadcastShapeOf("clip", t, lo, hi);
  return lax.minimum(lax.maximum(t, lo), hi) as T;
}

/**
 * `sqrt(x1**2 + x2**2)` elementwise (float32 output).
 * @example keras.ops.hypot(3, 4); // 5
 */
export function hypot<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("hypot", x1, x2, (a, b) => lax.sqrt(lax.add(lax.mul(a, a), lax.mul(b, b))), "float32");
}

/**
 * `log(exp(x1) + exp(x2))` computed without overflow (float32 output).
 * @example keras.ops.logaddexp(0, 0); // log(2)
 */
export function logaddexp<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp(
    "logaddexp",
    x1,
    x2,
    (a, b) => {
      const d = lax.sub(a, b);
      const r = lax.add(lax.maximum(a, b), lax.log1p(lax.exp(lax.neg(lax.abs(d)))));
      // a - b is NaN when both are the same infinity (or one is NaN): a + b is then right.
      return lax.where(lax.notEqual(d, d), lax.add(a, b), r);
    },
    "float32",
  );
}

/**
 * Magnitude of `x1` with the sign of `x2` (float32 output; -0 counts as negative).
 * @example keras.ops.copysign([1, 2], [-1, 1]); // [-1, 2]
 */
export function copysign<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp(
    "copysign",
    x1,
    x2,
    (a, b) => {
      const negativeSign = lax.logicalOr(lax.less(b, 0), lax.less(lax.reciprocal(b), 0));
      const m = lax.abs(a);
      return lax.where(negativeSign, lax.neg(m), m);
    },
    "float32",
  );
}

/**
 * Heaviside step: 0 where `x1 < 0`, `x2` where `x1 == 0`, 1 where `x1 > 0` (float32 output).
 * @example keras.ops.heaviside([-1, 0, 2], 0.5); // [0, 0.5, 1]
 */
export function heaviside<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp(
    "heaviside",
    x1,
    x2,
    (a, b) => lax.where(lax.less(a, 0), 0, lax.where(lax.greater(a, 0), 1, b)),
    "float32",
  );
}
