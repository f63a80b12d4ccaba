/**
 * Normalization (Keras 3 `keras/src/layers/preprocessing/normalization.py`): shifts and scales
 * features, `(x - mean) / max(sqrt(variance), 1e-7)`, with statistics given up front (`mean`,
 * `variance`) or learned by `adapt(data)`.
 *
 * `axis` names the axes that keep their own statistics (default -1, one mean per feature); all
 * other axes are reduced. Adapted statistics live in three non-trainable variables named as in
 * Keras, in Keras' order: `mean`, `variance` (shape = the kept dims) and `count` (a scalar int
 * Keras keeps for old files; `adapt` does not update it, as in Keras). Given `mean` / `variance`
 * create no variables.
 *
 * `adapt` takes one array / tensor (statistics in one pass) or a list / async iterable of batches
 * (combined batch by batch with Keras' weighted update, so the result is the population mean and
 * variance of all the data).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/preprocessing/normalization.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import { keep, tidy } from "../../engine/engine";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Tensor, type NestedArray } from "../../tensor/tensor";
import type { Variable } from "../../variables/variable";
import { Layer, type LayerOptions, type Shape, optionsFromConfig } from "../layer";

/** Keras `backend.epsilon()`. */
const EPSILON = 1e-7;

export interface NormalizationOptions extends LayerOptions {
  /** Axis or axes with separate statistics (default -1); null: one scalar mean and variance. */
  axis?: number | readonly number[] | null;
  /** Fixed mean (broadcast to the kept axes); requires `variance`. */
  mean?: number | NestedArray | null;
  /** Fixed variance (broadcast to the kept axes); requires `mean`. */
  variance?: number | NestedArray | null;
  /** Apply the inverse transformation, `mean + x * sqrt(variance)` (default false). */
  invert?: boolean;
}

/** What `adapt` accepts: one batch of data, or a sequence of batches. */
export type AdaptData =
  | Tensor
  | NestedArray
  | Float32Array
  | Iterable<Tensor | NestedArray>
  | AsyncIterable<Tensor | NestedArray>;

function shapeOfNested(x: unknown): number[] {
  const s: number[] = [];
  let v = x;
  while (Array.isArray(v)) {
    s.push(v.length);
    v = v[0];
  }
  return s;
}

/**
 * A preprocessing layer that normalizes continuous features.
 * @example
 * const norm = new keras.layers.Normalization();
 * await norm.adapt(keras.ops.convertToTensor([[0, 7, 4], [2, 9, 6]]));
 * norm.apply(keras.ops.convertToTensor([[0, 7, 4]])); // [[-1, -1, -1]]
 */
export class Normalization extends Layer {
  static override className = "Normalization";
  readonly axis: number[];
  readonly inputMean: number | NestedArray | null;
  readonly inputVariance: number | NestedArray | null;
  readonly invert: boolean;
  /** Adapted statistics (when no mean / variance were given). */
  adaptMean: Variable | null = null;
  adaptVariance: Variable | null = null;
  count: Variable | null = null;
  private keepAxis: number[] = [];
  private reduceAxis: number[] = [];
  private broadcastShape: number[] = [];
  private meanAndVarShape: number[] = [];
  /** Broadcast-shaped constants for given mean / variance (kept out of every tidy scope). */
  private fixedMean: Tensor | null = null;
  private fixedVariance: Tensor | null = null;

  constructor(options: NormalizationOptions = {}) {
    super(options);
    const axis = options.axis === undefined ? -1 : options.axis;
    this.axis = axis === null ? [] : typeof axis === "number" ? [axis] : [...axis];
    if (this.axis.some((a) => !Number.isInteger(a)))
      throw new ValueError(
        `Normalization "${this.name}": \`axis\` must be an int, a list of ints or null. Received: axis=${fmt(axis)}`,
      );
    this.inputMean = options.mean ?? null;
    this.inputVariance = options.variance ?? null;
    this.invert = options.invert ?? false;
    this.supportsMasking = true;
    if ((this.inputMean !== null) !== (this.inputVariance !== null))
      throw new ValueError(
        `Normalization "${this.name}": when setting values directly, both \`mean\` and \`variance\` must be set. Received: mean=${fmt(this.inputMean)} and variance=${fmt(this.inputVariance)}`,
      );
    if (this.inputMean !== null) {
      const ms = shapeOfNested(this.inputMean);
      const vs = shapeOfNested(this.inputVariance);
      if (ms.length !== vs.length || ms.some((d, i) => d !== vs[i]))
        throw new ValueError(
          `Normalization "${this.name}": when setting values directly, \`mean\` and \`variance\` must have the same shape. Received: mean shape ${fmt(ms)} and variance shape ${fmt(vs)}`,
        );
      if (ms.length > this.axis.length)
        throw new ValueError(
          `Normalization "${this.name}": the rank of \`mean\` must be less than or equal to the number of axes (${this.axis.length}). Received: mean shape ${fmt(ms)} for axis ${fmt(this.axis)}`,
        );
    }
  }

