/**
 * The elementwise op table shared by every backend that generates kernels (WGSL for WebGPU now,
 * GLSL for WebGL next): one entry per unary, binary and compare primitive, written once against
 * a small abstract renderer (`ExprRenderer`) that each language implements.
 *
 * This module is language-neutral: it only says *what* each op computes, as an expression built
 * from the renderer's vocabulary (infix arithmetic, comparisons, math builtins, `select`, NaN and
 * truthiness tests, and a few named helpers such as `erf` or `floordiv` whose exact semantics are
 * documented on `Helper` and implemented once per language). The semantics are the CPU oracle's
 * (`backend/cpu/kernels/elementwise.ts`): int32 floor division and Python modulo (both 0 when the
 * divisor is 0), NaN-propagating maximum/minimum, round half to even, `sign(NaN) = NaN`.
 *
 * Values are computed in two kinds: `f` (float32) and `i` (int32). Bool inputs are computed as
 * int32 0/1 and a bool output is the truthiness of the result, which is what the CPU backend does
 * (arithmetic on its 0/1 bytes, then `normalizeBool`). Compare ops produce a boolean condition.
 *
 * Modelled on tinygrad's `code_for_op` (renderer/cstyle.py) and jax-js' WGSL codegen: one table,
 * many renderers.
 *
 * @example
 * // A renderer for a C-like language, then the expression of Add on floats:
 * const expr = ELEMENTWISE[Primitive.Add].f!(["a", "b"], myRenderer); // "(a + b)"
 */
import {
  Primitive,
  type BinaryPrimitive,
  type ComparePrimitive,
  type UnaryPrimitive,
} from "../../primitives/primitive";

/** Compute kind of a value: float32 or int32 (bool is computed as int32 0/1). */
export type Kind = "f" | "i";

/** Math builtins every target language has with the same meaning (float unless noted). */
export type Builtin =
  | "exp"
  | "log"
  | "sqrt"
  | "sin"
  | "cos"
  | "tanh"
  | "floor"
  | "abs" // float and int (int: wraps at INT32_MIN)
  | "trunc";

/**
 * Named helpers with exact semantics; each renderer emits their definitions once, when used.
 * - `isnan(x: f) -> bool`
 * - `truthy_f(x: f) -> bool`: x != 0, NaN counts as true.
 * - `max_f`, `min_f (f, f) -> f`: NaN if either is NaN, else max/min.
 * - `sign_f(x: f) -> f`: -1, 0, 1; NaN stays NaN.  `sign_i(x: i) -> i`.
 * - `round_even(x: f) -> f`: round half to even.
 * - `erf(x: f) -> f`, `log1p(x: f) -> f`, `expm1(x: f) -> f`: accurate near 0.
 * - `tanh_f(x: f) -> f`: tanh that saturates to +-1 instead of overflowing.
 * - `pow_f(a: f, b: f) -> f`: JavaScript `Math.pow` (negative base with integer exponent works).
 * - `pow_i(a: i, b: i) -> i`: wrapping repeated squaring; negative exponents as the CPU backend.
 * - `floordiv_i(a: i, b: i) -> i`: Python `//`, 0 when b == 0.
 * - `mod_i(a: i, b: i) -> i`: Python `%` (sign of b), 0 when b == 0.
 * - `mod_f(a: f, b: f) -> f`: Python float `%` (sign of b).
 */
export type Helper =
  | "isnan"
  | "truthy_f"
  | "max_f"
  | "min_f"
  | "sign_f"
  | "sign_i"
  | "round_even"
  | "erf"
  | "log1p"
  | "expm1"
  | "tanh_f"
  | "pow_f"
  | "pow_i"
  | "floordiv_i"
  | "mod_i"
  | "mod_f";

/** Infix operators with C semantics on the operand kind (int ops wrap at 32 bits). */
export type Infix = "+" | "-" | "*" | "/" | "==" | "!=" | "<" | "<=" | "&&" | "||";

/** What a target language provides to render the table. Every method returns source text. */
export interface ExprRenderer {
  /** A literal of kind `k` (e.g. `1.0` / `1` or `1.0f` / `1i`). */
  lit(value: number, k: Kind): string;
  /** `(a op b)`. */
  infix(op: Infix, a: string, b: string): string;
  /** Unary minus. */
  neg(a: string): string;
  /** Boolean not of a condition. */
  not(c: string): string;
  builtin(fn: Builtin, args: string[], k: Kind): string;
  helper(fn: Helper, args: string[]): string;
  /** `cond ? a : b` (a condition, two values of one kind). */
  select(cond: string, a: string, b: string): string;
  /** Converts a condition to 0/1 of kind `k`. */
  fromBool(cond: string, k: Kind): string;
  /** `x != 0` as a condition (for floats NaN counts as true). */
  truthy(x: string, k: Kind): string;
}

/** Renders one op for one compute kind: operand expressions in, value (or condition) out. */
export type OpRender = (args: string[], r: ExprRenderer) => string;

/** One elementwise op: a renderer per compute kind it accepts (absent: rejected by shape rules). */
export interface ElementwiseOp {
  f?: OpRender;
  i?: OpRender;
  /** Compare ops yield a condition rather than a value. */
  yieldsBool?: boolean;
}

