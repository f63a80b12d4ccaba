/**
 * Thin typed wrappers over `bind`, one per primitive, plus the few helpers gradient rules need
 * (constants, unbroadcast). No promotion, no axis normalization: that is `ops/`' job.
 * Works on concrete and symbolic tensors alike (`T` is Tensor or KerasTensor).
 */
import { bind, type AnyTensor } from "../engine/bind";
import { activeBackend, makeTensor } from "../engine/engine";
import { toTypedArray, type DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { Primitive as P, type ConvParams, type PoolParams } from "./primitive";

type T_ = AnyTensor;
const one = <T extends T_>(p: P, xs: T_[], params: object): T => bind(p, xs, params as never)[0] as T;

/** A new concrete tensor on the active backend. */
export function constant(values: ArrayLike<number | boolean>, shape: readonly number[], dtype: DType): Tensor {
  const b = activeBackend();
  const data = toTypedArray(values, dtype);
  return makeTensor(b.write(data, [...shape], dtype), shape, dtype, b);
}

export function full(shape: readonly number[], value: number, dtype: DType): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  const data = toTypedArray([value], dtype);
  const arr = new (data.constructor as new (n: number) => typeof data)(n);
  arr.fill(data[0]!);
  return constant(arr, shape, dtype);
}

export const scalar = (value: number, dtype: DType): Tensor => constant([value], [], dtype);

/** Operand coercion: a number becomes a scalar of the other operand's dtype (float32 if both are numbers). */
const lift = (x: T_ | number, like: T_ | number): T_ =>
  typeof x === "number" ? scalar(x, typeof like === "number" ? "float32" : like.dtype) : x;

export const neg = <T extends T_>(x: T): T => one(P.Neg, [x], {});
export const abs = <T extends T_>(x: T): T => one(P.Abs, [x], {});
export const sign = <T extends T_>(x: T): T => one(P.Sign, [x], {});
export const exp = <T extends T_>(x: T): T => one(P.Exp, [x], {});
export const log = <T extends T_>(x: T): T => one(P.Log, [x], {});
export const log1p = <T extends T_>(x: T): T => one(P.Log1p, [x], {});
export const expm1 = <T extends T_>(x: T): T => one(P.Expm1, [x], {});
export const sqrt = <T extends T_>(x: T): T => one(P.Sqrt, [x], {});
export const sin = <T extends T_>(x: T): T => one(P.Sin, [x], {});
export const cos = <T extends T_>(x: T): T => one(P.Cos, [x], {});
export const tanh = <T extends T_>(x: T): T => one(P.Tanh, [x], {});
export const erf = <T extends T_>(x: T): T => one(P.Erf, [x], {});
export const floor = <T extends T_>(x: T): T => one(P.Floor, [x], {});
export const round = <T extends T_>(x: T): T => one(P.Round, [x], {});
export const reciprocal = <T extends T_>(x: T): T => one(P.Reciprocal, [x], {});
export const logicalNot = <T extends T_>(x: T): T => one(P.LogicalNot, [x], {});

function bin(p: P) {
  return <T extends T_>(a: T | number, b: T | number): T => {
    if (typeof a === "number") a = lift(a, b) as T;
    if (typeof b === "number") b = lift(b, a) as T;
    return one(p, [a, b as T], {});
  };
}
export const add = bin(P.Add);
export const sub = bin(P.Sub);
export const mul = bin(P.Mul);
export const div = bin(P.Div);
export const pow = bin(P.Pow);
export const maximum = bin(P.Maximum);
export const minimum = bin(P.Minimum);
export const mod = bin(P.Mod);
export const equal = bin(P.Equal);
export const notEqual = bin(P.NotEqual);
export const less = bin(P.Less);
export const lessEqual = bin(P.LessEqual);
export const greater = <T extends T_>(a: T | number, b: T | number): T => less(b, a);
export const greaterEqual = <T extends T_>(a: T | number, b: T | number): T => lessEqual(b, a);
export const logicalAnd = bin(P.LogicalAnd);
export const logicalOr = bin(P.LogicalOr);

export function where<T extends T_>(cond: T_, x: T | number, y: T | number): T {
  if (typeof x === "number") x = lift(x, y) as T;
  if (typeof y === "number") y = lift(y, x) as T;
  return one(P.Where, [cond, x, y as T], {});
}
export const cast = <T extends T_>(x: T, dtype: DType): T => (x.dtype === dtype ? x : one(P.Cast, [x], { dtype }));