  override build(inputShape: Shape): void {
    const ndim = inputShape.length;
    if (this.axis.some((a) => a < -ndim || a >= ndim))
      throw new ValueError(
        `Layer "${this.name}" (Normalization): all \`axis\` values must be in the range [-ndim, ndim). Received inputs with ndim=${ndim}, while axis=${fmt(this.axis)}`,
      );
    this.keepAxis = this.axis.map((a) => (a < 0 ? a + ndim : a)).sort((a, b) => a - b);
    for (const d of this.keepAxis)
      if (inputShape[d] === null)
        throw new ValueError(
          `Layer "${this.name}" (Normalization): all \`axis\` values to be kept must have a known shape. Received axis=${fmt(this.axis)}, inputs.shape=${fmt(inputShape)}, with unknown axis at index ${d}`,
        );
    this.reduceAxis = Array.from({ length: ndim }, (_, d) => d).filter(
      (d) => !this.keepAxis.includes(d),
    );
    this.broadcastShape = Array.from({ length: ndim }, (_, d) =>
      this.keepAxis.includes(d) ? (inputShape[d] as number) : 1,
    );
    this.meanAndVarShape = this.keepAxis.map((d) => inputShape[d] as number);
    if (this.inputMean === null) {
      this.adaptMean = this.addWeight({
        name: "mean",
        shape: this.meanAndVarShape,
        initializer: "zeros",
        trainable: false,
      });
      this.adaptVariance = this.addWeight({
        name: "variance",
        shape: this.meanAndVarShape,
        initializer: "ones",
        trainable: false,
      });
      this.count = this.addWeight({
        name: "count",
        shape: [],
        dtype: "int32",
        initializer: "zeros",
        trainable: false,
      });
    } else {
      this.fixedMean = keep(this.broadcastFixed(this.inputMean));
      this.fixedVariance = keep(this.broadcastFixed(this.inputVariance!));
    }
    super.build(inputShape);
  }

  /** A given mean / variance aligned to the kept axes from the right and broadcast (Keras' build). */
  private broadcastFixed(value: number | NestedArray): Tensor {
    return tidy(() => {
      let t = ops.convertToTensor(value, "float32");
      if (t.shape.length > 0) {
        const expanded = this.broadcastShape.map(() => 1);
        for (let i = 1; i <= t.shape.length; i++)
          expanded[this.keepAxis[this.keepAxis.length - i]!] = t.shape[t.shape.length - i]!;
        t = ops.reshape(t, expanded);
      }
      return ops.broadcastTo(t, this.broadcastShape);
    });
  }

  /** Builds from a build_config (`{input_shape}`), so adapted weights can be loaded into it. */
  override buildFromConfig(config: { input_shape?: Shape } | null): void {
    if (config?.input_shape && !this.built) {
      this.build(config.input_shape);
      this.built = true;
    }
  }

