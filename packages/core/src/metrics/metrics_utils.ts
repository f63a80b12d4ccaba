/**
 * Confusion-matrix accumulation shared by TruePositives … AUC, Precision and Recall (Keras
 * `keras/src/metrics/metrics_utils.py`, `update_confusion_matrix_variables`).
 *
 * Two paths, as in Keras, which can disagree on predictions lying exactly on a threshold:
 * - evenly spaced thresholds (AUC's default) bucket each prediction with
 *   `ceil(p * (T - 1)) - 1` and take reverse cumulative sums of the per-bucket label weights;
 * - any other thresholds compare every prediction with every threshold (`p > t`).
 *
 * Must run inside a metric's `track` scope (tidy, no gradients).
 */
import { ValueError, fmt } from "../errors";
import { expandDims, oneHot, sum } from "../losses/helpers";
import { squeezeOrExpandToSameRank } from "../losses/loss";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";

/** Prediction value that no threshold in [0, 1] lets through (Keras `NEG_INF`). */
export const NEG_INF = -1e10;

export type ConfusionKey = "tp" | "fp" | "tn" | "fn";

/** Validates user thresholds: each in [0, 1]. */
export function assertThresholdsRange(thresholds: readonly unknown[]): void {
  const bad = thresholds.filter((t) => typeof t !== "number" || Number.isNaN(t) || t < 0 || t > 1);
  if (bad.length > 0)
    throw new ValueError(`Threshold values must be in [0, 1]. Received: ${fmt(bad)}`);
}

/** User thresholds (a number, a list, or null for `defaultThreshold`) as a list. */
export function parseInitThresholds(
  thresholds: number | readonly number[] | null | undefined,
  defaultThreshold = 0.5,
): number[] {
  if (thresholds !== null && thresholds !== undefined) {
    const list = typeof thresholds === "number" ? [thresholds] : [...thresholds];
    assertThresholdsRange(list);
    return list;
  }
  return [defaultThreshold];
}

/** True when `thresholds` is `i / (n - 1)` for i = 0..n-1 (n >= 3), within float32 tolerance. */
export function isEvenlyDistributedThresholds(thresholds: readonly number[]): boolean {
  const n = thresholds.length;
  if (n < 3) return false;
  for (let i = 0; i < n; i++) {
    const even = Math.fround(Math.fround(i) / Math.fround(n - 1));
    if (!(Math.abs(thresholds[i]! - even) <= 1e-7 + 1e-5 * Math.abs(even))) return false;
  }
  return true;
}

/** Keeps the `k` largest values of the last axis and sets the rest to NEG_INF. */
export function filterTopK(x: Tensor, k: number): Tensor {
  const c = x.shape[x.shape.length - 1]!;
  const [, idx] = lax.topK(x, Math.min(k, c));
  const mask = sum(oneHot(idx, c, -1, x.dtype), -2); // (..., C), 1 on the top k
  return lax.add(lax.mul(x, mask), lax.mul(lax.sub(1, mask), NEG_INF));
}

export interface ConfusionUpdateOptions {
  topK?: number | null;
  classId?: number | null;
  sampleWeight?: TensorLike | null;
  multiLabel?: boolean;
  /** Per-label weights (flattened data only). */
  labelWeights?: TensorLike | null;
  thresholdsDistributedEvenly?: boolean;
}

/**
 * Adds the weighted confusion-matrix counts at each threshold to the given variables:
 * tp: label and p > t; fp: not label and p > t; tn: not label and p <= t; fn: label and p <= t.
 */
export function updateConfusionMatrixVariables(
  variables: Partial<Record<ConfusionKey, Variable>>,
  yTrue: TensorLike,
  yPred: TensorLike,
  thresholds: readonly number[],
  options: ConfusionUpdateOptions = {},
): void {
  const multiLabel = options.multiLabel ?? false;
  if (multiLabel && options.labelWeights !== null && options.labelWeights !== undefined)
    throw new ValueError(
      "`label_weights` for multilabel data should be handled outside of `update_confusion_matrix_variables` when `multi_label` is True. Received: label_weights",
    );
  const vars = Object.values(variables).filter((v): v is Variable => v !== undefined);
  if (vars.length === 0)
    throw new ValueError(
      `Please provide at least one valid confusion matrix variable to update. Received: ${fmt(Object.keys(variables))}`,
    );
  const dtype = vars[0]!.dtype;
  let t = convertToTensor<Tensor>(yTrue, dtype);
  let p = convertToTensor<Tensor>(yPred, dtype);
  const evenly = options.thresholdsDistributedEvenly ?? false;
  const withEpsilon = evenly && (thresholds[0]! < 0 || thresholds[thresholds.length - 1]! > 1);

  [p, t] = squeezeOrExpandToSameRank(p, t);
  let sw: Tensor | null = null;
  if (options.sampleWeight !== null && options.sampleWeight !== undefined) {
    sw = expandDims(convertToTensor<Tensor>(options.sampleWeight, dtype), -1);
    [, sw] = squeezeOrExpandToSameRank(t, sw, false);
  }
  if (options.topK !== null && options.topK !== undefined) p = filterTopK(p, options.topK);
  if (options.classId !== null && options.classId !== undefined) {
    if (p.shape.length === 1)
      throw new ValueError(
        `When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes). Received: y_pred.shape=${fmt(p.shape)}`,
      );
    const c = options.classId;
    const pick = (x: Tensor): Tensor => {
      const r = x.shape.length;
      return lax.slice(
        x,
        x.shape.map((_, i) => (i === r - 1 ? c : 0)),
        x.shape.map((d, i) => (i === r - 1 ? c + 1 : d)),
      );
    };
    t = pick(t);
    p = pick(p);
  }
  const lw =
    options.labelWeights === null || options.labelWeights === undefined
      ? null
      : convertToTensor<Tensor>(options.labelWeights, dtype);
  const counts = evenly
    ? bucketedCounts(variables, t, p, thresholds.length, sw, lw, multiLabel, withEpsilon)
    : comparedCounts(variables, t, p, thresholds, sw, lw, multiLabel);
  for (const [key, v] of Object.entries(variables) as [ConfusionKey, Variable | undefined][])
    if (v) v.assign(lax.add(v.value, counts[key]!));
}

