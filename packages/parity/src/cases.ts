/**
 * The op cases of the parity suite, as data: for every primitive of core's closed table, inputs
 * (shape, dtype, generator), params and a tolerance; then composed `keras.ops` cases; gradient
 * cases are the cases marked `grad`. Every backend runs exactly these (see `run.ts`).
 *
 * What the cases aim at: broadcasting, scalars, size-0 tensors, odd sizes that break naive tiling
 * (7x13, 65x33), every params combination that changes a kernel's index maths (strides, dilation,
 * groups, asymmetric padding, count_include_pad, exclusive/reverse), ties (stable sorts, first
 * argmax, max-pool gradient routing), duplicates (gather/scatter), int32 wrap-around, and the
 * special values (NaN, +-inf, -0, halves for round-half-even) whose semantics core documents.
 *
 * Tolerances: int32 and bool outputs are always compared exactly; float outputs use the case's
 * tolerance, by default the primitive's entry of `DEFAULT_TOL` (exact for data movement).
 *
 * The case tables are laid out by hand, one case per line (`// prettier-ignore`): they read as
 * tables, and a one-line diff per case keeps the review of new cases easy.
 */
import {
  NON_DIFFERENTIABLE,
  Primitive,
  UNARY_PRIMITIVES,
  BINARY_PRIMITIVES,
  bind,
  gradRules,
  ops,
  shapeRules,
  type ConvParams,
  type Params,
  type PoolParams,
  type Tensor,
} from "@webkeras/core";
import type { Gen, InputSpec } from "./inputs";
import { EXACT, type Tolerance } from "./matchers";

// ---------------------------------------------------------------------------------------------
// Tolerances

/** Correctly rounded float32 arithmetic, with room for GPU division (2.5 ulp in WGSL). */
export const ARITH: Tolerance = { rtol: 1e-6, atol: 1e-7 };
/**
 * exp, log, sin, tanh, erf…: WGSL allows exp 3 + 2|x| ulp and log 2^-21 absolute near 1, so a
 * few ulp of slack, and an atol for results near zero (sin near its roots).
 */
export const TRANSCENDENTAL: Tolerance = { rtol: 2e-5, atol: 2e-6 };
/** pow is exp2(y * log2(x)) on GPUs: its error grows with |y log2 x|. */
export const POW: Tolerance = { rtol: 1e-5, atol: 1e-6 };
/** Sums of tens of float32 values accumulated in a different order (or in float64 on cpu). */
export const REDUCE: Tolerance = { rtol: 1e-5, atol: 1e-5 };
/** Dot products of up to 256 terms in float32 (GPU) against float64 / blocked float32 (cpu). */
export const MATMUL: Tolerance = { rtol: 1e-4, atol: 1e-4 };
/** Extra slack for gradients: they chain several primitives. Combined with the case's by max. */
export const GRAD: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** Default float tolerance per primitive; typed exhaustively so a new primitive needs one. */
export const DEFAULT_TOL: { [P in Primitive]: Tolerance } = {
  [Primitive.Neg]: EXACT,
  [Primitive.Abs]: EXACT,
  [Primitive.Sign]: EXACT,
  [Primitive.Exp]: TRANSCENDENTAL,
  [Primitive.Log]: TRANSCENDENTAL,
  [Primitive.Log1p]: TRANSCENDENTAL,
  [Primitive.Expm1]: TRANSCENDENTAL,
  [Primitive.Sqrt]: ARITH,
  [Primitive.Sin]: TRANSCENDENTAL,
  [Primitive.Cos]: TRANSCENDENTAL,
  [Primitive.Tanh]: TRANSCENDENTAL,
  [Primitive.Erf]: TRANSCENDENTAL,
  [Primitive.Floor]: EXACT,
  [Primitive.Round]: EXACT,
  [Primitive.Reciprocal]: ARITH,
  [Primitive.LogicalNot]: EXACT,
  [Primitive.Add]: ARITH,
  [Primitive.Sub]: ARITH,
  [Primitive.Mul]: ARITH,
  [Primitive.Div]: ARITH,
  [Primitive.Pow]: POW,
  [Primitive.Maximum]: EXACT,
  [Primitive.Minimum]: EXACT,
  // a - b * floor(a / b) on GPUs vs fmod on cpu: equal up to the rounding of a / b, scaled by b.
  [Primitive.Mod]: { rtol: 1e-5, atol: 1e-6 },
  [Primitive.Equal]: EXACT,
  [Primitive.NotEqual]: EXACT,
  [Primitive.Less]: EXACT,
  [Primitive.LessEqual]: EXACT,
  [Primitive.LogicalAnd]: EXACT,
  [Primitive.LogicalOr]: EXACT,
  [Primitive.Where]: EXACT,
  [Primitive.Cast]: EXACT,
  [Primitive.Sum]: REDUCE,
  [Primitive.Prod]: REDUCE,
  [Primitive.Max]: EXACT,
  [Primitive.Min]: EXACT,
  [Primitive.Argmax]: EXACT,
  [Primitive.Cumsum]: REDUCE,
  [Primitive.Argsort]: EXACT,
  [Primitive.TopK]: EXACT,
  [Primitive.Reshape]: EXACT,
  [Primitive.Transpose]: EXACT,
  [Primitive.BroadcastTo]: EXACT,
  [Primitive.Slice]: EXACT,
  [Primitive.Pad]: EXACT,
  [Primitive.Concat]: EXACT,
  [Primitive.GatherNd]: EXACT,
  // Duplicate indices add in an order the backend chooses.
  [Primitive.ScatterNd]: ARITH,
  [Primitive.Matmul]: MATMUL,
  [Primitive.Conv]: MATMUL,
  [Primitive.ConvBackpropInput]: MATMUL,
  [Primitive.ConvBackpropFilter]: MATMUL,
  // Max pooling is exact; averages divide.
  [Primitive.Pool]: ARITH,
  [Primitive.PoolBackprop]: ARITH,
  [Primitive.Iota]: EXACT,
  // Values are (bits >>> 9) * 2^-23: exactly representable, so every backend must agree bit for bit.
  [Primitive.RandomUniform]: EXACT,
};

// ---------------------------------------------------------------------------------------------
// Case types

/** A case of one primitive: `bind(prim, inputs, params)`. */
export interface PrimitiveCase<P extends Primitive = Primitive> {
  prim: P;
  /** Unique per primitive; the test is named `<prim>: <name>`. */
  name: string;
  inputs: InputSpec[];
  params: Params<P>;
  /** Float tolerance; default `DEFAULT_TOL[prim]`. int32 / bool outputs are always exact. */
  tol?: Tolerance;
  /** Also a gradient case: `valueAndGrad(sum(prim(x) * w))` w.r.t. the float32 inputs. */
  grad?: boolean;
}

