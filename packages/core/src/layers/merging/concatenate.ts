/**
 * Concatenate (Keras 3 `keras/src/layers/merging/concatenate.py`): joins a list of tensors along
 * `axis`. All inputs need the same rank and, except along `axis`, the same known dims.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/merging/concatenate.py
 */
import { ShapeError, ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { Merge, checkMaskList, fmtShapes } from "./base_merge";

export interface ConcatenateOptions extends LayerOptions {
  /** Concatenation axis (default -1). */
  axis?: number;
}

/**
 * Concatenates a list of inputs along `axis`.
 * @example new keras.layers.Concatenate().apply([keras.Input([3]), keras.Input([4])]); // (None, 7)
 */
export class Concatenate extends Merge {
  static override className = "Concatenate";
  readonly axis: number;

  constructor(options: ConcatenateOptions = {}) {
    super(options);
    const axis = options.axis ?? -1;
    if (!Number.isInteger(axis))
      throw new ValueError(
        `Concatenate "${this.name}": \`axis\` must be an integer. Received: axis=${fmt(axis)}`,
      );
    this.axis = axis;
  }

  protected override validate(inputShape: Shape[]): void {
    if (!Array.isArray(inputShape) || inputShape.length < 1 || !Array.isArray(inputShape[0]))
      throw new ValueError(
        `A \`Concatenate\` layer should be called on a list of at least 1 input. Received: input_shape=${fmt(inputShape)}`,
      );
    const err = () =>
      new ShapeError(
        `A \`Concatenate\` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=${fmtShapes(inputShape)}`,
      );
    const rank = inputShape[0]!.length;
    if (inputShape.some((s) => s.length !== rank)) throw err();
    if (rank === 0) throw err();
    const ax = ((this.axis % rank) + rank) % rank;
    for (let d = 0; d < rank; d++) {
      if (d === ax) continue;
      const known = new Set(inputShape.map((s) => s[d]).filter((v) => v !== null));
      if (known.size > 1) throw err();
    }
    this.reshapeRequired = false;
  }

  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return ops.concatenate<AnyTensor>(inputs, this.axis);
  }

  /**
   * Keras `compute_mask`: masks are concatenated along `axis` (all-true masks stand in for
   * inputs without one) and reduced with `any` over the last axis; null when no mask is given.
   */
  override computeMask(
    inputs: unknown,
    mask: (AnyTensor | null)[] | null = null,
  ): AnyTensor | null {
    if (mask === null || mask === undefined) return null;
    checkMaskList(inputs, mask);
    if (mask.every((m) => m === null || m === undefined)) return null;
    const masks = mask.map((m, i) => {
      const x = (inputs as AnyTensor[])[i]!;
      if (m === null || m === undefined) return ops.onesLike<AnyTensor>(x, "bool");
      // A mask of lower rank than its input (e.g. (B, T) for (B, T, F)) is broadcast over it.
      return m.shape.length < x.shape.length
        ? ops.logicalAnd<AnyTensor>(ops.expandDims(m, -1), ops.onesLike(x, "bool"))
        : m;
    });
    const cat = ops.concatenate<AnyTensor>(masks, this.axis);
    return ops.any<AnyTensor>(cat, -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  static fromConfig(config: Record<string, unknown>): Concatenate {
    return new Concatenate(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "Concatenate", Concatenate);

/**
 * Functional form of `Concatenate` (Keras `keras.layers.concatenate`).
 * @example const y = keras.layers.concatenate([a, b], -1);
 */
export const concatenate = (
  inputs: AnyTensor[],
  axis = -1,
  options: LayerOptions = {},
): AnyTensor => new Concatenate({ ...options, axis }).apply(inputs);
