/**
 * Shared helpers for `keras.ops`: turning user values into tensors, Keras dtype promotion of
 * operands (JavaScript numbers are weak types, like Python scalars), axis normalization.
 */
import { ValueError, fmt } from "../errors";
import type { AnyTensor } from "../engine/bind";
import * as lax from "../primitives/lax";
import {
  inferDType,
  promoteTypes,
  promoteWithScalar,
  standardizeDType,
  type DType,
  type TypedArray,
} from "../tensor/dtype";
import { Tensor, type NestedArray } from "../tensor/tensor";
import { KerasTensor } from "../symbolic/keras_tensor";

/** Anything `keras.ops` accepts where a tensor is expected. */
export type TensorLike = AnyTensor | NestedArray | TypedArray | Float64Array;

export function isTensorLike(x: unknown): x is AnyTensor {
  return x instanceof Tensor || x instanceof KerasTensor;
}

function flatten(x: NestedArray, shape: number[], out: (number | boolean)[], depth = 0, op = "convertToTensor"): void {
  if (Array.isArray(x)) {
    if (shape.length <= depth) shape.push(x.length);
    else if (shape[depth] !== x.length)
      throw new ValueError(`${op}: nested arrays must be rectangular. Received: a ragged array at depth ${depth}`);
    for (const v of x) flatten(v, shape, out, depth + 1, op);
  } else {
    if (depth !== shape.length)
      throw new ValueError(`${op}: nested arrays must be rectangular. Received: a scalar at depth ${depth}`);
    out.push(x);
  }
}

/**
 * Converts numbers, booleans, nested arrays or typed arrays to a tensor on the active backend;
 * tensors pass through (cast if `dtype` differs).
 * @example const x = keras.ops.convertToTensor([[1, 2], [3, 4]], "float32");
 */
export function convertToTensor<T extends AnyTensor = Tensor>(x: TensorLike, dtype?: DType | string): T {
  const dt = dtype === undefined ? undefined : standardizeDType(dtype, "convertToTensor");
  if (isTensorLike(x)) return (dt ? lax.cast(x, dt) : x) as T;
  if (ArrayBuffer.isView(x)) {
    const arr = x as unknown as ArrayLike<number>;
    return lax.constant(arr, [arr.length], dt ?? inferDType(x)) as T;
  }
  if (typeof x === "number" || typeof x === "boolean") {
    // Keras: a Python float converts to float32, an int to int32.
    return lax.constant([x], [], dt ?? inferDType(x)) as T;
  }
  if (Array.isArray(x)) {
    const shape: number[] = [];
    const flat: (number | boolean)[] = [];
    flatten(x, shape, flat);
    return lax.constant(flat, shape, dt ?? inferDType(x)) as T;
  }
  throw new ValueError(`convertToTensor: cannot convert this value to a tensor. Received: ${fmt(x)}`);
}

/** Result dtype of an op on these operands under Keras promotion (numbers are weak). */
export function resultDType(...xs: TensorLike[]): DType {
  let strong: DType | null = null;
  for (const x of xs) {
    if (typeof x === "number" || typeof x === "boolean") continue;
    const d = isTensorLike(x) ? x.dtype : inferDType(x);
    strong = strong ? promoteTypes(strong, d) : d;
  }
  if (strong === null) return xs.map(inferDType).reduce(promoteTypes, "bool");
  let dt: DType = strong;
  for (const x of xs) if (typeof x === "number" || typeof x === "boolean") dt = promoteWithScalar(dt, x);
  return dt;
}

/** Converts operands to tensors of one promoted dtype (optionally at least `minDType`). */
export function promoteOperands<T extends AnyTensor = Tensor>(xs: TensorLike[], minDType?: DType): T[] {
  let dt = resultDType(...xs);
  if (minDType) dt = promoteTypes(dt, minDType);
  return xs.map((x) => convertToTensor<T>(x, dt));
}

/** Normalizes a possibly negative axis, or throws naming the op. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1) || (rank === 0 && axis !== 0 && axis !== -1))
    throw new ValueError(`${op}: axis ${axis} is out of bounds for a tensor of rank ${rank}. Received: axis=${axis}`);
  return axis < 0 ? axis + rank : axis;
}

/** Normalizes `axis` (number, list, or null/undefined = all axes) to sorted unique axes. */
export function normalizeAxes(axis: number | readonly number[] | null | undefined, rank: number, op: string): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = [...new Set(list.map((a) => normalizeAxis(a, rank, op)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new ValueError(`${op}: repeated axis. Received: axis=${fmt(axis)}`);
  return out;
}

/** Static shape of a tensor; throws naming `op` when a dim is unknown and it matters. */
export function staticShape(x: AnyTensor, op: string): number[] {
  if (x.shape.some((d) => d === null))
    throw new ValueError(`${op}: needs a fully known shape here. Received: shape=${fmt(x.shape)}`);
  return x.shape as number[];
}
