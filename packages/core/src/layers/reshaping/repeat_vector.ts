/**
 * RepeatVector (Keras 3 `keras/src/layers/reshaping/repeat_vector.py`): `(batch, features)` ->
 * `(batch, n, features)`.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/repeat_vector.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";
import { assertInputCompatible } from "../input_spec";

/**
 * Repeats the input `n` times.
 * @example new keras.layers.RepeatVector(3).apply(keras.Input([32])); // shape (None, 3, 32)
 */
export class RepeatVector extends Layer {
  static override className = "RepeatVector";
  readonly n: number;

  constructor(n: number, options: LayerOptions = {}) {
    super(options);
    if (!Number.isInteger(n) || n < 0)
      throw new ValueError(
        `RepeatVector "${this.name}": expected a non-negative integer value for \`n\`. Received: n=${fmt(n)}`,
      );
    this.n = n;
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: 2 }, inputs.shape);
    // (B, F) -> (B, 1, F) -> (B, n, F)
    return ops.repeat<AnyTensor>(ops.expandDims(inputs, 1), this.n, 1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }

  static fromConfig(config: Record<string, unknown>): RepeatVector {
    return new RepeatVector(config.n as number, optionsFromConfig(config, ["n"]));
  }
}

registerBuiltin("keras.layers", "RepeatVector", RepeatVector);
