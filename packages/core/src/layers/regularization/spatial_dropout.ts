/**
 * SpatialDropout1D / 2D (Keras 3 `keras/src/layers/regularization/spatial_dropout.py`): dropout
 * of whole feature maps (one mask entry per sample and channel), for inputs whose neighbouring
 * steps or pixels are strongly correlated.
 *
 * Their configs are Keras' own short form: `{rate, seed, name, dtype}` with `dtype` a plain string
 * and no `trainable` (plus `data_format` for 2D).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/regularization/spatial_dropout.py
 */
import type { AnyTensor } from "../../engine/bind";
import type { DType } from "../../tensor/dtype";
import { registerBuiltin } from "../../saving/serialization";
import { standardizeDataFormat, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";
import { Dropout } from "./dropout";

export interface SpatialDropoutOptions {
  seed?: number | null;
  name?: string;
  dtype?: DType | string | { class_name?: string; config?: { name?: string } } | null;
}

export interface SpatialDropout2DOptions extends SpatialDropoutOptions {
  /** Default "channels_last". */
  dataFormat?: DataFormat | null;
}

abstract class BaseSpatialDropout extends Dropout {
  constructor(rate: number, options: SpatialDropoutOptions = {}) {
    super(rate, { seed: options.seed ?? null, name: options.name, dtype: options.dtype });
  }

  override getConfig(): Record<string, unknown> {
    return { rate: this.rate, seed: this.seed, name: this.name, dtype: this.dtype };
  }
}

/**
 * Spatial 1D dropout: drops entire channels of `(batch, steps, channels)` inputs.
 * @example const y = new keras.layers.SpatialDropout1D(0.2).apply(x, { training: true });
 */
export class SpatialDropout1D extends BaseSpatialDropout {
  static override className = "SpatialDropout1D";

  protected override checkInput(inputs: AnyTensor): void {
    assertInputCompatible(this, { ndim: 3 }, inputs.shape);
  }

  protected override noiseShapeFor(inputs: AnyTensor): (number | null)[] {
    return [inputs.shape[0]!, 1, inputs.shape[2]!];
  }

  static override fromConfig(config: Record<string, unknown>): SpatialDropout1D {
    return new SpatialDropout1D(config.rate as number, {
      seed: config.seed as number | null,
      name: config.name as string | undefined,
      dtype: config.dtype as string | undefined,
    });
  }
}

/**
 * Spatial 2D dropout: drops entire feature maps of 4-D image inputs.
 * @example const y = new keras.layers.SpatialDropout2D(0.2).apply(images, { training: true });
 */
export class SpatialDropout2D extends BaseSpatialDropout {
  static override className = "SpatialDropout2D";
  readonly dataFormat: DataFormat;

  constructor(rate: number, options: SpatialDropout2DOptions = {}) {
    super(rate, options);
    this.dataFormat = standardizeDataFormat(options.dataFormat, `SpatialDropout2D "${this.name}"`);
  }

  protected override checkInput(inputs: AnyTensor): void {
    assertInputCompatible(this, { ndim: 4 }, inputs.shape);
  }

  protected override noiseShapeFor(inputs: AnyTensor): (number | null)[] {
    const s = inputs.shape;
    return this.dataFormat === "channels_first" ? [s[0]!, s[1]!, 1, 1] : [s[0]!, 1, 1, s[3]!];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }

  static override fromConfig(config: Record<string, unknown>): SpatialDropout2D {
    return new SpatialDropout2D(config.rate as number, {
      seed: config.seed as number | null,
      name: config.name as string | undefined,
      dtype: config.dtype as string | undefined,
      dataFormat: config.data_format as DataFormat | undefined,
    });
  }
}

registerBuiltin("keras.layers", "SpatialDropout1D", SpatialDropout1D);
registerBuiltin("keras.layers", "SpatialDropout2D", SpatialDropout2D);
