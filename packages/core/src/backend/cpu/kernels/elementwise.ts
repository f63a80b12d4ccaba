/**
 * Elementwise kernels: unary, binary (NumPy broadcasting), compare/logical, where and cast.
 *
 * Speed: every broadcast is collapsed by `rowLayout` into rows with a constant per-input inner
 * stride (1 for a dense operand, 0 for a broadcast one), so equal shapes, a scalar operand and a
 * "row" operand (trailing dims of the other) all become one tight loop. The loops are written
 * out per op inside one switch rather than calling an op closure per element: a shared loop that
 * calls many different closures becomes megamorphic in V8 and runs several times slower, and
 * generating code with `new Function` is not allowed under browser CSP.
 */
import {
  Primitive,
  type ConcreteValue,
  type BinaryPrimitive,
  type ComparePrimitive,
  type UnaryPrimitive,
} from "../../../primitives/primitive";
import type { DType, TypedArray } from "../../../tensor/dtype";
import {
  INT32_MAX,
  INT32_MIN,
  alloc,
  broadcastStrides,
  normalizeBool,
  rowLayout,
  type CpuInput,
  type CpuKernel,
} from "./util";

// ---------------------------------------------------------------------------------------------
// Scalar maths with the exact semantics every backend must match.

/** Round half to even (NumPy/Keras `round`), not `Math.round` (half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** NumPy sign: -1, 0 or 1, NaN stays NaN. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf in float64 to ~1e-15 relative, so float32 results are correctly rounded.
 *
 * Uses the everywhere-convergent positive series erf(x) = 2/sqrt(pi) * exp(-x^2) *
 * sum_n (2x^2)^n x / (2n+1)!! (Abramowitz & Stegun 7.1.6): all terms are positive, so there is
 * no cancellation. For |x| >= 4, erfc(x) < 1.6e-8, below half a float32 ulp of 1, so erf = +-1.
 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax >= 4) return x > 0 ? 1 : -1;
  const x2 = 2 * ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; n < 200; n++) {
    term *= x2 / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-ax * ax) * sum;
  return x < 0 ? -r : r;
}

/** Python/NumPy float modulo: the result has the sign of the divisor (`fmod` then adjust). */
export function floatMod(a: number, b: number): number {
  let r = a % b;
  if (r !== 0 && r < 0 !== b < 0) r += b;
  return r;
}

/** Python floor division on int32; division by zero gives 0 (as TF/XLA do for integers). */
export function intFloorDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b);
}

/** Python modulo on int32 (sign of the divisor); modulo by zero gives 0. */
export function intMod(a: number, b: number): number {
  if (b === 0) return 0;
  let r = a % b;
  if (r !== 0 && r < 0 !== b < 0) r += b;
  return r;
}

/**
 * C99 / NumPy pow: unlike JavaScript's Math.pow, pow(1, y) is 1 for every y (NaN included) and
 * pow(-1, +-inf) is 1.
 */
export function powC99(a: number, b: number): number {
  if (a === 1) return 1;
  if (a === -1 && !Number.isFinite(b) && !Number.isNaN(b)) return 1;
  return Math.pow(a, b);
}

/**
 * Integer power with int32 wrap-around (repeated squaring with `Math.imul`). Negative exponents
 * have no integer result (NumPy raises); we return the truncated value: 1 for base 1, +-1 for
 * base -1, 0 otherwise (division by zero for base 0 also gives 0).
 */
export function intPow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let base = a | 0;
  let e = b;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
    e >>>= 1;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Unary

export function unaryKernel(prim: UnaryPrimitive): CpuKernel<UnaryPrimitive> {
  return (inputs, _params, outputs) => {
    const o = alloc(outputs[0]);
    unaryInto(prim, inputs[0].dtype, inputs[0].values, o, outputs[0].dtype);
    return [o];
  };
}

/**
 * Writes `prim(x)` into `o` (same length; every element written). `outDtype` bool keeps the 0/1
 * storage invariant. Shared with the other backends' TypeScript fallbacks (`cpuKernelUtils`).
 */
