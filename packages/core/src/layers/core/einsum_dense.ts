/**
 * EinsumDense: a dense layer whose contraction is an einsum equation
 * (Keras 3 `keras/src/layers/core/einsum_dense.py`). The kernel and bias shapes come from the
 * equation, the input shape and the partial `outputShape`, by the same analysis as Keras
 * (`_analyze_einsum_string`), so weight shapes match `.keras` files.
 *
 * Equations have the forms `ab,bc->ac`, `...ab,bc->...ac` or `ab...,bc->ac...`.
 * LoRA and quantization are not implemented.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/core/einsum_dense.py
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
import { checkNoQuantization } from "./dense";

export interface EinsumDenseOptions extends LayerOptions, KernelBiasOptions {
  activation?: string | ActivationFunction | null;
  /** Output axes (letters of the output spec) that get a bias; default none. */
  biasAxes?: string | null;
  quantizationConfig?: null;
}

/** Kernel shape, bias shape (or null) and full output shape for an equation (Keras `_analyze_einsum_string`). */
export function analyzeEinsumString(
  equation: string,
  biasAxes: string | null,
  inputShape: Shape,
  outputShape: number | readonly (number | null)[],
): { kernelShape: Shape; biasShape: Shape | null; fullOutputShape: Shape } {
  const dotReplaced = equation.replace(/\.\.\./g, "0");
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)/.exec(dotReplaced);
  if (m) return analyzeSplitString(m, biasAxes, inputShape, outputShape, false);
  m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)/.exec(dotReplaced);
  if (m) return analyzeSplitString(m, biasAxes, inputShape, outputShape, true);
  m = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0/.exec(dotReplaced);
  if (m) return analyzeSplitString(m, biasAxes, inputShape, outputShape, false);
  throw new ValueError(
    `Invalid einsum equation '${equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z].... Received: equation=${equation}`,
  );
}

function analyzeSplitString(
  m: RegExpExecArray,
  biasAxes: string | null,
  inputShape: Shape,
  partialOutputShape: number | readonly (number | null)[],
  leftElided: boolean,
): { kernelShape: Shape; biasShape: Shape | null; fullOutputShape: Shape } {
  const inputSpec = m[1]!;
  const weightSpec = m[2]!;
  const outputSpec = m[3]!;
  const elided = inputShape.length - inputSpec.length;
  const outputShape: Shape =
    typeof partialOutputShape === "number" ? [partialOutputShape] : [...partialOutputShape];
  outputShape.unshift(inputShape[0] ?? null);
  if (elided > 0 && leftElided) {
    // The 0th input dim is already at position 0, so elided dims go in from position 1.
    for (let i = 1; i < elided; i++) outputShape.splice(1, 0, inputShape[i]!);
  } else if (elided > 0 && !leftElided) {
    for (let i = inputShape.length - elided; i < inputShape.length; i++)
      outputShape.push(inputShape[i]!);
  }
  const inputDimMap = new Map<string, number>();
  const outputDimMap = new Map<string, number>();
  if (leftElided) {
    // Negative positions in the input; the output is already full length.
    [...inputSpec].forEach((d, i) => inputDimMap.set(d, i + elided - inputShape.length));
    [...outputSpec].forEach((d, i) => outputDimMap.set(d, i + elided));
  } else {
    [...inputSpec].forEach((d, i) => inputDimMap.set(d, i));
    [...outputSpec].forEach((d, i) => outputDimMap.set(d, i));
  }
  const at = (s: Shape, i: number): number | null => s[i < 0 ? s.length + i : i] ?? null;
  for (const d of inputSpec) {
    const inDim = at(inputShape, inputDimMap.get(d)!);
    if (outputDimMap.has(d)) {
      const outDim = at(outputShape, outputDimMap.get(d)!);
      if (outDim !== null && outDim !== inDim)
        throw new ValueError(
          `Input shape and output shape do not match at shared dimension '${d}'. Input shape is ${fmt(inDim)}, and output shape is ${fmt(outDim)}. Received: input_shape=${fmt(inputShape)}, output_shape=${fmt(partialOutputShape)}`,
        );
    }
  }
  for (const d of outputSpec)
    if (!inputSpec.includes(d) && !weightSpec.includes(d))
      throw new ValueError(
        `Dimension '${d}' was specified in the output '${outputSpec}' but has no corresponding dim in the input spec '${inputSpec}' or weight spec '${weightSpec}'. Received: output_spec=${outputSpec}`,
      );
  const kernelShape: Shape = [];
  for (const d of weightSpec) {
    if (inputDimMap.has(d)) kernelShape.push(at(inputShape, inputDimMap.get(d)!));
    else if (outputDimMap.has(d)) kernelShape.push(at(outputShape, outputDimMap.get(d)!));
    else
      throw new ValueError(
        `Weight dimension '${d}' did not have a match in either the input spec '${inputSpec}' or the output spec '${outputSpec}'. For this layer, the weight must be fully specified. Received: weight_spec=${weightSpec}`,
      );
  }
  let biasShape: Shape | null = null;
  if (biasAxes !== null && biasAxes !== undefined) {
    const numLeftElided = leftElided ? elided : 0;
    const idx = new Map<string, number | null>(
      [...outputSpec].map((c, i) => [c, outputShape[i + numLeftElided] ?? null]),
    );
    for (const c of biasAxes)
      if (!outputSpec.includes(c))
        throw new ValueError(
          `Bias dimension '${c}' was requested, but is not part of the output spec '${outputSpec}'. Received: bias_axes=${biasAxes}`,
        );
    const first = Math.min(...[...biasAxes].map((c) => outputSpec.indexOf(c)));
    biasShape = [...outputSpec.slice(first)].map((c) => (biasAxes.includes(c) ? idx.get(c)! : 1));
    if (!leftElided) for (let i = 0; i < elided; i++) biasShape.push(1);
  }
  return { kernelShape, biasShape, fullOutputShape: outputShape };
}