export const sum = <T extends T_>(x: T, axes: number[]): T => (axes.length === 0 ? x : one(P.Sum, [x], { axes }));
export const prod = <T extends T_>(x: T, axes: number[]): T => (axes.length === 0 ? x : one(P.Prod, [x], { axes }));
export const max = <T extends T_>(x: T, axes: number[]): T => (axes.length === 0 ? x : one(P.Max, [x], { axes }));
export const min = <T extends T_>(x: T, axes: number[]): T => (axes.length === 0 ? x : one(P.Min, [x], { axes }));
export const argmax = <T extends T_>(x: T, axis: number): T => one(P.Argmax, [x], { axis });
export const cumsum = <T extends T_>(x: T, axis: number, exclusive = false, reverse = false): T =>
  one(P.Cumsum, [x], { axis, exclusive, reverse });
export const argsort = <T extends T_>(x: T, descending = false): T => one(P.Argsort, [x], { descending });
export function topK<T extends T_>(x: T, k: number): [T, T] {
  const [v, i] = bind(P.TopK, [x], { k });
  return [v as T, i as T];
}

export function reshape<T extends T_>(x: T, shape: readonly number[]): T {
  if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
  return one(P.Reshape, [x], { shape: [...shape] });
}
export function transpose<T extends T_>(x: T, perm: readonly number[]): T {
  if (perm.every((p, i) => p === i)) return x;
  return one(P.Transpose, [x], { perm: [...perm] });
}
export function broadcastTo<T extends T_>(x: T, shape: readonly number[]): T {
  if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
  return one(P.BroadcastTo, [x], { shape: [...shape] });
}
export const slice = <T extends T_>(x: T, start: number[], stop: number[], strides?: number[]): T =>
  one(P.Slice, [x], { start, stop, strides: strides ?? start.map(() => 1) });
export const pad = <T extends T_>(x: T, padding: [number, number][], value = 0): T =>
  padding.every(([a, b]) => a === 0 && b === 0) ? x : one(P.Pad, [x], { padding, value });
export const concat = <T extends T_>(xs: T[], axis: number): T => (xs.length === 1 ? xs[0]! : one(P.Concat, xs, { axis }));
export const gatherNd = <T extends T_>(x: T, indices: T_): T => one(P.GatherNd, [x, indices], {});
export const scatterNd = <T extends T_>(indices: T_, updates: T, shape: number[]): T =>
  one(P.ScatterNd, [indices, updates], { shape });
export const matmul = <T extends T_>(a: T, b: T, transposeA = false, transposeB = false): T =>
  one(P.Matmul, [a, b], { transposeA, transposeB });
export const conv = <T extends T_>(x: T, kernel: T, p: ConvParams): T => one(P.Conv, [x, kernel], p);
export const convBackpropInput = <T extends T_>(dy: T, kernel: T, p: ConvParams, inputShape: number[]): T =>
  one(P.ConvBackpropInput, [dy, kernel], { ...p, inputShape });
export const convBackpropFilter = <T extends T_>(x: T, dy: T, p: ConvParams, kernelShape: number[]): T =>
  one(P.ConvBackpropFilter, [x, dy], { ...p, kernelShape });
export const pool = <T extends T_>(x: T, p: PoolParams): T => one(P.Pool, [x], p);
export const poolBackprop = <T extends T_>(dy: T, x: T, p: PoolParams): T => one(P.PoolBackprop, [dy, x], p);
export const iota = (shape: number[], axis: number, dtype: DType = "int32"): Tensor =>
  bind(P.Iota, [], { shape, axis, dtype })[0] as Tensor;
export const randomUniform = (shape: number[], key: [number, number]): Tensor =>
  bind(P.RandomUniform, [], { shape, key })[0] as Tensor;

export const zerosLike = (x: T_): Tensor => full(x.shape as number[], 0, x.dtype);
export const onesLike = (x: T_): Tensor => full(x.shape as number[], 1, x.dtype);

/** Sums `ct` down to `shape`, undoing NumPy broadcasting (for gradients of broadcasting ops). */
export function unbroadcast<T extends T_>(ct: T, shape: readonly number[]): T {
  const r = ct.shape.length;
  const lead = r - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < r; i++) if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  return reshape(sum(ct, axes), shape);
}
