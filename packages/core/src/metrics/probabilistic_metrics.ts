/**
 * Probabilistic metrics (Keras `keras/src/metrics/probabilistic_metrics.py`): means of the
 * crossentropies, KL divergence and Poisson loss.
 */
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  klDivergence,
  poisson,
  sparseCategoricalCrossentropy,
} from "../losses/functions";
import type { MetricOptions } from "./metric";
import { MeanMetricWrapper } from "./reduction_metrics";

/**
 * Mean Kullback-Leibler divergence.
 * @example new keras.metrics.KLDivergence().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]); // 0.4581
 */
export class KLDivergence extends MeanMetricWrapper {
  static override className = "KLDivergence";
  constructor(options: MetricOptions = {}) {
    super(klDivergence, { ...options, name: options.name ?? "kl_divergence" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * Mean Poisson loss.
 * @example new keras.metrics.Poisson().apply([[0, 1], [0, 0]], [[1, 1], [0, 0]]); // 0.5
 */
export class Poisson extends MeanMetricWrapper {
  static override className = "Poisson";
  constructor(options: MetricOptions = {}) {
    super(poisson, { ...options, name: options.name ?? "poisson" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * Mean binary crossentropy.
 * @example new keras.metrics.BinaryCrossentropy().apply([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]); // 0.8149
 */
export class BinaryCrossentropy extends MeanMetricWrapper {
  static override className = "BinaryCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(options: MetricOptions & { fromLogits?: boolean; labelSmoothing?: number } = {}) {
    const fnOptions = {
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0,
    };
    super(binaryCrossentropy, {
      ...options,
      name: options.name ?? "binary_crossentropy",
      fnOptions,
    });
    this.fromLogits = fnOptions.fromLogits;
    this.labelSmoothing = fnOptions.labelSmoothing;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      dtype: this.dtype,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
    };
  }
}

/**
 * Mean categorical crossentropy of one-hot labels.
 * @example new keras.metrics.CategoricalCrossentropy().apply([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]); // 1.1769
 */
export class CategoricalCrossentropy extends MeanMetricWrapper {
  static override className = "CategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(
    options: MetricOptions & { fromLogits?: boolean; labelSmoothing?: number; axis?: number } = {},
  ) {
    const fnOptions = {
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0,
      axis: options.axis ?? -1,
    };
    super(categoricalCrossentropy, {
      ...options,
      name: options.name ?? "categorical_crossentropy",
      fnOptions,
    });
    this.fromLogits = fnOptions.fromLogits;
    this.labelSmoothing = fnOptions.labelSmoothing;
    this.axis = fnOptions.axis;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      dtype: this.dtype,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

/**
 * Mean sparse categorical crossentropy of integer labels.
 * @example new keras.metrics.SparseCategoricalCrossentropy().apply([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]); // 1.1769
 */
export class SparseCategoricalCrossentropy extends MeanMetricWrapper {
  static override className = "SparseCategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;
  constructor(
    options: MetricOptions & {
      fromLogits?: boolean;
      ignoreClass?: number | null;
      axis?: number;
    } = {},
  ) {
    const fnOptions = {
      fromLogits: options.fromLogits ?? false,
      ignoreClass: options.ignoreClass ?? null,
      axis: options.axis ?? -1,
    };
    super(sparseCategoricalCrossentropy, {
      ...options,
      name: options.name ?? "sparse_categorical_crossentropy",
      fnOptions,
    });
    this.fromLogits = fnOptions.fromLogits;
    this.ignoreClass = fnOptions.ignoreClass;
    this.axis = fnOptions.axis;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      dtype: this.dtype,
      from_logits: this.fromLogits,
      ignore_class: this.ignoreClass,
      axis: this.axis,
    };
  }
}
