/**
 * Accuracy metrics (Keras `keras/src/metrics/accuracy_metrics.py`): per-sample match functions
 * (`accuracy`, `binaryAccuracy`, `categoricalAccuracy`, …) and their `MeanMetricWrapper` classes.
 */
import { squeezeOrExpandToSameRank } from "../losses/loss";
import { sum, expandDims, oneHot, squeeze } from "../losses/helpers";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import { ValueError } from "../errors";
import type { MetricOptions } from "./metric";
import { MeanMetricWrapper } from "./reduction_metrics";

const toT = (x: TensorLike, dtype?: "float32" | "int32"): Tensor =>
  convertToTensor<Tensor>(x, dtype);

/** Casts `b` to `a`'s dtype, then compares elementwise; 1.0 where equal. */
function matches(a: Tensor, b: Tensor): Tensor {
  return lax.cast(lax.equal(a, lax.cast(b, a.dtype)), "float32");
}

/**
 * 1.0 where `yPred` equals `yTrue` (after rank matching), else 0.0.
 * @example keras.metrics.accuracy([1, 2, 3], [1, 0, 3]); // [1, 0, 1]
 */
export function accuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const p = toT(yPred, "float32");
  const [t, pp] = squeezeOrExpandToSameRank(toT(yTrue, "float32"), p);
  return matches(t, pp);
}

/**
 * 1.0 where `yPred > threshold` matches the binary label.
 * @example keras.metrics.binaryAccuracy([[1], [0]], [[0.98], [0.6]]); // [[1], [0]]
 */
export function binaryAccuracy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { threshold?: number } = {},
): Tensor {
  const [t, p] = squeezeOrExpandToSameRank(toT(yTrue, "float32"), toT(yPred, "float32"));
  return matches(t, lax.greater(p, options.threshold ?? 0.5));
}

/**
 * 1.0 where the argmax of `yPred` equals the argmax of the one-hot `yTrue`.
 * @example keras.metrics.categoricalAccuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]); // [0, 1]
 */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = toT(yTrue);
  const p = toT(yPred);
  const tl = lax.argmax(t, t.shape.length - 1);
  const pl = lax.argmax(p, p.shape.length - 1);
  return matches(tl, pl);
}

/**
 * 1.0 where the argmax of `yPred` equals the integer label (`yTrue` of shape (N,) or (N, 1)).
 * @example keras.metrics.sparseCategoricalAccuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]); // [0, 1]
 */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  let t = toT(yTrue);
  const p = toT(yPred);
  const orig = t.shape;
  let reshape = false;
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) {
    t = squeeze(t, -1);
    reshape = true;
  }
  const pl = lax.argmax(p, p.shape.length - 1);
  let m = matches(t, pl);
  if (reshape) m = lax.reshape(m, orig);
  if (m.shape.length > 1 && m.shape[m.shape.length - 1] === 1) m = squeeze(m, -1);
  return m;
}

/**
 * Keras `ops.in_top_k`: true where the score of `targets[i]` is at least the k-th largest score
 * of row i (ties count as in).
 */
export function inTopK(targets: Tensor, predictions: Tensor, k: number): Tensor {
  const n = predictions.shape[predictions.shape.length - 1]!;
  const kk = Math.min(k, n);
  const [vals] = lax.topK(predictions, kk);
  const kth = lax.slice(vals, [0, kk - 1], [vals.shape[0]!, kk]); // (N, 1)
  const targetScore = sum(
    lax.mul(predictions, oneHot(targets, n, -1, predictions.dtype)),
    -1,
    true,
  );
  return lax.reshape(lax.greaterEqual(targetScore, kth), [predictions.shape[0]!]);
}

function topKMatches(trueLabels: Tensor, p: Tensor, k: number): Tensor {
  const orig = trueLabels.shape;
  const c = p.shape[p.shape.length - 1]!;
  const pred2 = p.shape.length > 2 ? lax.reshape(p, [p.size / c, c]) : p; // (N, C)
  const labels = lax.reshape(lax.cast(trueLabels, "int32"), [trueLabels.size]);
  const m = lax.cast(inTopK(labels, pred2, k), "float32");
  return orig.length > 1 ? lax.reshape(m, orig) : m;
}

/**
 * 1.0 where the one-hot target's class is among the `k` highest scores.
 * @example keras.metrics.topKCategoricalAccuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], { k: 1 }); // [0, 1]
 */
export function topKCategoricalAccuracy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { k?: number } = {},
): Tensor {
  const t = toT(yTrue);
  const p = toT(yPred, "float32");
  return topKMatches(lax.argmax(t, t.shape.length - 1), p, options.k ?? 5);
}