const un = (f: OpRender | undefined, i: OpRender | undefined): ElementwiseOp => ({ f, i });
const fOnly = (h: Helper | Builtin, builtin = false): ElementwiseOp => ({
  f: builtin
    ? ([x], r) => r.builtin(h as Builtin, [x], "f")
    : ([x], r) => r.helper(h as Helper, [x]),
});
const both = (f: OpRender, i: OpRender = f): ElementwiseOp => ({ f, i });
const cmp = (op: Infix): ElementwiseOp => ({
  f: ([a, b], r) => r.infix(op, a, b),
  i: ([a, b], r) => r.infix(op, a, b),
  yieldsBool: true,
});

/**
 * The table, typed to be exhaustive over the unary, binary and compare primitives.
 */
export const ELEMENTWISE: {
  [P in UnaryPrimitive | BinaryPrimitive | ComparePrimitive]: ElementwiseOp;
} = {
  [Primitive.Neg]: both(([x], r) => r.neg(x)),
  [Primitive.Abs]: both(
    ([x], r) => r.builtin("abs", [x], "f"),
    ([x], r) => r.builtin("abs", [x], "i"),
  ),
  [Primitive.Sign]: un(
    ([x], r) => r.helper("sign_f", [x]),
    ([x], r) => r.helper("sign_i", [x]),
  ),
  [Primitive.Exp]: fOnly("exp", true),
  [Primitive.Log]: fOnly("log", true),
  [Primitive.Log1p]: fOnly("log1p"),
  [Primitive.Expm1]: fOnly("expm1"),
  [Primitive.Sqrt]: fOnly("sqrt", true),
  [Primitive.Sin]: fOnly("sin", true),
  [Primitive.Cos]: fOnly("cos", true),
  [Primitive.Tanh]: fOnly("tanh_f"),
  [Primitive.Erf]: fOnly("erf"),
  // Floor and round are the identity on integers.
  [Primitive.Floor]: un(([x], r) => r.builtin("floor", [x], "f"), ([x]) => x),
  [Primitive.Round]: un(([x], r) => r.helper("round_even", [x]), ([x]) => x),
  [Primitive.Reciprocal]: { f: ([x], r) => r.infix("/", r.lit(1, "f"), x) },
  // NaN is truthy (NumPy): logical_not(NaN) is false.
  [Primitive.LogicalNot]: {
    f: ([x], r) => r.not(r.truthy(x, "f")),
    i: ([x], r) => r.not(r.truthy(x, "i")),
    yieldsBool: true,
  },
  [Primitive.Add]: both(([a, b], r) => r.infix("+", a, b)),
  [Primitive.Sub]: both(([a, b], r) => r.infix("-", a, b)),
  [Primitive.Mul]: both(([a, b], r) => r.infix("*", a, b)),
  [Primitive.Div]: un(
    ([a, b], r) => r.infix("/", a, b),
    ([a, b], r) => r.helper("floordiv_i", [a, b]),
  ),
  [Primitive.Pow]: un(
    ([a, b], r) => r.helper("pow_f", [a, b]),
    ([a, b], r) => r.helper("pow_i", [a, b]),
  ),
  [Primitive.Maximum]: un(
    ([a, b], r) => r.helper("max_f", [a, b]),
    ([a, b], r) => r.select(r.infix("<", a, b), b, a),
  ),
  [Primitive.Minimum]: un(
    ([a, b], r) => r.helper("min_f", [a, b]),
    ([a, b], r) => r.select(r.infix("<", b, a), b, a),
  ),
  [Primitive.Mod]: un(
    ([a, b], r) => r.helper("mod_f", [a, b]),
    ([a, b], r) => r.helper("mod_i", [a, b]),
  ),
  [Primitive.Equal]: cmp("=="),
  // NaN != NaN is true. Spelled out with isnan because a compiler that assumes finite floats
  // may turn `!=` into an ordered comparison (SwiftShader's does).
  [Primitive.NotEqual]: {
    f: ([a, b], r) =>
      r.infix("||", r.infix("!=", a, b), r.infix("||", r.helper("isnan", [a]), r.helper("isnan", [b]))),
    i: ([a, b], r) => r.infix("!=", a, b),
    yieldsBool: true,
  },
  [Primitive.Less]: cmp("<"),
  [Primitive.LessEqual]: cmp("<="),
  [Primitive.LogicalAnd]: {
    i: ([a, b], r) => r.infix("&&", r.truthy(a, "i"), r.truthy(b, "i")),
    yieldsBool: true,
  },
  [Primitive.LogicalOr]: {
    i: ([a, b], r) => r.infix("||", r.truthy(a, "i"), r.truthy(b, "i")),
    yieldsBool: true,
  },
};

/**
 * Renders `prim` on operands of compute kind `k` and returns an expression of the output's
 * compute kind (`outKind`), converting conditions to 0/1 and values to the truthiness a bool
 * output stores (`outBool`).
 *
 * @example
 * renderElementwise(Primitive.Less, ["a", "b"], "f", "i", true, r); // "select(0, 1, (a < b))"
 */
export function renderElementwise(
  prim: UnaryPrimitive | BinaryPrimitive | ComparePrimitive,
  args: string[],
  k: Kind,
  outKind: Kind,
  outBool: boolean,
  r: ExprRenderer,
): string {
  const op = ELEMENTWISE[prim];
  const fn = op[k];
  if (!fn) throw new Error(`codegen: ${prim} has no ${k === "f" ? "float32" : "int32"} form. Received: kind=${k}`);
  const e = fn(args, r);
  if (op.yieldsBool) return r.fromBool(e, outKind);
  return outBool ? r.fromBool(r.truthy(e, k), outKind) : e;
}
