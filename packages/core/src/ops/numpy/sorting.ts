/**
 * Sorting of `keras.ops` (NumPy family). `argsort` is the Argsort primitive (stable, NaN last)
 * along a moved axis; `sort` takes the values from TopK with k = n (differentiable: its gradient
 * scatters back to the picked positions) and reverses them, which needs only the length of the
 * sorted axis to be known.
 */
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, normalizeAxis, type TensorLike } from "../convert";
import { gatherAxis, moveAxis, prodDims, reshapeBy } from "./internal";
import { deferIfUnknown } from "../../symbolic/deferred_op";

/** `x` as an (at least 1-D) tensor and the non-negative axis to sort along (flattened when null). */
function prepare(op: string, x: TensorLike, axis: number | null): [AnyTensor, number] {
  let t = convertToTensor<AnyTensor>(x);
  if (axis === null || t.shape.length === 0) {
    t = reshapeBy(t, op, (s) => [prodDims(s)]);
    axis = 0;
  }
  return [t, normalizeAxis(axis, t.shape.length, op)];
}

/**
 * Indices (int32) that sort `x` along `axis` (stable; NaN last); the flattened input when null.
 * @example keras.ops.argsort([3, 1, 2]); // [1, 2, 0]
 */
export function argsort<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = -1): T {
  const [t, ax] = prepare("argsort", x, axis);
  const last = t.shape.length - 1;
  return moveAxis(lax.argsort(moveAxis(t, ax, last)), last, ax) as T;
}

/**
 * Sorted copy of `x` along `axis` (ascending; NaN last); the flattened input when null.
 * @example keras.ops.sort([[3, 1], [0, 2]]); // [[1, 3], [0, 2]]
 */
export function sort<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | null = -1): T {
  const [t, ax] = prepare("sort", x, axis);
  const n = t.shape[ax];
  if (n === null)
    return deferIfUnknown("sort", [t], () => [{ shape: [...t.shape], dtype: t.dtype }], ([u]) => [sort(u!, ax)])![0] as unknown as T;
  if (t.dtype === "bool") return lax.cast(sort<AnyTensor>(lax.cast(t, "int32"), ax), "bool") as T;
  if (n <= 1) return t as T;
  const last = t.shape.length - 1;
  // TopK gives descending order (NaN first); reversing gives ascending with NaN last.
  const [desc] = lax.topK(moveAxis(t, ax, last), n);
  const asc = gatherAxis(desc, Array.from({ length: n }, (_, i) => n - 1 - i), last);
  return moveAxis(asc, last, ax) as T;
}