export function unaryInto(
  prim: UnaryPrimitive,
  dtype: DType,
  x: TypedArray,
  o: TypedArray,
  outDtype: DType,
): void {
  unaryLoop(prim, dtype, x, o);
  if (outDtype === "bool" && prim !== Primitive.LogicalNot) normalizeBool(o);
}

function unaryLoop(prim: UnaryPrimitive, dtype: DType, x: TypedArray, o: TypedArray): void {
  const n = x.length;
  const isFloat = dtype === "float32";
  switch (prim) {
    case Primitive.Neg:
      for (let i = 0; i < n; i++) o[i] = -x[i];
      return;
    case Primitive.Abs:
      for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]);
      return;
    case Primitive.Sign:
      for (let i = 0; i < n; i++) o[i] = sign(x[i]);
      return;
    case Primitive.Exp:
      for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]);
      return;
    case Primitive.Log:
      for (let i = 0; i < n; i++) o[i] = Math.log(x[i]);
      return;
    case Primitive.Log1p:
      for (let i = 0; i < n; i++) o[i] = Math.log1p(x[i]);
      return;
    case Primitive.Expm1:
      for (let i = 0; i < n; i++) o[i] = Math.expm1(x[i]);
      return;
    case Primitive.Sqrt:
      for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]);
      return;
    case Primitive.Sin:
      for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]);
      return;
    case Primitive.Cos:
      for (let i = 0; i < n; i++) o[i] = Math.cos(x[i]);
      return;
    case Primitive.Tanh:
      for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]);
      return;
    case Primitive.Erf:
      for (let i = 0; i < n; i++) o[i] = erf(x[i]);
      return;
    case Primitive.Floor:
      if (isFloat) for (let i = 0; i < n; i++) o[i] = Math.floor(x[i]);
      else o.set(x);
      return;
    case Primitive.Round:
      if (isFloat) for (let i = 0; i < n; i++) o[i] = roundHalfEven(x[i]);
      else o.set(x);
      return;
    case Primitive.Reciprocal:
      for (let i = 0; i < n; i++) o[i] = 1 / x[i];
      return;
    case Primitive.LogicalNot:
      // NaN is truthy, as in NumPy: logical_not(NaN) is false.
      for (let i = 0; i < n; i++) o[i] = x[i] === 0 ? 1 : 0;
      return;
    default:
      return prim satisfies never;
  }
}

// ---------------------------------------------------------------------------------------------
// Binary and compare

// Numeric op codes: a switch over small integers compiles to a jump table.
const enum Op {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Max,
  Min,
  Mod,
  IMul,
  IDiv,
  IPow,
  IMod,
  Eq,
  Ne,
  Lt,
  Le,
  And,
  Or,
}

function binaryOp(prim: BinaryPrimitive | ComparePrimitive, dtype: DType): Op {
  const int = dtype !== "float32";
  switch (prim) {
    case Primitive.Add:
      return Op.Add;
    case Primitive.Sub:
      return Op.Sub;
    case Primitive.Mul:
      return int ? Op.IMul : Op.Mul;
    case Primitive.Div:
      return int ? Op.IDiv : Op.Div;
    case Primitive.Pow:
      return int ? Op.IPow : Op.Pow;
    case Primitive.Maximum:
      return Op.Max;
    case Primitive.Minimum:
      return Op.Min;
    case Primitive.Mod:
      return int ? Op.IMod : Op.Mod;
    case Primitive.Equal:
      return Op.Eq;
    case Primitive.NotEqual:
      return Op.Ne;
    case Primitive.Less:
      return Op.Lt;
    case Primitive.LessEqual:
      return Op.Le;
    case Primitive.LogicalAnd:
      return Op.And;
    case Primitive.LogicalOr:
      return Op.Or;
    default:
      return prim satisfies never;
  }
}

