/**
 * Hinge metrics (Keras `keras/src/metrics/hinge_metrics.py`): means of the hinge losses.
 */
import { categoricalHinge, hinge, squaredHinge } from "../losses/functions";
import type { MetricOptions } from "./metric";
import { MeanMetricWrapper } from "./reduction_metrics";

/**
 * Mean hinge loss (0/1 labels become -1/+1).
 * @example new keras.metrics.Hinge().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]); // 1.3
 */
export class Hinge extends MeanMetricWrapper {
  static override className = "Hinge";
  constructor(options: MetricOptions = {}) {
    super(hinge, { ...options, name: options.name ?? "hinge" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * Mean squared hinge loss.
 * @example new keras.metrics.SquaredHinge().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]); // 1.86
 */
export class SquaredHinge extends MeanMetricWrapper {
  static override className = "SquaredHinge";
  constructor(options: MetricOptions = {}) {
    super(squaredHinge, { ...options, name: options.name ?? "squared_hinge" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * Mean categorical hinge loss.
 * @example new keras.metrics.CategoricalHinge().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]); // 1.4
 */
export class CategoricalHinge extends MeanMetricWrapper {
  static override className = "CategoricalHinge";
  constructor(options: MetricOptions = {}) {
    super(categoricalHinge, { ...options, name: options.name ?? "categorical_hinge" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}
