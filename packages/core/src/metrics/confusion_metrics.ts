/**
 * Confusion-matrix metrics (Keras `keras/src/metrics/confusion_metrics.py`): TruePositives,
 * FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall and AUC (ROC or PR, with
 * Keras' threshold grid including the -eps / 1+eps endpoints and its PR interpolation).
 */
import { ValueError, fmt } from "../errors";
import { shareBuffer } from "../engine/bind";
import { EPSILON, divideNoNan } from "../losses/helpers";
import { sigmoid } from "../ops/nn/index";
import { convertToTensor, type TensorLike } from "../ops/convert";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { Metric, type MetricOptions } from "./metric";
import {
  NEG_INF,
  isEvenlyDistributedThresholds,
  parseInitThresholds,
  updateConfusionMatrixVariables,
  type ConfusionKey,
} from "./metrics_utils";

type Thresholds = number | number[] | null;

/** The first element when there is one threshold, else the whole vector (a new tensor). */
function perThreshold(v: Tensor, n: number): Tensor {
  return n === 1 ? lax.reshape(v, []) : shareBuffer(v);
}

/** Counts one confusion-matrix condition at each threshold. */
abstract class ConfusionMatrixConditionCount extends Metric {
  readonly initThresholds: Thresholds;
  readonly thresholds: number[];
  readonly accumulator: Variable;
  private readonly evenly: boolean;

  constructor(
    private readonly cond: ConfusionKey,
    options: MetricOptions & { thresholds?: Thresholds },
  ) {
    super(options);
    this.initThresholds = options.thresholds ?? null;
    this.thresholds = parseInitThresholds(this.initThresholds, 0.5);
    this.evenly = isEvenlyDistributedThresholds(this.thresholds);
    this.accumulator = this.addVariable([this.thresholds.length], { name: "accumulator" });
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight: TensorLike | null = null): void {
    this.track(() =>
      updateConfusionMatrixVariables(
        { [this.cond]: this.accumulator },
        yTrue,
        yPred,
        this.thresholds,
        {
          thresholdsDistributedEvenly: this.evenly,
          sampleWeight,
        },
      ),
    );
  }

  result(): Tensor {
    return this.track(() => perThreshold(this.accumulator.value, this.thresholds.length));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.initThresholds };
  }
}

export interface ThresholdMetricOptions extends MetricOptions {
  /** A threshold or list of thresholds in [0, 1]; predictions above are positive. Default 0.5. */
  thresholds?: Thresholds;
}

/**
 * Weighted count of false positives at each threshold.
 * @example const m = new keras.metrics.FalsePositives(); m.apply([0, 1, 0, 0], [0, 0, 1, 1]); // 2
 */
export class FalsePositives extends ConfusionMatrixConditionCount {
  static override className = "FalsePositives";
  constructor(options: ThresholdMetricOptions = {}) {
    super("fp", options);
  }
}

/**
 * Weighted count of false negatives at each threshold.
 * @example const m = new keras.metrics.FalseNegatives(); m.apply([0, 1, 1, 1], [0, 1, 0, 0]); // 2
 */
export class FalseNegatives extends ConfusionMatrixConditionCount {
  static override className = "FalseNegatives";
  constructor(options: ThresholdMetricOptions = {}) {
    super("fn", options);
  }
}

/**
 * Weighted count of true negatives at each threshold.
 * @example const m = new keras.metrics.TrueNegatives(); m.apply([0, 1, 0, 0], [1, 1, 0, 0]); // 2
 */
export class TrueNegatives extends ConfusionMatrixConditionCount {
  static override className = "TrueNegatives";
  constructor(options: ThresholdMetricOptions = {}) {
    super("tn", options);
  }
}

/**
 * Weighted count of true positives at each threshold.
 * @example const m = new keras.metrics.TruePositives(); m.apply([0, 1, 1, 1], [1, 0, 1, 1]); // 2
 */
export class TruePositives extends ConfusionMatrixConditionCount {
  static override className = "TruePositives";
  constructor(options: ThresholdMetricOptions = {}) {
    super("tp", options);
  }
}

