/**
 * `plotHistory`: the loss and metric curves of a `fit` run as an SVG string, one panel per
 * metric with the training curve and, when present, the validation curve (`val_` keys), as
 * Keras' tutorials draw `history.history` with matplotlib.
 */
import { TRAIN_COLOR, VAL_COLOR, renderChart, type Panel } from "./chart";

/** What `plotHistory` accepts: `fit`'s History callback, or its `history` record. */
export type HistoryLike =
  { history: Record<string, number[]>; epoch?: number[] } | Record<string, number[]>;

export interface PlotHistoryOptions {
  /** Metrics to draw, without the `val_` prefix (default: every logged metric, "loss" first, learning rate left out). */
  metrics?: string[];
  /** Width of the whole SVG in pixels (default 640); panels share it. */
  width?: number;
  /** Height in pixels (default 280). */
  height?: number;
}

function recordOf(h: HistoryLike): { record: Record<string, number[]>; epochs: number[] | null } {
  const maybe = h as { history?: unknown; epoch?: unknown };
  if (maybe.history && typeof maybe.history === "object" && !Array.isArray(maybe.history)) {
    const epochs =
      Array.isArray(maybe.epoch) && maybe.epoch.length ? (maybe.epoch as number[]) : null;
    return { record: maybe.history as Record<string, number[]>, epochs };
  }
  return { record: h as Record<string, number[]>, epochs: null };
}

/** Metric names of a logs record: "loss" first, then others in order, without `val_` twins. */
export function metricNames(keys: string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const base = k.startsWith("val_") ? k.slice(4) : k;
    if (base === "learning_rate" || base === "lr" || out.includes(base)) continue;
    out.push(base);
  }
  return out.sort((a, b) => (a === "loss" ? -1 : b === "loss" ? 1 : 0));
}

/**
 * Draws training curves (train solid, validation dashed) against the epoch (1-based), one panel
 * per metric. Each curve is a `<path class="wk-series" data-series="val_loss" data-points="5">`.
 * @example
 * const history = await model.fit(x, y, { epochs: 5, validationSplit: 0.2 });
 * document.querySelector("#curves")!.innerHTML = plotHistory(history, { metrics: ["loss", "accuracy"] });
 */
export function plotHistory(history: HistoryLike, options: PlotHistoryOptions = {}): string {
  const { record, epochs } = recordOf(history);
  const metrics = options.metrics ?? metricNames(Object.keys(record));
  for (const m of metrics)
    if (!(m in record) && !(`val_${m}` in record))
      throw new Error(
        `plotHistory: no metric "${m}" in the history (it has ${Object.keys(record).join(", ") || "nothing"}). Received: metrics=${JSON.stringify(metrics)}`,
      );
  const panels: Panel[] = metrics.map((m) => {
    const series: Panel["series"] = [];
    for (const [key, label, color, dashed] of [
      [m, "train", TRAIN_COLOR, false],
      [`val_${m}`, "validation", VAL_COLOR, true],
    ] as const) {
      const y = record[key];
      if (!y) continue;
      // History.epoch is 0-based; curves read better against the 1-based epoch Keras prints.
      const x = y.map((_v, i) => (epochs?.[i] ?? i) + 1);
      series.push({ name: key, label, x, y: [...y], color, dashed });
    }
    return { title: m, series };
  });
  return renderChart(
    panels,
    { width: options.width ?? 640, height: options.height ?? 280 },
    "wk-plot-history",
  );
}
