/**
 * Loss classes (Keras `keras/src/losses/losses.py`): each wraps a functional loss in
 * `LossFunctionWrapper` with its hyperparameters, and reports the exact Keras 3 config keys
 * (which, as in Keras, omit some hyperparameters: Huber's `delta`, CosineSimilarity's `axis`).
 */
import { ValueError, fmt } from "../errors";
import {
  configToOptions,
  deserializeKerasObject,
  serializeKerasObject,
} from "../saving/serialization";
import type { Tensor } from "../tensor/tensor";
import { toSnakeCase } from "../utils/naming";
import {
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  categoricalFocalCrossentropy,
  categoricalHinge,
  cosineSimilarity,
  dice,
  hinge,
  huber,
  klDivergence,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  poisson,
  sparseCategoricalCrossentropy,
  squaredHinge,
  tversky,
} from "./functions";
import { Loss, squeezeOrExpandToSameRank, type LossOptions } from "./loss";

/** Any `(yTrue, yPred, options?) => per-sample losses` function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LossFn = (yTrue: Tensor, yPred: Tensor, options?: any) => Tensor;

/** Keras names of the built-in loss functions (`keras.losses.<name>`), for config and `get`. */
export const LOSS_FUNCTIONS: Record<string, LossFn> = {
  mean_squared_error: meanSquaredError,
  mean_absolute_error: meanAbsoluteError,
  mean_absolute_percentage_error: meanAbsolutePercentageError,
  mean_squared_logarithmic_error: meanSquaredLogarithmicError,
  cosine_similarity: cosineSimilarity,
  huber,
  log_cosh: logCosh,
  hinge,
  squared_hinge: squaredHinge,
  categorical_hinge: categoricalHinge,
  kl_divergence: klDivergence,
  poisson,
  binary_crossentropy: binaryCrossentropy,
  binary_focal_crossentropy: binaryFocalCrossentropy,
  categorical_crossentropy: categoricalCrossentropy,
  categorical_focal_crossentropy: categoricalFocalCrossentropy,
  sparse_categorical_crossentropy: sparseCategoricalCrossentropy,
  dice,
  tversky,
};

/** Keras name of a loss function: the built-in name, else its JavaScript name in snake_case. */
export function lossFunctionName(fn: LossFn): string {
  for (const [k, f] of Object.entries(LOSS_FUNCTIONS)) if (f === fn) return k;
  return toSnakeCase(fn.name) || "loss";
}

/**
 * Wraps a loss function `fn(yTrue, yPred, fnOptions)` as a `Loss` (Keras `LossFunctionWrapper`);
 * y_true and y_pred are rank-matched first.
 * @example const l = new keras.losses.LossFunctionWrapper(keras.losses.huber, { fnOptions: { delta: 2 } });
 */
export class LossFunctionWrapper extends Loss {
  static override className = "LossFunctionWrapper";
  readonly fn: LossFn;
  readonly fnOptions: Record<string, unknown>;

  constructor(fn: LossFn, options: LossOptions & { fnOptions?: Record<string, unknown> } = {}) {
    super({ ...options, name: options.name ?? lossFunctionName(fn) });
    if (typeof fn !== "function")
      throw new ValueError(
        `LossFunctionWrapper: \`fn\` must be a function. Received: fn=${fmt(fn)}`,
      );
    this.fn = fn;
    this.fnOptions = { ...(options.fnOptions ?? {}) };
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fn(t, p, this.fnOptions);
  }

  /** `{ name, reduction, fn, ...fn options }` with `fn` serialized as Keras does. */
  override getConfig(): Record<string, unknown> {
    const extra = Object.fromEntries(
      Object.entries(this.fnOptions).map(([k, v]) => [toSnakeCase(k), v]),
    );
    return { ...super.getConfig(), fn: serializeKerasObject(this.fn), ...extra };
  }

