/**
 * Dense: `activation(inputs @ kernel + bias)` (Keras 3 `keras/src/layers/core/dense.py`).
 * Inputs of any rank >= 2: the last axis is contracted with the kernel, like `tf.tensordot`.
 * LoRA and quantization are not implemented; the config still carries `quantization_config: null`
 * as Keras 3.15 writes it.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/core/dense.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import type { Variable } from "../../variables/variable";
import {
  Layer,
  type LayerOptions,
  type Shape,
  optionsFromConfig,
  type KernelBiasOptions,
} from "../layer";
import { assertInputCompatible } from "../input_spec";

export interface DenseOptions extends LayerOptions, KernelBiasOptions {
  /** Activation name or function; default none ("linear"). */
  activation?: string | ActivationFunction | null;
  useBias?: boolean;
  /** Only `null` is supported (no quantization). */
  quantizationConfig?: null;
}

/** Throws unless `quantization_config` is null: quantized layers are not implemented. */
export function checkNoQuantization(where: string, value: unknown): void {
  if (value !== null && value !== undefined)
    throw new ValueError(
      `${where}: quantization is not supported; \`quantization_config\` must be null. Received: quantization_config=${fmt(value)}`,
    );
}

/**
 * Just your regular densely-connected layer: `output = activation(dot(input, kernel) + bias)`.
 * @example
 * const dense = new keras.layers.Dense(32, { activation: "relu" });
 * const y = dense.apply(keras.Input([16])); // shape (None, 32)
 */
export class Dense extends Layer {
  static override className = "Dense";
  readonly units: number;
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

  constructor(units: number, options: DenseOptions = {}) {
    if (!Number.isInteger(units) || units <= 0)
      throw new ValueError(
        `Dense: received an invalid value for \`units\`, expected a positive integer. Received: units=${fmt(units)}`,
      );
    super(options);
    checkNoQuantization(`Dense "${this.name}"`, options.quantizationConfig);
    this.units = units;
    this.activation = activations.get(options.activation ?? null);
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = initializers.get(options.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(options.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(options.kernelRegularizer ?? null);
    this.biasRegularizer = regularizers.get(options.biasRegularizer ?? null);
    this.kernelConstraint = constraints.get(options.kernelConstraint ?? null);
    this.biasConstraint = constraints.get(options.biasConstraint ?? null);
    this.supportsMasking = true;
  }

  override build(inputShape: Shape): void {
    assertInputCompatible(this, { minNdim: 2 }, inputShape);
    const inDim = inputShape[inputShape.length - 1];
    if (inDim === null || inDim === undefined)
      throw new ValueError(
        `Layer "${this.name}" (Dense): the last dimension of the inputs must be known. Received: input_shape=${fmt(inputShape)}`,
      );
    this.kernel = this.addWeight({
      name: "kernel",
      shape: [inDim, this.units],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    if (this.useBias)
      this.bias = this.addWeight({
        name: "bias",
        shape: [this.units],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    super.build(inputShape);
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(
      this,
      { minNdim: 2, axes: { [-1]: this.kernel!.shape[0]! } },
      inputs.shape,
    );
    // (..., in) @ (in, units) -> (..., units)
    let x = ops.matmul<AnyTensor>(inputs, this.kernel!.value);
    if (this.bias) x = ops.add<AnyTensor>(x, this.bias.value);
    return this.activation(x) as AnyTensor;
  }

  /** Keras `compute_mask`: the mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      kernel_initializer: serializeKerasObject(this.kernelInitializer),
      bias_initializer: serializeKerasObject(this.biasInitializer),
      kernel_regularizer: serializeKerasObject(this.kernelRegularizer),
      bias_regularizer: serializeKerasObject(this.biasRegularizer),
      kernel_constraint: serializeKerasObject(this.kernelConstraint),
      bias_constraint: serializeKerasObject(this.biasConstraint),
      quantization_config: null,
    };
  }

  static fromConfig(config: Record<string, unknown>): Dense {
    return new Dense(config.units as number, optionsFromConfig<DenseOptions>(config, ["units"]));
  }
}

registerBuiltin("keras.layers", "Dense", Dense);
