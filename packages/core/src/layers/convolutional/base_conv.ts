/**
 * BaseConv: the N-D convolution layer behind Conv1D / Conv2D / Conv3D (Keras
 * `keras/src/layers/convolutional/base_conv.py`). Weights `kernel` of shape
 * `(...kernelSize, inChannels / groups, filters)` and `bias` of shape `(filters,)`; the maths is
 * `keras.ops.conv`, which owns Keras' "same" padding and output-shape rules.
 *
 * Not here: LoRA (`lora_rank`), quantization.
 */
import { ValueError, fmt } from "../../errors";
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { serializeKerasObject } from "../../saving/serialization";
import type { AnyTensor } from "../../engine/bind";
import type { Variable } from "../../variables/variable";
import {
  Layer,
  optionsFromConfig,
  type CallArgs,
  type LayerOptions,
  type Shape,
  type KernelBiasOptions,
} from "../layer";
import {
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
  type DataFormat,
} from "../../utils/argument_validation";
import { assertInputCompatible, type InputSpec } from "../input_spec";

/** Options shared by the convolution layers (everything but the positional arguments). */
export interface ConvOptions extends LayerOptions, KernelBiasOptions {
  /** An int or one int per spatial dim (default 1). */
  strides?: number | number[];
  /** "valid" (default), "same", or "causal" (Conv1D only). */
  padding?: string;
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
  /** An int or one int per spatial dim (default 1); not combinable with strides > 1. */
  dilationRate?: number | number[];
  /** Number of channel groups (default 1): `filters` and the input channels must divide by it. */
  groups?: number;
  activation?: string | ActivationFunction | Record<string, unknown> | null;
  useBias?: boolean;
}

/** A serialized object, or null (Keras `serialize(None)`). */
export const serializeOrNull = (x: unknown): unknown =>
  x === null || x === undefined ? null : serializeKerasObject(x);

/** The channel axis and the channel count of an input shape. */
export function channelsOf(
  shape: readonly (number | null)[],
  dataFormat: DataFormat,
): [number, number | null] {
  return dataFormat === "channels_last"
    ? [-1, shape[shape.length - 1] ?? null]
    : [1, shape[1] ?? null];
}

/** Keras' check of a count argument (`filters`, `depth_multiplier`): a strictly positive int. */
export function positiveIntArg(where: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0)
    throw new ValueError(
      `${where}: invalid value for argument \`${name}\`. Expected a strictly positive integer. Received: ${name}=${fmt(value)}`,
    );
  return value;
}

/** The spatial arguments every convolution layer has, standardized. */
export interface SpatialArgs {
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: "valid" | "same" | "causal";
  dataFormat: DataFormat;
}

/**
 * Standardizes and checks the spatial arguments every convolution layer shares (Keras'
 * constructor checks); "causal" padding only with `allowCausal`.
 */
export function spatialArgs(
  where: string,
  rank: number,
  kernelSize: unknown,
  options: Pick<ConvOptions, "strides" | "dilationRate" | "padding" | "dataFormat">,
  allowCausal = false,
): SpatialArgs {
  const args: SpatialArgs = {
    kernelSize: standardizeTuple(kernelSize, rank, "kernel_size", where),
    strides: standardizeTuple(options.strides ?? 1, rank, "strides", where),
    dilationRate: standardizeTuple(options.dilationRate ?? 1, rank, "dilation_rate", where),
    padding: standardizePadding(options.padding ?? "valid", where, allowCausal),
    dataFormat: standardizeDataFormat(options.dataFormat, where),
  };
  if (Math.max(...args.strides) > 1 && Math.max(...args.dilationRate) > 1)
    throw new ValueError(
      `${where}: \`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=${fmt(args.strides)} and dilation_rate=${fmt(args.dilationRate)}`,
    );
  return args;
}

/**
 * Checks a convolution layer's input shape against its spec and returns the channel axis and
 * the channel count, which must be known.
 */
export function inputChannels(
  layer: Layer,
  spec: InputSpec,
  shape: Shape,
  dataFormat: DataFormat,
): [number, number] {
  assertInputCompatible(layer, spec, shape);
  const [axis, channels] = channelsOf(shape, dataFormat);
  if (channels === null)
    throw new ValueError(
      `Layer "${layer.name}" (${layer.className}): the channel dimension of the inputs should be defined. Received: input.shape=${fmt(shape)}`,
    );
  return [axis, channels];
}

/** The `bias` weight of a convolution layer, from the layer's bias arguments. */
export function addBiasWeight(
  layer: Layer & {
    biasInitializer: Initializer;
    biasRegularizer: Regularizer | null;
    biasConstraint: Constraint | null;
  },
  units: number,
): Variable {
  return layer.addWeight({
    name: "bias",
    shape: [units],
    initializer: layer.biasInitializer,
    regularizer: layer.biasRegularizer,
    constraint: layer.biasConstraint,
    trainable: true,
  });
}

