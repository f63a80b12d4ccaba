/**
 * Regression metrics (Keras `keras/src/metrics/regression_metrics.py`): means of the regression
 * losses, plus `RootMeanSquaredError`.
 */
import { square } from "../losses/helpers";
import {
  cosineSimilarity,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
} from "../losses/functions";
import { squeezeOrExpandToSameRank } from "../losses/loss";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { MetricOptions } from "./metric";
import { Mean, MeanMetricWrapper, type MetricFn } from "./reduction_metrics";

/** A `MeanMetricWrapper` of a fixed function whose Keras config is `{ name, dtype }`. */
abstract class PlainMeanMetric extends MeanMetricWrapper {
  constructor(
    fn: MetricFn,
    defaultName: string,
    options: MetricOptions,
    fnOptions?: Record<string, unknown>,
  ) {
    super(fn, { ...options, name: options.name ?? defaultName, fnOptions });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * Mean of `mean(square(yTrue - yPred))`.
 * @example new keras.metrics.MeanSquaredError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]); // 0.25
 */
export class MeanSquaredError extends PlainMeanMetric {
  static override className = "MeanSquaredError";
  constructor(options: MetricOptions = {}) {
    super(meanSquaredError, "mean_squared_error", options);
  }
}

/**
 * Mean of `mean(abs(yTrue - yPred))`.
 * @example new keras.metrics.MeanAbsoluteError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]); // 0.25
 */
export class MeanAbsoluteError extends PlainMeanMetric {
  static override className = "MeanAbsoluteError";
  constructor(options: MetricOptions = {}) {
    super(meanAbsoluteError, "mean_absolute_error", options);
  }
}

/**
 * Mean absolute percentage error.
 * @example new keras.metrics.MeanAbsolutePercentageError().apply([[2, 4]], [[1, 4]]); // 25
 */
export class MeanAbsolutePercentageError extends PlainMeanMetric {
  static override className = "MeanAbsolutePercentageError";
  constructor(options: MetricOptions = {}) {
    super(meanAbsolutePercentageError, "mean_absolute_percentage_error", options);
  }
}

/**
 * Mean squared logarithmic error.
 * @example new keras.metrics.MeanSquaredLogarithmicError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]); // 0.1201
 */
export class MeanSquaredLogarithmicError extends PlainMeanMetric {
  static override className = "MeanSquaredLogarithmicError";
  constructor(options: MetricOptions = {}) {
    super(meanSquaredLogarithmicError, "mean_squared_logarithmic_error", options);
  }
}

/** Cosine similarity (positive: 1 = same direction) along `axis`. */
function cosine(yTrue: Tensor, yPred: Tensor, options: { axis?: number } = {}): Tensor {
  return lax.neg(cosineSimilarity(yTrue, yPred, options));
}

/**
 * Mean cosine similarity between labels and predictions along `axis`.
 * @example new keras.metrics.CosineSimilarity({ axis: 1 }).apply([[0, 1], [1, 1]], [[1, 0], [1, 1]]); // 0.5
 */
export class CosineSimilarity extends MeanMetricWrapper {
  static override className = "CosineSimilarity";
  readonly axis: number;
  constructor(options: MetricOptions & { axis?: number } = {}) {
    const axis = options.axis ?? -1;
    super(cosine, { ...options, name: options.name ?? "cosine_similarity", fnOptions: { axis } });
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype, axis: this.axis };
  }
}

/**
 * Mean of `log(cosh(yPred - yTrue))`.
 * @example new keras.metrics.LogCoshError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]); // 0.1084
 */
export class LogCoshError extends PlainMeanMetric {
  static override className = "LogCoshError";
  constructor(options: MetricOptions = {}) {
    super(logCosh, "logcosh", options);
  }
}

/**
 * `sqrt(mean(square(yPred - yTrue)))` over everything seen.
 * @example new keras.metrics.RootMeanSquaredError().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]); // 0.5
 */
export class RootMeanSquaredError extends Mean {
  static override className = "RootMeanSquaredError";
  constructor(options: MetricOptions = {}) {
    super({ ...options, name: options.name ?? "root_mean_squared_error" });
  }

  override updateState(
    yTrue: TensorLike,
    yPred: TensorLike,
    sampleWeight: TensorLike | null = null,
  ): void {
    this.track(() => {
      const t0 = convertToTensor<Tensor>(yTrue, this.dtype);
      const p0 = convertToTensor<Tensor>(yPred, this.dtype);
      const [t, p] = squeezeOrExpandToSameRank(t0, p0);
      this.accumulate(square(lax.sub(p, t)), sampleWeight, null);
    });
  }

  override result(): Tensor {
    return this.track(() => lax.sqrt(super.result()));
  }
}
