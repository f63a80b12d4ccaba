/**
 * Elementwise unary maths of `keras.ops` (NumPy family): exponentials, logarithms, trigonometric
 * and hyperbolic functions and rounding. Integer and bool inputs of transcendental functions give
 * float32, as in Keras.
 *
 * The primitive table has sin, cos, tanh, exp, log, log1p, expm1 and sqrt but no inverse
 * trigonometric functions, so `arctan` is composed here (range reduction plus a short series) and
 * the other inverse functions from it. Everything stays differentiable through the composition.
 */
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, promoteOperands, type TensorLike } from "../convert";
import { broadcastShapeOf, toFloat } from "./internal";

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const HALF_PI = Math.PI / 2;
/** Above this, `x * x` would overflow float32 (3.4e38): use the asymptotic form instead. */
const HUGE = 1e18;

const floatUnary =
  (f: (x: AnyTensor) => AnyTensor) =>
  <T extends AnyTensor = Tensor>(x: TensorLike): T =>
    f(toFloat(x)) as T;

/**
 * f extended as an odd function from its values on x >= 0: `f` only sees non-negative inputs
 * (selected with `where`, not `abs`, so the gradient at 0 is f'(0) rather than 0).
 */
function oddExtend(x: AnyTensor, f: (xp: AnyTensor) => AnyTensor): AnyTensor {
  const neg = lax.less(x, 0);
  const y = f(lax.where(neg, lax.neg(x), x));
  return lax.where(neg, lax.neg(y), y);
}

/**
 * arctan of a float32 tensor. |x| > 1 uses atan(x) = sign(x) pi/2 - atan(1/x); then two
 * half-angle steps atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))) bring |t| below tan(pi/16) ~ 0.2,
 * where the odd Taylor series to t^11 is exact to ~2e-9 relative.
 */
function atanF(x: AnyTensor): AnyTensor {
  const big = lax.greater(lax.abs(x), 1);
  // The double `where` keeps 1/x finite in the branch that is not taken (no NaN gradients).
  let t = lax.where(big, lax.reciprocal(lax.where(big, x, 1)), x);
  for (let i = 0; i < 2; i++) t = lax.div(t, lax.add(lax.sqrt(lax.add(lax.mul(t, t), 1)), 1));
  const t2 = lax.mul(t, t);
  let p: AnyTensor = lax.scalar(-1 / 11, "float32");
  for (const c of [1 / 9, -1 / 7, 1 / 5, -1 / 3, 1]) p = lax.add(lax.mul(p, t2), c);
  const r = lax.mul(lax.mul(p, t), 4);
  return lax.where(big, lax.sub(lax.mul(lax.sign(x), HALF_PI), r), r);
}

/**
 * Elementwise square root.
 * @example keras.ops.sqrt([4, 9]); // float32 [2, 3]
 */
export const sqrt = floatUnary((x) => lax.sqrt(x));

/**
 * Elementwise `e**x`.
 * @example keras.ops.exp([0, 1]); // [1, 2.718...]
 */
export const exp = floatUnary((x) => lax.exp(x));

/**
 * Elementwise `2**x`.
 * @example keras.ops.exp2([0, 3]); // [1, 8]
 */
export const exp2 = floatUnary((x) => lax.exp(lax.mul(x, LN2)));

/**
 * Elementwise `exp(x) - 1`, accurate near 0.
 * @example keras.ops.expm1([1e-8]); // [1e-8]
 */
export const expm1 = floatUnary((x) => lax.expm1(x));

/**
 * Elementwise natural logarithm.
 * @example keras.ops.log([1, Math.E]); // [0, 1]
 */
export const log = floatUnary((x) => lax.log(x));

/**
 * Elementwise base-2 logarithm.
 * @example keras.ops.log2([1, 8]); // [0, 3]
 */
export const log2 = floatUnary((x) => lax.mul(lax.log(x), 1 / LN2));

/**
 * Elementwise base-10 logarithm.
 * @example keras.ops.log10([1, 100]); // [0, 2]
 */
export const log10 = floatUnary((x) => lax.mul(lax.log(x), 1 / LN10));

/**
 * Elementwise `log(1 + x)`, accurate near 0.
 * @example keras.ops.log1p([1e-8]); // [1e-8]
 */
