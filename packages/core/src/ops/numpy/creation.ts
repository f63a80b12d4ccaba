/**
 * Tensor creation of `keras.ops` (NumPy family). `zeros`, `arange`, `eye`... make concrete tensors
 * on the active backend (float32 unless `dtype` says otherwise, as Keras' floatx); the `*Like`
 * ops follow their input and stay symbolic for a KerasTensor input.
 */
import { fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import { standardizeDType, type DType } from "../../tensor/dtype";
import type { Tensor } from "../../tensor/tensor";
import { broadcastShapes } from "../../primitives/shape_rules";
import { convertToTensor, isTensorLike, normalizeAxis, type TensorLike } from "../convert";
import { broadcastToChecked, fail, fillLike, moveAxis } from "./internal";

type Shape = number | readonly number[];

function shapeOf(op: string, shape: Shape): number[] {
  const s = typeof shape === "number" ? [shape] : [...shape];
  if (s.some((d) => !Number.isInteger(d) || d < 0)) fail(op, "shape must hold non-negative integers", `shape=${fmt(shape)}`);
  return s;
}

const dt = (op: string, dtype: string | null | undefined, dflt: DType = "float32"): DType =>
  dtype === null || dtype === undefined ? dflt : standardizeDType(dtype, op);

/**
 * A tensor of zeros.
 * @example keras.ops.zeros([2, 3]);
 */
export function zeros(shape: Shape, dtype: string | null = null): Tensor {
  return lax.full(shapeOf("zeros", shape), 0, dt("zeros", dtype));
}

/**
 * A tensor of ones.
 * @example keras.ops.ones([2, 3], "int32");
 */
export function ones(shape: Shape, dtype: string | null = null): Tensor {
  return lax.full(shapeOf("ones", shape), 1, dt("ones", dtype));
}

/**
 * An uninitialized tensor in NumPy; here, zeros.
 * @example keras.ops.empty([2]);
 */
export function empty(shape: Shape, dtype: string | null = null): Tensor {
  return zeros(shape, dtype);
}

/**
 * A tensor of `shape` filled with `fillValue` (a number, or a tensor broadcast to `shape`).
 * @example keras.ops.full([2, 2], 7); // float32
 */
export function full(shape: Shape, fillValue: TensorLike, dtype: string | null = null): Tensor {
  const s = shapeOf("full", shape);
  if (typeof fillValue === "number" || typeof fillValue === "boolean") return lax.full(s, Number(fillValue), dt("full", dtype));
  const v = convertToTensor<AnyTensor>(fillValue, dt("full", dtype, isTensorLike(fillValue) ? fillValue.dtype : "float32"));
  return broadcastToChecked("full", v, s) as Tensor;
}

/**
 * Zeros with the shape (and, unless `dtype` is given, the dtype) of `x`.
 * @example keras.ops.zerosLike(x);
 */
export function zerosLike<T extends AnyTensor = Tensor>(x: TensorLike, dtype: string | null = null): T {
  const t = convertToTensor<AnyTensor>(x);
  return fillLike(t, 0, dt("zerosLike", dtype, t.dtype)) as T;
}

/**
 * Ones with the shape (and, unless `dtype` is given, the dtype) of `x`.
 * @example keras.ops.onesLike(x);
 */
export function onesLike<T extends AnyTensor = Tensor>(x: TensorLike, dtype: string | null = null): T {
  const t = convertToTensor<AnyTensor>(x);
  return fillLike(t, 1, dt("onesLike", dtype, t.dtype)) as T;
}

/**
 * `fillValue` with the shape (and, unless `dtype` is given, the dtype) of `x`.
 * @example keras.ops.fullLike(x, 0.5);
 */
export function fullLike<T extends AnyTensor = Tensor>(x: TensorLike, fillValue: number, dtype: string | null = null): T {
  const t = convertToTensor<AnyTensor>(x);
  return fillLike(t, fillValue, dt("fullLike", dtype, t.dtype)) as T;
}

/**
 * Evenly spaced values in `[start, stop)` with `step`; `arange(n)` is `0..n-1`. The dtype is
 * int32 when every argument is an integer, else float32, unless `dtype` is given.
 * @example keras.ops.arange(1, 2, 0.25); // [1, 1.25, 1.5, 1.75]
 */
export function arange(start: number, stop: number | null = null, step = 1, dtype: string | null = null): Tensor {
  if (stop === null) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) fail("arange", "step must be a finite non-zero number", `step=${step}`);
  const allInt = [start, stop, step].every(Number.isInteger);
  const d = dt("arange", dtype, allInt ? "int32" : "float32");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (!Number.isFinite(n)) fail("arange", "the range must be finite", `start=${start}, stop=${stop}, step=${step}`);
  const work: DType = d === "int32" && allInt ? "int32" : "float32";
  const y = lax.add(lax.mul(lax.iota([n], 0, work), step), start);
  return lax.cast(y, d);
}

