/**
 * Reshape (Keras 3 `keras/src/layers/reshaping/reshape.py`): gives each sample the shape
 * `targetShape` (one entry may be -1, inferred). The batch dimension is kept.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/reshape.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { KerasTensor } from "../../symbolic/keras_tensor";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { prodOrNull } from "./utils";

/**
 * Keras `compute_reshape_output_shape`: resolves the -1 of `target` for `inputShape` (both
 * without batch). Unknown input dims leave the -1 unknown (null).
 */
export function computeReshapeOutputShape(
  inputShape: Shape,
  target: readonly number[],
  where: string,
): Shape {
  const unknownAt = target.indexOf(-1);
  const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const n = prodOrNull(inputShape);
  if (unknownAt < 0) {
    if (n !== null && n !== known)
      throw new ValueError(
        `${where}: the total size of the tensor must be unchanged. Received: input_shape=${fmt(inputShape)}, target_shape=${fmt(target)}`,
      );
    return [...target];
  }
  if (n === null) return target.map((d) => (d === -1 ? null : d));
  if (known === 0 || n % known !== 0)
    throw new ValueError(
      `${where}: the total size of the tensor must be unchanged. Received: input_shape=${fmt(inputShape)}, target_shape=${fmt(target)}`,
    );
  return target.map((d) => (d === -1 ? n / known : d));
}

/**
 * Layer that reshapes inputs into the given shape.
 * @example new keras.layers.Reshape([-1, 2]).apply(keras.Input([3, 4])); // shape (None, 6, 2)
 */
export class Reshape extends Layer {
  static override className = "Reshape";
  readonly targetShape: number[];

  constructor(targetShape: readonly number[], options: LayerOptions = {}) {
    super(options);
    if (
      !Array.isArray(targetShape) ||
      targetShape.some((d) => !Number.isInteger(d) || d < -1 || d === 0)
    )
      throw new ValueError(
        `Reshape "${this.name}": \`target_shape\` must be a list of positive integers with at most one -1. Received: target_shape=${fmt(targetShape)}`,
      );
    if (targetShape.filter((d) => d === -1).length > 1)
      throw new ValueError(
        `Reshape "${this.name}": the \`target_shape\` argument must not contain more than one \`-1\` value. Received: target_shape=${fmt(targetShape)}`,
      );
    this.targetShape = [...targetShape];
    this.built = true;
  }

  /** Symbolic calls with unknown non-batch dims use the static shape rule (a reshape allows one -1). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override computeOutputSpec(inputs: any): any {
    const x = inputs as KerasTensor;
    const resolved = computeReshapeOutputShape(
      x.shape.slice(1),
      this.targetShape,
      `Layer "${this.name}" (Reshape)`,
    );
    if (resolved.every((d) => d !== null)) return this.call(x);
    return new KerasTensor([x.shape[0] ?? null, ...resolved], x.dtype);
  }

  call(inputs: AnyTensor): AnyTensor {
    const resolved = computeReshapeOutputShape(
      inputs.shape.slice(1),
      this.targetShape,
      `Layer "${this.name}" (Reshape)`,
    );
    return ops.reshape<AnyTensor>(inputs, [inputs.shape[0] ?? -1, ...resolved.map((d) => d ?? -1)]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }

  static fromConfig(config: Record<string, unknown>): Reshape {
    return new Reshape(
      config.target_shape as number[],
      optionsFromConfig(config, ["target_shape"]),
    );
  }
}

registerBuiltin("keras.layers", "Reshape", Reshape);
