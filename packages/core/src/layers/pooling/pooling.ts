/**
 * Windowed pooling layers (Keras `keras/src/layers/pooling/base_pooling.py` and its subclasses):
 * MaxPooling1D/2D/3D and AveragePooling1D/2D/3D on `keras.ops.maxPool` / `averagePool`, which
 * own Keras' "same" padding (padded positions never win a max and are not counted in an
 * average). No weights; like Keras, the layers are built at construction (so they have no
 * build config).
 */
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type CallArgs, type LayerOptions, optionsFromConfig } from "../layer";
import {
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
  type DataFormat,
} from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";

export interface PoolingOptions extends LayerOptions {
  /** An int or one int per spatial dim; default null: the pool size. */
  strides?: number | number[] | null;
  /** "valid" (default) or "same" (case-insensitive, kept as given in the config like Keras). */
  padding?: string;
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
}

/** Abstract pooling layer over `poolDimensions` spatial dims (Keras `BasePooling`). */
export abstract class BasePooling extends Layer {
  static override className = "BasePooling";
  readonly poolSize: number[];
  readonly strides: number[];
  readonly poolMode: "max" | "average";
  readonly padding: string;
  readonly dataFormat: DataFormat;
  readonly poolDimensions: number;

  constructor(
    poolSize: number | number[],
    poolDimensions: number,
    poolMode: "max" | "average",
    options: PoolingOptions = {},
  ) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.poolDimensions = poolDimensions;
    this.poolSize = standardizeTuple(poolSize, poolDimensions, "pool_size", where);
    const strides = options.strides ?? poolSize;
    this.strides = standardizeTuple(strides, poolDimensions, "strides", where, true);
    this.poolMode = poolMode;
    this.padding = options.padding ?? "valid";
    standardizePadding(this.padding, where);
    this.dataFormat = standardizeDataFormat(options.dataFormat, where);
    this.built = true;
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    assertInputCompatible(this, { ndim: this.poolDimensions + 2 }, inputs.shape);
    const pool = this.poolMode === "max" ? ops.maxPool : ops.averagePool;
    return pool(inputs, this.poolSize, this.strides, this.padding, this.dataFormat);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      pool_size: [...this.poolSize],
      padding: this.padding,
      strides: [...this.strides],
      data_format: this.dataFormat,
    };
  }
}

const fromConfigOf =
  <T>(make: (poolSize: number[], options: PoolingOptions) => T) =>
  (config: Record<string, unknown>): T =>
    make(config.pool_size as number[], optionsFromConfig<PoolingOptions>(config, ["pool_size"]));

/**
 * Max pooling over steps: `(batch, steps, features)` -> `(batch, pooled_steps, features)`.
 * @example
 * const y = new keras.layers.MaxPooling1D(2).apply(keras.Input([10, 3])); // (None, 5, 3)
 */
export class MaxPooling1D extends BasePooling {
  static override className = "MaxPooling1D";
  constructor(poolSize: number | number[] = 2, options: PoolingOptions = {}) {
    super(poolSize, 1, "max", options);
  }
  static fromConfig = fromConfigOf((p, o) => new MaxPooling1D(p, o));
}

/**
 * Max pooling over height and width.
 * @example
 * const y = new keras.layers.MaxPooling2D().apply(keras.Input([28, 28, 8])); // (None, 14, 14, 8)
 */
export class MaxPooling2D extends BasePooling {
  static override className = "MaxPooling2D";
  constructor(poolSize: number | number[] = [2, 2], options: PoolingOptions = {}) {
    super(poolSize, 2, "max", options);
  }
  static fromConfig = fromConfigOf((p, o) => new MaxPooling2D(p, o));
}

/**
 * Max pooling over three spatial dims.
 * @example
 * const y = new keras.layers.MaxPooling3D().apply(keras.Input([8, 8, 8, 2])); // (None, 4, 4, 4, 2)
 */
export class MaxPooling3D extends BasePooling {
  static override className = "MaxPooling3D";
  constructor(poolSize: number | number[] = [2, 2, 2], options: PoolingOptions = {}) {
    super(poolSize, 3, "max", options);
  }
  static fromConfig = fromConfigOf((p, o) => new MaxPooling3D(p, o));
}

/**
 * Average pooling over steps.
 * @example
 * const y = new keras.layers.AveragePooling1D(2, { padding: "same" }).apply(keras.Input([5, 3])); // (None, 3, 3)
 */
export class AveragePooling1D extends BasePooling {
  static override className = "AveragePooling1D";
  constructor(poolSize: number | number[] = 2, options: PoolingOptions = {}) {
    super(poolSize, 1, "average", options);
  }
  static fromConfig = fromConfigOf((p, o) => new AveragePooling1D(p, o));
}

/**
 * Average pooling over height and width.
 * @example
 * const y = new keras.layers.AveragePooling2D(2).apply(keras.Input([28, 28, 8])); // (None, 14, 14, 8)
 */
export class AveragePooling2D extends BasePooling {
  static override className = "AveragePooling2D";
  constructor(poolSize: number | number[] = [2, 2], options: PoolingOptions = {}) {
    super(poolSize, 2, "average", options);
  }
  static fromConfig = fromConfigOf((p, o) => new AveragePooling2D(p, o));
}

/**
 * Average pooling over three spatial dims.
 * @example
 * const y = new keras.layers.AveragePooling3D().apply(keras.Input([8, 8, 8, 2])); // (None, 4, 4, 4, 2)
 */
export class AveragePooling3D extends BasePooling {
  static override className = "AveragePooling3D";
  constructor(poolSize: number | number[] = [2, 2, 2], options: PoolingOptions = {}) {
    super(poolSize, 3, "average", options);
  }
  static fromConfig = fromConfigOf((p, o) => new AveragePooling3D(p, o));
}

registerBuiltin("keras.layers", "MaxPooling1D", MaxPooling1D, ["MaxPool1D"]);
registerBuiltin("keras.layers", "MaxPooling2D", MaxPooling2D, ["MaxPool2D"]);
registerBuiltin("keras.layers", "MaxPooling3D", MaxPooling3D, ["MaxPool3D"]);
registerBuiltin("keras.layers", "AveragePooling1D", AveragePooling1D, ["AvgPool1D"]);
registerBuiltin("keras.layers", "AveragePooling2D", AveragePooling2D, ["AvgPool2D"]);
registerBuiltin("keras.layers", "AveragePooling3D", AveragePooling3D, ["AvgPool3D"]);
