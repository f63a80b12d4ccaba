/**
 * BatchNormalization (Keras `keras/src/layers/normalization/batch_normalization.py`).
 *
 * Weights, in Keras' order: `gamma` and `beta` (trainable, when `scale` / `center`),
 * `moving_mean` and `moving_variance` (non-trainable), plus `moving_stddev`, `renorm_mean` and
 * `renorm_stddev` with `renorm`. Training mode (`training: true` and the layer trainable)
 * normalizes with the batch statistics (population variance) and moves the moving statistics,
 * `moving = moving * momentum + batch * (1 - momentum)`; otherwise the moving statistics are used.
 * As in Keras 3, `trainable = false` therefore means inference mode.
 *
 * The moving-statistic updates assign the Variables outside any gradient tape (`noGrad`) and the
 * Variables dispose the tensors they replace; they run only on concrete tensors (a symbolic
 * call computes shapes, not updates).
 */
import { ValueError, fmt } from "../../errors";
import { noGrad } from "../../autodiff/grad";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import { Initializer, type Constraint, type Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { Tensor } from "../../tensor/tensor";
import type { DType } from "../../tensor/dtype";
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

/** Keras' `backend.epsilon()`, used by the masked moments. */
const FUZZ = 1e-7;

export interface BatchNormalizationOptions extends LayerOptions {
  /** The features axis (default -1). */
  axis?: number;
  /** Momentum of the moving averages (default 0.99). */
  momentum?: number;
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  /** Add the learned offset `beta` (default true). */
  center?: boolean;
  /** Multiply by the learned scale `gamma` (default true). */
  scale?: boolean;
  betaInitializer?: Identifier<Initializer>;
  gammaInitializer?: Identifier<Initializer>;
  movingMeanInitializer?: Identifier<Initializer>;
  movingVarianceInitializer?: Identifier<Initializer>;
  betaRegularizer?: Identifier<Regularizer>;
  gammaRegularizer?: Identifier<Regularizer>;
  betaConstraint?: Identifier<Constraint>;
  gammaConstraint?: Identifier<Constraint>;
  /** Batch renormalization (Ioffe 2017): extra moving statistics used in training. */
  renorm?: boolean;
  /** With `renorm`: optional `rmax`, `rmin`, `dmax` clipping the (r, d) corrections. */
  renormClipping?: { rmax?: number; rmin?: number; dmax?: number } | null;
  renormMomentum?: number;
  /** Cross-replica statistics (TensorFlow only in Keras); one device here, so no effect. */
  synchronized?: boolean;
}

/** `sqrt(base(shape))`: the initial moving standard deviation of batch renormalization. */
class SqrtOf extends Initializer {
  static override className = "SqrtOf";
  constructor(private readonly base: Initializer) {
    super();
  }
  call(shape: number[], dtype?: DType): Tensor {
    return ops.sqrt(this.base.call(shape, dtype));
  }
}

/**
 * Normalizes its inputs to zero mean and unit variance per feature, with batch statistics in
 * training and moving averages in inference.
 * @example
 * const bn = new keras.layers.BatchNormalization();
 * const y = bn.apply(x, { training: true }); // updates bn.movingMean / bn.movingVariance
 */
export class BatchNormalization extends Layer {
  static override className = "BatchNormalization";
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  readonly renorm: boolean;
  readonly renormClipping: { rmax?: number; rmin?: number; dmax?: number } | null;
  readonly renormMomentum: number;
  readonly synchronized: boolean;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;
  movingStddev: Variable | null = null;
  renormMean: Variable | null = null;
  renormStddev: Variable | null = null;
  private inputSpec: InputSpec | null = null;
  private reductionAxes: number[] = [];

  constructor(options: BatchNormalizationOptions = {}) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    const axis = options.axis ?? -1;
    if (!Number.isInteger(axis))
      throw new ValueError(`${where}: \`axis\` must be an integer. Received: axis=${fmt(axis)}`);
    this.axis = axis;
    this.momentum = options.momentum ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-3;
    this.center = options.center ?? true;
    this.scale = options.scale ?? true;
    this.betaInitializer = initializers.get(options.betaInitializer ?? "zeros");
    this.gammaInitializer = initializers.get(options.gammaInitializer ?? "ones");
    this.movingMeanInitializer = initializers.get(options.movingMeanInitializer ?? "zeros");
    this.movingVarianceInitializer = initializers.get(options.movingVarianceInitializer ?? "ones");
    this.betaRegularizer = regularizers.get(options.betaRegularizer ?? null);
    this.gammaRegularizer = regularizers.get(options.gammaRegularizer ?? null);
    this.betaConstraint = constraints.get(options.betaConstraint ?? null);
    this.gammaConstraint = constraints.get(options.gammaConstraint ?? null);
    this.synchronized = options.synchronized ?? false;
    this.supportsMasking = true;
    this.renorm = options.renorm ?? false;
    let clipping = options.renormClipping ?? null;
    if (this.renorm) {
      clipping = clipping ?? {};
      const bad = Object.keys(clipping).filter((k) => !["rmax", "rmin", "dmax"].includes(k));
      if (bad.length > 0)
        throw new ValueError(
          `${where}: invalid keys for the \`renorm_clipping\` argument; supported keys are rmax, rmin, dmax. Received: renorm_clipping=${fmt(clipping)}`,
        );
      const { rmax, rmin, dmax } = clipping;
      if (rmax !== undefined && rmin !== undefined && rmax !== null && rmin !== null && rmax < rmin)
        throw new ValueError(
          `${where}: rmax should be greater than rmin in the \`renorm_clipping\` argument. Received: rmax=${rmax}, rmin=${rmin}`,
        );
      if (dmax !== undefined && dmax !== null && dmax < 0)
        throw new ValueError(
          `${where}: dmax should be non-negative in the \`renorm_clipping\` argument. Received: dmax=${dmax}`,
        );
    }
    this.renormClipping = clipping;
    this.renormMomentum = options.renormMomentum ?? 0.99;
  }

  override build(inputShape: unknown): void {
    const shape = inputShape as Shape;
    const r = shape.length;
    if (this.axis >= r || this.axis < -r)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): axis ${this.axis} is out of bounds for an input of rank ${r}. Received: input.shape=${fmt(shape)}`,
      );
    const axis = this.axis < 0 ? r + this.axis : this.axis;
    const dim = shape[axis]!;
    if (dim === null)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): axis ${this.axis} of the inputs should have a defined dimension. Received: input.shape=${fmt(shape)}`,
      );
    const vec = [dim];
    if (this.scale)
      this.gamma = this.addWeight({
        shape: vec,
        name: "gamma",
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
        constraint: this.gammaConstraint,
        trainable: true,
      });
    if (this.center)
      this.beta = this.addWeight({
        shape: vec,
        name: "beta",
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
        constraint: this.betaConstraint,
        trainable: true,
      });
    this.movingMean = this.addWeight({
      shape: vec,
      name: "moving_mean",
      initializer: this.movingMeanInitializer,
      trainable: false,
    });
    this.movingVariance = this.addWeight({
      shape: vec,
      name: "moving_variance",
      initializer: this.movingVarianceInitializer,
      trainable: false,
    });
    if (this.renorm) {
      const stddevInit = new SqrtOf(this.movingVarianceInitializer);
      this.movingStddev = this.addWeight({
        shape: vec,
        name: "moving_stddev",
        initializer: stddevInit,
        trainable: false,
      });
      this.renormMean = this.addWeight({
        shape: vec,
        name: "renorm_mean",
        initializer: this.movingMeanInitializer,
        trainable: false,
      });
      this.renormStddev = this.addWeight({
        shape: vec,
        name: "renorm_stddev",
        initializer: stddevInit,
        trainable: false,
      });
    }
    this.inputSpec = { ndim: r, axes: { [this.axis]: dim } };
    this.reductionAxes = Array.from({ length: r }, (_, i) => i).filter((i) => i !== axis);
    super.build(inputShape);
  }

  call(inputs: AnyTensor, args: CallArgs = {}): AnyTensor {
    if (this.inputSpec) assertInputCompatible(this, this.inputSpec, inputs.shape);
    const mask = args.mask as AnyTensor | null | undefined;
    if (mask !== null && mask !== undefined && mask.shape.length !== inputs.shape.length - 1)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): the mask provided should be one dimension less than the inputs. Received: mask.shape=${fmt([...mask.shape])}, inputs.shape=${fmt([...inputs.shape])}`,
      );
    let gamma: AnyTensor | null = this.scale ? this.gamma!.value : null;
    let beta: AnyTensor | null = this.center ? this.beta!.value : null;
    let mean: AnyTensor;
    let variance: AnyTensor;
    if (args.training && this.trainable) {
      [mean, variance] = this.moments(inputs, mask ?? null);
      const concrete = inputs instanceof Tensor;
      if (this.renorm) {
        const [r, d] = this.renormCorrection(mean, variance);
        // (x * r + d) * gamma + beta = x * (r * gamma) + (d * gamma + beta); r, d are constants.
        const newGamma = gamma ? ops.multiply(r, gamma) : r;
        let newBeta = gamma ? ops.multiply(d, gamma) : d;
        if (beta) newBeta = ops.add(newBeta, beta);
        gamma = newGamma;
        beta = newBeta;
        if (concrete) this.updateRenormStatistics(mean as Tensor, variance as Tensor);
      } else if (concrete) {
        noGrad(() => {
          this.movingMean!.assign(
            this.movingAverage(this.movingMean!.value, mean as Tensor, this.momentum),
          );
          this.movingVariance!.assign(
            this.movingAverage(this.movingVariance!.value, variance as Tensor, this.momentum),
          );
        });
      }
    } else {
      mean = this.movingMean!.value;
      variance = this.movingVariance!.value;
    }
    return ops.batchNormalization(inputs, mean, variance, this.axis, beta, gamma, this.epsilon);
  }

  /** `moving * momentum + value * (1 - momentum)`. */
  private movingAverage(moving: Tensor, value: Tensor, momentum: number): Tensor {
    return ops.add(ops.multiply(moving, momentum), ops.multiply(value, 1 - momentum));
  }

  /** Batch mean and variance per feature; a `(batch, ...)` mask weights the positions. */
  private moments(inputs: AnyTensor, mask: AnyTensor | null): [AnyTensor, AnyTensor] {
    if (mask === null) return ops.moments(inputs, this.reductionAxes, false, this.synchronized);
    const w = ops.broadcastTo(
      ops.expandDims(ops.cast(mask, inputs.dtype), -1),
      inputs.shape as number[],
    );
    const weighted = ops.multiply(w, inputs);
    const sumW = ops.add(ops.sum(w, this.reductionAxes, true), FUZZ);
    const mean = ops.divide(ops.sum(weighted, this.reductionAxes, true), sumW);
    const diff = ops.subtract(weighted, mean);
    const variance = ops.divide(
      ops.sum(ops.multiply(w, ops.square(diff)), this.reductionAxes, true),
      sumW,
    );
    return [ops.reshape(mean, [-1]), ops.reshape(variance, [-1])];
  }

  /** Batch renormalization's (r, d) corrections, cut from the gradient and clipped. */
  private renormCorrection(mean: AnyTensor, variance: AnyTensor): [AnyTensor, AnyTensor] {
    const stddev = ops.sqrt(ops.add(variance, this.epsilon));
    const renormStddev = ops.maximum(this.renormStddev!.value, Math.sqrt(this.epsilon));
    let r: AnyTensor = ops.divide(stddev, renormStddev);
    let d: AnyTensor = ops.divide(ops.subtract(mean, this.renormMean!.value), renormStddev);
    const c = this.renormClipping ?? {};
    if (c.rmin !== undefined && c.rmin !== null) r = ops.maximum(r, c.rmin);
    if (c.rmax !== undefined && c.rmax !== null) r = ops.minimum(r, c.rmax);
    if (c.dmax !== undefined && c.dmax !== null) d = ops.clip(d, -c.dmax, c.dmax);
    return [ops.stopGradient(r), ops.stopGradient(d)];
  }

  private updateRenormStatistics(mean: Tensor, variance: Tensor): void {
    noGrad(() => {
      const stddev = ops.sqrt(ops.add(variance, this.epsilon));
      this.renormMean!.assign(
        this.movingAverage(this.renormMean!.value, mean, this.renormMomentum),
      );
      this.renormStddev!.assign(
        this.movingAverage(this.renormStddev!.value, stddev, this.renormMomentum),
      );
      this.movingMean!.assign(this.movingAverage(this.movingMean!.value, mean, this.momentum));
      const newStddev = this.movingAverage(this.movingStddev!.value, stddev, this.momentum);
      this.movingStddev!.assign(newStddev);
      // relu guards against a rounding-negative variance.
      this.movingVariance!.assign(
        ops.relu(ops.subtract(ops.multiply(newStddev, newStddev), this.epsilon)),
      );
    });
  }

  override computeOutputShape(inputShape: unknown): Shape {
    const s = inputShape as Shape;
    if (this.axis >= s.length || this.axis < -s.length)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): axis ${this.axis} is out of bounds for input shape ${fmt(s)}. Received: axis=${this.axis}`,
      );
    return [...s];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: serializeOrNull(this.betaInitializer),
      gamma_initializer: serializeOrNull(this.gammaInitializer),
      moving_mean_initializer: serializeOrNull(this.movingMeanInitializer),
      moving_variance_initializer: serializeOrNull(this.movingVarianceInitializer),
      beta_regularizer: serializeOrNull(this.betaRegularizer),
      gamma_regularizer: serializeOrNull(this.gammaRegularizer),
      beta_constraint: serializeOrNull(this.betaConstraint),
      gamma_constraint: serializeOrNull(this.gammaConstraint),
      synchronized: this.synchronized,
      renorm: this.renorm,
      renorm_clipping: this.renormClipping === null ? null : { ...this.renormClipping },
      renorm_momentum: this.renormMomentum,
    };
  }

  static fromConfig(config: Record<string, unknown>): BatchNormalization {
    return new BatchNormalization(optionsFromConfig<BatchNormalizationOptions>(config));
  }
}

registerBuiltin("keras.layers", "BatchNormalization", BatchNormalization);
