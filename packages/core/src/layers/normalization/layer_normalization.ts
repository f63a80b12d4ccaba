/**
 * LayerNormalization (Keras `keras/src/layers/normalization/layer_normalization.py`): each sample
 * is normalized over `axis` with its own mean and population variance,
 * `(x - mean) / sqrt(var + epsilon) * gamma + beta`, computed as Keras does
 * (`x * inv + (beta - mean * inv)`, `inv = gamma / sqrt(var + epsilon)`) by
 * `keras.ops.layerNormalization`.
 *
 * Weights: `gamma` (when `scale` or `rmsScaling`) then `beta` (when `center` and not
 * `rmsScaling`), each shaped like the normalized dims. As in Keras, an int `axis` becomes a
 * one-element list when the layer is built (so a built layer's config has `axis: [-1]`).
 */
import { ValueError, fmt } from "../../errors";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import type { Variable } from "../../variables/variable";
import {
  Layer,
  type CallArgs,
  type LayerOptions,
  type Shape,
  optionsFromConfig,
  type Identifier,
} from "../layer";
import { serializeOrNull } from "../convolutional/base_conv";

export interface LayerNormalizationOptions extends LayerOptions {
  /** The axis or axes to normalize over (default -1). */
  axis?: number | number[];
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  /**
   * Keras' deprecated shortcut: `x * rsqrt(var + epsilon) * gamma` (no centering, no beta).
   * Prefer RMSNormalization.
   */
  rmsScaling?: boolean;
  betaInitializer?: Identifier<Initializer>;
  gammaInitializer?: Identifier<Initializer>;
  betaRegularizer?: Identifier<Regularizer>;
  gammaRegularizer?: Identifier<Regularizer>;
  betaConstraint?: Identifier<Constraint>;
  gammaConstraint?: Identifier<Constraint>;
}

/** Checks that every axis is an int within a rank-`rank` shape (Keras `compute_output_shape`). */
export function checkAxes(layer: Layer, axis: number | number[], shape: Shape): number[] {
  const axes = typeof axis === "number" ? [axis] : axis;
  for (const a of axes)
    if (a >= shape.length || a < -shape.length)
      throw new ValueError(
        `Layer "${layer.name}" (${layer.className}): axis ${a} is out of bounds for input shape ${fmt(shape)}. Received: axis=${fmt(axis)}`,
      );
  return axes;
}

/** Validates an `axis` argument: an int or a list of ints. */
export function standardizeAxis(axis: unknown, where: string): number | number[] {
  if (typeof axis === "number" && Number.isInteger(axis)) return axis;
  if (Array.isArray(axis) && axis.every((a) => typeof a === "number" && Number.isInteger(a)))
    return [...(axis as number[])];
  throw new ValueError(
    `${where}: expected an int or a list of ints for the argument \`axis\`. Received: axis=${fmt(axis)}`,
  );
}

/**
 * Normalizes each sample over `axis` (default the last), then scales by `gamma` and shifts by
 * `beta`.
 * @example
 * const y = new keras.layers.LayerNormalization({ epsilon: 1e-3 }).apply(keras.Input([12])); // (None, 12)
 */
export class LayerNormalization extends Layer {
  static override className = "LayerNormalization";
  axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly rmsScaling: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(options: LayerNormalizationOptions = {}) {
    super(options);
    this.axis = standardizeAxis(options.axis ?? -1, `${this.className} "${this.name}"`);
    this.epsilon = options.epsilon ?? 1e-3;
    this.center = options.center ?? true;
    this.scale = options.scale ?? true;
    this.rmsScaling = options.rmsScaling ?? false;
    this.betaInitializer = initializers.get(options.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(options.gammaInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(options.betaRegularizer ?? null);
    this.gammaRegularizer = regularizers.get(options.gammaRegularizer ?? null);
    this.betaConstraint = constraints.get(options.betaConstraint ?? null);
    this.gammaConstraint = constraints.get(options.gammaConstraint ?? null);
    this.supportsMasking = true;
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
    if (this.scale || this.rmsScaling)
      this.gamma = this.addWeight({
        name: "gamma",
        shape: shape as number[],
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
        constraint: this.gammaConstraint,
        trainable: true,
      });
    if (this.center && !this.rmsScaling)
      this.beta = this.addWeight({
        name: "beta",
        shape: shape as number[],
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
        constraint: this.betaConstraint,
        trainable: true,
      });
    super.build(inputShape);
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    checkAxes(this, this.axis, inputs.shape as Shape);
    return ops.layerNormalization(
      inputs,
      this.gamma?.value ?? null,
      this.beta?.value ?? null,
      this.axis,
      this.epsilon,
      this.rmsScaling,
    );
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
      center: this.center,
      scale: this.scale,
      rms_scaling: this.rmsScaling,
      beta_initializer: serializeOrNull(this.betaInitializer),
      gamma_initializer: serializeOrNull(this.gammaInitializer),
      beta_regularizer: serializeOrNull(this.betaRegularizer),
      gamma_regularizer: serializeOrNull(this.gammaRegularizer),
      beta_constraint: serializeOrNull(this.betaConstraint),
      gamma_constraint: serializeOrNull(this.gammaConstraint),
    };
  }

  static fromConfig(config: Record<string, unknown>): LayerNormalization {
    return new LayerNormalization(optionsFromConfig<LayerNormalizationOptions>(config));
  }
}

registerBuiltin("keras.layers", "LayerNormalization", LayerNormalization);