export interface PrecisionRecallOptions extends ThresholdMetricOptions {
  /** Only the `topK` highest predictions of each row count as positive. */
  topK?: number | null;
  /** Only this class (last-axis index) is scored. */
  classId?: number | null;
}

/** Shared state of Precision and Recall: true positives plus one other count. */
abstract class TwoCountMetric extends Metric {
  readonly initThresholds: Thresholds;
  readonly topK: number | null;
  readonly classId: number | null;
  readonly thresholds: number[];
  readonly truePositives: Variable;
  protected readonly other: Variable;
  private readonly evenly: boolean;

  constructor(
    private readonly otherKey: "fp" | "fn",
    options: PrecisionRecallOptions,
  ) {
    super(options);
    this.initThresholds = options.thresholds ?? null;
    this.topK = options.topK ?? null;
    this.classId = options.classId ?? null;
    this.thresholds = parseInitThresholds(this.initThresholds, this.topK === null ? 0.5 : NEG_INF);
    this.evenly = isEvenlyDistributedThresholds(this.thresholds);
    const n = this.thresholds.length;
    this.truePositives = this.addVariable([n], { name: "true_positives" });
    this.other = this.addVariable([n], {
      name: otherKey === "fp" ? "false_positives" : "false_negatives",
    });
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight: TensorLike | null = null): void {
    this.track(() =>
      updateConfusionMatrixVariables(
        { tp: this.truePositives, [this.otherKey]: this.other },
        yTrue,
        yPred,
        this.thresholds,
        {
          thresholdsDistributedEvenly: this.evenly,
          topK: this.topK,
          classId: this.classId,
          sampleWeight,
        },
      ),
    );
  }

  result(): Tensor {
    return this.track(() => {
      const tp = this.truePositives.value;
      const r = divideNoNan(tp, lax.add(tp, this.other.value));
      return this.thresholds.length === 1 ? lax.reshape(r, []) : r;
    });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      thresholds: this.initThresholds,
      top_k: this.topK,
      class_id: this.classId,
    };
  }
}

/**
 * `tp / (tp + fp)` at each threshold, optionally over the top-k predictions or one class.
 * @example const m = new keras.metrics.Precision(); m.apply([0, 1, 1, 1], [1, 0, 1, 1]); // 0.6667
 */
export class Precision extends TwoCountMetric {
  static override className = "Precision";
  constructor(options: PrecisionRecallOptions = {}) {
    super("fp", options);
  }
  get falsePositives(): Variable {
    return this.other;
  }
}

/**
 * `tp / (tp + fn)` at each threshold, optionally over the top-k predictions or one class.
 * @example const m = new keras.metrics.Recall(); m.apply([0, 1, 1, 1], [1, 0, 1, 1]); // 0.6667
 */
export class Recall extends TwoCountMetric {
  static override className = "Recall";
  constructor(options: PrecisionRecallOptions = {}) {
    super("fn", options);
  }
  get falseNegatives(): Variable {
    return this.other;
  }
}

export interface AUCOptions extends MetricOptions {
  /** Number of thresholds on [0, 1] (ignored when `thresholds` is given). Default 200. */
  numThresholds?: number;
  /** "ROC" (default) or "PR". */
  curve?: "ROC" | "PR" | "roc" | "pr";
  /** "interpolation" (default), "minoring" or "majoring". */
  summationMethod?:
    "interpolation" | "minoring" | "majoring" | "Interpolation" | "Minoring" | "Majoring";
  /** Explicit thresholds in [0, 1]; the -eps and 1+eps endpoints are added. */
  thresholds?: number[] | null;
  /** One AUC per label, averaged (with `labelWeights`). Default false. */
  multiLabel?: boolean;
  /** Number of labels with `multiLabel`; else taken from the first batch. */
  numLabels?: number | null;
  labelWeights?: number[] | null;
  /** Predictions are logits (a sigmoid is applied). Default false. */
  fromLogits?: boolean;
}