/**
 * A layer that uses `einsum` as the backing computation: `activation(einsum(equation, x, kernel) + bias)`.
 * @example
 * // Dense(64) applied to each step of a sequence, with a bias on the last axis:
 * const layer = new keras.layers.EinsumDense("abc,cd->abd", [null, 64], { biasAxes: "d" });
 * layer.apply(keras.Input([32, 128])); // shape (None, 32, 64)
 */
export class EinsumDense extends Layer {
  static override className = "EinsumDense";
  readonly equation: string;
  readonly partialOutputShape: (number | null)[];
  readonly biasAxes: string | null;
  readonly activation: ActivationFunction;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  fullOutputShape: Shape | null = null;
  private inputNdim: number | null = null;

  constructor(
    equation: string,
    outputShape: number | readonly (number | null)[],
    options: EinsumDenseOptions = {},
  ) {
    super(options);
    if (typeof equation !== "string")
      throw new ValueError(
        `EinsumDense "${this.name}": \`equation\` must be a string. Received: equation=${fmt(equation)}`,
      );
    checkNoQuantization(`EinsumDense "${this.name}"`, options.quantizationConfig);
    this.equation = equation;
    this.partialOutputShape = typeof outputShape === "number" ? [outputShape] : [...outputShape];
    if (this.partialOutputShape.some((d) => d !== null && (!Number.isInteger(d) || d <= 0)))
      throw new ValueError(
        `EinsumDense "${this.name}": \`output_shape\` must hold positive integers or null. Received: output_shape=${fmt(outputShape)}`,
      );
    this.biasAxes = options.biasAxes ?? null;
    this.activation = activations.get(options.activation ?? null);
    this.kernelInitializer = initializers.get(options.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(options.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(options.kernelRegularizer ?? null);
    this.biasRegularizer = regularizers.get(options.biasRegularizer ?? null);
    this.kernelConstraint = constraints.get(options.kernelConstraint ?? null);
    this.biasConstraint = constraints.get(options.biasConstraint ?? null);
  }

  override build(inputShape: Shape): void {
    const { kernelShape, biasShape, fullOutputShape } = analyzeEinsumString(
      this.equation,
      this.biasAxes,
      inputShape,
      this.partialOutputShape,
    );
    const known = (s: Shape, what: string): number[] => {
      if (s.some((d) => d === null))
        throw new ValueError(
          `Layer "${this.name}" (EinsumDense): the ${what} shape ${fmt(s)} has unknown dimensions; give them in \`output_shape\` or in the input shape. Received: input_shape=${fmt(inputShape)}`,
        );
      return s as number[];
    };
    this.fullOutputShape = fullOutputShape;
    this.inputNdim = inputShape.length;
    this.kernel = this.addWeight({
      name: "kernel",
      shape: known(kernelShape, "kernel"),
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
      constraint: this.kernelConstraint,
    });
    if (biasShape)
      this.bias = this.addWeight({
        name: "bias",
        shape: known(biasShape, "bias"),
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
        constraint: this.biasConstraint,
      });
    super.build(inputShape);
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: this.inputNdim! }, inputs.shape);
    let x = ops.einsum<AnyTensor>(this.equation, inputs, this.kernel!.value);
    if (this.bias) x = ops.add<AnyTensor>(x, this.bias.value);
    return this.activation(x) as AnyTensor;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      output_shape: [...this.partialOutputShape],
      equation: this.equation,
      activation: activations.serialize(this.activation),
      bias_axes: this.biasAxes,
      kernel_initializer: serializeKerasObject(this.kernelInitializer),
      bias_initializer: serializeKerasObject(this.biasInitializer),
      kernel_regularizer: serializeKerasObject(this.kernelRegularizer),
      bias_regularizer: serializeKerasObject(this.biasRegularizer),
      activity_regularizer: serializeKerasObject(this.activityRegularizer),
      kernel_constraint: serializeKerasObject(this.kernelConstraint),
      bias_constraint: serializeKerasObject(this.biasConstraint),
      quantization_config: null,
    };
  }

  static fromConfig(config: Record<string, unknown>): EinsumDense {
    return new EinsumDense(
      config.equation as string,
      config.output_shape as number | (number | null)[],
      optionsFromConfig<EinsumDenseOptions>(config, ["equation", "output_shape"]),
    );
  }
}

registerBuiltin("keras.layers", "EinsumDense", EinsumDense);