/** A composed `keras.ops` case. */
export interface OpCase {
  /** The `keras.ops` function; the test is named `ops.<op>: <name>`. */
  op: string;
  name: string;
  inputs: InputSpec[];
  run: (xs: Tensor[]) => Tensor | Tensor[];
  tol: Tolerance;
  grad?: boolean;
}

/** What the runner executes: either kind of case, flattened. */
export interface ParityCase {
  /** The test name and known-gap key: `<prim>: <name>`, `ops.<op>: <name>`, plus ` (grad)`. */
  id: string;
  /** The primitive, for primitive cases. */
  primitive: Primitive | null;
  inputs: InputSpec[];
  /** Float tolerance (int32 / bool outputs are compared exactly). */
  tol: Tolerance;
  run: (xs: Tensor[]) => Tensor[];
  /** The primitive case this was made from (for references and params), if any. */
  source: PrimitiveCase | null;
}

// ---------------------------------------------------------------------------------------------
// Builders

const F = (shape: number[], gen?: Gen): InputSpec => ({ shape, dtype: "float32", gen });
const I = (shape: number[], gen?: Gen): InputSpec => ({ shape, dtype: "int32", gen });
const B = (shape: number[], gen?: Gen): InputSpec => ({ shape, dtype: "bool", gen });
const uniform = (lo: number, hi: number): Gen => ({ kind: "uniform", lo, hi });
const magnitude = (lo: number, hi: number): Gen => ({ kind: "magnitude", lo, hi });
const ints = (lo: number, hi: number, nonzero = false): Gen => ({ kind: "int", lo, hi, nonzero });
const levels = (...l: number[]): Gen => ({ kind: "levels", levels: l });
const values = (...v: number[]): Gen => ({ kind: "values", values: v });

function pc<P extends Primitive>(
  prim: P,
  name: string,
  inputs: InputSpec[],
  params: Params<P>,
  opts: { tol?: Tolerance; grad?: boolean } = {},
): PrimitiveCase {
  return { prim, name, inputs, params, ...opts } as PrimitiveCase;
}

function isDifferentiable(p: Primitive): boolean {
  return gradRules[p] !== NON_DIFFERENTIABLE;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// ---------------------------------------------------------------------------------------------
// Elementwise unary

type Unary = (typeof UNARY_PRIMITIVES)[number];

/** Per unary primitive: the domain of random inputs, special values, and whether int32 applies. */
// prettier-ignore
const UNARY: { [P in Unary]: { gen: Gen; special: number[]; int?: boolean } } = {
  [Primitive.Neg]: { gen: uniform(-3, 3), special: [0, -0, Infinity, -Infinity, NaN, 3.5], int: true },
  [Primitive.Abs]: { gen: uniform(-3, 3), special: [-0, -Infinity, NaN, -3.5, 2], int: true },
  [Primitive.Sign]: { gen: uniform(-3, 3), special: [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 5], int: true },
  // exp(89) overflows float32; exp(-104) is below the smallest normal (GPUs may flush it to 0).
  [Primitive.Exp]: { gen: uniform(-5, 5), special: [-Infinity, Infinity, NaN, 0, 88, 89, -104] },
  [Primitive.Log]: { gen: uniform(0.01, 10), special: [0, -0, -1, Infinity, NaN, 1, 1e-30] },
  [Primitive.Log1p]: { gen: uniform(-0.9, 5), special: [-1, -2, 0, -0, Infinity, NaN] },
  [Primitive.Expm1]: { gen: uniform(-3, 3), special: [-Infinity, Infinity, NaN, 0, -0, 88] },
  [Primitive.Sqrt]: { gen: uniform(0.1, 10), special: [0, -0, -1, Infinity, NaN, 1e-30, 4] },
  [Primitive.Sin]: { gen: uniform(-6, 6), special: [0, -0, NaN, Infinity, -Infinity, 3.1415927] },
  [Primitive.Cos]: { gen: uniform(-6, 6), special: [0, -0, NaN, Infinity, -Infinity, 3.1415927] },
  // tanh(+-inf) = +-1: exp-based GPU formulas give inf / inf = NaN.
  [Primitive.Tanh]: { gen: uniform(-5, 5), special: [0, -0, 20, -20, 100, Infinity, -Infinity, NaN, 1e-8] },
  [Primitive.Erf]: { gen: uniform(-4.5, 4.5), special: [0, -0, 4, -4, 10, -10, Infinity, -Infinity, NaN, 1e-8] },
  [Primitive.Floor]: {
    gen: uniform(-3, 3),
    special: [-0.5, -1.5, 0.5, -0, Infinity, -Infinity, NaN, 2.9999998, -1e-30],
    int: true,
  },
  // Round half to even: NumPy/Keras `round`, not JavaScript's half-up Math.round.
  [Primitive.Round]: {
    gen: uniform(-3, 3),
    special: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -0.49999997, 8388609, Infinity, NaN],
    int: true,
  },
  [Primitive.Reciprocal]: { gen: magnitude(0.2, 5), special: [0, -0, Infinity, -Infinity, NaN, 3, -0.25] },
  // NaN is truthy: logical_not(NaN) is false.
  [Primitive.LogicalNot]: { gen: uniform(-1, 1), special: [0, -0, NaN, 1, -2.5, Infinity], int: true },
};

