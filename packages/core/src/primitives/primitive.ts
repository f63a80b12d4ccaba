/**
 * The closed primitive table: every computation in webkeras is one of these.
 *
 * Higher ops (relu, softmax, conv2d variants, losses) are composed from primitives in `ops/`.
 * Each primitive has typed params (`PrimitiveParams`), a shape/dtype rule (`shape_rules.ts`) and a
 * gradient rule or an explicit non-differentiable mark (`autodiff/grad_rules.ts`); those tables
 * are typed `{ [P in Primitive]: ... }`, so adding a member here without its rules does not
 * compile. Backends register one kernel per primitive.
 *
 * Conventions shared by every backend:
 * - Elementwise binary, compare and `where` primitives broadcast NumPy-style; their inputs already
 *   share one dtype (ops promote before binding).
 * - Axes are non-negative and sorted; ops normalize them.
 * - Images are channels-last: convolution input `(N, ...spatial, C)`, kernel
 *   `(...spatial, C / groups, O)`, like Keras.
 */
import type { DType } from "../tensor/dtype";

export enum Primitive {
  // elementwise unary
  Neg = "neg",
  Abs = "abs",
  Sign = "sign",
  Exp = "exp",
  Log = "log",
  Log1p = "log1p",
  Expm1 = "expm1",
  Sqrt = "sqrt",
  Sin = "sin",
  Cos = "cos",
  Tanh = "tanh",
  Erf = "erf",
  Floor = "floor",
  Round = "round",
  Reciprocal = "reciprocal",
  LogicalNot = "logical_not",
  // elementwise binary (broadcasting)
  Add = "add",
  Sub = "sub",
  Mul = "mul",
  Div = "div",
  Pow = "pow",
  Maximum = "maximum",
  Minimum = "minimum",
  Mod = "mod",
  // compare and logical (broadcasting, output bool)
  Equal = "equal",
  NotEqual = "not_equal",
  Less = "less",
  LessEqual = "less_equal",
  LogicalAnd = "logical_and",
  LogicalOr = "logical_or",
  // select and cast
  Where = "where",
  Cast = "cast",
  // reductions
  Sum = "sum",
  Prod = "prod",
  Max = "max",
  Min = "min",
  Argmax = "argmax",
  Cumsum = "cumsum",
  // sorting
  Argsort = "argsort",
  TopK = "top_k",
  // movement
  Reshape = "reshape",
  Transpose = "transpose",
  BroadcastTo = "broadcast_to",
  Slice = "slice",
  Pad = "pad",
  Concat = "concat",
  GatherNd = "gather_nd",
  ScatterNd = "scatter_nd",
  // linear algebra
  Matmul = "matmul",
  Conv = "conv",
  ConvBackpropInput = "conv_backprop_input",
  ConvBackpropFilter = "conv_backprop_filter",
  Pool = "pool",
  PoolBackprop = "pool_backprop",
  // creation
  Iota = "iota",
  RandomUniform = "random_uniform",
}

export const ALL_PRIMITIVES: readonly Primitive[] = Object.values(Primitive);

export const UNARY_PRIMITIVES = [
  Primitive.Neg,
  Primitive.Abs,
  Primitive.Sign,
  Primitive.Exp,
  Primitive.Log,
  Primitive.Log1p,
  Primitive.Expm1,
  Primitive.Sqrt,
  Primitive.Sin,
  Primitive.Cos,
  Primitive.Tanh,
  Primitive.Erf,
  Primitive.Floor,
  Primitive.Round,
  Primitive.Reciprocal,
  Primitive.LogicalNot,
] as const;
export type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];

export const BINARY_PRIMITIVES = [
  Primitive.Add,
  Primitive.Sub,
  Primitive.Mul,
  Primitive.Div,
  Primitive.Pow,
  Primitive.Maximum,
  Primitive.Minimum,
  Primitive.Mod,
] as const;
export type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];

export const COMPARE_PRIMITIVES = [
  Primitive.Equal,
  Primitive.NotEqual,
  Primitive.Less,
  Primitive.LessEqual,
  Primitive.LogicalAnd,
  Primitive.LogicalOr,
] as const;
export type ComparePrimitive = (typeof COMPARE_PRIMITIVES)[number];

export const REDUCE_PRIMITIVES = [Primitive.Sum, Primitive.Prod, Primitive.Max, Primitive.Min] as const;
export type ReducePrimitive = (typeof REDUCE_PRIMITIVES)[number];

export function isUnary(p: Primitive): p is UnaryPrimitive {
  return (UNARY_PRIMITIVES as readonly Primitive[]).includes(p);
}
export function isBinary(p: Primitive): p is BinaryPrimitive {
  return (BINARY_PRIMITIVES as readonly Primitive[]).includes(p);
}
export function isCompare(p: Primitive): p is ComparePrimitive {
  return (COMPARE_PRIMITIVES as readonly Primitive[]).includes(p);
}
export function isReduce(p: Primitive): p is ReducePrimitive {
  return (REDUCE_PRIMITIVES as readonly Primitive[]).includes(p);
}

type NoParams = Record<string, never>;

/** Per-spatial-dimension geometry of a convolution or pooling window. */
export interface WindowParams {
  /** Stride per spatial dim. */
  strides: number[];
  /** Explicit padding per spatial dim: [before, after]. */
  padding: [number, number][];
  /** Dilation per spatial dim (1 = none). */
  dilation: number[];
}