  /** Rebuilds from a config; subclasses (whose constructors take options only) use `Loss.fromConfig`. */
  static override fromConfig<T extends Loss>(
    this: new (options: never) => T,
    config: Record<string, unknown>,
  ): T {
    if ((this as unknown) !== LossFunctionWrapper)
      return Loss.fromConfig.call(this as never, config) as T;
    const { name, reduction, dtype, fn, ...rest } = config;
    const f = typeof fn === "string" ? LOSS_FUNCTIONS[fn] : deserializeKerasObject(fn);
    if (typeof f !== "function")
      throw new ValueError(
        `LossFunctionWrapper.fromConfig: unknown loss function. Received: fn=${fmt(fn)}`,
      );
    const fnOptions = configToOptions(rest);
    const Ctor = LossFunctionWrapper as unknown as new (fn: LossFn, o: unknown) => T;
    return new Ctor(f as LossFn, { name, reduction, dtype, fnOptions });
  }
}

/** Built-in wrappers whose config is just `{ name, reduction }`, as in Keras. */
abstract class SimpleLoss extends LossFunctionWrapper {
  override getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }
}

/**
 * `mean(square(yTrue - yPred))` per sample.
 * @example new keras.losses.MeanSquaredError().apply([[0, 1], [0, 0]], [[1, 1], [1, 0]]); // 0.5
 */
export class MeanSquaredError extends SimpleLoss {
  static override className = "MeanSquaredError";
  constructor(options: LossOptions = {}) {
    super(meanSquaredError, { ...options, name: options.name ?? "mean_squared_error" });
  }
}

/**
 * `mean(abs(yTrue - yPred))` per sample.
 * @example new keras.losses.MeanAbsoluteError().apply([[0, 1]], [[1, 1]]); // 0.5
 */
export class MeanAbsoluteError extends SimpleLoss {
  static override className = "MeanAbsoluteError";
  constructor(options: LossOptions = {}) {
    super(meanAbsoluteError, { ...options, name: options.name ?? "mean_absolute_error" });
  }
}

/**
 * `100 * mean(abs((yTrue - yPred) / yTrue))` per sample.
 * @example new keras.losses.MeanAbsolutePercentageError().apply([[2, 4]], [[1, 4]]); // 25
 */
export class MeanAbsolutePercentageError extends SimpleLoss {
  static override className = "MeanAbsolutePercentageError";
  constructor(options: LossOptions = {}) {
    super(meanAbsolutePercentageError, {
      ...options,
      name: options.name ?? "mean_absolute_percentage_error",
    });
  }
}

/**
 * `mean(square(log(yTrue + 1) - log(yPred + 1)))` per sample.
 * @example new keras.losses.MeanSquaredLogarithmicError().apply([[0, 1]], [[1, 1]]);
 */
export class MeanSquaredLogarithmicError extends SimpleLoss {
  static override className = "MeanSquaredLogarithmicError";
  constructor(options: LossOptions = {}) {
    super(meanSquaredLogarithmicError, {
      ...options,
      name: options.name ?? "mean_squared_logarithmic_error",
    });
  }
}

/**
 * Negative cosine similarity along `axis` (Keras does not save `axis` in the config).
 * @example new keras.losses.CosineSimilarity({ axis: 1 }).apply([[0, 1]], [[0, 3]]); // -1
 */
export class CosineSimilarity extends SimpleLoss {
  static override className = "CosineSimilarity";
  constructor(options: LossOptions & { axis?: number } = {}) {
    super(cosineSimilarity, {
      ...options,
      name: options.name ?? "cosine_similarity",
      fnOptions: { axis: options.axis ?? -1 },
    });
  }
}

/**
 * Huber loss with threshold `delta` (Keras does not save `delta` in the config).
 * @example new keras.losses.Huber({ delta: 0.5 }).apply([[0, 1]], [[0.6, 0.4]]);
 */
export class Huber extends SimpleLoss {
  static override className = "Huber";
  constructor(options: LossOptions & { delta?: number } = {}) {
    super(huber, {
      ...options,
      name: options.name ?? "huber_loss",
      fnOptions: { delta: options.delta ?? 1.0 },
    });
  }
}

/**
 * `mean(log(cosh(yPred - yTrue)))` per sample.
 * @example new keras.losses.LogCosh().apply([[0, 1]], [[1, 1]]);
 */
export class LogCosh extends SimpleLoss {
  static override className = "LogCosh";
  constructor(options: LossOptions = {}) {
    super(logCosh, { ...options, name: options.name ?? "log_cosh" });
  }
}

/**
 * `mean(max(1 - yTrue * yPred, 0))`; 0/1 labels are converted to -1/+1.
 * @example new keras.losses.Hinge().apply([[0, 1]], [[-0.3, 0.8]]);
 */
