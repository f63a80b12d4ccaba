/**
 * Elementwise kernels: unary, binary (NumPy broadcasting), compare/logical, where and cast.
 *
 * float32 ops with a SIMD instruction (add, sub, mul, div, maximum, minimum; neg, abs, sqrt,
 * floor, round, reciprocal; equal, not_equal, less, less_equal) and `where` of 4-byte values run
 * in wasm (`asm/elementwise.ts`, `asm/select.ts`) over the broadcast collapsed to rows (`run2d`);
 * the rest (transcendentals, integer arithmetic and comparisons, bool where, cast) run in TypeScript
 * directly on typed-array views of linear memory, with the CPU oracle's scalar semantics
 * (`packages/core/src/backend/cpu/kernels/elementwise.ts`): round half to even, Python modulo and
 * floor division for int32, int32 wrap-around, NaN-propagating min/max, saturating casts.
 */
import { Primitive } from "@webkeras/core";
import type { DType, TypedArray } from "@webkeras/core";
import type { SimdBinary, SimdCompare, SimdUnary } from "../asm/module";
import type { WasmTensor } from "../runtime";
import {
  INT32_MAX,
  INT32_MIN,
  broadcastStrides,
  normalizeBool,
  rowLayout,
  run2d,
  type BinaryPrimitive,
  type ComparePrimitive,
  type UnaryPrimitive,
  type WasmKernel,
} from "./util";

// ---------------------------------------------------------------------------------------------
// Scalar maths, identical to the CPU oracle's.

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf in float64 by the positive series of A&S 7.1.6 (no cancellation); +-1 beyond |x| >= 4. */
function erf(x: number): number {
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

function floatMod(a: number, b: number): number {
  let r = a % b;
  if (r !== 0 && r < 0 !== b < 0) r += b;
  return r;
}

/** C99 / NumPy pow: pow(1, y) is 1 for every y (NaN included), pow(-1, +-inf) is 1. */
function powC99(a: number, b: number): number {
  if (a === 1) return 1;
  if (a === -1 && !Number.isFinite(b) && !Number.isNaN(b)) return 1;
  return Math.pow(a, b);
}

function intFloorDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b);
}

function intMod(a: number, b: number): number {
  if (b === 0) return 0;
  let r = a % b;
  if (r !== 0 && r < 0 !== b < 0) r += b;
  return r;
}

function intPow(a: number, b: number): number {
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

const SIMD_UNARY_OF: Partial<Record<UnaryPrimitive, SimdUnary>> = {
  [Primitive.Neg]: "neg",
  [Primitive.Abs]: "abs",
  [Primitive.Sqrt]: "sqrt",
  [Primitive.Floor]: "floor",
  [Primitive.Round]: "round",
  [Primitive.Reciprocal]: "reciprocal",
};

export function unaryKernel(prim: UnaryPrimitive): WasmKernel<UnaryPrimitive> {
  const simd = SIMD_UNARY_OF[prim];
  return (rt, inputs, _params, outputs) => {
    const x = inputs[0];
    const out = outputs[0];
    if (simd && x.dtype === "float32" && out.dtype === "float32") {
      rt.k[`un_${simd}`](x.ptr, out.ptr, x.size);
      return;
    }
    const o = rt.v(out);
    unaryLoop(prim, x.dtype, rt.v(x), o);
    if (out.dtype === "bool" && prim !== Primitive.LogicalNot) normalizeBool(o);
  };
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
      // NaN is truthy, as in NumPy.
      for (let i = 0; i < n; i++) o[i] = x[i] === 0 ? 1 : 0;
      return;
    default:
      return prim satisfies never;
  }
}

// ---------------------------------------------------------------------------------------------
// Binary and compare

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
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] + b[ib];
      return;
    case Op.Sub:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] - b[ib];
      return;
    case Op.Mul:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] * b[ib];
      return;
    case Op.Div:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = a[ia] / b[ib];
      return;
    case Op.Pow:
      for (let k = io; k < end; k++, ia += sa, ib += sb) o[k] = powC99(a[ia], b[ib]);
      return;
    case Op.Max:
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

const SIMD_BINARY_OF: Partial<Record<BinaryPrimitive | ComparePrimitive, SimdBinary>> = {
  [Primitive.Add]: "add",
  [Primitive.Sub]: "sub",
  [Primitive.Mul]: "mul",
  [Primitive.Div]: "div",
  [Primitive.Maximum]: "max",
  [Primitive.Minimum]: "min",
};

const SIMD_COMPARE_OF: Partial<Record<BinaryPrimitive | ComparePrimitive, SimdCompare>> = {
  [Primitive.Equal]: "eq",
  [Primitive.NotEqual]: "ne",
  [Primitive.Less]: "lt",
  [Primitive.LessEqual]: "le",
};

