/**
 * Identity: returns its input unchanged (Keras 3 `keras/src/layers/core/identity.py`); a
 * placeholder in architectures where a layer is optional.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/core/identity.py
 */
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";

/**
 * Identity layer: the output is the input (any structure of tensors).
 * @example const y = new keras.layers.Identity().apply(x); // y === x for concrete inputs
 */
export class Identity extends Layer {
  static override className = "Identity";

  constructor(options: LayerOptions = {}) {
    super(options);
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: unknown): unknown {
    return inputs;
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  static fromConfig(config: Record<string, unknown>): Identity {
    return new Identity(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "Identity", Identity);
