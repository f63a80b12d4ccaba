/**
 * Comparisons, logical ops, floating-point classification and selection (`where`, `select`) of
 * `keras.ops` (NumPy family). Comparisons promote their operands, then give bool.
 */
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, promoteOperands, resultDType, type TensorLike } from "../convert";
import { nonzero } from "./indexing";
import { binaryOp, broadcastShapeOf, fail } from "./internal";

/**
 * Elementwise `x1 == x2` (bool).
 * @example keras.ops.equal([1, 2], 2); // [false, true]
 */
export function equal<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("equal", x1, x2, (a, b) => lax.equal(a, b));
}

/**
 * Elementwise `x1 != x2` (bool).
 * @example keras.ops.notEqual([1, 2], 2); // [true, false]
 */
export function notEqual<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("notEqual", x1, x2, (a, b) => lax.notEqual(a, b));
}

/**
 * Elementwise `x1 < x2` (bool).
 * @example keras.ops.less([1, 2], 2); // [true, false]
 */
export function less<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("less", x1, x2, (a, b) => lax.less(a, b));
}

/**
 * Elementwise `x1 <= x2` (bool).
 * @example keras.ops.lessEqual([1, 2, 3], 2); // [true, true, false]
 */
export function lessEqual<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("lessEqual", x1, x2, (a, b) => lax.lessEqual(a, b));
}

/**
 * Elementwise `x1 > x2` (bool).
 * @example keras.ops.greater([1, 3], 2); // [false, true]
 */
export function greater<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("greater", x1, x2, (a, b) => lax.greater(a, b));
}

/**
 * Elementwise `x1 >= x2` (bool).
 * @example keras.ops.greaterEqual([1, 2], 2); // [false, true]
 */
export function greaterEqual<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return binaryOp("greaterEqual", x1, x2, (a, b) => lax.greaterEqual(a, b));
}

function logical<T extends AnyTensor>(op: string, x1: TensorLike, x2: TensorLike, f: (a: AnyTensor, b: AnyTensor) => AnyTensor): T {
  const a = convertToTensor<AnyTensor>(x1, "bool");
  const b = convertToTensor<AnyTensor>(x2, "bool");
  broadcastShapeOf(op, a, b);
  return f(a, b) as T;
}

/**
 * Elementwise logical and; inputs are truthy when non-zero.
 * @example keras.ops.logicalAnd([true, true], [true, false]); // [true, false]
 */
export function logicalAnd<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return logical("logicalAnd", x1, x2, (a, b) => lax.logicalAnd(a, b));
}

/**
 * Elementwise logical or; inputs are truthy when non-zero.
 * @example keras.ops.logicalOr([true, false], [false, false]); // [true, false]
 */
export function logicalOr<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return logical("logicalOr", x1, x2, (a, b) => lax.logicalOr(a, b));
}

/**
 * Elementwise logical exclusive or; inputs are truthy when non-zero.
 * @example keras.ops.logicalXor([true, true], [true, false]); // [false, true]
 */
export function logicalXor<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  return logical("logicalXor", x1, x2, (a, b) => lax.notEqual(a, b));
}

/**
 * Elementwise logical not; inputs are truthy when non-zero.
 * @example keras.ops.logicalNot([0, 2]); // [true, false]
 */
export function logicalNot<T extends AnyTensor = Tensor>(x: TensorLike): T {
  return lax.logicalNot(convertToTensor<T>(x, "bool"));
}

/**
 * True where `x` is NaN.
 * @example keras.ops.isnan([NaN, 1]); // [true, false]
 */
export function isnan<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<AnyTensor>(x);
  return lax.notEqual(t, t) as T;
}

/**
 * True where `x` is +inf or -inf.
 * @example keras.ops.isinf([Infinity, 1]); // [true, false]
 */
export function isinf<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.dtype !== "float32") return lax.notEqual(t, t) as T;
  return lax.equal(lax.abs(t), Infinity) as T;
}

/**
 * True where `x` is neither NaN nor infinite.
 * @example keras.ops.isfinite([Infinity, NaN, 1]); // [false, false, true]
 */
export function isfinite<T extends AnyTensor = Tensor>(x: TensorLike): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.dtype !== "float32") return lax.equal(t, t) as T;
  return lax.less(lax.abs(t), Infinity) as T;
}

/**
 * True where `|x1 - x2| <= atol + rtol * |x2|` (NumPy `isclose`); infinities are close only to
 * themselves, and NaNs to each other only with `equalNan`.
 * @example keras.ops.isclose([1, 1.1], 1); // [true, false]
 */
export function isclose<T extends AnyTensor = Tensor>(
  x1: TensorLike,
  x2: TensorLike,
  rtol = 1e-5,
  atol = 1e-8,
  equalNan = false,
): T {
  return binaryOp(
    "isclose",
    x1,
    x2,
    (a, b) => {
      const tol = lax.add(lax.mul(lax.abs(b), rtol), atol);
      const near = lax.logicalAnd(lax.lessEqual(lax.abs(lax.sub(a, b)), tol), lax.less(lax.abs(b), Infinity));
      let r = lax.logicalOr(lax.equal(a, b), near);
      if (equalNan) r = lax.logicalOr(r, lax.logicalAnd(lax.notEqual(a, a), lax.notEqual(b, b)));
      return r;
    },
    "float32",
  );
}

/** Indices of the non-zero elements of `condition`, one int32 tensor per dim (eager only). */
export function where(condition: TensorLike): Tensor[];
/**
 * Elements of `x1` where `condition` is true, else of `x2` (all three broadcast). With only
 * `condition`, returns `nonzero(condition)`.
 * @example keras.ops.where([true, false], [1, 2], [10, 20]); // [1, 20]
 */
export function where<T extends AnyTensor = Tensor>(condition: TensorLike, x1: TensorLike, x2: TensorLike): T;
export function where<T extends AnyTensor = Tensor>(condition: TensorLike, x1?: TensorLike, x2?: TensorLike): T | Tensor[] {
  if (x1 === undefined && x2 === undefined) return nonzero(condition);
  if (x1 === undefined || x2 === undefined)
    fail("where", "x1 and x2 must both be given, or neither", `x1=${x1 === undefined ? "undefined" : "given"}, x2=${x2 === undefined ? "undefined" : "given"}`);
  const c = convertToTensor<AnyTensor>(condition, "bool");
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  broadcastShapeOf("where", c, a!, b!);
  return lax.where(c, a!, b!) as T;
}

/**
 * Picks, per element, the choice of the first true condition, else `defaultValue`.
 * @example keras.ops.select([x < 0, x > 5], [x, 5], 0);
 */
export function select<T extends AnyTensor = Tensor>(
  condlist: TensorLike[],
  choicelist: TensorLike[],
  defaultValue: TensorLike = 0,
): T {
  if (condlist.length !== choicelist.length || condlist.length === 0)
    fail("select", "condlist and choicelist must be non-empty and of the same length", `${condlist.length} conditions and ${choicelist.length} choices`);
  const dt = resultDType(...choicelist, defaultValue);
  let out = convertToTensor<AnyTensor>(defaultValue, dt);
  for (let i = condlist.length - 1; i >= 0; i--) {
    const c = convertToTensor<AnyTensor>(condlist[i]!, "bool");
    const v = convertToTensor<AnyTensor>(choicelist[i]!, dt);
    broadcastShapeOf("select", c, v, out);
    out = lax.where(c, v, out);
  }
  return out as T;
}