function parseCurve(c: string): "ROC" | "PR" {
  if (c === "roc" || c === "ROC") return "ROC";
  if (c === "pr" || c === "PR") return "PR";
  throw new ValueError(
    `Invalid AUC curve value. Expected values are ["PR", "ROC"]. Received: curve=${fmt(c)}`,
  );
}

function parseSummation(s: string): "interpolation" | "minoring" | "majoring" {
  const l = s === "Interpolation" || s === "Minoring" || s === "Majoring" ? s.toLowerCase() : s;
  if (l === "interpolation" || l === "minoring" || l === "majoring") return l;
  throw new ValueError(
    `Invalid AUC summation method value. Expected values are ["interpolation", "majoring", "minoring"]. Received: summation_method=${fmt(s)}`,
  );
}

/**
 * Area under the ROC or PR curve, approximated by a Riemann sum over a threshold grid
 * (Keras `keras.metrics.AUC`).
 * @example const m = new keras.metrics.AUC({ numThresholds: 3 }); m.apply([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]); // 0.75
 */
export class AUC extends Metric {
  static override className = "AUC";
  readonly numThresholds: number;
  readonly curve: "ROC" | "PR";
  readonly summationMethod: "interpolation" | "minoring" | "majoring";
  readonly multiLabel: boolean;
  readonly numLabels: number | null;
  readonly labelWeights: number[] | null;
  readonly fromLogits: boolean;
  private readonly initFromThresholds: boolean;
  private readonly evenly: boolean;
  private readonly _thresholds: number[];
  private built = false;
  private vars: Record<ConfusionKey, Variable> | null = null;

  constructor(options: AUCOptions = {}) {
    super(options);
    const user = options.thresholds ?? null;
    this.initFromThresholds = user !== null;
    let inner: number[];
    if (user !== null) {
      this.numThresholds = user.length + 2;
      inner = [...user].sort((a, b) => a - b);
      this.evenly = isEvenlyDistributedThresholds([0, ...inner, 1]);
    } else {
      const n = options.numThresholds ?? 200;
      if (!(Number.isInteger(n) && n > 1))
        throw new ValueError(
          `Argument \`num_thresholds\` must be an integer > 1. Received: num_thresholds=${n}`,
        );
      this.numThresholds = n;
      inner = Array.from({ length: n - 2 }, (_, i) => ((i + 1) * 1.0) / (n - 1));
      this.evenly = true;
    }
    // Endpoints below 0 and above 1 catch predictions of exactly 0 or 1.
    this._thresholds = [0 - EPSILON, ...inner, 1 + EPSILON];
    this.curve = parseCurve(options.curve ?? "ROC");
    this.summationMethod = parseSummation(options.summationMethod ?? "interpolation");
    this.multiLabel = options.multiLabel ?? false;
    this.numLabels = options.numLabels ?? null;
    this.labelWeights = options.labelWeights ? [...options.labelWeights] : null;
    this.fromLogits = options.fromLogits ?? false;
    if (this.multiLabel) {
      if (this.numLabels) this.build([null, this.numLabels]);
    } else {
      if (this.numLabels)
        throw new ValueError(
          `\`num_labels\` is needed only when \`multi_label\` is True. Received: num_labels=${this.numLabels}`,
        );
      this.build(null);
    }
  }

  /** The thresholds used, endpoints included. */
  get thresholds(): number[] {
    return [...this._thresholds];
  }

  private build(shape: readonly (number | null)[] | null): void {
    let vshape: number[];
    if (this.multiLabel) {
      if (!shape || shape.length !== 2)
        throw new ValueError(
          `\`y_pred\` must have rank 2 when \`multi_label=True\`. Found rank ${shape?.length ?? 0}. Received: y_pred.shape=${fmt(shape)}`,
        );
      vshape = [this.numThresholds, shape[1]!];
    } else vshape = [this.numThresholds];
    this.vars = {
      tp: this.addVariable(vshape, { name: "true_positives" }),
      fp: this.addVariable(vshape, { name: "false_positives" }),
      tn: this.addVariable(vshape, { name: "true_negatives" }),
      fn: this.addVariable(vshape, { name: "false_negatives" }),
    };
    this.built = true;
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight: TensorLike | null = null): void {
    this.track(() => {
      let p = convertToTensor<Tensor>(yPred, this.dtype);
      if (!this.built) this.build(p.shape);
      if (this.fromLogits) p = sigmoid(p);
      updateConfusionMatrixVariables(this.vars!, yTrue, p, this._thresholds, {
        thresholdsDistributedEvenly: this.evenly,
        sampleWeight,
        multiLabel: this.multiLabel,
        labelWeights: this.multiLabel ? null : this.labelWeights,
      });
    });
  }