/** o[io + j] = a[ia + j*sa] (op) b[ib + j*sb] for j < n. */
function binaryRow(
  op: Op,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
  o: TypedArray,
  io: number,
  n: number,
): void {
  const end = io + n;
  switch (op) {
    case Op.Add:
      if (sa === 1 && sb === 1) for (let k = io; k < end; k++, ia++, ib++) o[k] = a[ia] + b[ib];
      else if (sb === 0) {
        const s = b[ib];
        for (let k = io; k < end; k++, ia += sa) o[k] = a[ia] + s;
      } else for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] + b[ib];
      return;
    case Op.Sub:
      if (sa === 1 && sb === 1) for (let k = io; k < end; k++, ia++, ib++) o[k] = a[ia] - b[ib];
      else if (sb === 0) {
        const s = b[ib];
        for (let k = io; k < end; k++, ia += sa) o[k] = a[ia] - s;
      } else for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] - b[ib];
      return;
    case Op.Mul:
      if (sa === 1 && sb === 1) for (let k = io; k < end; k++, ia++, ib++) o[k] = a[ia] * b[ib];
      else if (sb === 0) {
        const s = b[ib];
        for (let k = io; k < end; k++, ia += sa) o[k] = a[ia] * s;
      } else for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] * b[ib];
      return;
    case Op.Div:
      if (sa === 1 && sb === 1) for (let k = io; k < end; k++, ia++, ib++) o[k] = a[ia] / b[ib];
      else for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] / b[ib];
      return;
    case Op.Pow:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = powC99(a[ia], b[ib]);
      return;
    case Op.Max:
      // Math.max/min propagate NaN, as NumPy maximum/minimum do.
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = Math.max(a[ia], b[ib]);
      return;
    case Op.Min:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = Math.min(a[ia], b[ib]);
      return;
    case Op.Mod:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = floatMod(a[ia], b[ib]);
      return;
    case Op.IMul:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = Math.imul(a[ia], b[ib]);
      return;
    case Op.IDiv:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = intFloorDiv(a[ia], b[ib]);
      return;
    case Op.IPow:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = intPow(a[ia], b[ib]);
      return;
    case Op.IMod:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = intMod(a[ia], b[ib]);
      return;
    case Op.Eq:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] === b[ib] ? 1 : 0;
      return;
    case Op.Ne:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] !== b[ib] ? 1 : 0;
      return;
    case Op.Lt:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] < b[ib] ? 1 : 0;
      return;
    case Op.Le:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] <= b[ib] ? 1 : 0;
      return;
    case Op.And:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] !== 0 && b[ib] !== 0 ? 1 : 0;
      return;
    case Op.Or:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] !== 0 || b[ib] !== 0 ? 1 : 0;
      return;
  }
}

/**
 * Equal shapes, hot ops: one index for all three arrays (the strided loop keeps three induction
 * variables, measurably slower on 1M elements). Returns false for ops without a loop here.
 */
function sameShape(op: Op, a: TypedArray, b: TypedArray, o: TypedArray): boolean {
  const n = o.length;
  switch (op) {
    case Op.Add:
      for (let i = 0; i < n; i++) o[i] = a[i] + b[i];
      return true;
    case Op.Sub:
      for (let i = 0; i < n; i++) o[i] = a[i] - b[i];
      return true;
    case Op.Mul:
      for (let i = 0; i < n; i++) o[i] = a[i] * b[i];
      return true;
    case Op.Div:
      for (let i = 0; i < n; i++) o[i] = a[i] / b[i];
      return true;
    case Op.Max:
      for (let i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]);
      return true;
    case Op.Min:
      for (let i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]);
      return true;
    default:
      return false;
  }
}