export class Hinge extends SimpleLoss {
  static override className = "Hinge";
  constructor(options: LossOptions = {}) {
    super(hinge, { ...options, name: options.name ?? "hinge" });
  }
}

/**
 * `mean(square(max(1 - yTrue * yPred, 0)))`; 0/1 labels are converted to -1/+1.
 * @example new keras.losses.SquaredHinge().apply([[0, 1]], [[-0.3, 0.8]]);
 */
export class SquaredHinge extends SimpleLoss {
  static override className = "SquaredHinge";
  constructor(options: LossOptions = {}) {
    super(squaredHinge, { ...options, name: options.name ?? "squared_hinge" });
  }
}

/**
 * `max(neg - pos + 1, 0)` with `pos = sum(yTrue * yPred)`, `neg = max((1 - yTrue) * yPred)`.
 * @example new keras.losses.CategoricalHinge().apply([[0, 1, 0]], [[0.2, 0.7, 0.1]]);
 */
export class CategoricalHinge extends SimpleLoss {
  static override className = "CategoricalHinge";
  constructor(options: LossOptions = {}) {
    super(categoricalHinge, { ...options, name: options.name ?? "categorical_hinge" });
  }
}

/**
 * `sum(yTrue * log(yTrue / yPred))`, both clipped to [1e-7, 1].
 * @example new keras.losses.KLDivergence().apply([[0.5, 0.5]], [[0.9, 0.1]]);
 */
export class KLDivergence extends SimpleLoss {
  static override className = "KLDivergence";
  constructor(options: LossOptions = {}) {
    super(klDivergence, { ...options, name: options.name ?? "kl_divergence" });
  }
}

/**
 * `mean(yPred - yTrue * log(yPred + 1e-7))` per sample.
 * @example new keras.losses.Poisson().apply([[1, 2]], [[1, 1]]);
 */
export class Poisson extends SimpleLoss {
  static override className = "Poisson";
  constructor(options: LossOptions = {}) {
    super(poisson, { ...options, name: options.name ?? "poisson" });
  }
}

export interface CrossentropyLossOptions extends LossOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
  axis?: number;
}

/**
 * Binary crossentropy of 0/1 labels against probabilities (or logits with `fromLogits`).
 * @example new keras.losses.BinaryCrossentropy({ fromLogits: true }).apply([[0, 1]], [[-18.6, 0.51]]);
 */
export class BinaryCrossentropy extends LossFunctionWrapper {
  static override className = "BinaryCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CrossentropyLossOptions = {}) {
    const fnOptions = {
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0.0,
      axis: options.axis ?? -1,
    };
    super(binaryCrossentropy, {
      ...options,
      name: options.name ?? "binary_crossentropy",
      fnOptions,
    });
    this.fromLogits = fnOptions.fromLogits;
    this.labelSmoothing = fnOptions.labelSmoothing;
    this.axis = fnOptions.axis;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      reduction: this.reduction,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

/**
 * Binary focal crossentropy (Lin et al., 2018).
 * @example new keras.losses.BinaryFocalCrossentropy({ gamma: 2, fromLogits: true }).apply([0, 1], [-1.2, 0.4]);
 */
export class BinaryFocalCrossentropy extends LossFunctionWrapper {
  static override className = "BinaryFocalCrossentropy";
  readonly applyClassBalancing: boolean;
  readonly alpha: number;
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(
    options: CrossentropyLossOptions & {
      applyClassBalancing?: boolean;
      alpha?: number;
      gamma?: number;
    } = {},
  ) {
    const fnOptions = {
      applyClassBalancing: options.applyClassBalancing ?? false,
      alpha: options.alpha ?? 0.25,
      gamma: options.gamma ?? 2.0,
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0.0,
      axis: options.axis ?? -1,
    };
    super(binaryFocalCrossentropy, {
      ...options,
      name: options.name ?? "binary_focal_crossentropy",
      fnOptions,
    });
    this.applyClassBalancing = fnOptions.applyClassBalancing;
    this.alpha = fnOptions.alpha;
    this.gamma = fnOptions.gamma;
    this.fromLogits = fnOptions.fromLogits;
    this.labelSmoothing = fnOptions.labelSmoothing;
    this.axis = fnOptions.axis;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      reduction: this.reduction,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
      apply_class_balancing: this.applyClassBalancing,
      alpha: this.alpha,
      gamma: this.gamma,
    };
  }
}

