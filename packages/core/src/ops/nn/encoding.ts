/**
 * Integer label encodings of `keras.ops`: `oneHot` and `multiHot`, built from Iota + Equal.
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import { standardizeDType, type DType } from "../../tensor/dtype";
import type { Tensor } from "../../tensor/tensor";
import type { TensorLike } from "../convert";
import { expandDim, toTensor } from "./util";

function checkClasses(numClasses: number, op: string): void {
  if (!Number.isInteger(numClasses) || numClasses < 0)
    throw new ValueError(
      `${op}: \`num_classes\` must be a non-negative int. Received: num_classes=${fmt(numClasses)}`,
    );
}

/**
 * One-hot encodes integer `x`: the result has a new axis of size `numClasses` at `axis` (-1 =
 * last) holding 1 at the label and 0 elsewhere. Labels outside [0, numClasses) give all zeros.
 * `sparse` is accepted for Keras compatibility and must be false.
 * @example
 * keras.ops.oneHot([1, 3, 2, 0], 4);
 * // [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]]
 */
export function oneHot<T extends AnyTensor = Tensor>(
  x: TensorLike,
  numClasses: number,
  axis = -1,
  dtype: DType | string | null = "float32",
  sparse = false,
): T {
  checkClasses(numClasses, "one_hot");
  if (sparse)
    throw new ValueError("one_hot: sparse outputs are not supported. Received: sparse=true");
  let t = toTensor(x);
  if (t.dtype !== "int32") t = lax.cast(t, "int32");
  const r = t.shape.length;
  if (!(axis === -1 || (Number.isInteger(axis) && axis >= 0 && axis < r)))
    throw new ValueError(`one_hot: axis must be -1 or in [0, ${r}). Received: axis=${fmt(axis)}`);
  const ax = axis === -1 ? r : axis;
  // (..., 1 at ax, ...) == (1, ..., C at ax, ..., 1) -> (..., C at ax, ...)
  const labels = expandDim(t, ax);
  const classShape = new Array<number>(r + 1).fill(1);
  classShape[ax] = numClasses;
  const classes = lax.reshape(lax.iota([numClasses], 0, "int32"), classShape);
  const hot = lax.equal(labels, classes);
  return lax.cast(hot, standardizeDType(dtype ?? "float32", "one_hot")) as T;
}

/**
 * Multi-hot encodes integer labels: one-hot along `axis`, then the max over axis 1 (or axis 0 for
 * rank-1 input), as Keras does, so each sample gets 1 for every label it contains.
 * @example
 * keras.ops.multiHot([0, 4], 5); // [1, 0, 0, 0, 1]
 * keras.ops.multiHot([[0, 1], [2, 2]], 3); // [[1, 1, 0], [0, 0, 1]]
 */
export function multiHot<T extends AnyTensor = Tensor>(
  inputs: TensorLike,
  numClasses: number,
  axis = -1,
  dtype: DType | string | null = "float32",
  sparse = false,
): T {
  checkClasses(numClasses, "multi_hot");
  if (sparse)
    throw new ValueError("multi_hot: sparse outputs are not supported. Received: sparse=true");
  const t = toTensor(inputs);
  const reductionAxis = t.shape.length > 1 ? 1 : 0;
  const hot = oneHot<AnyTensor>(t, numClasses, axis, "float32");
  const out = lax.max(hot, [reductionAxis]);
  return lax.cast(out, standardizeDType(dtype ?? "float32", "multi_hot")) as T;
}