// prettier-ignore
function unaryCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  for (const p of UNARY_PRIMITIVES) {
    const d = UNARY[p];
    const grad = isDifferentiable(p);
    if (p === Primitive.LogicalNot) out.push(pc(p, "bool 7x13", [B([7, 13])], {}));
    else out.push(pc(p, "float32 7x13", [F([7, 13], d.gen)], {}, { grad }));
    out.push(pc(p, "float32 odd 65x33", [F([65, 33], d.gen)], {}));
    out.push(pc(p, "scalar", [F([], d.gen)], {}, { grad }));
    out.push(pc(p, "size-0 (0,3)", [F([0, 3], d.gen)], {}));
    out.push(pc(p, "special values", [F([d.special.length], values(...d.special))], {}));
    if (d.int) out.push(pc(p, "int32", [I([7, 13], values(INT32_MIN, INT32_MAX, 0, -1, 1, -7, 9, 12345))], {}));
  }
  // Relative accuracy near zero: log(1 + x) and exp(x) - 1 written naively lose it.
  const tiny = values(1e-7, -1e-7, 1e-6, -3e-6, 1e-5, -2e-5, 1e-4, -5e-4);
  out.push(pc(Primitive.Log1p, "small |x|", [F([8], tiny)], {}, { tol: { rtol: 1e-4, atol: 0 } }));
  out.push(pc(Primitive.Expm1, "small |x|", [F([8], tiny)], {}, { tol: { rtol: 1e-4, atol: 0 } }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Elementwise binary

type Binary = (typeof BINARY_PRIMITIVES)[number];

// prettier-ignore
const BINARY: { [P in Binary]: { a: Gen; b: Gen; ia: Gen; ib: Gen; special?: [number[], number[]][] } } = {
  [Primitive.Add]: {
    a: uniform(-2, 2),
    b: uniform(-2, 2),
    ia: ints(-100, 100),
    ib: ints(-100, 100),
    special: [[[Infinity, Infinity, NaN, -0], [-Infinity, 1, 1, -0]]],
  },
  [Primitive.Sub]: {
    a: uniform(-2, 2),
    b: uniform(-2, 2),
    ia: ints(-100, 100),
    ib: ints(-100, 100),
    special: [[[Infinity, Infinity, NaN, 0], [Infinity, 1, 1, -0]]],
  },
  [Primitive.Mul]: {
    a: uniform(-2, 2),
    b: uniform(-2, 2),
    ia: ints(-1000, 1000),
    ib: ints(-1000, 1000),
    special: [[[Infinity, 0, NaN, -0, 1e30], [0, -Infinity, 1, 5, 1e30]]],
  },
  [Primitive.Div]: {
    a: uniform(-2, 2),
    b: magnitude(0.5, 2),
    ia: ints(-20, 20),
    ib: ints(-5, 5, true),
    special: [[[1, -1, 0, NaN, Infinity, 1, -0], [0, 0, 0, 1, Infinity, -0, 3]]],
  },
  [Primitive.Pow]: {
    a: uniform(0.2, 2),
    b: uniform(-2, 2),
    ia: ints(-3, 3),
    ib: ints(0, 5),
    // NumPy / C99: pow(x, 0) = 1 and pow(1, y) = 1 even for NaN; negative base with an integer
    // exponent is real.
    special: [[[2, -2, -2, 0, 0, 4, -8, NaN, 1, -1, 0], [3, 3, 2, 0, -1, 0.5, 0.5, 0, NaN, Infinity, 2]]],
  },
  [Primitive.Maximum]: {
    a: uniform(-2, 2),
    b: uniform(-2, 2),
    ia: ints(-100, 100),
    ib: ints(-100, 100),
    special: [[[NaN, 1, NaN, -Infinity, Infinity], [1, NaN, NaN, 0, 0]]],
  },
  [Primitive.Minimum]: {
    a: uniform(-2, 2),
    b: uniform(-2, 2),
    ia: ints(-100, 100),
    ib: ints(-100, 100),
    special: [[[NaN, 1, NaN, -Infinity, Infinity], [1, NaN, NaN, 0, 0]]],
  },
  [Primitive.Mod]: {
    a: uniform(-5, 5),
    b: magnitude(0.5, 2),
    ia: ints(-20, 20),
    ib: ints(-5, 5, true),
    // The result takes the sign of the divisor (Python / NumPy), not of the dividend (C fmod).
    special: [[[5.5, -5.5, 5.5, -5.5, 0, 3, 7], [2, 2, -2, -2, 3, 1.5, 0.5]]],
  },
};

/** Integer specials: wrap-around and floor semantics that every backend must share. */
// prettier-ignore
const BINARY_INT_SPECIAL: { [P in Binary]?: [number[], number[]] } = {
  [Primitive.Add]: [[INT32_MAX, INT32_MIN, INT32_MAX, 5], [1, -1, INT32_MAX, -5]],
  [Primitive.Sub]: [[INT32_MIN, INT32_MAX, 0, 5], [1, -1, INT32_MIN, 7]],
  [Primitive.Mul]: [[65536, 123456789, INT32_MIN, -3], [65536, 1000, -1, 7]],
  // Floor division; division by zero gives 0 (the documented contract, as TF/XLA).
  [Primitive.Div]: [[7, -7, 7, -7, 0, 5, INT32_MIN], [2, 2, -2, -2, 3, 0, 1]],
  [Primitive.Mod]: [[7, -7, 7, -7, 0, 5], [3, 3, -3, -3, 3, 0]],
  // Negative exponents: 1 for base 1, +-1 for base -1, else 0; 2^31 wraps.
  [Primitive.Pow]: [[2, -2, 3, 1, -1, -1, 2, 2, 0], [10, 3, 0, -5, -3, -4, -1, 31, 0]],
  [Primitive.Maximum]: [[INT32_MIN, INT32_MAX, -1], [INT32_MAX, INT32_MIN, 0]],
  [Primitive.Minimum]: [[INT32_MIN, INT32_MAX, -1], [INT32_MAX, INT32_MIN, 0]],
};

// prettier-ignore
function binaryCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  for (const p of BINARY_PRIMITIVES) {
    const d = BINARY[p];
    out.push(pc(p, "float32 7x13", [F([7, 13], d.a), F([7, 13], d.b)], {}, { grad: true }));
    out.push(pc(p, "broadcast (4,1,5) and (3,1)", [F([4, 1, 5], d.a), F([3, 1], d.b)], {}, { grad: true }));
    out.push(pc(p, "scalar and (65,33)", [F([], d.a), F([65, 33], d.b)], {}, { grad: true }));
    out.push(pc(p, "row broadcast (65,33) and (33)", [F([65, 33], d.a), F([33], d.b)], {}));
    out.push(pc(p, "size-0 (0,3) and (1,3)", [F([0, 3], d.a), F([1, 3], d.b)], {}));
    out.push(pc(p, "int32 broadcast (7,13) and (13)", [I([7, 13], d.ia), I([13], d.ib)], {}));
    for (const [a, b] of d.special ?? [])
      out.push(pc(p, "special values", [F([a.length], values(...a)), F([b.length], values(...b))], {}));
    const s = BINARY_INT_SPECIAL[p];
    if (s) out.push(pc(p, "int32 special values", [I([s[0].length], values(...s[0])), I([s[1].length], values(...s[1]))], {}));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compare, logical, where, cast

const COMPARE = [Primitive.Equal, Primitive.NotEqual, Primitive.Less, Primitive.LessEqual] as const;
const LOGICAL = [Primitive.LogicalAnd, Primitive.LogicalOr] as const;

// prettier-ignore
function compareCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  const tie = levels(-1, -0.5, 0, 0.5, 1);
  for (const p of COMPARE) {
    out.push(pc(p, "float32 7x13 with ties", [F([7, 13], tie), F([7, 13], tie)], {}));
    out.push(pc(p, "broadcast (4,1,5) and (3,1)", [F([4, 1, 5], tie), F([3, 1], tie)], {}));
    out.push(pc(p, "int32 scalar and (65,33)", [I([], ints(-3, 3)), I([65, 33], ints(-3, 3))], {}));
    out.push(pc(p, "size-0", [F([0, 3]), F([3])], {}));
    out.push(
      pc(p, "special values", [
        F([7], values(NaN, NaN, 1, Infinity, -Infinity, -0, 1)),
        F([7], values(NaN, 1, NaN, Infinity, Infinity, 0, 1)),
      ], {}),
    );
    if (p === Primitive.Equal || p === Primitive.NotEqual) out.push(pc(p, "bool", [B([7, 13]), B([7, 13])], {}));
  }
  for (const p of LOGICAL) {
    out.push(pc(p, "bool 7x13", [B([7, 13]), B([7, 13])], {}));
    out.push(pc(p, "broadcast (7,1) and (13)", [B([7, 1]), B([13])], {}));
    out.push(pc(p, "scalar and (65,33)", [B([], values(1)), B([65, 33])], {}));
    out.push(pc(p, "size-0", [B([0, 3]), B([1, 3])], {}));
  }
  return out;
}

// prettier-ignore
function whereCases(): PrimitiveCase[] {
  const p = Primitive.Where;
  return [
    pc(p, "float32 7x13", [B([7, 13]), F([7, 13]), F([7, 13])], {}, { grad: true }),
    pc(p, "broadcast (7,1), (13) and scalar", [B([7, 1]), F([13]), F([])], {}, { grad: true }),
    pc(p, "scalar condition", [B([], values(1)), F([65, 33]), F([65, 33])], {}),
    pc(p, "int32", [B([4, 5]), I([4, 5]), I([1, 5])], {}),
    pc(p, "bool branches", [B([4, 5]), B([4, 5]), B([4, 1])], {}),
    pc(p, "NaN branches", [B([4], values(1, 0, 1, 0)), F([4], values(NaN, 1, -0, 2)), F([4], values(3, NaN, 4, -0))], {}),
    pc(p, "size-0", [B([0, 3]), F([0, 3]), F([3])], {}),
  ];
}

// prettier-ignore
function castCases(): PrimitiveCase[] {
  const p = Primitive.Cast;
  const dtypes = ["float32", "int32", "bool"] as const;
  const out: PrimitiveCase[] = [];
  for (const from of dtypes)
    for (const to of dtypes) {
      // Floats in (-3, 3): truncation toward zero of negatives; ints in [-3, 3]: zeros for bool.
      const input: InputSpec =
        from === "float32" ? F([7, 13], uniform(-3, 3)) : from === "int32" ? I([7, 13], ints(-3, 3)) : B([7, 13]);
      out.push(pc(p, `${from} to ${to}`, [input], { dtype: to }, { grad: from === "float32" && to === "float32" }));
    }
  // Saturation to [-2^31, 2^31 - 1] and NaN -> 0 (XLA / WGSL); 2147483520 is the largest float32
  // below 2^31.
  out.push(
    pc(p, "float32 to int32 saturates, NaN to 0", [
      F([10], values(3e9, -3e9, NaN, Infinity, -Infinity, 2147483520, -2147483648, -0.9, 0.9, -2.5)),
    ], { dtype: "int32" }),
  );
  out.push(pc(p, "float32 to bool: NaN true, -0 false", [F([5], values(NaN, -0, 0, 1e-30, -Infinity))], { dtype: "bool" }));
  const bigInts = values(16777217, INT32_MAX, INT32_MIN, -16777219);
  out.push(pc(p, "int32 to float32 rounds large values", [I([4], bigInts)], { dtype: "float32" }));
  out.push(pc(p, "size-0", [F([0, 3])], { dtype: "int32" }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reductions, argmax, cumsum, sorting

// prettier-ignore
function reduceCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  for (const p of [Primitive.Sum, Primitive.Prod, Primitive.Max, Primitive.Min] as const) {
    // Products of 65 factors in [0.5, 1.5] stay in range; the magnitude keeps x away from 0
    // because the prod gradient divides by x.
    const g = p === Primitive.Prod ? magnitude(0.7, 1.3) : uniform(-2, 2);
    out.push(pc(p, "(65,33) axis 0", [F([65, 33], g)], { axes: [0] }, { grad: true }));
    out.push(pc(p, "(65,33) axis 1", [F([65, 33], g)], { axes: [1] }, { grad: true }));
    out.push(pc(p, "(2,3,4) axes (0,2)", [F([2, 3, 4], g)], { axes: [0, 2] }, { grad: true }));
    out.push(pc(p, "(7,13) all axes", [F([7, 13], g)], { axes: [0, 1] }));
    out.push(pc(p, "scalar, no axes", [F([], g)], { axes: [] }));
    out.push(pc(p, "size-1 dims (2,1,3,1,5) axes (1,2,3)", [F([2, 1, 3, 1, 5], g)], { axes: [1, 2, 3] }));
    out.push(pc(p, "int32 (7,13) axis 1", [I([7, 13], p === Primitive.Prod ? ints(-3, 3) : ints(-100, 100))], { axes: [1] }));
    out.push(pc(p, "bool (7,13) axis 1", [B([7, 13], { kind: "bool", p: 0.8 })], { axes: [1] }));
    // Empty reductions give the identity: 0, 1, -inf, +inf.
    out.push(pc(p, "size-0 (0,4) axis 0", [F([0, 4])], { axes: [0] }));
    out.push(pc(p, "int32 size-0 (4,0) axis 1", [I([4, 0])], { axes: [1] }));
  }
  out.push(pc(Primitive.Sum, "(1000) long", [F([1000])], { axes: [0] }, { tol: { rtol: 1e-5, atol: 1e-4 } }));
  out.push(pc(Primitive.Sum, "int32 wraps", [I([3], values(INT32_MAX, 1, 5))], { axes: [0] }));
  out.push(pc(Primitive.Prod, "int32 wraps", [I([3], values(65536, 65536, 3))], { axes: [0] }));
  for (const p of [Primitive.Max, Primitive.Min] as const)
    out.push(pc(p, "NaN propagates", [F([3, 4], values(1, NaN, 3, -Infinity, Infinity, 2, 0, -0, NaN, NaN, NaN, NaN))],
      { axes: [1] }));
  return out;
}

// prettier-ignore
function argmaxCases(): PrimitiveCase[] {
  const p = Primitive.Argmax;
  return [
    // Ties: the first maximum wins.
    pc(p, "(7,13) axis 1 with ties", [F([7, 13], levels(0, 1, 2))], { axis: 1 }),
    pc(p, "(65,33) axis 0", [F([65, 33])], { axis: 0 }),
    pc(p, "(2,3,4) axis 1", [F([2, 3, 4])], { axis: 1 }),
    pc(p, "int32 (7,13) axis 1 with ties", [I([7, 13], ints(0, 3))], { axis: 1 }),
    // NaN counts as the maximum (NumPy); -inf rows pick the first.
    pc(p, "NaN and -inf", [F([3, 4], values(1, NaN, 3, NaN, -Infinity, -Infinity, -Infinity, -Infinity, 0, Infinity, 2, Infinity))],
      { axis: 1 }),
    pc(p, "size-0 (0,5) axis 1", [F([0, 5])], { axis: 1 }),
  ];
}

// prettier-ignore
function cumsumCases(): PrimitiveCase[] {
  const p = Primitive.Cumsum;
  const out: PrimitiveCase[] = [];
  for (const exclusive of [false, true])
    for (const reverse of [false, true])
      out.push(pc(p, `(7,13) axis 1${exclusive ? " exclusive" : ""}${reverse ? " reverse" : ""}`, [F([7, 13])],
        { axis: 1, exclusive, reverse }, { grad: true }));
  out.push(pc(p, "(65,33) axis 0", [F([65, 33])], { axis: 0, exclusive: false, reverse: false }, { grad: true }));
  out.push(pc(p, "int32 (5,6) axis 0 exclusive reverse", [I([5, 6])], { axis: 0, exclusive: true, reverse: true }));
  out.push(pc(p, "int32 wraps", [I([3], values(INT32_MAX, 1, 1))], { axis: 0, exclusive: false, reverse: false }));
  // Bool cumsum is a running "any".
  out.push(pc(p, "bool (4,9) axis 1", [B([4, 9], { kind: "bool", p: 0.2 })], { axis: 1, exclusive: false, reverse: false }));
  out.push(pc(p, "size-0 (0,3) axis 0", [F([0, 3])], { axis: 0, exclusive: false, reverse: false }));
  return out;
}

// prettier-ignore
function sortCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  const tie = levels(-1, 0, 0.5, 2);
  // Stable: ties keep index order in both directions. NaN sorts last ascending, first descending.
  const nan = values(3, NaN, 1, -Infinity, NaN, 1, Infinity, -0, 0);
  for (const descending of [false, true]) {
    const dir = descending ? "descending" : "ascending";
    out.push(pc(Primitive.Argsort, `(7,13) ${dir} with ties`, [F([7, 13], tie)], { descending }));
    out.push(pc(Primitive.Argsort, `NaN and inf ${dir}`, [F([9], nan)], { descending }));
  }
  out.push(pc(Primitive.Argsort, "(65,33) ascending", [F([65, 33])], { descending: false }));
  out.push(pc(Primitive.Argsort, "int32 (5,9) descending with ties", [I([5, 9], ints(0, 4))], { descending: true }));
  out.push(pc(Primitive.Argsort, "size-0 (3,0)", [F([3, 0])], { descending: false }));
  out.push(pc(Primitive.Argsort, "length 1 (4,1)", [F([4, 1])], { descending: true }));

  out.push(pc(Primitive.TopK, "(7,13) k=4", [F([7, 13])], { k: 4 }, { grad: true }));
  out.push(pc(Primitive.TopK, "(7,13) k=4 with ties", [F([7, 13], tie)], { k: 4 }));
  out.push(pc(Primitive.TopK, "(65,33) k=33", [F([65, 33])], { k: 33 }, { grad: true }));
  out.push(pc(Primitive.TopK, "int32 (5,9) k=3 with ties", [I([5, 9], ints(0, 4))], { k: 3 }));
  out.push(pc(Primitive.TopK, "k=0", [F([4, 5])], { k: 0 }));
  out.push(pc(Primitive.TopK, "NaN first", [F([9], nan)], { k: 4 }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Movement

// prettier-ignore
function movementCases(): PrimitiveCase[] {
  const P = Primitive;
  return [
    pc(P.Reshape, "(7,13) to (13,7)", [F([7, 13])], { shape: [13, 7] }, { grad: true }),
    pc(P.Reshape, "int32 (2,3,4) to (24)", [I([2, 3, 4])], { shape: [24] }),
    pc(P.Reshape, "scalar to (1,1)", [F([])], { shape: [1, 1] }, { grad: true }),
    pc(P.Reshape, "bool (6) to (2,3)", [B([6])], { shape: [2, 3] }),
    pc(P.Reshape, "size-0 (0,3) to (3,0)", [F([0, 3])], { shape: [3, 0] }),

    pc(P.Transpose, "(7,13) perm (1,0)", [F([7, 13])], { perm: [1, 0] }, { grad: true }),
    pc(P.Transpose, "(2,3,4) perm (2,0,1)", [F([2, 3, 4])], { perm: [2, 0, 1] }, { grad: true }),
    pc(P.Transpose, "int32 (2,3,4,5) perm (0,2,3,1)", [I([2, 3, 4, 5])], { perm: [0, 2, 3, 1] }),
    pc(P.Transpose, "bool (65,33) perm (1,0)", [B([65, 33])], { perm: [1, 0] }),
    pc(P.Transpose, "size-0 (0,3) perm (1,0)", [F([0, 3])], { perm: [1, 0] }),
    pc(P.Transpose, "size-1 dims (1,7,1,13) perm (3,2,1,0)", [F([1, 7, 1, 13])], { perm: [3, 2, 1, 0] }),

    pc(P.BroadcastTo, "scalar to (3,4)", [F([])], { shape: [3, 4] }, { grad: true }),
    pc(P.BroadcastTo, "(3,1) to (2,3,5)", [F([3, 1])], { shape: [2, 3, 5] }, { grad: true }),
    pc(P.BroadcastTo, "int32 (1,13) to (7,13)", [I([1, 13])], { shape: [7, 13] }),
    pc(P.BroadcastTo, "bool (1,4) to (3,4)", [B([1, 4])], { shape: [3, 4] }),
    pc(P.BroadcastTo, "size-0 (0,1) to (2,0,5)", [F([0, 1])], { shape: [2, 0, 5] }),

    pc(P.Slice, "(7,13) strides (2,3)", [F([7, 13])], { start: [1, 2], stop: [6, 13], strides: [2, 3] }, { grad: true }),
    pc(P.Slice, "(4,5,6) strides (1,2,3)", [F([4, 5, 6])], { start: [1, 0, 1], stop: [4, 5, 6], strides: [1, 2, 3] }, { grad: true }),
    pc(P.Slice, "int32 (65,33) strides (7,4)", [I([65, 33])], { start: [3, 5], stop: [64, 30], strides: [7, 4] }),
    pc(P.Slice, "bool (7,13) contiguous", [B([7, 13])], { start: [2, 0], stop: [5, 13], strides: [1, 1] }),
    pc(P.Slice, "size-0 (start = stop)", [F([5, 3])], { start: [2, 0], stop: [2, 3], strides: [1, 1] }),

    pc(P.Pad, "(7,13) ((1,2),(3,0))", [F([7, 13])], { padding: [[1, 2], [3, 0]], value: 0 }, { grad: true }),
    pc(P.Pad, "(2,3,4) last axis, value 1.5", [F([2, 3, 4])], { padding: [[0, 0], [0, 0], [2, 1]], value: 1.5 }, { grad: true }),
    pc(P.Pad, "int32 value -1", [I([4, 5])], { padding: [[2, 0], [1, 1]], value: -1 }),
    pc(P.Pad, "bool value 1", [B([3, 3], values(0))], { padding: [[1, 1], [0, 2]], value: 1 }),
    pc(P.Pad, "size-0 input, value 2.5", [F([0, 3])], { padding: [[1, 1], [0, 0]], value: 2.5 }),

    pc(P.Concat, "three inputs axis 1, one size-0", [F([2, 3]), F([2, 0]), F([2, 5])], { axis: 1 }, { grad: true }),
    pc(P.Concat, "(1,33) and (65,33) axis 0", [F([1, 33]), F([65, 33])], { axis: 0 }, { grad: true }),
    pc(P.Concat, "int32 axis 0", [I([2, 4]), I([3, 4])], { axis: 0 }),
    pc(P.Concat, "bool (2,3,4) axis 2", [B([2, 3, 4]), B([2, 3, 1])], { axis: 2 }),
    pc(P.Concat, "single input", [F([4, 5])], { axis: 1 }),

    // GatherNd clamps out-of-range indices; ScatterNd drops them and adds duplicates.
    pc(P.GatherNd, "rows with duplicates", [F([5, 4]), I([6, 1], values(0, 2, 2, 4, 0, 1))], {}, { grad: true }),
    pc(P.GatherNd, "elements k=2", [F([4, 5, 3]), I([2, 3, 2], values(0, 4, 3, 0, 3, 4, 1, 1, 0, 0, 3, 4))], {}, { grad: true }),
    pc(P.GatherNd, "out of range clamps", [F([5, 4]), I([4, 1], values(-1, 7, 2, -5))], {}, { grad: true }),
    pc(P.GatherNd, "int32 full index", [I([3, 4]), I([5, 2], values(0, 0, 2, 3, 1, 2, 2, 3, 0, 1))], {}),
    pc(P.GatherNd, "bool rows", [B([4, 6]), I([3, 1], values(3, 0, 3))], {}),
    pc(P.GatherNd, "k=0 repeats x", [F([2, 3]), I([3, 0])], {}),
    pc(P.GatherNd, "size-0 indices", [F([5, 4]), I([0, 1])], {}),

    pc(P.ScatterNd, "rows with duplicates", [I([6, 1], values(0, 2, 2, 4, 0, 2)), F([6, 4])], { shape: [5, 4] }, { grad: true }),
    pc(P.ScatterNd, "elements k=2 with duplicates", [I([5, 2], values(0, 0, 1, 2, 0, 0, 3, 1, 1, 2)), F([5])], { shape: [4, 3] },
      { grad: true }),
    pc(P.ScatterNd, "out of range dropped", [I([4, 1], values(-1, 5, 2, 7)), F([4, 3])], { shape: [5, 3] }, { grad: true }),
    pc(P.ScatterNd, "int32 duplicates", [I([5, 1], values(1, 1, 3, 1, 0)), I([5, 2])], { shape: [4, 2] }),
    pc(P.ScatterNd, "bool duplicates", [I([4, 1], values(1, 1, 2, 0)), B([4, 3])], { shape: [3, 3] }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Matmul, convolution, pooling

// prettier-ignore
function matmulCases(): PrimitiveCase[] {
  const p = Primitive.Matmul;
  const mm = (transposeA = false, transposeB = false) => ({ transposeA, transposeB });
  return [
    pc(p, "(7,13) x (13,5)", [F([7, 13]), F([13, 5])], mm(), { grad: true }),
    pc(p, "batch broadcast (2,1,4,3) x (3,3,5)", [F([2, 1, 4, 3]), F([3, 3, 5])], mm(), { grad: true }),
    pc(p, "transposeA (5,7)^T x (5,3)", [F([5, 7]), F([5, 3])], mm(true), { grad: true }),
    pc(p, "transposeB (7,13) x (5,13)^T", [F([7, 13]), F([5, 13])], mm(false, true), { grad: true }),
    pc(p, "both transposed, batched", [F([3, 6, 4]), F([3, 5, 6])], mm(true, true), { grad: true }),
    pc(p, "odd (65,33) x (33,17)", [F([65, 33]), F([33, 17])], mm()),
    pc(p, "1x1", [F([1, 1]), F([1, 1])], mm()),
    pc(p, "1xN (1,64) x (64,37)", [F([1, 64]), F([64, 37])], mm()),
    pc(p, "Nx1 (37,64) x (64,1)", [F([37, 64]), F([64, 1])], mm()),
    pc(p, "large (128,256) x (256,64)", [F([128, 256]), F([256, 64])], mm()),
    pc(p, "int32 (4,6) x (6,3)", [I([4, 6], ints(-5, 5)), I([6, 3], ints(-5, 5))], mm()),
    pc(p, "K=0 gives zeros", [F([3, 0]), F([0, 4])], mm()),
    pc(p, "M=0", [F([0, 3]), F([3, 4])], mm()),
  ];
}

function cp(
  strides: number[],
  padding: [number, number][],
  dilation: number[],
  groups = 1,
): ConvParams {
  return { strides, padding, dilation, groups };
}

/** The forward conv output shape: the dy of the two backprop primitives. */
function convOutShape(x: number[], k: number[], p: ConvParams): number[] {
  return shapeRules[Primitive.Conv](
    [
      { shape: x, dtype: "float32" },
      { shape: k, dtype: "float32" },
    ],
    p,
  )[0]!.shape as number[];
}

function poolOutShape(x: number[], p: PoolParams): number[] {
  return shapeRules[Primitive.Pool]([{ shape: x, dtype: "float32" }], p)[0]!.shape as number[];
}

/** Conv geometries shared by Conv and its two backprop primitives. */
// prettier-ignore
const CONV_GEOMETRIES: { name: string; x: number[]; k: number[]; p: ConvParams; grad?: boolean }[] = [
  {
    name: "2d (2,9,11,4) k3x3 stride (2,1) pad ((1,2),(0,1)) dilation (1,2) groups 2",
    x: [2, 9, 11, 4],
    k: [3, 3, 2, 6],
    p: cp([2, 1], [[1, 2], [0, 1]], [1, 2], 2),
    grad: true,
  },
  { name: "2d pointwise 1x1 (2,7,13,5)", x: [2, 7, 13, 5], k: [1, 1, 5, 3], p: cp([1, 1], [[0, 0], [0, 0]], [1, 1]), grad: true },
  { name: "2d pointwise 1x1 groups 2 (2,5,6,4)", x: [2, 5, 6, 4], k: [1, 1, 2, 6],
    p: cp([1, 1], [[0, 0], [0, 0]], [1, 1], 2), grad: true },
  { name: "1d (3,17,5) k4 stride 3 pad (2,1)", x: [3, 17, 5], k: [4, 5, 7], p: cp([3], [[2, 1]], [1]), grad: true },
  {
    name: "3d (1,5,6,7,2) k(2,3,2) stride (1,2,1) dilation (1,1,2)",
    x: [1, 5, 6, 7, 2],
    k: [2, 3, 2, 2, 3],
    p: cp([1, 2, 1], [[0, 0], [1, 1], [0, 1]], [1, 1, 2]),
  },
  { name: "depthwise (2,8,8,6) groups 6 multiplier 2", x: [2, 8, 8, 6], k: [3, 3, 1, 12],
    p: cp([1, 1], [[1, 1], [1, 1]], [1, 1], 6), grad: true },
  { name: "odd (1,65,33,3) k3x3 stride 2 pad 1", x: [1, 65, 33, 3], k: [3, 3, 3, 4], p: cp([2, 2], [[1, 1], [1, 1]], [1, 1]) },
  // More than 2^20 patch elements: the cpu kernel builds im2col in chunks; GPUs tile.
  { name: "large (1,128,128,8) k3x3 pad 1", x: [1, 128, 128, 8], k: [3, 3, 8, 4], p: cp([1, 1], [[1, 1], [1, 1]], [1, 1]) },
  { name: "empty batch (0,5,5,2)", x: [0, 5, 5, 2], k: [3, 3, 2, 4], p: cp([1, 1], [[0, 0], [0, 0]], [1, 1]) },
];

function convCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  for (const g of CONV_GEOMETRIES) {
    const dy = convOutShape(g.x, g.k, g.p);
    out.push(pc(Primitive.Conv, g.name, [F(g.x), F(g.k)], g.p, { grad: g.grad }));
    out.push(
      pc(
        Primitive.ConvBackpropInput,
        g.name,
        [F(dy), F(g.k)],
        { ...g.p, inputShape: g.x },
        { grad: g.grad },
      ),
    );
    out.push(
      pc(
        Primitive.ConvBackpropFilter,
        g.name,
        [F(g.x), F(dy)],
        { ...g.p, kernelShape: g.k },
        { grad: g.grad },
      ),
    );
  }
  return out;
}

function pp(
  kind: "max" | "avg",
  window: number[],
  strides: number[],
  padding: [number, number][],
  dilation: number[],
  countIncludePad = false,
): PoolParams {
  return { kind, window, strides, padding, dilation, countIncludePad };
}

// prettier-ignore
const POOL_GEOMETRIES: { name: string; x: number[]; p: PoolParams; gen?: Gen; grad?: boolean; backprop?: boolean }[] = [
  { name: "max 2d 3x3 stride 2 pad 1 (2,9,11,3)", x: [2, 9, 11, 3], p: pp("max", [3, 3], [2, 2], [[1, 1], [1, 1]], [1, 1]),
    grad: true, backprop: true },
  {
    name: "avg 2d 3x3 stride 2 pad 1, padding excluded",
    x: [2, 9, 11, 3],
    p: pp("avg", [3, 3], [2, 2], [[1, 1], [1, 1]], [1, 1]),
    grad: true,
    backprop: true,
  },
  {
    name: "avg 2d 3x3 stride 2 pad 1, padding counted",
    x: [2, 9, 11, 3],
    p: pp("avg", [3, 3], [2, 2], [[1, 1], [1, 1]], [1, 1], true),
    grad: true,
    backprop: true,
  },
  { name: "max 1d window 2 dilation 2 (3,13,2)", x: [3, 13, 2], p: pp("max", [2], [1], [[0, 1]], [2]), grad: true },
  {
    name: "avg 3d (1,5,6,7,2) window (2,3,2) asymmetric pad",
    x: [1, 5, 6, 7, 2],
    p: pp("avg", [2, 3, 2], [1, 2, 2], [[0, 1], [1, 1], [0, 0]], [1, 1, 1]),
    backprop: true,
  },
  // Ties: the max gradient goes to the first maximal element in row-major window order.
  { name: "max 2d 2x2 stride 1 with ties", x: [2, 7, 7, 3], p: pp("max", [2, 2], [1, 1], [[0, 0], [0, 0]], [1, 1]),
    gen: levels(0, 1), backprop: true },
  { name: "max 2d odd (1,65,33,2) 2x2 stride 2", x: [1, 65, 33, 2], p: pp("max", [2, 2], [2, 2], [[0, 0], [0, 0]], [1, 1]) },
];

function poolCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  for (const g of POOL_GEOMETRIES) {
    out.push(pc(Primitive.Pool, g.name, [F(g.x, g.gen)], g.p, { grad: g.grad }));
    if (g.backprop)
      out.push(
        pc(Primitive.PoolBackprop, g.name, [F(poolOutShape(g.x, g.p)), F(g.x, g.gen)], g.p, {
          // Second-order max pooling is not supported (the rule throws): only avg has a gradient.
          grad: g.p.kind === "avg",
        }),
      );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Creation

// prettier-ignore
function creationCases(): PrimitiveCase[] {
  const P = Primitive;
  return [
    pc(P.Iota, "(4,5) axis 0 int32", [], { shape: [4, 5], axis: 0, dtype: "int32" }),
    pc(P.Iota, "(4,5) axis 1 float32", [], { shape: [4, 5], axis: 1, dtype: "float32" }),
    pc(P.Iota, "(2,3,4) axis 1 int32", [], { shape: [2, 3, 4], axis: 1, dtype: "int32" }),
    pc(P.Iota, "(65,33) axis 0 float32", [], { shape: [65, 33], axis: 0, dtype: "float32" }),
    pc(P.Iota, "size-0 (0,3) axis 1", [], { shape: [0, 3], axis: 1, dtype: "int32" }),
    pc(P.RandomUniform, "(7,13) key (0,42)", [], { shape: [7, 13], key: [0, 42] }),
    pc(P.RandomUniform, "(65,33) key (12345,67890)", [], { shape: [65, 33], key: [12345, 67890] }),
    pc(P.RandomUniform, "key with the high bits set", [], { shape: [257], key: [4294967295, 2147483648] }),
    pc(P.RandomUniform, "scalar", [], { shape: [], key: [1, 2] }),
    pc(P.RandomUniform, "size-0", [], { shape: [0, 4], key: [1, 2] }),
  ];
}

/** Every primitive case, grouped as the table is. */
export const PRIMITIVE_CASES: readonly PrimitiveCase[] = [
  ...unaryCases(),
  ...binaryCases(),
  ...compareCases(),
  ...whereCases(),
  ...castCases(),
  ...reduceCases(),
  ...argmaxCases(),
  ...cumsumCases(),
  ...sortCases(),
  ...movementCases(),
  ...matmulCases(),
  ...convCases(),
  ...poolCases(),
  ...creationCases(),
];

// ---------------------------------------------------------------------------------------------
// Composed keras.ops cases

const SOFT: Tolerance = { rtol: 1e-5, atol: 1e-6 };

function oc(
  op: string,
  name: string,
  inputs: InputSpec[],
  run: OpCase["run"],
  tol: Tolerance,
  grad = false,
): OpCase {
  return { op, name, inputs, run, tol, grad };
}
const mm: OpCase["run"] = ([a, b]) => ops.matmul(a!, b!);
const logits = uniform(-5, 5);

/** Composed `keras.ops` cases: the paths models take, including the ops' own shape logic. */
// prettier-ignore
export const OP_CASES: readonly OpCase[] = [
  oc("softmax", "axis -1 (7,13)", [F([7, 13], logits)], ([x]) => ops.softmax(x!), SOFT, true),
  oc("softmax", "axis 0 (65,33)", [F([65, 33], logits)], ([x]) => ops.softmax(x!, 0), SOFT, true),
  oc("logSoftmax", "large logits (4,33)", [F([4, 33], uniform(-50, 50))], ([x]) => ops.logSoftmax(x!), REDUCE, true),
  oc("gelu", "approximate (7,13)", [F([7, 13], uniform(-4, 4))], ([x]) => ops.gelu(x!, true), TRANSCENDENTAL, true),
  oc("gelu", "exact (7,13)", [F([7, 13], uniform(-4, 4))], ([x]) => ops.gelu(x!, false), TRANSCENDENTAL, true),
  oc("conv", "2d same stride 1 (2,9,11,4) x (3,3,4,6)", [F([2, 9, 11, 4]), F([3, 3, 4, 6])],
    ([x, k]) => ops.conv(x!, k!, 1, "same"), MATMUL, true),
  oc("conv", "2d same stride 2, even kernel (1,13,7,3) x (4,4,3,5)", [F([1, 13, 7, 3]), F([4, 4, 3, 5])],
    ([x, k]) => ops.conv(x!, k!, 2, "same"), MATMUL, true),
  oc("convTranspose", "2d same stride 2 (2,5,6,3) x (3,3,4,3)", [F([2, 5, 6, 3]), F([3, 3, 4, 3])],
    ([x, k]) => ops.convTranspose(x!, k!, 2, "same"), MATMUL, true),
  oc("convTranspose", "1d valid stride 3 (2,7,4) x (5,6,4)", [F([2, 7, 4]), F([5, 6, 4])],
    ([x, k]) => ops.convTranspose(x!, k!, 3, "valid"), MATMUL),
  oc("maxPool", "2d 3x3 stride 2 same (2,9,11,3)", [F([2, 9, 11, 3])], ([x]) => ops.maxPool(x!, 3, 2, "same"), EXACT, true),
  oc("maxPool", "2d 2x2 valid (1,65,33,2)", [F([1, 65, 33, 2])], ([x]) => ops.maxPool(x!, 2), EXACT),
  oc("averagePool", "2d 3x3 stride 2 same (2,9,11,3)", [F([2, 9, 11, 3])], ([x]) => ops.averagePool(x!, 3, 2, "same"), ARITH, true),
  oc("averagePool", "1d 2 valid (3,13,4)", [F([3, 13, 4])], ([x]) => ops.averagePool(x!, 2), ARITH),
  oc("batchNormalization", "channels last (4,7,6)", [F([4, 7, 6]), F([6]), F([6], uniform(0.1, 2)), F([6]), F([6])],
    ([x, m, v, o, s]) => ops.batchNormalization(x!, m!, v!, -1, o!, s!), { rtol: 1e-5, atol: 1e-5 }, true),
  oc("matmul", "1x1", [F([1, 1]), F([1, 1])], mm, MATMUL, true),
  oc("matmul", "1xN (1,64) x (64,37)", [F([1, 64]), F([64, 37])], mm, MATMUL, true),
  oc("matmul", "outer product (65,1) x (1,33)", [F([65, 1]), F([1, 33])], mm, MATMUL),
  oc("matmul", "vector x matrix (5) x (5,3)", [F([5]), F([5, 3])], mm, MATMUL, true),
  oc("matmul", "batched broadcast (2,3,4,5) x (5,6)", [F([2, 3, 4, 5]), F([5, 6])], mm, MATMUL, true),
  oc("matmul", "large (128,256) x (256,64)", [F([128, 256]), F([256, 64])], mm, MATMUL),
  oc("einsum", "bij,bjk->bik (2,7,13) (2,13,5)", [F([2, 7, 13]), F([2, 13, 5])],
    ([a, b]) => ops.einsum("bij,bjk->bik", a!, b!), MATMUL, true),
  oc("einsum", "bhqd,bhkd->bhqk (2,3,5,4) (2,3,6,4)", [F([2, 3, 5, 4]), F([2, 3, 6, 4])],
    ([a, b]) => ops.einsum("bhqd,bhkd->bhqk", a!, b!), MATMUL, true),
  oc("einsum", "ij->j (7,13)", [F([7, 13])], ([a]) => ops.einsum("ij->j", a!), REDUCE),
  oc("sparseCategoricalCrossentropy", "from logits (8,10)", [I([8], ints(0, 9)), F([8, 10], logits)],
    ([t, o]) => ops.sparseCategoricalCrossentropy(t!, o!, true), REDUCE, true),
  oc("sparseCategoricalCrossentropy", "from probabilities (8,10)", [I([8], ints(0, 9)), F([8, 10], uniform(0.05, 1))],
    ([t, o]) => ops.sparseCategoricalCrossentropy(t!, o!, false), REDUCE, true),
];

// ---------------------------------------------------------------------------------------------
// Flattening for the runner

/** Test name of a primitive case. */
export const primitiveCaseId = (c: PrimitiveCase): string => `${c.prim}: ${c.name}`;
/** Test name of an op case. */
export const opCaseId = (c: OpCase): string => `ops.${c.op}: ${c.name}`;
/** Test name of the gradient case made from a forward case. */
export const gradCaseId = (forwardId: string): string => `${forwardId} (grad)`;

const asArray = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);

function fromPrimitive(c: PrimitiveCase): ParityCase {
  return {
    id: primitiveCaseId(c),
    primitive: c.prim,
    inputs: c.inputs,
    tol: c.tol ?? DEFAULT_TOL[c.prim],
    run: (xs) => bind(c.prim, xs, c.params) as Tensor[],
    source: c,
  };
}

function fromOp(c: OpCase): ParityCase {
  return {
    id: opCaseId(c),
    primitive: null,
    inputs: c.inputs,
    tol: c.tol,
    run: (xs) => asArray(c.run(xs)),
    source: null,
  };
}

const maxTol = (a: Tolerance, b: Tolerance): Tolerance => ({
  rtol: Math.max(a.rtol, b.rtol),
  atol: Math.max(a.atol, b.atol),
});

/** Forward cases: every primitive case, then every op case. */
export function forwardCases(): ParityCase[] {
  return [...PRIMITIVE_CASES.map(fromPrimitive), ...OP_CASES.map(fromOp)];
}

/**
 * Gradient cases: the forward cases marked `grad`, with ids ending in " (grad)" and tolerances
 * widened by `GRAD`. The runner differentiates `sum(f(x) * w)` w.r.t. the float32 inputs.
 */
export function gradientCases(): ParityCase[] {
  const prim = PRIMITIVE_CASES.filter((c) => c.grad).map(fromPrimitive);
  const op = OP_CASES.filter((c) => c.grad).map(fromOp);
  return [...prim, ...op].map((c) => ({ ...c, id: gradCaseId(c.id), tol: maxTol(c.tol, GRAD) }));
}
