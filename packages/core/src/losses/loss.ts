/**
 * The `Loss` base class and Keras' loss plumbing (`keras/src/losses/loss.py`): rank matching of
 * y_true / y_pred / sample_weight, merging masks into sample weights, and the reductions.
 * Subclasses implement `call(yTrue, yPred)` returning per-sample losses; `apply` is Keras'
 * `Loss.__call__`.
 *
 * Reductions follow Keras 3 exactly: "sum_over_batch_size" (and "mean") divide the weighted sum
 * by the number of loss elements, zero-weight ones included; "mean_with_sample_weight" divides by
 * the sum of the weights; "sum" sums; "none" / null return the per-sample losses.
 */
import { KerasError, ValueError, fmt } from "../errors";
import { tidy } from "../engine/engine";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import { standardizeDType, type DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { configToOptions } from "../saving/serialization";
import { toSnakeCase, uniqueName } from "../utils/naming";
import { divideNoNan, expandDims, squeeze, sum } from "./helpers";

export type Reduction =
  "sum_over_batch_size" | "sum" | "mean" | "mean_with_sample_weight" | "none" | null;

const REDUCTIONS: readonly Reduction[] = [
  "sum_over_batch_size",
  "sum",
  "mean",
  "mean_with_sample_weight",
  "none",
  null,
];

/** Validates a reduction name (Keras `standardize_reduction`). */
export function standardizeReduction(reduction: unknown): Reduction {
  if (reduction === undefined) return "sum_over_batch_size";
  if (!(REDUCTIONS as readonly unknown[]).includes(reduction))
    throw new ValueError(
      `Invalid value for argument \`reduction\`. Expected one of {sum_over_batch_size, sum, mean, mean_with_sample_weight, none, None}. Received: reduction=${fmt(reduction)}`,
    );
  return reduction as Reduction;
}

// Keras attaches masks to tensors (`_keras_mask`); here a loss function that produces a mask
// (sparse crossentropy with `ignore_class`) registers it for the tensor it returns.
const lossMasks = new WeakMap<object, Tensor>();

/** Attaches a mask to a loss tensor (Keras `backend.set_keras_mask`). */
export function setLossMask(t: Tensor, mask: Tensor): void {
  lossMasks.set(t, mask);
}

/** The mask attached to a loss tensor, if any (Keras `backend.get_keras_mask`). */
export function getLossMask(t: Tensor): Tensor | null {
  return lossMasks.get(t) ?? null;
}

/**
 * If the ranks of `x1` and `x2` differ by exactly 1 and the longer one ends in a size-1 axis,
 * squeezes that axis, or (for a rank-1 partner, when `expandRank1`) expands the partner instead.
 * Keras `squeeze_or_expand_to_same_rank`.
 */
export function squeezeOrExpandToSameRank(
  x1: Tensor,
  x2: Tensor,
  expandRank1 = true,
): [Tensor, Tensor] {
  const r1 = x1.shape.length;
  const r2 = x2.shape.length;
  if (r1 === r2) return [x1, x2];
  if (r1 === r2 + 1 && x1.shape[r1 - 1] === 1) {
    if (r2 === 1 && expandRank1) x2 = expandDims(x2, -1);
    else x1 = squeeze(x1, -1);
  }
  if (r2 === r1 + 1 && x2.shape[r2 - 1] === 1) {
    if (r1 === 1 && expandRank1) x1 = expandDims(x1, -1);
    else x2 = squeeze(x2, -1);
  }
  return [x1, x2];
}

/** Reduces (already weighted) loss values (Keras `reduce_values`). */
export function reduceValues(
  values: Tensor,
  sampleWeight: Tensor | null = null,
  reduction: Reduction = "sum_over_batch_size",
): Tensor {
  if (
    reduction === null ||
    reduction === "none" ||
    values.shape.length === 0 ||
    (values.shape.length === 1 && values.shape[0] === 0)
  )
    return values;
  let loss = sum(values);
  if (
    reduction === "sum_over_batch_size" ||
    reduction === "mean" ||
    reduction === "mean_with_sample_weight"
  ) {
    if (reduction === "mean_with_sample_weight" && sampleWeight !== null) {
      loss = divideNoNan(loss, lax.cast(sum(sampleWeight), loss.dtype));
    } else {
      const n = values.size;
      loss = n > 0 ? lax.div(loss, n) : lax.scalar(0, loss.dtype);
    }
  }
  return loss;
}

/**
 * Merges a mask into sample weights (Keras `apply_mask`). For "mean" / "sum_over_batch_size"
 * valid entries get weight `total / valid`, so the later division by the element count yields
 * the mean over valid entries.
 */
export function applyMask(
  sampleWeight: Tensor | null,
  mask: Tensor | null,
  dtype: DType,
  reduction: Reduction,
): Tensor | null {
  if (mask === null) return sampleWeight;
  let m = lax.cast(mask, dtype);
  if (reduction === "mean" || reduction === "sum_over_batch_size") {
    const total = lax.scalar(m.size, dtype);
    m = lax.mul(m, divideNoNan(total, sum(m)));
  }
  if (sampleWeight === null) return m;
  let sw = lax.cast(sampleWeight, dtype);
  [m, sw] = squeezeOrExpandToSameRank(m, sw);
  return lax.mul(sw, m);
}

/** Weights, masks and reduces per-sample losses (Keras `reduce_weighted_values`). */
export function reduceWeightedValues(
  values: Tensor,
  sampleWeight: TensorLike | null = null,
  mask: Tensor | null = null,
  reduction: Reduction = "sum_over_batch_size",
  dtype: DType = "float32",
): Tensor {
  reduction = standardizeReduction(reduction);
  values = convertToTensor<Tensor>(values, dtype);
  let sw =
    sampleWeight === null || sampleWeight === undefined
      ? null
      : convertToTensor<Tensor>(sampleWeight, dtype);
  sw = applyMask(sw, mask, values.dtype, reduction);
  if (sw !== null) {
    sw = lax.cast(sw, values.dtype);
    [values, sw] = squeezeOrExpandToSameRank(values, sw);
    values = lax.mul(values, sw);
  }
  return reduceValues(values, sw, reduction);
}

export interface LossOptions {
  /** Defaults to the class' Keras name (e.g. "mean_squared_error"). */
  name?: string;
  /** Defaults to "sum_over_batch_size". `null` or "none" return per-sample losses. */
  reduction?: Reduction;
  /** Computation dtype (float32). */
  dtype?: DType | string | null;
}

/** Prefixes a shape or value error with the object that raised it, keeping its class and tail. */
export function rethrowNamed(err: unknown, who: string): never {
  if (err instanceof KerasError) {
    const Ctor = err.constructor as new (msg: string) => KerasError;
    throw new Ctor(`${who}: ${err.message}`);
  }
  throw err;
}

/**
 * Loss base class (Keras `keras.losses.Loss`). Subclasses implement `call(yTrue, yPred)`
 * returning per-sample losses and set `static className`.
 *
 * @example
 * class MyMSE extends keras.losses.Loss {
 *   static override className = "MyMSE";
 *   call(yTrue: Tensor, yPred: Tensor) { return keras.losses.meanSquaredError(yTrue, yPred); }
 * }
 * const loss = new MyMSE().apply([[0, 1]], [[0.5, 0.5]]); // scalar 0.25
 */
export abstract class Loss {
  static className = "Loss";
  name: string;
  readonly reduction: Reduction;
  readonly dtype: DType;

  constructor(options: LossOptions = {}) {
    this.name = options.name ?? uniqueName(toSnakeCase(this.className));
    this.reduction = standardizeReduction(options.reduction);
    this.dtype = options.dtype
      ? standardizeDType(options.dtype, `${this.className} dtype`)
      : "float32";
  }

  get className(): string {
    return (this.constructor as typeof Loss).className;
  }

  /** Per-sample losses of already-converted tensors. */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /**
   * Computes the reduced loss (Keras `Loss.__call__`). `sampleWeight` is broadcast against the
   * per-sample losses after rank matching; `mask` (Keras' `y_pred._keras_mask`) marks valid
   * entries.
   * @example new keras.losses.MeanSquaredError().apply([[0, 1]], [[1, 1]], [0.5]);
   */
  apply(
    yTrue: TensorLike,
    yPred: TensorLike,
    sampleWeight: TensorLike | null = null,
    mask: Tensor | null = null,
  ): Tensor {
    return tidy(() => {
      const who = `${this.className} "${this.name}"`;
      let losses: Tensor;
      try {
        const p = convertToTensor<Tensor>(yPred, this.dtype);
        const t = convertToTensor<Tensor>(yTrue, this.dtype);
        losses = this.call(t, p);
      } catch (err) {
        rethrowNamed(err, who);
      }
      const outMask = getLossMask(losses);
      const m =
        mask && outMask
          ? lax.logicalAnd(lax.cast(mask, "bool"), lax.cast(outMask, "bool"))
          : (mask ?? outMask);
      try {
        return reduceWeightedValues(losses, sampleWeight, m, this.reduction, this.dtype);
      } catch (err) {
        rethrowNamed(err, who);
      }
    });
  }

  /** Keras config: `{ name, reduction }` plus subclass hyperparameters (snake_case keys). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }

  /** Rebuilds a loss from its Keras config (snake_case keys). */
  static fromConfig<T extends Loss>(
    this: new (options: never) => T,
    config: Record<string, unknown>,
  ): T {
    return new this(configToOptions(config) as never);
  }

  toString(): string {
    return `<${this.className} name=${this.name}>`;
  }
}
