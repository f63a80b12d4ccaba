/**
 * Transposed convolutions, Conv1DTranspose / Conv2DTranspose / Conv3DTranspose (Keras
 * `base_conv_transpose.py` and its subclasses). Weights `kernel` of shape
 * `(...kernelSize, filters, inChannels)` (Keras' transposed layout) and `bias` `(filters,)`; the
 * maths and output-shape rules are `keras.ops.convTranspose`.
 *
 * Config: Keras 3.15 accepts `output_padding` but its `get_config` does not write it (fixed
 * upstream later, keras-team/keras#23014). We write `output_padding` only when it was given, so
 * default configs match Keras' exactly and a given `outputPadding` survives a save / load.
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
import { Layer, type CallArgs, type Shape } from "../layer";
import {
  addBias,
  addBiasWeight,
  filtersKernelFromConfig,
  inputChannels,
  positiveIntArg,
  serializeOrNull,
  spatialArgs,
  type ConvOptions,
} from "./base_conv";
import { standardizeTuple, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible, type InputSpec } from "../input_spec";

export interface ConvTransposeOptions extends Omit<ConvOptions, "groups"> {
  /**
   * Extra size added to the end of each output spatial dim (an int or one per dim; normally
   * smaller than the stride). Default null: Keras' inferred output size.
   */
  outputPadding?: number | number[] | null;
}

/** Abstract N-D transposed convolution (Keras `BaseConvTranspose`). */
export abstract class BaseConvTranspose extends Layer {
  static override className = "BaseConvTranspose";
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same";
  readonly outputPadding: number[] | null;
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly activation: ActivationFunction;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  protected inputSpec: InputSpec;

  constructor(
    rank: number,
    filters: number,
    kernelSize: number | number[],
    options: ConvTransposeOptions = {},
  ) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.rank = rank;
    this.filters = positiveIntArg(where, "filters", filters);
    const spatial = spatialArgs(where, rank, kernelSize, options);
    this.kernelSize = spatial.kernelSize;
    this.strides = spatial.strides;
    this.dilationRate = spatial.dilationRate;
    this.padding = spatial.padding as "valid" | "same";
    this.dataFormat = spatial.dataFormat;
    const op = options.outputPadding;
    this.outputPadding =
      op === null || op === undefined
        ? null
        : standardizeTuple(op, rank, "output_padding", where, true);
    this.activation = activations.get(options.activation ?? null);
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = initializers.get(options.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(options.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(options.kernelRegularizer ?? null);
    this.biasRegularizer = regularizers.get(options.biasRegularizer ?? null);
    this.kernelConstraint = constraints.get(options.kernelConstraint ?? null);
    this.biasConstraint = constraints.get(options.biasConstraint ?? null);
    this.inputSpec = { minNdim: rank + 2 };
  }

  override build(inputShape: unknown): void {
    const shape = inputShape as Shape;
    const [axis, channels] = inputChannels(this, this.inputSpec, shape, this.dataFormat);
    this.inputSpec = { minNdim: this.rank + 2, axes: { [axis]: channels } };
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [...this.kernelSize, this.filters, channels],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
      trainable: true,
    });
    if (this.useBias) this.bias = addBiasWeight(this, this.filters);
    super.build(inputShape);
  }

  /** Keras `from_config` of Conv1DTranspose / Conv2DTranspose / Conv3DTranspose. */
  static fromConfig<T>(
    this: new (filters: number, kernelSize: number | number[], options: ConvTransposeOptions) => T,
    config: Record<string, unknown>,
  ): T {
    return filtersKernelFromConfig(this, config);
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    assertInputCompatible(this, this.inputSpec, inputs.shape);
    let outputs: AnyTensor = ops.convTranspose(
      inputs,
      this.kernel!.value,
      this.strides,
      this.padding,
      this.outputPadding,
      this.dataFormat,
      this.dilationRate,
    );
    if (this.useBias) outputs = addBias(outputs, this.bias!, this.dataFormat);
    return this.activation(outputs) as AnyTensor;
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
    };
    if (this.outputPadding !== null) config.output_padding = [...this.outputPadding];
    return {
      ...config,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      kernel_initializer: serializeOrNull(this.kernelInitializer),
      bias_initializer: serializeOrNull(this.biasInitializer),
      kernel_regularizer: serializeOrNull(this.kernelRegularizer),
      bias_regularizer: serializeOrNull(this.biasRegularizer),
      activity_regularizer: serializeOrNull(this.activityRegularizer),
      kernel_constraint: serializeOrNull(this.kernelConstraint),
      bias_constraint: serializeOrNull(this.biasConstraint),
    };
  }
}

/**
 * 1D transposed convolution: input `(batch, steps, channels)`, kernel `(k, filters, channels)`.
 * @example
 * const y = new keras.layers.Conv1DTranspose(8, 3, { strides: 2 }).apply(keras.Input([10, 4])); // (None, 21, 8)
 */
export class Conv1DTranspose extends BaseConvTranspose {
  static override className = "Conv1DTranspose";
  constructor(filters: number, kernelSize: number | number[], options: ConvTransposeOptions = {}) {
    super(1, filters, kernelSize, options);
  }
}

/**
 * 2D transposed convolution ("deconvolution"): kernel `(kh, kw, filters, channels)`.
 * @example
 * const y = new keras.layers.Conv2DTranspose(16, 3, { strides: 2, padding: "same" }).apply(keras.Input([8, 8, 4])); // (None, 16, 16, 16)
 */
export class Conv2DTranspose extends BaseConvTranspose {
  static override className = "Conv2DTranspose";
  constructor(filters: number, kernelSize: number | number[], options: ConvTransposeOptions = {}) {
    super(2, filters, kernelSize, options);
  }
}

/**
 * 3D transposed convolution: kernel `(k1, k2, k3, filters, channels)`.
 * @example
 * const y = new keras.layers.Conv3DTranspose(2, 2, { strides: 2 }).apply(keras.Input([4, 4, 4, 3])); // (None, 8, 8, 8, 2)
 */
export class Conv3DTranspose extends BaseConvTranspose {
  static override className = "Conv3DTranspose";
  constructor(filters: number, kernelSize: number | number[], options: ConvTransposeOptions = {}) {
    super(3, filters, kernelSize, options);
  }
}

registerBuiltin("keras.layers", "Conv1DTranspose", Conv1DTranspose, ["Convolution1DTranspose"]);
registerBuiltin("keras.layers", "Conv2DTranspose", Conv2DTranspose, ["Convolution2DTranspose"]);
registerBuiltin("keras.layers", "Conv3DTranspose", Conv3DTranspose, ["Convolution3DTranspose"]);
