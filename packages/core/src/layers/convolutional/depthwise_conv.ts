/**
 * Depthwise convolutions, DepthwiseConv1D / DepthwiseConv2D (Keras `base_depthwise_conv.py`):
 * each input channel is convolved with its own `depthMultiplier` filters. Weights `kernel` of
 * shape `(...kernelSize, inChannels, depthMultiplier)` (Keras 3 names it "kernel", not
 * "depthwise_kernel") and `bias` `(inChannels * depthMultiplier,)`. Output channel
 * `c * depthMultiplier + m` comes from input channel `c`. Maths: `keras.ops.depthwiseConv`.
 */
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
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
import {
  addBias,
  addBiasWeight,
  channelsOf,
  convOutputShape,
  inputChannels,
  positiveIntArg,
  serializeOrNull,
  spatialArgs,
} from "./base_conv";
import type { DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible, type InputSpec } from "../input_spec";

export interface DepthwiseConvOptions extends LayerOptions {
  strides?: number | number[];
  /** "valid" (default) or "same". */
  padding?: string;
  /** Filters per input channel (default 1). */
  depthMultiplier?: number;
  dataFormat?: string | null;
  dilationRate?: number | number[];
  activation?: string | ActivationFunction | Record<string, unknown> | null;
  useBias?: boolean;
  depthwiseInitializer?: Identifier<Initializer>;
  biasInitializer?: Identifier<Initializer>;
  depthwiseRegularizer?: Identifier<Regularizer>;
  biasRegularizer?: Identifier<Regularizer>;
  depthwiseConstraint?: Identifier<Constraint>;
  biasConstraint?: Identifier<Constraint>;
}

/** Abstract N-D depthwise convolution (Keras `BaseDepthwiseConv`). */
export abstract class BaseDepthwiseConv extends Layer {
  static override className = "BaseDepthwiseConv";
  readonly rank: number;
  readonly depthMultiplier: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same";
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: ActivationFunction;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  protected inputSpec: InputSpec;

  constructor(rank: number, kernelSize: number | number[], options: DepthwiseConvOptions = {}) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.rank = rank;
    this.depthMultiplier = positiveIntArg(where, "depth_multiplier", options.depthMultiplier ?? 1);
    const spatial = spatialArgs(where, rank, kernelSize, options);
    this.kernelSize = spatial.kernelSize;
    this.strides = spatial.strides;
    this.dilationRate = spatial.dilationRate;
    this.padding = spatial.padding as "valid" | "same";
    this.dataFormat = spatial.dataFormat;
    this.activation = activations.get(options.activation ?? null);
    this.useBias = options.useBias ?? true;
    this.depthwiseInitializer = initializers.get(options.depthwiseInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(options.biasInitializer ?? "zeros");
    this.depthwiseRegularizer = regularizers.get(options.depthwiseRegularizer ?? null);
    this.biasRegularizer = regularizers.get(options.biasRegularizer ?? null);
    this.depthwiseConstraint = constraints.get(options.depthwiseConstraint ?? null);
    this.biasConstraint = constraints.get(options.biasConstraint ?? null);
    this.inputSpec = { minNdim: rank + 2 };
  }

  override build(inputShape: unknown): void {
    const shape = inputShape as Shape;
    const [axis, channels] = inputChannels(this, this.inputSpec, shape, this.dataFormat);
    this.inputSpec = { minNdim: this.rank + 2, axes: { [axis]: channels } };
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
      constraint: this.depthwiseConstraint,
      trainable: true,
    });
    if (this.useBias) this.bias = addBiasWeight(this, this.depthMultiplier * channels);
    super.build(inputShape);
  }

  /** Keras `from_config` of DepthwiseConv1D / DepthwiseConv2D. */
  static fromConfig<T>(
    this: new (kernelSize: number | number[], options: DepthwiseConvOptions) => T,
    config: Record<string, unknown>,
  ): T {
    return new this(config.kernel_size as number[], optionsFromConfig(config, ["kernel_size"]));
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    assertInputCompatible(this, this.inputSpec, inputs.shape);
    let outputs: AnyTensor = ops.depthwiseConv(
      inputs,
      this.kernel!.value,
      this.strides,
      this.padding,
      this.dataFormat,
      this.dilationRate,
    );
    if (this.useBias) outputs = addBias(outputs, this.bias!, this.dataFormat);
    return this.activation(outputs) as AnyTensor;
  }

  override computeOutputShape(inputShape: unknown): Shape {
    const shape = inputShape as Shape;
    const channels = channelsOf(shape, this.dataFormat)[1];
    return convOutputShape(this, shape, channels === null ? null : this.depthMultiplier * channels);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depth_multiplier: this.depthMultiplier,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      depthwise_initializer: serializeOrNull(this.depthwiseInitializer),
      bias_initializer: serializeOrNull(this.biasInitializer),
      depthwise_regularizer: serializeOrNull(this.depthwiseRegularizer),
      bias_regularizer: serializeOrNull(this.biasRegularizer),
      activity_regularizer: serializeOrNull(this.activityRegularizer),
      depthwise_constraint: serializeOrNull(this.depthwiseConstraint),
      bias_constraint: serializeOrNull(this.biasConstraint),
    };
  }
}

/**
 * 1D depthwise convolution: input `(batch, steps, channels)`, kernel `(k, channels, depthMultiplier)`.
 * @example
 * const y = new keras.layers.DepthwiseConv1D(3, { depthMultiplier: 2 }).apply(keras.Input([10, 4])); // (None, 8, 8)
 */
export class DepthwiseConv1D extends BaseDepthwiseConv {
  static override className = "DepthwiseConv1D";
  constructor(kernelSize: number | number[], options: DepthwiseConvOptions = {}) {
    super(1, kernelSize, options);
  }
}

/**
 * 2D depthwise convolution: kernel `(kh, kw, channels, depthMultiplier)`.
 * @example
 * const y = new keras.layers.DepthwiseConv2D(3, { padding: "same" }).apply(keras.Input([28, 28, 8])); // (None, 28, 28, 8)
 */
export class DepthwiseConv2D extends BaseDepthwiseConv {
  static override className = "DepthwiseConv2D";
  constructor(kernelSize: number | number[], options: DepthwiseConvOptions = {}) {
    super(2, kernelSize, options);
  }
}

registerBuiltin("keras.layers", "DepthwiseConv1D", DepthwiseConv1D);
registerBuiltin("keras.layers", "DepthwiseConv2D", DepthwiseConv2D);