/**
 * 1.0 where the integer target is among the `k` highest scores; with `fromSortedIds`, `yPred`
 * holds class ids sorted by decreasing score and the first `k` are checked.
 * @example keras.metrics.sparseTopKCategoricalAccuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], { k: 1 }); // [0, 1]
 */
export function sparseTopKCategoricalAccuracy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: { k?: number; fromSortedIds?: boolean } = {},
): Tensor {
  const k = options.k ?? 5;
  if (!options.fromSortedIds) return topKMatches(toT(yTrue, "int32"), toT(yPred, "float32"), k);
  const p = toT(yPred);
  const t = toT(yTrue, p.dtype === "bool" ? "int32" : p.dtype);
  const orig = t.shape;
  if (p.shape.length !== 2)
    throw new ValueError(
      `sparse_top_k_categorical_accuracy: with from_sorted_ids, y_pred must have rank 2. Received: y_pred.shape=(${p.shape.join(", ")})`,
    );
  const flat = lax.reshape(t, [t.size]);
  const kk = Math.min(k, p.shape[1]!);
  const firstK = lax.slice(p, [0, 0], [p.shape[0]!, kk]);
  const hit = lax.max(lax.cast(lax.equal(expandDims(flat, 1), firstK), "int32"), [1]);
  const m = lax.cast(hit, "float32");
  return orig.length > 1 ? lax.reshape(m, orig) : m;
}

/**
 * How often predictions equal labels.
 * @example const m = new keras.metrics.Accuracy(); m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]]); // 0.75
 */
export class Accuracy extends MeanMetricWrapper {
  static override className = "Accuracy";
  constructor(options: MetricOptions = {}) {
    super(accuracy, { ...options, name: options.name ?? "accuracy" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * How often `yPred > threshold` matches binary labels.
 * @example const m = new keras.metrics.BinaryAccuracy(); m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]); // 0.75
 */
export class BinaryAccuracy extends MeanMetricWrapper {
  static override className = "BinaryAccuracy";
  readonly threshold: number;
  constructor(options: MetricOptions & { threshold?: number } = {}) {
    const threshold = options.threshold ?? 0.5;
    if (!(threshold > 0 && threshold < 1))
      throw new ValueError(
        `Invalid value for argument \`threshold\`. Expected a value in interval (0, 1). Received: threshold=${threshold}`,
      );
    super(binaryAccuracy, {
      ...options,
      name: options.name ?? "binary_accuracy",
      fnOptions: { threshold },
    });
    this.threshold = threshold;
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype, threshold: this.threshold };
  }
}

/**
 * How often the argmax of predictions matches one-hot labels.
 * @example new keras.metrics.CategoricalAccuracy().apply([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]); // 0.5
 */
export class CategoricalAccuracy extends MeanMetricWrapper {
  static override className = "CategoricalAccuracy";
  constructor(options: MetricOptions = {}) {
    super(categoricalAccuracy, { ...options, name: options.name ?? "categorical_accuracy" });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * How often the argmax of predictions matches integer labels.
 * @example new keras.metrics.SparseCategoricalAccuracy().apply([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]); // 0.5
 */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  static override className = "SparseCategoricalAccuracy";
  constructor(options: MetricOptions = {}) {
    super(sparseCategoricalAccuracy, {
      ...options,
      name: options.name ?? "sparse_categorical_accuracy",
    });
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}

/**
 * How often one-hot targets are in the top `k` predictions.
 * @example new keras.metrics.TopKCategoricalAccuracy({ k: 1 }).apply([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]); // 0.5
 */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  static override className = "TopKCategoricalAccuracy";
  readonly k: number;
  constructor(options: MetricOptions & { k?: number } = {}) {
    const k = options.k ?? 5;
    super(topKCategoricalAccuracy, {
      ...options,
      name: options.name ?? "top_k_categorical_accuracy",
      fnOptions: { k },
    });
    this.k = k;
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype, k: this.k };
  }
}

/**
 * How often integer targets are in the top `k` predictions.
 * @example new keras.metrics.SparseTopKCategoricalAccuracy({ k: 1 }).apply([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]); // 0.5
 */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  static override className = "SparseTopKCategoricalAccuracy";
  readonly k: number;
  readonly fromSortedIds: boolean;
  constructor(options: MetricOptions & { k?: number; fromSortedIds?: boolean } = {}) {
    const k = options.k ?? 5;
    const fromSortedIds = options.fromSortedIds ?? false;
    super(sparseTopKCategoricalAccuracy, {
      ...options,
      name: options.name ?? "sparse_top_k_categorical_accuracy",
      fnOptions: { k, fromSortedIds },
    });
    this.k = k;
    this.fromSortedIds = fromSortedIds;
  }
  override getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype, k: this.k, from_sorted_ids: this.fromSortedIds };
  }
}
