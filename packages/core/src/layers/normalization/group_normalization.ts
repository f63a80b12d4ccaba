/**
 * GroupNormalization (Keras `keras/src/layers/normalization/group_normalization.py`): the
 * channels (`axis`) are split into `groups`; each sample is normalized over every non-batch dim
 * of its group (mean and population variance), then scaled by `gamma` and shifted by `beta`
 * (per channel, shape `(channels,)`, gamma first). `groups: -1` means one group per channel
 * (instance normalization); `groups: 1` normalizes over everything but the batch.
 */
import { ValueError, fmt } from "../../errors";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { KerasTensor } from "../../symbolic/keras_tensor";
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
import { assertInputCompatible, type InputSpec } from "../input_spec";

export interface GroupNormalizationOptions extends LayerOptions {
  /** Number of groups (default 32); -1 means one per channel. Must divide the channels. */
  groups?: number;
  /** The channel axis (default -1). */
  axis?: number;
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: Identifier<Initializer>;
  gammaInitializer?: Identifier<Initializer>;
  betaRegularizer?: Identifier<Regularizer>;
  gammaRegularizer?: Identifier<Regularizer>;
  betaConstraint?: Identifier<Constraint>;
  gammaConstraint?: Identifier<Constraint>;
}

/**
 * Group normalization (Wu & He, 2018).
 * @example
 * const y = new keras.layers.GroupNormalization({ groups: 4 }).apply(keras.Input([8, 8, 16])); // (None, 8, 8, 16)
 */
export class GroupNormalization extends Layer {
  static override className = "GroupNormalization";
  groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  private inputSpec: InputSpec | null = null;

  constructor(options: GroupNormalizationOptions = {}) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.groups = options.groups ?? 32;
    if (!Number.isInteger(this.groups) || (this.groups < 1 && this.groups !== -1))
      throw new ValueError(
        `${where}: \`groups\` must be a positive integer or -1. Received: groups=${fmt(options.groups)}`,
      );
    this.axis = options.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new ValueError(
        `${where}: \`axis\` must be an integer. Received: axis=${fmt(options.axis)}`,
      );
    this.epsilon = options.epsilon ?? 1e-3;
    this.center = options.center ?? true;
    this.scale = options.scale ?? true;
    this.betaInitializer = initializers.get(options.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(options.gammaInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(options.betaRegularizer ?? null);
    this.gammaRegularizer = regularizers.get(options.gammaRegularizer ?? null);
    this.betaConstraint = constraints.get(options.betaConstraint ?? null);
    this.gammaConstraint = constraints.get(options.gammaConstraint ?? null);
    this.supportsMasking = true;
  }

  /** The channel axis as a non-negative index for a rank-`rank` input. */
  private channelAxis(rank: number): number {
    return this.axis < 0 ? rank + this.axis : this.axis;
  }

  override build(inputShape: unknown): void {
    const s = inputShape as Shape;
    const head = `Layer "${this.name}" (${this.className})`;
    if (this.axis >= s.length || this.axis < -s.length)
      throw new ValueError(
        `${head}: axis ${this.axis} is out of bounds for an input of rank ${s.length}. Received: input.shape=${fmt(s)}`,
      );
    const dim = s[this.channelAxis(s.length)]!;
    if (dim === null)
      throw new ValueError(
        `${head}: axis ${this.axis} of the input tensor should have a defined dimension. Received: input.shape=${fmt(s)}`,
      );
    if (this.groups === -1) this.groups = dim;
    if (dim < this.groups)
      throw new ValueError(
        `${head}: the number of groups (${this.groups}) cannot be more than the number of channels (${dim}). Received: input.shape=${fmt(s)}`,
      );
    if (dim % this.groups !== 0)
      throw new ValueError(
        `${head}: the number of channels (${dim}) must be a multiple of the number of groups (${this.groups}). Received: input.shape=${fmt(s)}`,
      );
    this.inputSpec = { ndim: s.length, axes: { [this.axis]: dim } };
    if (this.scale)
      this.gamma = this.addWeight({
        shape: [dim],
        name: "gamma",
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
        constraint: this.gammaConstraint,
      });
    if (this.center)
      this.beta = this.addWeight({
        shape: [dim],
        name: "beta",
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
        constraint: this.betaConstraint,
      });
    super.build(inputShape);
  }

  /** The output is shaped like the input; tracing would need every dim known for the group reshape. */
  override computeOutputSpec(inputs: AnyTensor, _args: CallArgs = {}): KerasTensor {
    if (this.inputSpec) assertInputCompatible(this, this.inputSpec, inputs.shape);
    return new KerasTensor([...inputs.shape], "float32");
  }

  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    if (this.inputSpec) assertInputCompatible(this, this.inputSpec, inputs.shape);
    const shape = inputs.shape as number[];
    const r = shape.length;
    const ax = this.channelAxis(r);
    const g = this.groups;
    // (..., C, ...) -> (..., G, C / G, ...): the group axis sits where the channel axis was.
    const grouped = [...shape];
    grouped.splice(ax, 1, g, shape[ax]! / g);
    const x = ops.reshape(inputs, grouped);
    const reduce = Array.from({ length: r + 1 }, (_, i) => i).filter((i) => i !== 0 && i !== ax);
    const [mean, variance] = ops.moments(x, reduce, true);
    const bshape = grouped.map((d, i) => (i === ax || i === ax + 1 ? d : 1));
    let inv: AnyTensor = ops.rsqrt(ops.add(variance, this.epsilon));
    if (this.gamma) inv = ops.multiply(inv, ops.reshape(this.gamma.value, bshape));
    let res: AnyTensor = ops.negative(ops.multiply(mean, inv));
    if (this.beta) res = ops.add(res, ops.reshape(this.beta.value, bshape));
    return ops.reshape(ops.add(ops.multiply(x, inv), res), shape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      groups: this.groups,
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: serializeOrNull(this.betaInitializer),
      gamma_initializer: serializeOrNull(this.gammaInitializer),
      beta_regularizer: serializeOrNull(this.betaRegularizer),
      gamma_regularizer: serializeOrNull(this.gammaRegularizer),
      beta_constraint: serializeOrNull(this.betaConstraint),
      gamma_constraint: serializeOrNull(this.gammaConstraint),
    };
  }

  static fromConfig(config: Record<string, unknown>): GroupNormalization {
    return new GroupNormalization(optionsFromConfig<GroupNormalizationOptions>(config));
  }
}

registerBuiltin("keras.layers", "GroupNormalization", GroupNormalization);