/**
 * Crossentropy of one-hot labels against class probabilities (or logits with `fromLogits`).
 * @example new keras.losses.CategoricalCrossentropy().apply([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]); // 1.177
 */
export class CategoricalCrossentropy extends LossFunctionWrapper {
  static override className = "CategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CrossentropyLossOptions = {}) {
    const fnOptions = {
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0.0,
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
      reduction: this.reduction,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

/**
 * Categorical focal crossentropy; `alpha` may be one number or one per class.
 * @example new keras.losses.CategoricalFocalCrossentropy().apply([[0, 1, 0]], [[0.05, 0.95, 0]]);
 */
export class CategoricalFocalCrossentropy extends LossFunctionWrapper {
  static override className = "CategoricalFocalCrossentropy";
  readonly alpha: number | number[];
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(
    options: CrossentropyLossOptions & { alpha?: number | number[]; gamma?: number } = {},
  ) {
    const fnOptions = {
      alpha: options.alpha ?? 0.25,
      gamma: options.gamma ?? 2.0,
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0.0,
      axis: options.axis ?? -1,
    };
    super(categoricalFocalCrossentropy, {
      ...options,
      name: options.name ?? "categorical_focal_crossentropy",
      fnOptions,
    });
    this.alpha = fnOptions.alpha;
    this.gamma = fnOptions.gamma;
    this.fromLogits = fnOptions.fromLogits;
    this.labelSmoothing = fnOptions.labelSmoothing;
    this.axis = fnOptions.axis;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      reduction: this.reduction,
      from_logits: this.fromLogits,
      label_smoothing: this.labelSmoothing,
      axis: this.axis,
      alpha: this.alpha,
      gamma: this.gamma,
    };
  }
}

/**
 * Crossentropy of integer labels against class probabilities (or logits with `fromLogits`).
 * `ignoreClass` entries contribute 0 and are left out of the mean. Keras 3 does not save `axis`
 * in this loss' config.
 * @example new keras.losses.SparseCategoricalCrossentropy().apply([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]); // 1.177
 */
export class SparseCategoricalCrossentropy extends LossFunctionWrapper {
  static override className = "SparseCategoricalCrossentropy";
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;
  constructor(
    options: LossOptions & {
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
      reduction: this.reduction,
      from_logits: this.fromLogits,
      ignore_class: this.ignoreClass,
    };
  }
}

/**
 * Dice loss over `axis` (all axes by default).
 * @example new keras.losses.Dice({ axis: [1, 2, 3], reduction: null }).apply(yTrue, yPred);
 */
export class Dice extends LossFunctionWrapper {
  static override className = "Dice";
  readonly axis: number | number[] | null;
  constructor(options: LossOptions & { axis?: number | number[] | null } = {}) {
    super(dice, {
      ...options,
      name: options.name ?? "dice",
      fnOptions: { axis: options.axis ?? null },
    });
    this.axis = options.axis ?? null;
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction, axis: this.axis };
  }
}

/**
 * Tversky loss (Salehi et al., 2017); alpha = beta = 0.5 is the Dice loss.
 * @example new keras.losses.Tversky({ alpha: 0.7, beta: 0.3 }).apply([[1, 0]], [[0.8, 0.1]]);
 */
export class Tversky extends LossFunctionWrapper {
  static override className = "Tversky";
  readonly alpha: number;
  readonly beta: number;
  readonly axis: number | number[] | null;
  constructor(
    options: LossOptions & { alpha?: number; beta?: number; axis?: number | number[] | null } = {},
  ) {
    const fnOptions = {
      alpha: options.alpha ?? 0.5,
      beta: options.beta ?? 0.5,
      axis: options.axis ?? null,
    };
    super(tversky, { ...options, name: options.name ?? "tversky", fnOptions });
    this.alpha = fnOptions.alpha;
    this.beta = fnOptions.beta;
    this.axis = fnOptions.axis;
  }
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      reduction: this.reduction,
      alpha: this.alpha,
      beta: this.beta,
      axis: this.axis,
    };
  }
}
