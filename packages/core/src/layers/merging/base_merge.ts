/**
 * Merge: base of the layers that combine a list of tensors (Keras 3
 * `keras/src/layers/merging/base_merge.py`). The input shapes are checked when the layer is
 * built (at the first call, symbolic or eager): batch sizes must agree and the other dims must
 * broadcast (aligned from the right, as Keras' `_compute_elemwise_op_output_shape`). Inputs of
 * lower rank get size-1 axes inserted after the batch axis.
 *
 * Not implemented: Keras' per-tensor masks (`_keras_mask`) in the merge functions; `computeMask`
 * combines explicit masks as Keras does.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/merging/base_merge.py
 */
import { ValueError, ShapeError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { Layer, type LayerOptions, type Shape } from "../layer";

/** Formats a list of shapes as Keras prints them: `[(None, 3), (None, 4)]`. */
export function fmtShapes(shapes: readonly (readonly (number | null)[] | null)[]): string {
  return `[${shapes.map((s) => (s === null ? "None" : fmt([...s]))).join(", ")}]`;
}

function isShapeList(x: unknown): x is Shape[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.every((s) => Array.isArray(s) && s.every((d) => d === null || typeof d === "number"))
  );
}

/** Keras `_compute_elemwise_op_output_shape` (shapes without batch; null = unknown rank). */
export function elemwiseOutputShape(shape1: Shape | null, shape2: Shape | null): Shape | null {
  if (shape1 === null || shape2 === null) return null;
  if (shape1.length < shape2.length) return elemwiseOutputShape(shape2, shape1);
  if (shape2.length === 0) return shape1;
  const out: Shape = shape1.slice(0, shape1.length - shape2.length);
  const tail = shape1.slice(shape1.length - shape2.length);
  tail.forEach((i, k) => {
    const j = shape2[k]!;
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else {
      if (i !== j)
        throw new ShapeError(
          `Inputs have incompatible shapes. Received shapes ${fmt(shape1)} and ${fmt(shape2)}`,
        );
      out.push(i);
    }
  });
  return out;
}

/**
 * Keras' checks of `compute_mask` arguments on merge layers: `mask` and `inputs` are lists of
 * the same length.
 */
export function checkMaskList(inputs: unknown, mask: unknown): asserts mask is unknown[] {
  if (!Array.isArray(mask))
    throw new ValueError(`\`mask\` should be a list. Received: mask=${fmt(mask)}`);
  if (!Array.isArray(inputs))
    throw new ValueError(`\`inputs\` should be a list. Received: inputs=${fmt(inputs)}`);
  if (mask.length !== inputs.length)
    throw new ValueError(
      `The lists \`inputs\` and \`mask\` should have the same length. Received: inputs=${inputs.length} tensors, mask=${mask.length} masks`,
    );
}

export abstract class Merge extends Layer {
  protected reshapeRequired = false;

  constructor(options: LayerOptions = {}) {
    super(options);
    this.supportsMasking = true;
  }

  /** Combines inputs of equal rank. */
  protected abstract mergeFunction(inputs: AnyTensor[]): AnyTensor;

  /** Checks that `inputShape` is a list of shapes (Keras' first check in every merge build). */
  protected checkShapeList(inputShape: unknown): asserts inputShape is Shape[] {
    if (!isShapeList(inputShape))
      throw new ValueError(
        `A merge layer should be called on a list of inputs. Received: input_shape=${fmt(inputShape)} (not a list of shapes)`,
      );
  }

  override build(inputShape: Shape[]): void {
    this.validate(inputShape);
    super.build(inputShape);
  }

  /**
   * Checks a call's input shapes (Keras does it in `build`, and its input checks run at every
   * call; here both build and call run this) and notes whether ranks differ.
   */
  protected validate(inputShape: Shape[]): void {
    this.checkShapeList(inputShape);
    const batchSizes = new Set(
      inputShape.map((s) => s[0]).filter((d) => d !== null && d !== undefined),
    );
    if (batchSizes.size > 1)
      throw new ShapeError(
        `Cannot merge tensors with different batch sizes. Received tensors with shapes ${fmtShapes(inputShape)}`,
      );
    this.computeElemwiseShape(inputShape);
    this.reshapeRequired = new Set(inputShape.map((s) => s.length)).size !== 1;
  }

  /** The broadcast output shape (without batch) of a list of input shapes; throws if they do not broadcast. */
  protected computeElemwiseShape(inputShape: Shape[]): Shape | null {
    let out: Shape | null = inputShape[0]!.slice(1);
    for (let i = 1; i < inputShape.length; i++)
      out = elemwiseOutputShape(out, inputShape[i]!.slice(1));
    return out;
  }

  call(inputs: AnyTensor[]): AnyTensor {
    if (!Array.isArray(inputs))
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): a merge layer should be called on a list of inputs. Received: inputs=${fmt(inputs)} (not a list of tensors)`,
      );
    this.validate(inputs.map((t) => [...t.shape]));
    if (!this.reshapeRequired) return this.mergeFunction(inputs);
    // Expand lower-rank inputs at axis 1 until all ranks match.
    const maxNdim = Math.max(...inputs.map((t) => t.shape.length));
    const reshaped = inputs.map((t) => {
      let x = t;
      for (let k = t.shape.length; k < maxNdim; k++) x = ops.expandDims<AnyTensor>(x, 1);
      return x;
    });
    return this.mergeFunction(reshaped);
  }

  /**
   * Keras `compute_mask`: the AND of the given masks (null if none is given).
   * @example layer.computeMask([a, b], [maskA, null]);
   */
  computeMask(inputs: unknown, mask: (AnyTensor | null)[] | null = null): AnyTensor | null {
    if (mask === null || mask === undefined) return null;
    checkMaskList(inputs, mask);
    const given = mask.filter((m): m is AnyTensor => m !== null && m !== undefined);
    if (given.length === 0) return null;
    const stacked = ops.concatenate<AnyTensor>(
      given.map((m) => ops.expandDims(m, 0)),
      0,
    );
    return ops.all<AnyTensor>(stacked, 0);
  }
}