  /** Averages per-label AUCs (multi-label) or sums the single curve's terms. */
  private total(terms: Tensor): Tensor {
    if (!this.multiLabel)
      return lax.sum(
        terms,
        terms.shape.map((_, i) => i),
      );
    const byLabel = lax.sum(terms, [0]);
    if (this.labelWeights === null) return lax.div(lax.sum(byLabel, [0]), byLabel.shape[0]!);
    const w = lax.constant(this.labelWeights, [this.labelWeights.length], this.dtype);
    return divideNoNan(lax.sum(lax.mul(byLabel, w), [0]), lax.sum(w, [0]));
  }

  result(): Tensor {
    return this.track(() => {
      if (!this.built) return lax.scalar(0, this.dtype);
      const { tp, fp, tn, fn } = this.vars!;
      const T = this.numThresholds;
      const head = (x: Tensor): Tensor =>
        lax.slice(
          x,
          x.shape.map(() => 0),
          x.shape.map((d, i) => (i === 0 ? T - 1 : d)),
        );
      const tail = (x: Tensor): Tensor =>
        lax.slice(
          x,
          x.shape.map((_, i) => (i === 0 ? 1 : 0)),
          [...x.shape],
        );
      if (this.curve === "PR" && this.summationMethod === "interpolation") {
        // Davis & Goadrich (2006) interpolation of TP and FP between thresholds.
        const TP = tp.value;
        const dtp = lax.sub(head(TP), tail(TP));
        const P = lax.add(TP, fp.value);
        const dp = lax.sub(head(P), tail(P));
        const slope = divideNoNan(dtp, lax.maximum(dp, 0));
        const intercept = lax.sub(tail(TP), lax.mul(slope, tail(P)));
        const bothPos = lax.logicalAnd(lax.greater(head(P), 0), lax.greater(tail(P), 0));
        const ratio = lax.where(
          bothPos,
          divideNoNan(head(P), lax.maximum(tail(P), 0)),
          lax.scalar(1, this.dtype),
        );
        const inc = divideNoNan(
          lax.mul(slope, lax.add(dtp, lax.mul(intercept, lax.log(ratio)))),
          lax.maximum(lax.add(tail(TP), tail(fn.value)), 0),
        );
        return this.total(inc);
      }
      const recall = divideNoNan(tp.value, lax.add(tp.value, fn.value));
      let x: Tensor;
      let y: Tensor;
      if (this.curve === "ROC") {
        x = divideNoNan(fp.value, lax.add(fp.value, tn.value));
        y = recall;
      } else {
        x = recall;
        y = divideNoNan(tp.value, lax.add(tp.value, fp.value));
      }
      const heights =
        this.summationMethod === "interpolation"
          ? lax.div(lax.add(head(y), tail(y)), 2)
          : this.summationMethod === "minoring"
            ? lax.minimum(head(y), tail(y))
            : lax.maximum(head(y), tail(y));
      return this.total(lax.mul(lax.sub(head(x), tail(x)), heights));
    });
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      num_thresholds: this.numThresholds,
      curve: this.curve,
      summation_method: this.summationMethod,
      multi_label: this.multiLabel,
      num_labels: this.numLabels,
      label_weights: this.labelWeights,
      from_logits: this.fromLogits,
    };
    if (this.initFromThresholds) config.thresholds = this._thresholds.slice(1, -1);
    return config;
  }
}
