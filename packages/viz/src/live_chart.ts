/**
 * `LiveChartCallback`: redraws training curves while `fit` runs, so a page shows the loss
 * falling batch by batch. A core `Callback`: it asks the trainer for batch logs only every
 * `updateEvery` batches, since each read of the logs is a device-to-host transfer.
 *
 * Keras' batch logs are running means over the epoch so far (they restart at each epoch, which
 * drawn as is makes a curve that jumps down at every epoch start). The chart plots the mean over
 * the batches since the previous point instead, recovered from two running means, so the
 * training curve shows the current loss; validation points come from the epoch-end logs.
 */
import { callbacks } from "@webkeras/core";
import { TRAIN_COLOR, VAL_COLOR, renderChart, type Panel } from "./chart";
import { metricNames } from "./plot_history";

type Logs = Record<string, number>;

/** Where the chart goes: an element (its `innerHTML` is replaced) or a function given the SVG. */
export type ChartTarget = { innerHTML: string } | ((svg: string) => void);

export interface LiveChartOptions {
  /** Metrics to draw, without `val_` (default: all logged, "loss" first). */
  metrics?: string[];
  /** Width of the SVG in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 260). */
  height?: number;
  /** Add a training point every this many batches (default 5); 0 draws epoch ends only. */
  updateEvery?: number;
}

/**
 * @example
 * const chart = new LiveChartCallback(document.querySelector("#chart")!, { updateEvery: 10 });
 * await model.fit(x, y, { epochs: 3, validationSplit: 0.1, callbacks: [chart] });
 */
export class LiveChartCallback extends callbacks.Callback {
  /** Recorded points per log key (x in epochs: 0.5 is the middle of the first epoch). */
  readonly points: Record<string, { x: number[]; y: number[] }> = {};
  /** The last SVG drawn. */
  svg = "";
  private epoch = 0;
  private readonly updateEvery: number;
  /** This epoch's last batch logs and their batch count, to turn running means into window means. */
  private prev: { batches: number; logs: Logs } = { batches: 0, logs: {} };

  constructor(
    private readonly target: ChartTarget,
    private readonly options: LiveChartOptions = {},
  ) {
    super();
    this.updateEvery = options.updateEvery ?? 5;
    if (!Number.isInteger(this.updateEvery) || this.updateEvery < 0)
      throw new Error(
        `LiveChartCallback: updateEvery must be a non-negative integer. Received: updateEvery=${options.updateEvery}`,
      );
  }

  override needsBatchLogs(mode: "train" | "test" | "predict", batch: number): boolean {
    return mode === "train" && this.updateEvery > 0 && (batch + 1) % this.updateEvery === 0;
  }

  override onTrainBegin(): void {
    for (const k of Object.keys(this.points)) delete this.points[k];
    this.render();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.prev = { batches: 0, logs: {} };
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): void {
    if (!this.needsBatchLogs("train", batch) || !logs || Object.keys(logs).length === 0) return;
    const steps =
      typeof this.params.steps === "number" && this.params.steps > 0 ? this.params.steps : null;
    // Without a known epoch length, batches are spread as if the epoch had 100 of them.
    const x = this.epoch + (steps ? (batch + 1) / steps : Math.min(1, (batch + 1) / 100));
    const n = batch + 1;
    const { batches: n0, logs: before } = this.prev;
    for (const [k, v] of Object.entries(logs)) {
      if (k.startsWith("val_") || typeof v !== "number") continue;
      // Mean over batches (n0, n] from the running means after n0 and after n batches.
      const m0 = before[k];
      this.add(k, x, n0 > 0 && typeof m0 === "number" ? (n * v - n0 * m0) / (n - n0) : v);
    }
    this.prev = { batches: n, logs: { ...logs } };
    this.render();
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    // Training curves already have this epoch's batch points; the epoch mean would zig-zag them.
    const haveBatches = this.prev.batches > 0;
    for (const [k, v] of Object.entries(logs))
      if (k.startsWith("val_") || !haveBatches) this.add(k, epoch + 1, v);
    this.render();
  }

  private add(key: string, x: number, y: number): void {
    if (typeof y !== "number") return;
    const s = (this.points[key] ??= { x: [], y: [] });
    s.x.push(x);
    s.y.push(y);
  }

  /** Draws the current curves into the target and returns the SVG. */
  render(): string {
    const metrics = this.options.metrics ?? metricNames(Object.keys(this.points));
    const panels: Panel[] = (metrics.length ? metrics : ["loss"]).map((m) => ({
      title: m,
      series: [
        ...(this.points[m]
          ? [{ name: m, label: "train", ...this.copy(m), color: TRAIN_COLOR }]
          : []),
        ...(this.points[`val_${m}`]
          ? [
              {
                name: `val_${m}`,
                label: "validation",
                ...this.copy(`val_${m}`),
                color: VAL_COLOR,
                dashed: true,
              },
            ]
          : []),
      ],
    }));
    const epochs = typeof this.params.epochs === "number" ? this.params.epochs : undefined;
    this.svg = renderChart(
      panels,
      {
        width: this.options.width ?? 640,
        height: this.options.height ?? 260,
        xMin: 0,
        xMax: epochs,
      },
      "wk-live-chart",
    );
    if (typeof this.target === "function") this.target(this.svg);
    else this.target.innerHTML = this.svg;
    return this.svg;
  }

  private copy(key: string): { x: number[]; y: number[] } {
    const s = this.points[key]!;
    return { x: [...s.x], y: [...s.y] };
  }
}
