/**
 * Reduce-type metrics (Keras `keras/src/metrics/reduction_metrics.py`): `Sum`, `Mean`, and
 * `MeanMetricWrapper`, the mean of a per-sample function such as an accuracy or a loss.
 */
import { ValueError, fmt } from "../errors";
import { applyMask, squeezeOrExpandToSameRank } from "../losses/loss";
import { mean, sum } from "../losses/helpers";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import { serializeKerasObject } from "../saving/serialization";
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { toSnakeCase } from "../utils/naming";
import type { Variable } from "../variables/variable";
import { Metric, type MetricOptions } from "./metric";

const range = (a: number, b: number): number[] =>
  Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

/**
 * Reduces `values` to one value per sample (axis 0) with `reduceFn`, weighting them by
 * `sampleWeight` after rank matching (Keras `reduce_to_samplewise_values`). Returns the
 * per-sample values and the per-sample weights.
 */
export function reduceToSamplewiseValues(
  values: Tensor,
  sampleWeight: TensorLike | null,
  reduceFn: "sum" | "mean",
  dtype: DType,
  mask: Tensor | null = null,
): [Tensor, Tensor | null] {
  const reduce = reduceFn === "sum" ? sum : mean;
  values = lax.cast(values, dtype);
  let sw: Tensor | null = null;
  if (sampleWeight !== null && sampleWeight !== undefined) {
    sw = convertToTensor<Tensor>(sampleWeight, dtype);
    if (mask !== null) sw = applyMask(sw, mask, dtype, "sum")!;
    [values, sw] = squeezeOrExpandToSameRank(values, sw);
    const wr = sw.shape.length;
    const vr = values.shape.length;
    if (vr > wr) values = reduce(values, range(wr, vr));
    sw = lax.broadcastTo(sw, values.shape);
    values = lax.mul(values, sw);
    if (wr > 1) sw = reduce(sw, range(1, wr));
  }
  if (values.shape.length > 1) values = reduce(values, range(1, values.shape.length));
  return [values, sw];
}

/**
 * The (weighted) sum of the values seen.
 * @example const m = new keras.metrics.Sum(); m.updateState([1, 3, 5, 7]); m.result(); // 16
 */
export class Sum extends Metric {
  static override className = "Sum";
  readonly total: Variable;

  constructor(options: MetricOptions = {}) {
    super({ ...options, name: options.name ?? "sum" });
    this.total = this.addVariable([], { name: "total" });
  }

  updateState(values: TensorLike, sampleWeight: TensorLike | null = null): void {
    this.track(() => {
      const [v] = reduceToSamplewiseValues(
        convertToTensor<Tensor>(values, this.dtype),
        sampleWeight,
        "sum",
        this.dtype,
      );
      this.total.assign(lax.add(this.total.value, sum(v)));
    });
  }

  result(): Tensor {
    return this.track(() => lax.add(this.total.value, 0));
  }
}

/**
 * The (weighted) mean of the values seen: `total / count`.
 * @example const m = new keras.metrics.Mean(); m.updateState([1, 3, 5, 7], [1, 1, 0, 0]); m.result(); // 2
 */
export class Mean extends Metric {
  static override className = "Mean";
  readonly total: Variable;
  readonly count: Variable;

  constructor(options: MetricOptions = {}) {
    super({ ...options, name: options.name ?? "mean" });
    this.total = this.addVariable([], { name: "total" });
    this.count = this.addVariable([], { name: "count" });
  }

  updateState(values: TensorLike, sampleWeight: TensorLike | null = null): void {
    this.track(() =>
      this.accumulate(convertToTensor<Tensor>(values, this.dtype), sampleWeight, null),
    );
  }

  /** Adds values (with optional weights and mask) to `total` and their weight to `count`. */
  protected accumulate(values: Tensor, sampleWeight: TensorLike | null, mask: Tensor | null): void {
    const [v, sw] = reduceToSamplewiseValues(values, sampleWeight, "mean", this.dtype, mask);
    this.total.assign(lax.add(this.total.value, sum(v)));
    const n = sw !== null ? sum(sw) : lax.scalar(v.shape.length >= 1 ? v.shape[0]! : 1, this.dtype);
    this.count.assign(lax.add(this.count.value, n));
  }

  result(): Tensor {
    return this.track(() => {
      const c = this.count.value;
      const zero = lax.equal(c, 0);
      return lax.where(
        zero,
        lax.scalar(0, this.dtype),
        lax.div(this.total.value, lax.where(zero, lax.scalar(1, this.dtype), c)),
      );
    });
  }
}

/** A per-sample metric function: `(yTrue, yPred, options?) -> values`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MetricFn = (yTrue: Tensor, yPred: Tensor, options?: any) => Tensor;

/**
 * The mean of a per-sample function of `(yTrue, yPred)` (Keras `MeanMetricWrapper`).
 * @example const m = new keras.metrics.MeanMetricWrapper(keras.losses.meanSquaredError, { name: "mse" });
 */
export class MeanMetricWrapper extends Mean {
  static override className = "MeanMetricWrapper";
  readonly fn: MetricFn;
  readonly fnOptions: Record<string, unknown>;

  constructor(fn: MetricFn, options: MetricOptions & { fnOptions?: Record<string, unknown> } = {}) {
    if (typeof fn !== "function")
      throw new ValueError(`MeanMetricWrapper: \`fn\` must be a function. Received: fn=${fmt(fn)}`);
    super({ ...options, name: options.name ?? (toSnakeCase(fn.name) || undefined) });
    this.fn = fn;
    this.fnOptions = { ...(options.fnOptions ?? {}) };
  }

  /** Adds the mean of `fn(yTrue, yPred)`; `mask` is Keras' `y_pred._keras_mask`. */
  override updateState(
    yTrue: TensorLike,
    yPred: TensorLike,
    sampleWeight: TensorLike | null = null,
    mask: Tensor | null = null,
  ): void {
    this.track(() => {
      const t = convertToTensor<Tensor>(yTrue);
      const p = convertToTensor<Tensor>(yPred);
      const values = this.fn(t, p, this.fnOptions);
      let sw = sampleWeight;
      if (mask !== null)
        sw = applyMask(
          sampleWeight === null ? null : convertToTensor<Tensor>(sampleWeight, this.dtype),
          mask,
          this.dtype,
          "sum",
        );
      this.accumulate(values, sw, null);
    });
  }

  /** `{ name, dtype, fn, ...fn options }` (subclasses report Keras' narrower configs). */
  override getConfig(): Record<string, unknown> {
    const extra = Object.fromEntries(
      Object.entries(this.fnOptions).map(([k, v]) => [toSnakeCase(k), v]),
    );
    return { ...super.getConfig(), fn: serializeKerasObject(this.fn), ...extra };
  }
}