function sameShapes(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Applies `op` to a and b broadcast to `outShape`, writing dense `o`. */
function broadcastBinary(
  op: Op,
  a: CpuInput,
  b: CpuInput,
  outShape: number[],
  o: TypedArray,
): void {
  if (sameShapes(a.shape, b.shape) && sameShape(op, a.values, b.values, o)) return;
  const lay = rowLayout(outShape, [
    broadcastStrides(a.shape, outShape),
    broadcastStrides(b.shape, outShape),
  ]);
  const n = lay.inner;
  const [sa, sb] = lay.innerStrides;
  const [offA, offB] = lay.rowOffsets;
  if (sa === 0 && sb !== 0 && op <= Op.Mul && op !== Op.Sub) {
    // Commutative op with a broadcast left operand: swap so the scalar fast path applies.
    for (let r = 0; r < lay.rows; r++)
      binaryRow(op, b.values, offB[r], sb, a.values, offA[r], sa, o, r * n, n);
    return;
  }
  for (let r = 0; r < lay.rows; r++)
    binaryRow(op, a.values, offA[r], sa, b.values, offB[r], sb, o, r * n, n);
}

export function binaryKernel(
  prim: BinaryPrimitive | ComparePrimitive,
): CpuKernel<BinaryPrimitive | ComparePrimitive> {
  return (inputs, _params, outputs) => {
    const out = outputs[0];
    const o = alloc(out);
    binaryInto(prim, inputs[0], inputs[1], out, o);
    return [o];
  };
}

/**
 * Writes `prim(a, b)` broadcast to `out.shape` into dense `o` (every element written). Shared
 * with the other backends' TypeScript fallbacks (`cpuKernelUtils`).
 */
export function binaryInto(
  prim: BinaryPrimitive | ComparePrimitive,
  a: CpuInput,
  b: CpuInput,
  out: ConcreteValue,
  o: TypedArray,
): void {
  broadcastBinary(binaryOp(prim, a.dtype), a, b, out.shape, o);
  // Arithmetic on bools (rare: ops promote first) keeps the 0/1 storage invariant.
  if (out.dtype === "bool" && a.dtype === "bool") normalizeBool(o);
}

// ---------------------------------------------------------------------------------------------
// Where and cast

export const whereKernel: CpuKernel<Primitive.Where> = (inputs, _params, outputs) => {
  const o = alloc(outputs[0]);
  whereInto(inputs[0], inputs[1], inputs[2], outputs[0].shape, o);
  return [o];
};

/** Writes `where(c, x, y)` broadcast to `outShape` into dense `o` (every element written). */
export function whereInto(
  c: CpuInput,
  x: CpuInput,
  y: CpuInput,
  outShape: number[],
  o: TypedArray,
): void {
  const lay = rowLayout(outShape, [
    broadcastStrides(c.shape, outShape),
    broadcastStrides(x.shape, outShape),
    broadcastStrides(y.shape, outShape),
  ]);
  const n = lay.inner;
  const [sc, sx, sy] = lay.innerStrides;
  const [oc, ox, oy] = lay.rowOffsets;
  const cv = c.values;
  const xv = x.values;
  const yv = y.values;
  for (let r = 0; r < lay.rows; r++) {
    let ic = oc[r];
    let ix = ox[r];
    let iy = oy[r];
    const end = (r + 1) * n;
    for (let k = r * n; k < end; k++, ic += sc, ix += sx, iy += sy)
      o[k] = cv[ic] !== 0 ? xv[ix] : yv[iy];
  }
}

/**
 * Cast. float -> int32 truncates toward zero (NumPy `astype`), saturates out-of-range values to
 * [-2^31, 2^31 - 1] and maps NaN to 0 (what XLA and WGSL do; NumPy leaves these undefined).
 * Anything -> bool is `x != 0` (NaN is true); bool -> number is 0/1.
 */
export const castKernel: CpuKernel<Primitive.Cast> = (inputs, params, outputs) => {
  const o = alloc(outputs[0]);
  castInto(inputs[0].values, inputs[0].dtype, params.dtype, o);
  return [o];
};

/** Writes `v` (of `dtype`) cast to `to` into `o` (same length; every element written). */
export function castInto(v: TypedArray, dtype: DType, to: DType, o: TypedArray): void {
  const n = v.length;
  if (to === "bool") {
    for (let i = 0; i < n; i++) o[i] = v[i] !== 0 ? 1 : 0;
  } else if (to === "int32" && dtype === "float32") {
    for (let i = 0; i < n; i++) {
      const f = v[i];
      o[i] = f !== f ? 0 : f >= INT32_MAX ? INT32_MAX : f <= INT32_MIN ? INT32_MIN : Math.trunc(f);
    }
  } else {
    o.set(v);
  }
}