/** Keras `from_config` (`cls(**config)`) of the layers constructed as `(filters, kernelSize, options)`. */
export function filtersKernelFromConfig<T, O>(
  cls: new (filters: number, kernelSize: number | number[], options: O) => T,
  config: Record<string, unknown>,
): T {
  return new cls(
    config.filters as number,
    config.kernel_size as number[],
    optionsFromConfig(config, ["filters", "kernel_size"]) as O,
  );
}

/**
 * Keras `compute_conv_output_shape`: the output shape of a convolution with `filters` output
 * channels, checking that no output dim is negative.
 */
export function convOutputShape(
  layer: Layer & SpatialArgs,
  inputShape: readonly (number | null)[],
  filters: number | null,
): Shape {
  const where = `Layer "${layer.name}" (${layer.className})`;
  const { kernelSize, strides, padding, dataFormat, dilationRate } = layer;
  const n = kernelSize.length;
  const last = dataFormat === "channels_last";
  const spatial = last ? inputShape.slice(1, 1 + n) : inputShape.slice(2, 2 + n);
  const out = spatial.map((d, i) => {
    if (d === null) return null;
    if (padding === "valid") {
      const o = Math.floor((d - dilationRate[i]! * (kernelSize[i]! - 1) - 1) / strides[i]!) + 1;
      if (o < 0)
        throw new ValueError(
          `${where}: computed output size would be negative (${o}). Received: inputs.shape=${fmt([...inputShape])}, kernel_size=${fmt(kernelSize)}, dilation_rate=${fmt(dilationRate)}`,
        );
      return o;
    }
    return Math.floor((d - 1) / strides[i]!) + 1;
  });
  return last ? [inputShape[0] ?? null, ...out, filters] : [inputShape[0] ?? null, filters, ...out];
}

/** Adds a per-channel bias along the channel axis. */
export function addBias(outputs: AnyTensor, bias: Variable, dataFormat: DataFormat): AnyTensor {
  if (dataFormat === "channels_last") return ops.add(outputs, bias.value);
  const shape = outputs.shape.map((_, i) => (i === 1 ? bias.shape[0]! : 1));
  return ops.add(outputs, ops.reshape(bias.value, shape));
}

/**
 * Abstract N-D convolution layer (Keras `BaseConv`): Conv1D, Conv2D and Conv3D only set the rank.
 */
export abstract class BaseConv extends Layer {
  static override className = "BaseConv";
  readonly rank: number;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same" | "causal";
  readonly dataFormat: DataFormat;
  readonly dilationRate: number[];
  readonly groups: number;
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
    options: ConvOptions = {},
  ) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.rank = rank;
    this.filters = positiveIntArg(where, "filters", filters);
    this.groups = options.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups <= 0)
      throw new ValueError(
        `${where}: the number of groups must be a positive integer. Received: groups=${fmt(options.groups)}`,
      );
    if (filters % this.groups !== 0)
      throw new ValueError(
        `${where}: the number of filters must be evenly divisible by the number of groups. Received: groups=${this.groups}, filters=${filters}`,
      );
    const spatial = spatialArgs(where, rank, kernelSize, options, rank === 1);
    this.kernelSize = spatial.kernelSize;
    this.strides = spatial.strides;
    this.dilationRate = spatial.dilationRate;
    this.padding = spatial.padding;
    this.dataFormat = spatial.dataFormat;
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
    if (channels % this.groups !== 0)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): the number of input channels must be evenly divisible by the number of groups. Received: groups=${this.groups}, but the input has ${channels} channels (full input shape is ${fmt(shape)})`,
      );
    this.inputSpec = { minNdim: this.rank + 2, axes: { [axis]: channels } };
    // Validates the input shape (no negative output size) before creating weights, like Keras.
    this.computeOutputShape(shape);
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [...this.kernelSize, channels / this.groups, this.filters],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
      trainable: true,
    });
    if (this.useBias) this.bias = addBiasWeight(this, this.filters);
    super.build(inputShape);
  }

  /** Keras `from_config` of Conv1D / Conv2D / Conv3D. */
  static fromConfig<T>(
    this: new (filters: number, kernelSize: number | number[], options: ConvOptions) => T,
    config: Record<string, unknown>,
  ): T {
    return filtersKernelFromConfig(this, config);
  }

  /** The convolution itself (Conv1D overrides it for causal padding). */
  protected convolutionOp(inputs: AnyTensor, kernel: AnyTensor): AnyTensor {
    return ops.conv(inputs, kernel, this.strides, this.padding, this.dataFormat, this.dilationRate);
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    assertInputCompatible(this, this.inputSpec, inputs.shape);
    let outputs = this.convolutionOp(inputs, this.kernel!.value);
    if (this.useBias) outputs = addBias(outputs, this.bias!, this.dataFormat);
    return this.activation(outputs) as AnyTensor;
  }

  override computeOutputShape(inputShape: unknown): Shape {
    return convOutputShape(this, inputShape as Shape, this.filters);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: this.dataFormat,
      dilation_rate: [...this.dilationRate],
      groups: this.groups,
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