/** Broadcast strides of each input against the output. */
const stridesFor = (out: WasmTensor, ins: WasmTensor[]) =>
  ins.map((t) => broadcastStrides(t.shape, out.shape));

export function binaryKernel(
  prim: BinaryPrimitive | ComparePrimitive,
): WasmKernel<BinaryPrimitive | ComparePrimitive> {
  const simd = SIMD_BINARY_OF[prim];
  const cmp = SIMD_COMPARE_OF[prim];
  return (rt, inputs, _params, outputs) => {
    const [a, b] = inputs;
    const out = outputs[0];
    if ((simd || cmp) && a.dtype === "float32") {
      // float32 in wasm: arithmetic writes float32 (4 bytes per output), comparisons bool (1).
      const eb = simd ? 4 : 1;
      run2d(out.shape, stridesFor(out, inputs), (offs, oo, rows, n, rs, rep) => {
        const mode = `${+rep[0]}${+rep[1]}`;
        const args = [
          a.ptr + offs[0] * 4,
          b.ptr + offs[1] * 4,
          out.ptr + oo * eb,
          rows,
          n,
          rs[0] * 4,
          rs[1] * 4,
        ] as const;
        if (simd) rt.k[`ew_${simd}_${(+rep[1] | (+rep[0] << 1)) as 0 | 1 | 2 | 3}`](...args);
        else rt.k[`cmp_${cmp!}_${mode as "00" | "01" | "10" | "11"}`](...args);
      });
      return;
    }
    const o = rt.v(out);
    const av = rt.v(a);
    const bv = rt.v(b);
    const lay = rowLayout(out.shape, [
      broadcastStrides(a.shape, out.shape),
      broadcastStrides(b.shape, out.shape),
    ]);
    const op = binaryOp(prim, a.dtype);
    const n = lay.inner;
    const [sa, sb] = lay.innerStrides;
    const [offA, offB] = lay.rowOffsets;
    for (let r = 0; r < lay.rows; r++) binaryRow(op, av, offA[r], sa, bv, offB[r], sb, o, r * n, n);
    // Arithmetic on bools (rare: ops promote first) keeps the 0/1 storage invariant.
    if (out.dtype === "bool" && a.dtype === "bool") normalizeBool(o);
  };
}

// ---------------------------------------------------------------------------------------------
// Where and cast

export const whereKernel: WasmKernel<Primitive.Where> = (rt, inputs, _params, outputs) => {
  const [c, x, y] = inputs;
  const out = outputs[0];
  if (out.dtype !== "bool") {
    // 4-byte values (float32 or int32, selected bit-exactly) in wasm.
    run2d(out.shape, stridesFor(out, inputs), (offs, oo, rows, n, rs, rep) => {
      const name = `where_${+rep[0]}${+rep[1]}${+rep[2]}` as `where_${0 | 1}${0 | 1}${0 | 1}`;
      rt.k[name](
        c.ptr + offs[0],
        x.ptr + offs[1] * 4,
        y.ptr + offs[2] * 4,
        out.ptr + oo * 4,
        rows,
        n,
        rs[0],
        rs[1] * 4,
        rs[2] * 4,
      );
    });
    return;
  }
  const o = rt.v(out);
  const lay = rowLayout(out.shape, [
    broadcastStrides(c.shape, out.shape),
    broadcastStrides(x.shape, out.shape),
    broadcastStrides(y.shape, out.shape),
  ]);
  const n = lay.inner;
  const [sc, sx, sy] = lay.innerStrides;
  const [oc, ox, oy] = lay.rowOffsets;
  const cv = rt.v(c);
  const xv = rt.v(x);
  const yv = rt.v(y);
  for (let r = 0; r < lay.rows; r++) {
    let ic = oc[r];
    let ix = ox[r];
    let iy = oy[r];
    const end = (r + 1) * n;
    for (let k = r * n; k < end; k++, ic += sc, ix += sx, iy += sy)
      o[k] = cv[ic] !== 0 ? xv[ix] : yv[iy];
  }
};

/** float -> int32 truncates, saturates and maps NaN to 0; anything -> bool is `x != 0`. */
export const castKernel: WasmKernel<Primitive.Cast> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const o = rt.v(outputs[0]);
  const v = rt.v(x);
  const n = v.length;
  if (params.dtype === "bool") {
    for (let i = 0; i < n; i++) o[i] = v[i] !== 0 ? 1 : 0;
  } else if (params.dtype === "int32" && x.dtype === "float32") {
    for (let i = 0; i < n; i++) {
      const f = v[i];
      o[i] = f !== f ? 0 : f >= INT32_MAX ? INT32_MAX : f <= INT32_MIN ? INT32_MIN : Math.trunc(f);
    }
  } else {
    o.set(v);
  }
};