/** Options of `linspace` and `logspace` beyond start, stop and num. */
interface SpaceArgs {
  endpoint: boolean;
  dtype: string | null;
  axis: number;
}

function space(op: string, start: TensorLike, stop: TensorLike, num: number, a: SpaceArgs): [Tensor, Tensor] {
  if (!Number.isInteger(num) || num < 0) fail(op, "num must be a non-negative integer", `num=${num}`);
  const s = convertToTensor<Tensor>(start, "float32");
  const e = convertToTensor<Tensor>(stop, "float32");
  const S = broadcastShapes([[...s.shape], [...e.shape]], op) as number[];
  const div = a.endpoint ? num - 1 : num;
  const delta = lax.sub(e, s); // (...S)
  const step = div > 0 ? lax.div(delta, div) : lax.full(S, NaN, "float32");
  const i = lax.iota([num, ...S], 0, "float32"); // (num, ...S)
  let y = lax.add(div > 0 ? lax.mul(i, step) : lax.mul(i, 0), s);
  if (a.endpoint && num > 1) y = lax.where(lax.equal(i, num - 1), lax.broadcastTo(e, [num, ...S]), y);
  return [moveAxis(y, 0, normalizeAxis(a.axis, S.length + 1, op)), step];
}

/**
 * `num` evenly spaced values from `start` to `stop` (included unless `endpoint` is false); with
 * `retstep`, returns `[values, step]`. Tensor `start`/`stop` give one sequence per element along
 * `axis`. float32 unless `dtype` is given (integer dtypes round down).
 * @example keras.ops.linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(
  start: TensorLike,
  stop: TensorLike,
  num?: number,
  endpoint?: boolean,
  retstep?: false,
  dtype?: string | null,
  axis?: number,
): Tensor;
export function linspace(
  start: TensorLike,
  stop: TensorLike,
  num: number,
  endpoint: boolean,
  retstep: true,
  dtype?: string | null,
  axis?: number,
): [Tensor, Tensor];
export function linspace(
  start: TensorLike,
  stop: TensorLike,
  num = 50,
  endpoint = true,
  retstep = false,
  dtype: string | null = null,
  axis = 0,
): Tensor | [Tensor, Tensor] {
  const [v, step] = space("linspace", start, stop, num, { endpoint, dtype, axis });
  const d = dt("linspace", dtype);
  const y = d === "float32" ? v : lax.cast(lax.floor(v), d);
  return retstep ? [y, step] : y;
}

/**
 * `num` values spaced evenly on a log scale: `base ** linspace(start, stop)`.
 * @example keras.ops.logspace(0, 2, 3); // [1, 10, 100]
 */
export function logspace(
  start: TensorLike,
  stop: TensorLike,
  num = 50,
  endpoint = true,
  base = 10,
  dtype: string | null = null,
  axis = 0,
): Tensor {
  const [e] = space("logspace", start, stop, num, { endpoint, dtype, axis });
  let y = lax.pow(lax.scalar(base, "float32"), e);
  const d = dt("logspace", dtype);
  if (d !== "float32") y = lax.cast(lax.floor(y), d);
  return y;
}

/** (N, M) mask of `cmp(j - i, k)`. */
function band(n: number, m: number, k: number, cmp: "eq" | "le"): Tensor {
  const diff = lax.sub(lax.iota([n, m], 1), lax.iota([n, m], 0));
  return cmp === "eq" ? lax.equal(diff, k) : lax.lessEqual(diff, k);
}

/**
 * A 2-D tensor with ones on the `k`-th diagonal and zeros elsewhere.
 * @example keras.ops.eye(3);
 */
export function eye(N: number, M: number | null = null, k = 0, dtype: string | null = null): Tensor {
  shapeOf("eye", [N, M ?? N]);
  return lax.cast(band(N, M ?? N, k, "eq"), dt("eye", dtype));
}

/**
 * The `n` x `n` identity matrix.
 * @example keras.ops.identity(2); // [[1, 0], [0, 1]]
 */
export function identity(n: number, dtype: string | null = null): Tensor {
  return eye(n, null, 0, dtype);
}

/**
 * A 2-D tensor with ones at and below the `k`-th diagonal.
 * @example keras.ops.tri(3);
 */
export function tri(N: number, M: number | null = null, k = 0, dtype: string | null = null): Tensor {
  shapeOf("tri", [N, M ?? N]);
  return lax.cast(band(N, M ?? N, k, "le"), dt("tri", dtype));
}
