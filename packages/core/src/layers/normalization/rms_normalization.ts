/**
 * RMSNormalization (Keras `rms_normalization.py`): `x * rsqrt(mean(x^2) + epsilon) * scale` over
 * `axis`, with one weight `scale` (initialized to ones) shaped like the normalized dims. As in
 * Keras, an int `axis` becomes a one-element list when the layer is built.
 */
import { ValueError, fmt } from "../../errors";
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import type { Variable } from "../../variables/variable";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { checkAxes, standardizeAxis } from "./layer_normalization";

export interface RMSNormalizationOptions extends LayerOptions {
  /** The axis or axes to normalize over (default -1). */
  axis?: number | number[];
  /** Added to the mean square (default 1e-6). */
  epsilon?: number;
}

/**
 * Root-mean-square normalization (Zhang & Sennrich, 2019).
 * @example
 * const y = new keras.layers.RMSNormalization().apply(keras.Input([10])); // (None, 10)
 */
export class RMSNormalization extends Layer {
  static override className = "RMSNormalization";
  axis: number | number[];
  readonly epsilon: number;
  scale: Variable | null = null;

  constructor(options: RMSNormalizationOptions = {}) {
    super(options);
    this.axis = standardizeAxis(options.axis ?? -1, `${this.className} "${this.name}"`);
    this.epsilon = options.epsilon ?? 1e-6;
  }

  override build(inputShape: unknown): void {
    const s = inputShape as Shape;
    const axes = checkAxes(this, this.axis, s);
    const shape = axes.map((a) => s[a < 0 ? s.length + a : a]!);
    if (shape.some((d) => d === null))
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): the normalized axes must have known sizes. Received: input.shape=${fmt(s)}, axis=${fmt(this.axis)}`,
      );
    this.axis = axes;
    this.scale = this.addWeight({ name: "scale", shape: shape as number[], initializer: "ones" });
    super.build(inputShape);
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    checkAxes(this, this.axis, inputs.shape as Shape);
    return ops.rmsNormalization(inputs, this.scale!.value, this.axis, this.epsilon);
  }

  override computeOutputShape(inputShape: unknown): Shape {
    checkAxes(this, this.axis, inputShape as Shape);
    return [...(inputShape as Shape)];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: typeof this.axis === "number" ? this.axis : [...this.axis],
      epsilon: this.epsilon,
    };
  }

  static fromConfig(config: Record<string, unknown>): RMSNormalization {
    return new RMSNormalization(optionsFromConfig<RMSNormalizationOptions>(config));
  }
}

registerBuiltin("keras.layers", "RMSNormalization", RMSNormalization);
