/**
 * ReLU, LeakyReLU and ELU layers (Keras 3 `keras/src/layers/activations/relu.py`,
 * `leaky_relu.py`, `elu.py`).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/activations/relu.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";

export interface ReLUOptions extends LayerOptions {
  /** Saturation value (default none). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Values below it are zeroed (default 0). */
  threshold?: number;
}

/** Base of the elementwise activation layers: mask passes through, output shape = input shape. */
abstract class ElementwiseActivation extends Layer {
  constructor(options: LayerOptions) {
    super(options);
    this.supportsMasking = true;
    this.built = true;
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }
}

/**
 * Rectified linear unit: `max_value` caps the output, values below `threshold` become
 * `negative_slope * (x - threshold)`.
 * @example new keras.layers.ReLU({ maxValue: 6 }).apply(x);
 */
export class ReLU extends ElementwiseActivation {
  static override className = "ReLU";
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(options: ReLUOptions = {}) {
    super(options);
    const maxValue = options.maxValue ?? null;
    const negativeSlope = options.negativeSlope ?? 0.0;
    const threshold = options.threshold ?? 0.0;
    if (maxValue !== null && (typeof maxValue !== "number" || maxValue < 0))
      throw new ValueError(
        `ReLU "${this.name}": max_value of a ReLU layer cannot be a negative value. Received: max_value=${fmt(maxValue)}`,
      );
    if (typeof negativeSlope !== "number" || negativeSlope < 0)
      throw new ValueError(
        `ReLU "${this.name}": negative_slope of a ReLU layer cannot be a negative value. Received: negative_slope=${fmt(negativeSlope)}`,
      );
    if (typeof threshold !== "number" || threshold < 0)
      throw new ValueError(
        `ReLU "${this.name}": threshold of a ReLU layer cannot be a negative value. Received: threshold=${fmt(threshold)}`,
      );
    this.maxValue = maxValue;
    this.negativeSlope = negativeSlope;
    this.threshold = threshold;
  }

  call(inputs: AnyTensor): AnyTensor {
    return activations.relu<AnyTensor>(inputs, {
      negativeSlope: this.negativeSlope,
      maxValue: this.maxValue,
      threshold: this.threshold,
    });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      max_value: this.maxValue,
      negative_slope: this.negativeSlope,
      threshold: this.threshold,
    };
  }

  static fromConfig(config: Record<string, unknown>): ReLU {
    return new ReLU(optionsFromConfig(config));
  }
}

export interface LeakyReLUOptions extends LayerOptions {
  /** Slope for x < 0 (default 0.3). */
  negativeSlope?: number;
  /** Deprecated Keras 2 name of `negativeSlope`, accepted when reading old configs. */
  alpha?: number;
}

/**
 * Leaky ReLU: `x` for x >= 0, `negative_slope * x` otherwise.
 * @example new keras.layers.LeakyReLU({ negativeSlope: 0.1 }).apply(x);
 */
export class LeakyReLU extends ElementwiseActivation {
  static override className = "LeakyReLU";
  readonly negativeSlope: number;

  constructor(options: LeakyReLUOptions = {}) {
    const { alpha, ...rest } = options;
    super(rest);
    const negativeSlope = options.negativeSlope ?? alpha ?? 0.3;
    if (typeof negativeSlope !== "number" || negativeSlope < 0)
      throw new ValueError(
        `LeakyReLU "${this.name}": the negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. Received: negative_slope=${fmt(negativeSlope)}`,
      );
    this.negativeSlope = negativeSlope;
  }

  call(inputs: AnyTensor): AnyTensor {
    return activations.leakyRelu<AnyTensor>(inputs, this.negativeSlope);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), negative_slope: this.negativeSlope };
  }

  static fromConfig(config: Record<string, unknown>): LeakyReLU {
    return new LeakyReLU(optionsFromConfig(config));
  }
}

export interface ELUOptions extends LayerOptions {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/**
 * Exponential linear unit: `x` for x > 0, `alpha * (exp(x) - 1)` otherwise.
 * @example new keras.layers.ELU({ alpha: 0.5 }).apply(x);
 */
export class ELU extends ElementwiseActivation {
  static override className = "ELU";
  readonly alpha: number;

  constructor(options: ELUOptions = {}) {
    super(options);
    this.alpha = options.alpha ?? 1.0;
  }

  call(inputs: AnyTensor): AnyTensor {
    return activations.elu<AnyTensor>(inputs, this.alpha);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }

  static fromConfig(config: Record<string, unknown>): ELU {
    return new ELU(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "ReLU", ReLU);
registerBuiltin("keras.layers", "LeakyReLU", LeakyReLU);
registerBuiltin("keras.layers", "ELU", ELU);