  /**
   * Computes the mean and (population) variance of `data` over every axis but `axis` and
   * stores them in the layer's `mean` / `variance` weights.
   * @example
   * const norm = new keras.layers.Normalization({ axis: null });
   * await norm.adapt([1, 2, 3, 4, 5]); // mean 3, variance 2
   */
  async adapt(data: AdaptData): Promise<void> {
    if (this.inputMean !== null)
      throw new ValueError(
        `Layer "${this.name}" (Normalization): cannot adapt a layer built with a fixed \`mean\` / \`variance\`. Received: mean=${fmt(this.inputMean)}`,
      );
    // One batch: a tensor, a typed array, or a nested array of numbers. Batches: an array of
    // tensors, or any other (async) iterable.
    const single =
      data instanceof Tensor ||
      data instanceof Float32Array ||
      (Array.isArray(data) && !data.some((d) => d instanceof Tensor));
    if (single) {
      const x =
        data instanceof Tensor
          ? data
          : ops.convertToTensor(
              data instanceof Float32Array ? Array.from(data) : (data as NestedArray),
              "float32",
            );
      if (x.size === 0) {
        if (x !== data) x.dispose();
        throw new ValueError(
          `Layer "${this.name}" (Normalization): adapt() received empty data. Received: data.shape=${fmt(x.shape)}`,
        );
      }
      this.checkAdaptShape(x.shape);
      const [mean, variance] = tidy(() => {
        const xf = ops.cast(x, "float32");
        return [ops.mean(xf, this.reduceAxis), ops.var(xf, this.reduceAxis)];
      });
      this.assignStats(mean, variance);
      if (x !== data) x.dispose();
      return;
    }
    let totalMean: Tensor | null = null;
    let totalVar: Tensor | null = null;
    let totalCount = 0;
    for await (const item of data as
      AsyncIterable<Tensor | NestedArray> | Iterable<Tensor | NestedArray>) {
      const batch = item instanceof Tensor ? item : ops.convertToTensor(item, "float32");
      this.checkAdaptShape(batch.shape);
      const batchCount = this.reduceAxis.reduce((n, d) => n * batch.shape[d]!, 1);
      totalCount += batchCount;
      const bw = batchCount / totalCount;
      const ew = 1 - bw;
      const [m, v] = tidy(() => {
        const xf = ops.cast(batch, "float32");
        const bm = ops.mean(xf, this.reduceAxis);
        const bv = ops.var(xf, this.reduceAxis);
        const tm = totalMean ?? ops.zerosLike(bm);
        const tv = totalVar ?? ops.zerosLike(bv);
        const newMean = ops.add(ops.multiply(tm, ew), ops.multiply(bm, bw));
        // Lack-of-fit sum of squares: each part's variance plus its mean's offset from the new mean.
        const newVar = ops.add(
          ops.multiply(ops.add(tv, ops.square(ops.subtract(tm, newMean))), ew),
          ops.multiply(ops.add(bv, ops.square(ops.subtract(bm, newMean))), bw),
        );
        return [newMean, newVar];
      });
      totalMean?.dispose();
      totalVar?.dispose();
      totalMean = m;
      totalVar = v;
      if (batch !== item) batch.dispose();
    }
    if (totalMean === null)
      throw new ValueError(
        `Layer "${this.name}" (Normalization): adapt() received an empty iterable (no batches). Received: 0 batches`,
      );
    this.assignStats(totalMean, totalVar!);
  }

  private checkAdaptShape(shape: readonly number[]): void {
    if (!this.built) {
      this.build([...shape]);
      this.built = true;
      return;
    }
    const built = this.buildInputShape as Shape;
    for (const d of this.keepAxis)
      if (shape[d] !== built[d])
        throw new ValueError(
          `Layer "${this.name}" (Normalization): the layer was built with input_shape=${fmt(built)}, but adapt() is being called with data with an incompatible shape. Received: data.shape=${fmt([...shape])}`,
        );
  }

  private assignStats(mean: Tensor, variance: Tensor): void {
    this.adaptMean!.assign(mean);
    this.adaptVariance!.assign(variance);
    mean.dispose();
    variance.dispose();
  }

  call(inputs: AnyTensor): AnyTensor {
    const x = inputs.dtype === "float32" ? inputs : ops.cast<AnyTensor>(inputs, "float32");
    const mean = this.fixedMean ?? ops.reshape(this.adaptMean!.value, this.broadcastShape);
    const variance =
      this.fixedVariance ?? ops.reshape(this.adaptVariance!.value, this.broadcastShape);
    const scale = ops.maximum(ops.sqrt(variance), EPSILON);
    if (this.invert) return ops.add<AnyTensor>(mean, ops.multiply(x, scale));
    return ops.divide<AnyTensor>(ops.subtract(x, mean), scale);
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: [...this.axis],
      invert: this.invert,
      mean: this.inputMean,
      variance: this.inputVariance,
    };
  }

  static fromConfig(config: Record<string, unknown>): Normalization {
    return new Normalization(optionsFromConfig(config));
  }

  override dispose(): void {
    this.fixedMean?.dispose();
    this.fixedVariance?.dispose();
    super.dispose();
  }
}

registerBuiltin("keras.layers", "Normalization", Normalization);
