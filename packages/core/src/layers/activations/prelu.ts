/**
 * PReLU (Keras 3 `keras/src/layers/activations/prelu.py`): leaky ReLU with a learned slope
 * `alpha` per input element, shared along `sharedAxes` (1-based, batch excluded).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/activations/prelu.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import type { Variable } from "../../variables/variable";
import { Layer, type LayerOptions, type Shape, optionsFromConfig, type Identifier } from "../layer";
import { assertInputCompatible } from "../input_spec";

export interface PReLUOptions extends LayerOptions {
  /** Default "Zeros". */
  alphaInitializer?: Identifier<Initializer>;
  alphaRegularizer?: Identifier<Regularizer>;
  alphaConstraint?: Identifier<Constraint>;
  /** Axes (1-based) along which one alpha is shared, e.g. [1, 2] for images. */
  sharedAxes?: number | readonly number[] | null;
}

/**
 * Parametric ReLU: `x` for x >= 0, `alpha * x` otherwise, with a learned `alpha`.
 * @example new keras.layers.PReLU({ sharedAxes: [1, 2] }).apply(keras.Input([8, 8, 3])); // alpha (1, 1, 3)
 */
export class PReLU extends Layer {
  static override className = "PReLU";
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly alphaConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha: Variable | null = null;
  private inputAxes: Record<number, number | null> = {};
  private inputNdim = 0;

  constructor(options: PReLUOptions = {}) {
    super(options);
    this.supportsMasking = true;
    this.alphaInitializer = initializers.get(options.alphaInitializer ?? "Zeros");
    this.alphaRegularizer = regularizers.get(options.alphaRegularizer ?? null);
    this.alphaConstraint = constraints.get(options.alphaConstraint ?? null);
    const sa = options.sharedAxes ?? null;
    this.sharedAxes = sa === null ? null : typeof sa === "number" ? [sa] : [...sa];
    if (this.sharedAxes?.some((a) => !Number.isInteger(a) || a < 1))
      throw new ValueError(
        `PReLU "${this.name}": \`shared_axes\` must hold axes >= 1 (axis 0 is the batch). Received: shared_axes=${fmt(sa)}`,
      );
  }

  override build(inputShape: Shape): void {
    const paramShape = inputShape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (a > paramShape.length)
        throw new ValueError(
          `Layer "${this.name}" (PReLU): shared axis ${a} is out of range for the input. Received: input_shape=${fmt(inputShape)}`,
        );
      paramShape[a - 1] = 1;
    }
    if (paramShape.some((d) => d === null))
      throw new ValueError(
        `Layer "${this.name}" (PReLU): the non-batch dims must be known (or shared with \`sharedAxes\`). Received: input_shape=${fmt(inputShape)}`,
      );
    this.alpha = this.addWeight({
      name: "alpha",
      shape: paramShape as number[],
      initializer: this.alphaInitializer,
      regularizer: this.alphaRegularizer,
      constraint: this.alphaConstraint,
    });
    this.inputNdim = inputShape.length;
    this.inputAxes = {};
    for (let i = 1; i < inputShape.length; i++)
      if (!this.sharedAxes?.includes(i)) this.inputAxes[i] = inputShape[i] ?? null;
    super.build(inputShape);
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: this.inputNdim, axes: this.inputAxes }, inputs.shape);
    const pos = activations.relu<AnyTensor>(inputs);
    // -alpha * relu(-x)
    const neg = ops.multiply<AnyTensor>(
      ops.negative(this.alpha!.value),
      activations.relu(ops.negative(inputs)),
    );
    return ops.add<AnyTensor>(pos, neg);
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      alpha_initializer: serializeKerasObject(this.alphaInitializer),
      alpha_regularizer: serializeKerasObject(this.alphaRegularizer),
      alpha_constraint: serializeKerasObject(this.alphaConstraint),
      shared_axes: this.sharedAxes === null ? null : [...this.sharedAxes],
    };
  }

  static fromConfig(config: Record<string, unknown>): PReLU {
    return new PReLU(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "PReLU", PReLU);
