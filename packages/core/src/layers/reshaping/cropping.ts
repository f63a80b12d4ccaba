/**
 * Cropping1D and Cropping2D (Keras 3 `keras/src/layers/reshaping/cropping1d.py`,
 * `cropping2d.py`): remove steps / rows and columns at the edges. Cropping away a whole
 * dimension is an error, raised when the input shape is first seen.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/cropping2d.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";
import { standardizeDataFormat, standardizeTuple, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";
import { sliceAlong } from "./utils";
import { standardizePairOfPairs } from "./zero_padding";

export interface Cropping1DOptions extends LayerOptions {
  /** An int, or `[start, end]` (default [1, 1]). */
  cropping?: number | readonly number[];
}

/**
 * Cropping layer for 1D input `(batch, steps, features)`.
 * @example new keras.layers.Cropping1D({ cropping: [1, 2] }).apply(keras.Input([10, 3])); // (None, 7, 3)
 */
export class Cropping1D extends Layer {
  static override className = "Cropping1D";
  readonly cropping: number[];

  constructor(options: Cropping1DOptions = {}) {
    super(options);
    this.cropping = standardizeTuple(
      options.cropping ?? [1, 1],
      2,
      "cropping",
      `Cropping1D "${this.name}"`,
      true,
    );
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: 3 }, inputs.shape);
    const n = inputs.shape[1];
    const [a, b] = this.cropping as [number, number];
    if (n === null || n === undefined)
      throw new ValueError(
        `Layer "${this.name}" (Cropping1D): the cropped axis must be known. Received: inputs.shape=${fmt(inputs.shape)}`,
      );
    if (a + b >= n)
      throw new ValueError(
        `Layer "${this.name}" (Cropping1D): \`cropping\` parameter of \`Cropping1D\` layer must be smaller than the input length. Received: inputs.shape=${fmt(inputs.shape)}, and cropping=${fmt(this.cropping)}`,
      );
    return sliceAlong(inputs, 1, a, n - b);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }

  static fromConfig(config: Record<string, unknown>): Cropping1D {
    return new Cropping1D(optionsFromConfig(config));
  }
}

export interface Cropping2DOptions extends LayerOptions {
  /** An int, `[sym_h, sym_w]` or `[[top, bottom], [left, right]]` (default no cropping). */
  cropping?: number | readonly (number | readonly number[])[];
  dataFormat?: DataFormat | null;
}

/**
 * Cropping layer for 2D input (e.g. pictures).
 * @example new keras.layers.Cropping2D({ cropping: [[2, 2], [4, 4]] }).apply(keras.Input([28, 28, 3])); // (None, 24, 20, 3)
 */
export class Cropping2D extends Layer {
  static override className = "Cropping2D";
  readonly cropping: [number[], number[]];
  readonly dataFormat: DataFormat;

  constructor(options: Cropping2DOptions = {}) {
    super(options);
    const where = `Cropping2D "${this.name}"`;
    this.dataFormat = standardizeDataFormat(options.dataFormat, where);
    this.cropping = standardizePairOfPairs(
      options.cropping ?? [
        [0, 0],
        [0, 0],
      ],
      "cropping",
      where,
    );
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: 4 }, inputs.shape);
    const [hAxis, wAxis] = this.dataFormat === "channels_first" ? [2, 3] : [1, 2];
    const h = inputs.shape[hAxis];
    const w = inputs.shape[wAxis];
    const [ch, cw] = this.cropping;
    if ((h !== null && ch[0]! + ch[1]! >= h!) || (w !== null && cw[0]! + cw[1]! >= w!))
      throw new ValueError(
        `Layer "${this.name}" (Cropping2D): values in \`cropping\` argument should be smaller than the corresponding spatial dimension of the input. Received: input_shape=${fmt(inputs.shape)}, cropping=${fmt(this.cropping)}`,
      );
    if (h === null || w === null)
      throw new ValueError(
        `Layer "${this.name}" (Cropping2D): the cropped axes must be known. Received: input_shape=${fmt(inputs.shape)}`,
      );
    const x = sliceAlong(inputs, hAxis, ch[0]!, h! - ch[1]!);
    return sliceAlong(x, wAxis, cw[0]!, w! - cw[1]!);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      cropping: this.cropping.map((c) => [...c]),
      data_format: this.dataFormat,
    };
  }

  static fromConfig(config: Record<string, unknown>): Cropping2D {
    return new Cropping2D(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "Cropping1D", Cropping1D);
registerBuiltin("keras.layers", "Cropping2D", Cropping2D);
