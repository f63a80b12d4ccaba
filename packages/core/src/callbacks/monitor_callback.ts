/**
 * MonitorCallback (Keras `callbacks/monitor_callback.py`): the shared logic of callbacks that
 * watch one metric (EarlyStopping, ReduceLROnPlateau): whether lower or higher is better, and
 * what counts as an improvement.
 */
import { ValueError } from "../errors";
import type { Metric } from "../metrics/metric";
import { Callback } from "./callback";
import { warn } from "./io";

/** Metrics Keras marks `_direction = "up"` (higher is better); others with a direction are "down". */
const UP = new Set([
  "Accuracy",
  "BinaryAccuracy",
  "CategoricalAccuracy",
  "SparseCategoricalAccuracy",
  "TopKCategoricalAccuracy",
  "SparseTopKCategoricalAccuracy",
  "AUC",
  "Precision",
  "Recall",
  "PrecisionAtRecall",
  "RecallAtPrecision",
  "SensitivityAtSpecificity",
  "SpecificityAtSensitivity",
  "TruePositives",
  "TrueNegatives",
  "CosineSimilarity",
  "F1Score",
  "FBetaScore",
  "R2Score",
  "IoU",
  "MeanIoU",
  "BinaryIoU",
  "OneHotIoU",
  "OneHotMeanIoU",
]);
const DOWN = new Set([
  "MeanSquaredError",
  "RootMeanSquaredError",
  "MeanAbsoluteError",
  "MeanAbsolutePercentageError",
  "MeanSquaredLogarithmicError",
  "LogCoshError",
  "Hinge",
  "SquaredHinge",
  "CategoricalHinge",
  "KLDivergence",
  "Poisson",
  "BinaryCrossentropy",
  "CategoricalCrossentropy",
  "SparseCategoricalCrossentropy",
  "FalsePositives",
  "FalseNegatives",
]);

/** "up", "down" or null (unknown) for a metric, as Keras' `_direction`. @example metricDirection(new keras.metrics.AUC()); // "up" */
export function metricDirection(metric: Metric): "up" | "down" | null {
  const own = (metric as { direction?: unknown }).direction;
  if (own === "up" || own === "down") return own;
  if (UP.has(metric.className)) return "up";
  if (DOWN.has(metric.className)) return "down";
  return null;
}

export type MonitorMode = "auto" | "min" | "max";

/**
 * Base of callbacks that monitor a metric.
 * @example class MyMonitor extends MonitorCallback { constructor() { super("val_loss", "auto", 0, "MyMonitor"); } }
 */
export class MonitorCallback extends Callback {
  monitor: string;
  mode: MonitorMode;
  minDelta: number;
  best: number | null = null;
  /** `<` or `>`, resolved on the first epoch end (when the model's metrics are built). */
  protected monitorOp: ((a: number, b: number) => boolean) | null = null;
  private readonly who: string;

  constructor(monitor = "val_loss", mode: string = "auto", minDelta = 0, who = "MonitorCallback") {
    super();
    this.who = who;
    this.monitor = monitor;
    if (!["auto", "min", "max"].includes(mode)) {
      warn(`${who} mode ${mode} is unknown, fallback to auto mode.`);
      mode = "auto";
    }
    this.mode = mode as MonitorMode;
    this.minDelta = Math.abs(minDelta);
  }

  protected setMonitorOp(): void {
    const less = (a: number, b: number): boolean => a < b;
    const greater = (a: number, b: number): boolean => a > b;
    if (this.mode === "min") this.monitorOp = less;
    else if (this.mode === "max") this.monitorOp = greater;
    else {
      const name = this.monitor.startsWith("val_") ? this.monitor.slice(4) : this.monitor;
      if (name === "loss") this.monitorOp = less;
      const metrics = this.model?.compiled?.compileMetrics?.metrics ?? [];
      for (const m of metrics) {
        if (m.name !== name) continue;
        const d = metricDirection(m);
        if (d) this.monitorOp = d === "up" ? greater : less;
      }
    }
    if (this.monitorOp === null)
      throw new ValueError(
        `${this.who} callback received monitor=${this.monitor} but Keras isn't able to automatically determine whether that metric should be maximized or minimized. Pass \`mode: "max"\` in order to do early stopping based on the highest metric value, or pass \`mode: "min"\` in order to use the lowest value. Received: monitor=${this.monitor}`,
      );
    if (this.monitorOp === less) this.minDelta *= -1;
  }

  /** Keras `_is_improvement`: `monitor - minDelta` beats `reference` (any value beats null). */
  protected isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.monitorOp!(value - this.minDelta, reference);
  }
}