type Counts = Partial<Record<ConfusionKey, Tensor>>;

/** Weights broadcast to the predictions' shape (flattened unless multi-label), or null. */
function weightsLike(
  p: Tensor,
  sw: Tensor | null,
  lw: Tensor | null,
  multiLabel: boolean,
): Tensor | null {
  let w: Tensor | null = null;
  if (sw !== null) w = lax.broadcastTo(lax.cast(sw, p.dtype), p.shape);
  if (lw !== null) {
    const l = lax.broadcastTo(expandDims(lw, 0), p.shape);
    w = w === null ? l : lax.mul(w, l);
  }
  if (w !== null && !multiLabel) w = lax.reshape(w, [w.size]);
  return w;
}

/** Keras `_update_confusion_matrix_variables_optimized`: buckets + reverse cumulative sums. */
function bucketedCounts(
  variables: Partial<Record<ConfusionKey, Variable>>,
  t: Tensor,
  p: Tensor,
  numThresholds: number,
  sw: Tensor | null,
  lw: Tensor | null,
  multiLabel: boolean,
  withEpsilon: boolean,
): Counts {
  const w = weightsLike(p, sw, lw, multiLabel);
  let pred = lax.minimum(lax.maximum(p, 0), 1);
  let lab = lax.cast(lax.cast(t, "bool"), p.dtype);
  if (!multiLabel) {
    lab = lax.reshape(lab, [lab.size]);
    pred = lax.reshape(pred, [pred.size]);
  }
  const trueLabels = w === null ? lab : lax.mul(lab, w);
  const falseLabels = w === null ? lax.sub(1, lab) : lax.mul(lax.sub(1, lab), w);
  // ceil(p * (T - 1)) - 1: a prediction equal to a threshold is not above it.
  let bucket = lax.sub(lax.neg(lax.floor(lax.neg(lax.mul(pred, numThresholds - 1)))), 1);
  if (withEpsilon) bucket = lax.maximum(bucket, 0);
  const ids = lax.cast(bucket, "int32");
  let indices: Tensor;
  let shape: number[];
  if (multiLabel) {
    // (N, L, 2) rows of (bucket, label) into a (T, L) table
    const labelIdx = lax.iota([...ids.shape], 1, "int32");
    indices = lax.concat([expandDims(ids, -1), expandDims(labelIdx, -1)], 2);
    shape = [numThresholds, ids.shape[1]!];
  } else {
    indices = expandDims(ids, -1); // (N, 1)
    shape = [numThresholds];
  }
  // Out-of-range bucket ids (-1 for p == 0 without the epsilon endpoints) are dropped.
  const segmentSum = (x: Tensor): Tensor => lax.scatterNd(indices, x, shape);
  const tp = lax.cumsum(segmentSum(trueLabels), 0, false, true);
  const fp = lax.cumsum(segmentSum(falseLabels), 0, false, true);
  const out: Counts = { tp, fp };
  if (variables.tn || variables.fn) {
    const totalTrue = lax.sum(trueLabels, [0]);
    const totalFalse = lax.sum(falseLabels, [0]);
    out.tn = lax.sub(totalFalse, fp);
    out.fn = lax.sub(totalTrue, tp);
  }
  return out;
}

/** Keras' general path: compare every prediction with every threshold. */
function comparedCounts(
  variables: Partial<Record<ConfusionKey, Variable>>,
  t: Tensor,
  p: Tensor,
  thresholds: readonly number[],
  sw: Tensor | null,
  lw: Tensor | null,
  multiLabel: boolean,
): Counts {
  const T = thresholds.length;
  const thr = lax.constant(thresholds, multiLabel ? [T, 1, 1] : [T, 1], p.dtype);
  const labelsB = lax.cast(t, "bool");
  const preds = multiLabel ? expandDims(p, 0) : lax.reshape(p, [1, p.size]); // (1, N, L) or (1, N*L)
  const labels = multiLabel ? expandDims(labelsB, 0) : lax.reshape(labelsB, [1, labelsB.size]);
  let w = weightsLike(p, sw, lw, multiLabel);
  if (w !== null) w = expandDims(w, 0);
  const predPos = lax.greater(preds, thr); // (T, N, L) or (T, N*L)
  const predNeg = lax.logicalNot(predPos);
  const labelNeg = lax.logicalNot(labels);
  const count = (a: Tensor, b: Tensor): Tensor => {
    let x = lax.cast(lax.logicalAnd(a, b), p.dtype);
    if (w !== null) x = lax.mul(x, w);
    return lax.sum(x, [1]);
  };
  const out: Counts = {};
  if (variables.tp) out.tp = count(labels, predPos);
  if (variables.fp) out.fp = count(labelNeg, predPos);
  if (variables.tn) out.tn = count(labelNeg, predNeg);
  if (variables.fn) out.fn = count(labels, predNeg);
  return out;
}
