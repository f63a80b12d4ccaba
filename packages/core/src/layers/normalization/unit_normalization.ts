/**
 * UnitNormalization (Keras `unit_normalization.py`): scales each sample to unit L2 norm over
 * `axis`, `x * rsqrt(max(sum(x^2), 1e-12))`. No weights.
 */
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { checkAxes, standardizeAxis } from "./layer_normalization";

export interface UnitNormalizationOptions extends LayerOptions {
  /** The axis or axes to normalize over (default -1). */
  axis?: number | number[];
}

/**
 * Normalizes each sample to an L2 norm of 1 over `axis`.
 * @example
 * const y = new keras.layers.UnitNormalization().apply(keras.ops.convertToTensor([[3, 4]])); // [[0.6, 0.8]]
 */
export class UnitNormalization extends Layer {
  static override className = "UnitNormalization";
  readonly axis: number | number[];

  constructor(options: UnitNormalizationOptions = {}) {
    super(options);
    this.axis = standardizeAxis(options.axis ?? -1, `${this.className} "${this.name}"`);
    this.supportsMasking = true;
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    checkAxes(this, this.axis, inputs.shape as Shape);
    const x = ops.cast(inputs, "float32");
    const squareSum = ops.sum(ops.square(x), this.axis, true);
    return ops.multiply(x, ops.rsqrt(ops.maximum(squareSum, 1e-12)));
  }

  override computeOutputShape(inputShape: unknown): Shape {
    return [...(inputShape as Shape)];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: typeof this.axis === "number" ? this.axis : [...this.axis],
    };
  }

  static fromConfig(config: Record<string, unknown>): UnitNormalization {
    return new UnitNormalization(optionsFromConfig<UnitNormalizationOptions>(config));
  }
}

registerBuiltin("keras.layers", "UnitNormalization", UnitNormalization);