export const log1p = floatUnary((x) => lax.log1p(x));

/**
 * Elementwise sine.
 * @example keras.ops.sin([0, Math.PI / 2]); // [0, 1]
 */
export const sin = floatUnary((x) => lax.sin(x));

/**
 * Elementwise cosine.
 * @example keras.ops.cos([0]); // [1]
 */
export const cos = floatUnary((x) => lax.cos(x));

/**
 * Elementwise tangent.
 * @example keras.ops.tan([Math.PI / 4]); // [1]
 */
export const tan = floatUnary((x) => lax.div(lax.sin(x), lax.cos(x)));

/**
 * Elementwise inverse sine, in [-pi/2, pi/2]; NaN outside [-1, 1].
 * @example keras.ops.arcsin([1]); // [pi / 2]
 */
export const arcsin = floatUnary((x) =>
  atanF(lax.div(x, lax.sqrt(lax.mul(lax.sub(1, x), lax.add(x, 1))))),
);

/**
 * Elementwise inverse cosine, in [0, pi]; NaN outside [-1, 1].
 * @example keras.ops.arccos([-1]); // [pi]
 */
export const arccos = floatUnary((x) => lax.mul(atanF(lax.sqrt(lax.div(lax.sub(1, x), lax.add(x, 1)))), 2));

/**
 * Elementwise inverse tangent, in (-pi/2, pi/2).
 * @example keras.ops.arctan([1]); // [pi / 4]
 */
export const arctan = floatUnary(atanF);

/**
 * Elementwise angle of the point `(x2, x1)` in (-pi, pi], choosing the quadrant (float32 output).
 * `arctan2(0, 0)` is 0 and `arctan2(0, x < 0)` is pi (signed zeros are not distinguished).
 * @example keras.ops.arctan2([1, -1], [-1, -1]); // [3pi/4, -3pi/4]
 */
export function arctan2<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  const [y, x] = promoteOperands<AnyTensor>([x1, x2], "float32");
  broadcastShapeOf("arctan2", y!, x!);
  const xZero = lax.equal(x!, 0);
  const r = atanF(lax.div(y!, lax.where(xZero, 1, x!)));
  const yNonNeg = lax.greaterEqual(y!, 0);
  const onAxis = lax.where(lax.greater(y!, 0), HALF_PI, lax.where(lax.less(y!, 0), -HALF_PI, 0));
  const left = lax.where(yNonNeg, lax.add(r, Math.PI), lax.sub(r, Math.PI));
  return lax.where(lax.greater(x!, 0), r, lax.where(lax.less(x!, 0), left, onAxis)) as T;
}

/**
 * Elementwise hyperbolic sine.
 * @example keras.ops.sinh([0]); // [0]
 */
export const sinh = floatUnary((x) => lax.mul(lax.sub(lax.expm1(x), lax.expm1(lax.neg(x))), 0.5));

/**
 * Elementwise hyperbolic cosine.
 * @example keras.ops.cosh([0]); // [1]
 */
export const cosh = floatUnary((x) => lax.mul(lax.add(lax.exp(x), lax.exp(lax.neg(x))), 0.5));

/**
 * Elementwise hyperbolic tangent.
 * @example keras.ops.tanh([0, 100]); // [0, 1]
 */
export const tanh = floatUnary((x) => lax.tanh(x));

/**
 * Elementwise inverse hyperbolic sine.
 * @example keras.ops.arcsinh([0]); // [0]
 */
export const arcsinh = floatUnary((x) =>
  oddExtend(x, (a) => {
    const huge = lax.greater(a, HUGE);
    const s = lax.where(huge, 1, a);
    // asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))), accurate near 0.
    const small = lax.log1p(lax.add(s, lax.div(lax.mul(s, s), lax.add(lax.sqrt(lax.add(lax.mul(s, s), 1)), 1))));
    return lax.where(huge, lax.add(lax.log(lax.where(huge, a, 1)), LN2), small);
  }),
);

/**
 * Elementwise inverse hyperbolic cosine; NaN below 1.
 * @example keras.ops.arccosh([1]); // [0]
 */
