/**
 * Masking: marks timesteps whose features all equal `maskValue` as padding (Keras 3
 * `keras/src/layers/core/masking.py`). The output zeroes those timesteps; `computeMask` gives the
 * `(batch, timesteps)` boolean mask for downstream layers.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/core/masking.py
 */
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";

export interface MaskingOptions extends LayerOptions {
  /** Default 0. */
  maskValue?: number;
}

/**
 * Masks a sequence by using a mask value to skip timesteps.
 * @example
 * const masking = new keras.layers.Masking({ maskValue: 0 });
 * const y = masking.apply(x); // (batch, timesteps, features), padded steps zeroed
 * const mask = masking.computeMask(x); // (batch, timesteps) bool
 */
export class Masking extends Layer {
  static override className = "Masking";
  readonly maskValue: number;

  constructor(options: MaskingOptions = {}) {
    super(options);
    this.maskValue = options.maskValue ?? 0.0;
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    // (B, T, F) -> (B, T, 1): keep a step if any feature differs from maskValue.
    const keep = ops.any<AnyTensor>(ops.notEqual(inputs, this.maskValue), -1, true);
    return ops.multiply<AnyTensor>(inputs, ops.cast(keep, inputs.dtype));
  }

  /** `(B, T, F)` -> `(B, T)` bool: true where some feature differs from `maskValue`. */
  computeMask(inputs: AnyTensor, _mask: unknown = null): AnyTensor {
    return ops.any<AnyTensor>(ops.notEqual(inputs, this.maskValue), -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mask_value: this.maskValue };
  }

  static fromConfig(config: Record<string, unknown>): Masking {
    return new Masking(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "Masking", Masking);
