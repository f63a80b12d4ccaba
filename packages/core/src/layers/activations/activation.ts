/**
 * Activation: applies an activation function to its input (Keras 3
 * `keras/src/layers/activations/activation.py`).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/activations/activation.py
 */
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";

/**
 * Applies an activation function to an output.
 * @example const y = new keras.layers.Activation("relu").apply(x);
 */
export class Activation extends Layer {
  static override className = "Activation";
  readonly activation: ActivationFunction;

  constructor(activation: string | ActivationFunction | null, options: LayerOptions = {}) {
    super(options);
    this.activation = activations.get(activation);
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    return this.activation(inputs) as AnyTensor;
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: activations.serialize(this.activation) };
  }

  static fromConfig(config: Record<string, unknown>): Activation {
    return new Activation(config.activation as string, optionsFromConfig(config, ["activation"]));
  }
}

registerBuiltin("keras.layers", "Activation", Activation);
