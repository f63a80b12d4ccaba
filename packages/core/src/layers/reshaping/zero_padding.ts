/**
 * ZeroPadding1D and ZeroPadding2D (Keras 3 `keras/src/layers/reshaping/zero_padding1d.py`,
 * `zero_padding2d.py`): pad the steps / rows and columns with zeros.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/zero_padding2d.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";
import { standardizeDataFormat, standardizeTuple, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";

/**
 * Keras' 2-D padding / cropping argument: an int, `[sym_h, sym_w]`, or
 * `[[top, bottom], [left, right]]`, as `[[top, bottom], [left, right]]`.
 */
export function standardizePairOfPairs(
  value: unknown,
  name: "padding" | "cropping",
  where: string,
): [number[], number[]] {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0)
      throw new ValueError(
        `${where}: \`${name}\` cannot be negative. Received: ${name}=${fmt(value)}`,
      );
    return [
      [value, value],
      [value, value],
    ];
  }
  if (Array.isArray(value)) {
    if (value.length !== 2)
      throw new ValueError(
        `${where}: \`${name}\` should have two elements. Received: ${name}=${fmt(value)}`,
      );
    return [
      standardizeTuple(value[0], 2, `1st entry of ${name}`, where, true),
      standardizeTuple(value[1], 2, `2nd entry of ${name}`, where, true),
    ];
  }
  throw new ValueError(
    `${where}: \`${name}\` should be either an int, a tuple of 2 ints (symmetric_height_${name}, symmetric_width_${name}), or a tuple of 2 tuples of 2 ints ((top_${name}, bottom_${name}), (left_${name}, right_${name})). Received: ${name}=${fmt(value)}`,
  );
}

export interface ZeroPadding1DOptions extends LayerOptions {
  /** An int, or `[left, right]` (default 1). */
  padding?: number | readonly number[];
}

/**
 * Zero-padding layer for 1D input `(batch, steps, features)`.
 * @example new keras.layers.ZeroPadding1D({ padding: 2 }).apply(keras.Input([5, 3])); // (None, 9, 3)
 */
export class ZeroPadding1D extends Layer {
  static override className = "ZeroPadding1D";
  readonly padding: number[];

  constructor(options: ZeroPadding1DOptions = {}) {
    super(options);
    this.padding = standardizeTuple(
      options.padding ?? 1,
      2,
      "padding",
      `ZeroPadding1D "${this.name}"`,
      true,
    );
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: 3 }, inputs.shape);
    return ops.pad<AnyTensor>(inputs, [[0, 0], this.padding, [0, 0]]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: [...this.padding] };
  }

  static fromConfig(config: Record<string, unknown>): ZeroPadding1D {
    return new ZeroPadding1D(optionsFromConfig(config));
  }
}

export interface ZeroPadding2DOptions extends LayerOptions {
  /** An int, `[sym_h, sym_w]` or `[[top, bottom], [left, right]]` (default 1). */
  padding?: number | readonly (number | readonly number[])[];
  dataFormat?: DataFormat | null;
}

/**
 * Zero-padding layer for 2D input (e.g. pictures).
 * @example new keras.layers.ZeroPadding2D({ padding: [[1, 0], [2, 2]] }).apply(keras.Input([4, 4, 3])); // (None, 5, 8, 3)
 */
export class ZeroPadding2D extends Layer {
  static override className = "ZeroPadding2D";
  readonly padding: [number[], number[]];
  readonly dataFormat: DataFormat;

  constructor(options: ZeroPadding2DOptions = {}) {
    super(options);
    const where = `ZeroPadding2D "${this.name}"`;
    this.dataFormat = standardizeDataFormat(options.dataFormat, where);
    this.padding = standardizePairOfPairs(options.padding ?? 1, "padding", where);
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: 4 }, inputs.shape);
    const [h, w] = this.padding;
    const widths =
      this.dataFormat === "channels_first" ? [[0, 0], [0, 0], h, w] : [[0, 0], h, w, [0, 0]];
    return ops.pad<AnyTensor>(inputs, widths);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      padding: this.padding.map((p) => [...p]),
      data_format: this.dataFormat,
    };
  }

  static fromConfig(config: Record<string, unknown>): ZeroPadding2D {
    return new ZeroPadding2D(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "ZeroPadding1D", ZeroPadding1D);
registerBuiltin("keras.layers", "ZeroPadding2D", ZeroPadding2D);
