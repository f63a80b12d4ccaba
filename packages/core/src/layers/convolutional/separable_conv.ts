/**
 * Separable convolutions, SeparableConv1D / SeparableConv2D (Keras `base_separable_conv.py`): a
 * depthwise convolution followed by a pointwise (1x1) convolution. Weights, in Keras' order:
 * `depthwise_kernel` `(...kernelSize, inChannels, depthMultiplier)`, `pointwise_kernel`
 * `(1, ..., 1, inChannels * depthMultiplier, filters)` and `bias` `(filters,)`. Maths:
 * `keras.ops.separableConv`.
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
import { Layer, type CallArgs, type Shape, type Identifier } from "../layer";
import {
  addBias,
  addBiasWeight,
  convOutputShape,
  filtersKernelFromConfig,
  inputChannels,
  positiveIntArg,
  serializeOrNull,
  spatialArgs,
} from "./base_conv";
import type { DepthwiseConvOptions } from "./depthwise_conv";
import type { DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible, type InputSpec } from "../input_spec";

export interface SeparableConvOptions extends DepthwiseConvOptions {
  pointwiseInitializer?: Identifier<Initializer>;
  pointwiseRegularizer?: Identifier<Regularizer>;
  pointwiseConstraint?: Identifier<Constraint>;
}

/** Abstract N-D separable convolution (Keras `BaseSeparableConv`). */
export abstract class BaseSeparableConv extends Layer {
  static override className = "BaseSeparableConv";
  readonly rank: number;
  readonly depthMultiplier: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same";
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: ActivationFunction;
  readonly useBias: boolean;
  readonly depthwiseInitializer: Initializer;
  readonly pointwiseInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly pointwiseRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  readonly pointwiseConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  depthwiseKernel: Variable | null = null;
  pointwiseKernel: Variable | null = null;
  bias: Variable | null = null;
  protected inputSpec: InputSpec;

  constructor(
    rank: number,
    filters: number,
    kernelSize: number | number[],
    options: SeparableConvOptions = {},
  ) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.rank = rank;
    this.depthMultiplier = positiveIntArg(where, "depth_multiplier", options.depthMultiplier ?? 1);
    this.filters = positiveIntArg(where, "filters", filters);
    const spatial = spatialArgs(where, rank, kernelSize, options);
    this.kernelSize = spatial.kernelSize;
    this.strides = spatial.strides;
    this.dilationRate = spatial.dilationRate;
    this.padding = spatial.padding as "valid" | "same";
    this.dataFormat = spatial.dataFormat;
    this.activation = activations.get(options.activation ?? null);
    this.useBias = options.useBias ?? true;
    this.depthwiseInitializer = initializers.get(options.depthwiseInitializer ?? "glorot_uniform");
    this.pointwiseInitializer = initializers.get(options.pointwiseInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(options.biasInitializer ?? "zeros");
    this.depthwiseRegularizer = regularizers.get(options.depthwiseRegularizer ?? null);
    this.pointwiseRegularizer = regularizers.get(options.pointwiseRegularizer ?? null);
    this.biasRegularizer = regularizers.get(options.biasRegularizer ?? null);
    this.depthwiseConstraint = constraints.get(options.depthwiseConstraint ?? null);
    this.pointwiseConstraint = constraints.get(options.pointwiseConstraint ?? null);
    this.biasConstraint = constraints.get(options.biasConstraint ?? null);
    this.inputSpec = { minNdim: rank + 2 };
  }

  override build(inputShape: unknown): void {
    const shape = inputShape as Shape;
    const [axis, channels] = inputChannels(this, this.inputSpec, shape, this.dataFormat);
    this.inputSpec = { minNdim: this.rank + 2, axes: { [axis]: channels } };
    this.computeOutputShape(shape);
    this.depthwiseKernel = this.addWeight({
      name: "depthwise_kernel",
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
      constraint: this.depthwiseConstraint,
      trainable: true,
    });
    this.pointwiseKernel = this.addWeight({
      name: "pointwise_kernel",
      shape: [
        ...new Array<number>(this.rank).fill(1),
        this.depthMultiplier * channels,
        this.filters,
      ],
      initializer: this.pointwiseInitializer,
      regularizer: this.pointwiseRegularizer,
      constraint: this.pointwiseConstraint,
      trainable: true,
    });
    if (this.useBias) this.bias = addBiasWeight(this, this.filters);
    super.build(inputShape);
  }

  /** Keras `from_config` of SeparableConv1D / SeparableConv2D. */
  static fromConfig<T>(
    this: new (filters: number, kernelSize: number | number[], options: SeparableConvOptions) => T,
    config: Record<string, unknown>,
  ): T {
    return filtersKernelFromConfig(this, config);
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    assertInputCompatible(this, this.inputSpec, inputs.shape);
    let outputs: AnyTensor = ops.separableConv(
      inputs,
      this.depthwiseKernel!.value,
      this.pointwiseKernel!.value,
      this.strides,
      this.padding,
      this.dataFormat,
      this.dilationRate,
    );
    if (this.useBias) outputs = addBias(outputs, this.bias!, this.dataFormat);
    return this.activation(outputs) as AnyTensor;
  }

  override computeOutputShape(inputShape: unknown): Shape {
    return convOutputShape(this, inputShape as Shape, this.filters);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      depth_multiplier: this.depthMultiplier,
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      depthwise_initializer: serializeOrNull(this.depthwiseInitializer),
      pointwise_initializer: serializeOrNull(this.pointwiseInitializer),
      bias_initializer: serializeOrNull(this.biasInitializer),
      depthwise_regularizer: serializeOrNull(this.depthwiseRegularizer),
      pointwise_regularizer: serializeOrNull(this.pointwiseRegularizer),
      bias_regularizer: serializeOrNull(this.biasRegularizer),
      activity_regularizer: serializeOrNull(this.activityRegularizer),
      depthwise_constraint: serializeOrNull(this.depthwiseConstraint),
      pointwise_constraint: serializeOrNull(this.pointwiseConstraint),
      bias_constraint: serializeOrNull(this.biasConstraint),
    };
  }
}

/**
 * 1D separable convolution.
 * @example
 * const y = new keras.layers.SeparableConv1D(8, 3, { depthMultiplier: 2 }).apply(keras.Input([10, 4])); // (None, 8, 8)
 */
export class SeparableConv1D extends BaseSeparableConv {
  static override className = "SeparableConv1D";
  constructor(filters: number, kernelSize: number | number[], options: SeparableConvOptions = {}) {
    super(1, filters, kernelSize, options);
  }
}

/**
 * 2D separable convolution.
 * @example
 * const y = new keras.layers.SeparableConv2D(16, 3, { padding: "same" }).apply(keras.Input([28, 28, 8])); // (None, 28, 28, 16)
 */
export class SeparableConv2D extends BaseSeparableConv {
  static override className = "SeparableConv2D";
  constructor(filters: number, kernelSize: number | number[], options: SeparableConvOptions = {}) {
    super(2, filters, kernelSize, options);
  }
}

registerBuiltin("keras.layers", "SeparableConv1D", SeparableConv1D, ["SeparableConvolution1D"]);
registerBuiltin("keras.layers", "SeparableConv2D", SeparableConv2D, ["SeparableConvolution2D"]);