export interface ConvParams extends WindowParams {
  /** Feature groups: input channels and output channels are split in `groups` equal parts. */
  groups: number;
}

export interface PoolParams extends WindowParams {
  kind: "max" | "avg";
  /** Window size per spatial dim. */
  window: number[];
  /** Average pooling only: count padded positions in the divisor (Keras/TF: false). */
  countIncludePad: boolean;
}

/** Typed params of every primitive. */
export interface PrimitiveParams {
  [Primitive.Neg]: NoParams;
  [Primitive.Abs]: NoParams;
  [Primitive.Sign]: NoParams;
  [Primitive.Exp]: NoParams;
  [Primitive.Log]: NoParams;
  [Primitive.Log1p]: NoParams;
  [Primitive.Expm1]: NoParams;
  [Primitive.Sqrt]: NoParams;
  [Primitive.Sin]: NoParams;
  [Primitive.Cos]: NoParams;
  [Primitive.Tanh]: NoParams;
  [Primitive.Erf]: NoParams;
  [Primitive.Floor]: NoParams;
  [Primitive.Round]: NoParams;
  [Primitive.Reciprocal]: NoParams;
  [Primitive.LogicalNot]: NoParams;
  [Primitive.Add]: NoParams;
  [Primitive.Sub]: NoParams;
  [Primitive.Mul]: NoParams;
  [Primitive.Div]: NoParams;
  [Primitive.Pow]: NoParams;
  [Primitive.Maximum]: NoParams;
  [Primitive.Minimum]: NoParams;
  [Primitive.Mod]: NoParams;
  [Primitive.Equal]: NoParams;
  [Primitive.NotEqual]: NoParams;
  [Primitive.Less]: NoParams;
  [Primitive.LessEqual]: NoParams;
  [Primitive.LogicalAnd]: NoParams;
  [Primitive.LogicalOr]: NoParams;
  /** inputs: (cond: bool, x, y), broadcasting. */
  [Primitive.Where]: NoParams;
  [Primitive.Cast]: { dtype: DType };
  /** Reduces `axes` away (no keepdims; ops reshape). */
  [Primitive.Sum]: { axes: number[] };
  [Primitive.Prod]: { axes: number[] };
  [Primitive.Max]: { axes: number[] };
  [Primitive.Min]: { axes: number[] };
  /** Index (int32) of the first maximum along `axis`, which is removed. */
  [Primitive.Argmax]: { axis: number };
  [Primitive.Cumsum]: { axis: number; exclusive: boolean; reverse: boolean };
  /** Stable sort indices (int32) along the last axis. */
  [Primitive.Argsort]: { descending: boolean };
  /** Largest k along the last axis, sorted descending: outputs (values, int32 indices). */
  [Primitive.TopK]: { k: number };
  [Primitive.Reshape]: { shape: number[] };
  [Primitive.Transpose]: { perm: number[] };
  [Primitive.BroadcastTo]: { shape: number[] };
  /** Strided slice with positive strides; `start` inclusive, `stop` exclusive, all in range. */
  [Primitive.Slice]: { start: number[]; stop: number[]; strides: number[] };
  /** Constant padding per axis, [before, after], non-negative. */
  [Primitive.Pad]: { padding: [number, number][]; value: number };
  [Primitive.Concat]: { axis: number };
  /**
   * inputs: (x, indices int32 of shape [...batch, k]); output [...batch, ...x.shape[k:]].
   * Out-of-range indices are clamped.
   */
  [Primitive.GatherNd]: NoParams;
  /**
   * inputs: (indices int32 [...batch, k], updates [...batch, ...shape[k:]]); output zeros of
   * `shape` with updates added at the indices (duplicates add). Out-of-range rows are dropped.
   */
  [Primitive.ScatterNd]: { shape: number[] };
  /** Batched matmul (a: [...b, m, k], b: [...b, k, n]) with broadcasting batch dims, rank >= 2. */
  [Primitive.Matmul]: { transposeA: boolean; transposeB: boolean };
  /** inputs: (x [N, ...S, C], kernel [...K, C/groups, O]) -> [N, ...S', O]. */
  [Primitive.Conv]: ConvParams;
  /** inputs: (dy, kernel) -> dx of shape `inputShape`. */
  [Primitive.ConvBackpropInput]: ConvParams & { inputShape: number[] };
  /** inputs: (x, dy) -> dkernel of shape `kernelShape`. */
  [Primitive.ConvBackpropFilter]: ConvParams & { kernelShape: number[] };
  /** inputs: (x [N, ...S, C]) -> [N, ...S', C]. */
  [Primitive.Pool]: PoolParams;
  /** inputs: (dy, x) -> dx. */
  [Primitive.PoolBackprop]: PoolParams;
  /** Values 0, 1, 2, … along `axis` of a new tensor of `shape`. */
  [Primitive.Iota]: { shape: number[]; axis: number; dtype: DType };
  /**
   * Uniform float32 in [0, 1) from the counter-based Threefry-2x32 generator: element i of the
   * output is a function of (key, i) only, so every backend produces the same bits.
   */
  [Primitive.RandomUniform]: { shape: number[]; key: [number, number] };
}

export type Params<P extends Primitive> = PrimitiveParams[P];

/** Shape (null = unknown dimension, only in symbolic execution) and dtype of a value. */
export interface AbstractValue {
  shape: (number | null)[];
  dtype: DType;
}

/** Fully known shape and dtype: what a backend kernel sees. */
export interface ConcreteValue {
  shape: number[];
  dtype: DType;
}