export const arccosh = floatUnary((x) => {
  const huge = lax.greater(x, HUGE);
  const s = lax.where(huge, 2, x);
  const m = lax.sub(s, 1);
  const small = lax.log1p(lax.add(m, lax.sqrt(lax.mul(m, lax.add(s, 1)))));
  return lax.where(huge, lax.add(lax.log(lax.where(huge, x, 2)), LN2), small);
});

/**
 * Elementwise inverse hyperbolic tangent; +-inf at +-1, NaN outside.
 * @example keras.ops.arctanh([0]); // [0]
 */
export const arctanh = floatUnary((x) => lax.mul(lax.log1p(lax.div(lax.mul(x, 2), lax.sub(1, x))), 0.5));

/**
 * Elementwise cube root (negative inputs give negative roots).
 * @example keras.ops.cbrt([-8, 27]); // [-2, 3]
 */
export const cbrt = floatUnary((x) => oddExtend(x, (a) => lax.pow(a, lax.scalar(1 / 3, "float32"))));

/**
 * Converts angles from degrees to radians.
 * @example keras.ops.deg2rad([180]); // [pi]
 */
export const deg2rad = floatUnary((x) => lax.mul(x, Math.PI / 180));

/**
 * Elementwise sign: -1, 0 or 1 (NaN stays NaN); keeps the dtype.
 * @example keras.ops.sign([-2, 0, 3]); // int32 [-1, 0, 1]
 */
export function sign<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<T>(x);
  return t.dtype === "bool" ? t : lax.sign(t);
}

/**
 * True where the sign bit is set (negative numbers and -0).
 * @example keras.ops.signbit([-1, 0, -0, 2]); // [true, false, true, false]
 */
export function signbit<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.dtype === "bool") return lax.notEqual(t, t) as T;
  if (t.dtype === "int32") return lax.less(t, 0) as T;
  return lax.logicalOr(lax.less(t, 0), lax.logicalAnd(lax.equal(t, 0), lax.less(lax.reciprocal(t), 0))) as T;
}

/**
 * Largest integer <= x, elementwise (float32 output, as Keras).
 * @example keras.ops.floor([1.5, -1.5]); // [1, -2]
 */
export const floor = floatUnary((x) => lax.floor(x));

/**
 * Smallest integer >= x, elementwise (float32 output, as Keras).
 * @example keras.ops.ceil([1.5, -1.5]); // [2, -1]
 */
export const ceil = floatUnary((x) => lax.neg(lax.floor(lax.neg(x))));

/**
 * Rounds half to even to `decimals` places (negative: to tens, hundreds...); keeps the dtype.
 * @example keras.ops.round([0.5, 1.5, 2.675], 0); // [0, 2, 3]
 */
export function round<T extends AnyTensor = Tensor>(x: TensorLike, decimals = 0): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.dtype === "bool" || (t.dtype === "int32" && decimals >= 0)) return t as T;
  if (decimals === 0) return lax.round(t) as T;
  const f = Math.pow(10, Math.abs(decimals));
  const xf = lax.cast(t, "float32");
  const r =
    decimals > 0 ? lax.div(lax.round(lax.mul(xf, f)), f) : lax.mul(lax.round(lax.div(xf, f)), f);
  return lax.cast(r, t.dtype) as T;
}

/**
 * Rounds toward zero, elementwise; keeps the dtype.
 * @example keras.ops.trunc([1.7, -1.7]); // [1, -1]
 */
export function trunc<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.dtype !== "float32") return t as T;
  return lax.where(lax.less(t, 0), lax.neg(lax.floor(lax.neg(t))), lax.floor(t)) as T;
}

/**
 * Replaces NaN with `nan`, +inf with `posinf` and -inf with `neginf` (defaults: 0 and the largest
 * finite float32 of each sign). Integer inputs are returned unchanged.
 * @example keras.ops.nanToNum([NaN, Infinity, 1], 0, 100); // [0, 100, 1]
 */
export function nanToNum<T extends AnyTensor = Tensor>(
  x: TensorLike,
  nan = 0,
  posinf: number | null = null,
  neginf: number | null = null,
): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.dtype !== "float32") return t as T;
  const big = 3.4028234663852886e38;
  let y = lax.where(lax.notEqual(t, t), nan, t);
  y = lax.where(lax.equal(y, Infinity), posinf ?? big, y);
  y = lax.where(lax.equal(y, -Infinity), neginf ?? -big, y);
  return y as T;
}
