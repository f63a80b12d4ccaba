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
import { Layer, type CallArgs, type LayerOptions, type Shape } from "../layer";
import {
  assertInputCompatible,
  standardizeDataFormat,
  standardizePadding,
  standardizeTuple,
  type DataFormat,
  type Identifier,
  type InputSpec,
} from "./utils";

/** Options shared by the convolution layers (everything but the positional arguments). */
export interface ConvOptions extends LayerOptions {
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
  kernelInitializer?: Identifier<Initializer>;
  biasInitializer?: Identifier<Initializer>;
  kernelRegularizer?: Identifier<Regularizer>;
  biasRegularizer?: Identifier<Regularizer>;
  kernelConstraint?: Identifier<Constraint>;
  biasConstraint?: Identifier<Constraint>;
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

/** Checks the arguments every convolution layer shares (Keras' constructor checks). */
export function checkSpatialArgs(where: string, strides: number[], dilationRate: number[]): void {
  if (Math.max(...strides) > 1 && Math.max(...dilationRate) > 1)
    throw new ValueError(
      `${where}: \`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=${fmt(strides)} and dilation_rate=${fmt(dilationRate)}`,
    );
}

/**
 * Keras `compute_conv_output_shape`: the output shape of a convolution with `filters` output
 * channels, checking that no output dim is negative.
 */
export function convOutputShape(
  where: string,
  inputShape: readonly (number | null)[],
  filters: number | null,
  kernelSize: number[],
  strides: number[],
  padding: string,
  dataFormat: DataFormat,
  dilationRate: number[],
): Shape {
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
    if (typeof filters !== "number" || !Number.isInteger(filters) || filters <= 0)
      throw new ValueError(
        `${where}: invalid value for argument \`filters\`. Expected a strictly positive integer. Received: filters=${fmt(filters)}`,
      );
    this.filters = filters;
    this.groups = options.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups <= 0)
      throw new ValueError(
        `${where}: the number of groups must be a positive integer. Received: groups=${fmt(options.groups)}`,
      );
    if (filters % this.groups !== 0)
      throw new ValueError(
        `${where}: the number of filters must be evenly divisible by the number of groups. Received: groups=${this.groups}, filters=${filters}`,
      );
    this.kernelSize = standardizeTuple(kernelSize, rank, "kernel_size", where);
    this.strides = standardizeTuple(options.strides ?? 1, rank, "strides", where);
    this.dilationRate = standardizeTuple(options.dilationRate ?? 1, rank, "dilation_rate", where);
    this.padding = standardizePadding(options.padding ?? "valid", where, rank === 1);
    this.dataFormat = standardizeDataFormat(options.dataFormat, where);
    checkSpatialArgs(where, this.strides, this.dilationRate);
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
    assertInputCompatible(this, this.inputSpec, shape);
    const [axis, channels] = channelsOf(shape, this.dataFormat);
    if (channels === null)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): the channel dimension of the inputs should be defined. Received: input.shape=${fmt(shape)}`,
      );
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
    if (this.useBias)
      this.bias = this.addWeight({
        name: "bias",
        shape: [this.filters],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
        trainable: true,
      });
    super.build(inputShape);
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
    return convOutputShape(
      `Layer "${this.name}" (${this.className})`,
      inputShape as Shape,
      this.filters,
      this.kernelSize,
      this.strides,
      this.padding,
      this.dataFormat,
      this.dilationRate,
    );
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
