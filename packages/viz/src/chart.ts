/**
 * A line chart in SVG: one panel per metric, a curve per series (train solid, validation
 * dashed), nice axis ticks, a legend. Shared by `plotHistory` (epoch-level curves after `fit`)
 * and `LiveChartCallback` (batch-level curves redrawn during `fit`).
 *
 * Only what training curves need: numeric x and y, linear axes, no interaction.
 */
import { FONT_FAMILY, esc, num, textWidth } from "./svg";

/** One curve: `x[i]`, `y[i]` pairs (non-finite y values leave a gap). */
export interface Series {
  /** Log key ("loss", "val_accuracy"). */
  name: string;
  /** Legend text ("train", "validation"). */
  label: string;
  x: number[];
  y: number[];
  color: string;
  dashed?: boolean;
}

/** One panel of a chart: a metric and its series. */
export interface Panel {
  title: string;
  series: Series[];
}

export interface ChartOptions {
  width: number;
  height: number;
  /** x-axis label (default "epoch"). */
  xLabel?: string;
  /** Smallest x range to show (a live chart starts with the whole first epoch visible). */
  xMin?: number;
  xMax?: number;
}

/** Colors of the train / validation series (matplotlib's first two, as Keras tutorials plot). */
export const TRAIN_COLOR = "#1f77b4";
export const VAL_COLOR = "#ff7f0e";

/** Up to about `count` round tick values covering [lo, hi] (1, 2, 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // Integer multiples of the step, rounded to drop float noise (0.6000000000000001).
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    out.push(Number((k * step).toPrecision(12)));
  return out;
}

function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** The `d` of one series: "M x y L x y ..." with a new "M" after each gap. */
function seriesPath(
  s: Series,
  sx: (x: number) => number,
  sy: (y: number) => number,
): { d: string; points: number } {
  let d = "";
  let pen = false;
  let points = 0;
  for (let i = 0; i < s.x.length; i++) {
    const y = s.y[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(s.x[i]!)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${num(sx(s.x[i]!))},${num(sy(y))}`;
    pen = true;
    points++;
  }
  return { d, points };
}

function renderPanel(panel: Panel, x0: number, w: number, h: number, opts: ChartOptions): string {
  const m = { left: 48, right: 12, top: 26, bottom: 34 };
  const pw = Math.max(10, w - m.left - m.right);
  const ph = Math.max(10, h - m.top - m.bottom);
  const xs = panel.series.flatMap((s) => s.x.filter(Number.isFinite));
  const ys = panel.series.flatMap((s) => s.y.filter(Number.isFinite));
  let xlo = Math.min(opts.xMin ?? Infinity, ...xs);
  let xhi = Math.max(opts.xMax ?? -Infinity, ...xs);
  if (!Number.isFinite(xlo)) [xlo, xhi] = [0, 1];
  if (xhi === xlo) xhi = xlo + 1;
  let ylo = Math.min(...ys);
  let yhi = Math.max(...ys);
  if (!Number.isFinite(ylo)) [ylo, yhi] = [0, 1];
  if (yhi === ylo) [ylo, yhi] = [ylo - 0.5, yhi + 0.5];
  const yTicks = niceTicks(ylo, yhi, 4);
  const xTicks = niceTicks(xlo, xhi, Math.min(8, Math.max(2, Math.floor(pw / 50)))).filter(
    (t) => t >= xlo && t <= xhi,
  );
  const sx = (x: number) => x0 + m.left + ((x - xlo) / (xhi - xlo)) * pw;
  const sy = (y: number) => m.top + ph - ((y - ylo) / (yhi - ylo)) * ph;
  const out: string[] = [`<g class="wk-panel" data-metric="${esc(panel.title)}">`];
  out.push(
    `<text x="${num(x0 + m.left + pw / 2)}" y="16" font-size="13" font-weight="bold" text-anchor="middle">${esc(panel.title)}</text>`,
  );
  // Grid and axes.
  for (const t of yTicks) {
    const y = sy(t);
    out.push(
      `<line x1="${num(x0 + m.left)}" x2="${num(x0 + m.left + pw)}" y1="${num(y)}" y2="${num(y)}" stroke="#e5e5e5"/>`,
    );
    out.push(
      `<text x="${num(x0 + m.left - 5)}" y="${num(y)}" font-size="10" text-anchor="end" dominant-baseline="central" fill="#444">${tickLabel(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = sx(t);
    out.push(
      `<line x1="${num(x)}" x2="${num(x)}" y1="${num(m.top + ph)}" y2="${num(m.top + ph + 4)}" stroke="#444"/>`,
    );
    out.push(
      `<text x="${num(x)}" y="${num(m.top + ph + 15)}" font-size="10" text-anchor="middle" fill="#444">${tickLabel(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${num(x0 + m.left)}" y="${m.top}" width="${num(pw)}" height="${num(ph)}" fill="none" stroke="#444"/>`,
  );
  out.push(
    `<text x="${num(x0 + m.left + pw / 2)}" y="${num(h - 4)}" font-size="11" text-anchor="middle" fill="#444">${esc(opts.xLabel ?? "epoch")}</text>`,
  );
  // Curves, then dots where there are few enough points to see them.
  for (const s of panel.series) {
    const { d, points } = seriesPath(s, sx, sy);
    out.push(
      `<path class="wk-series" data-series="${esc(s.name)}" data-points="${points}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,3"' : ""}/>`,
    );
    if (points <= 30)
      for (let i = 0; i < s.x.length; i++)
        if (Number.isFinite(s.y[i]!))
          out.push(
            `<circle cx="${num(sx(s.x[i]!))}" cy="${num(sy(s.y[i]!))}" r="2.5" fill="${s.color}"/>`,
          );
  }
  // Legend in the right-hand corner the curves end farther from (top for a falling loss, bottom
  // for a rising accuracy), on a pale box so a curve under it stays readable.
  if (panel.series.length) {
    const lastYs = panel.series
      .map((s) => s.y.filter(Number.isFinite).pop())
      .filter((y): y is number => y !== undefined);
    const endsHigh =
      lastYs.length > 0 && lastYs.reduce((a, y) => a + sy(y), 0) / lastYs.length < m.top + ph / 2;
    const lw = Math.max(...panel.series.map((s) => textWidth(s.label, 10))) + 32;
    const lh = panel.series.length * 14 + 4;
    const lx = x0 + m.left + pw - lw - 3;
    const top = endsHigh ? m.top + ph - lh - 3 : m.top + 3;
    out.push(
      `<rect x="${num(lx)}" y="${num(top)}" width="${num(lw)}" height="${lh}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`,
    );
    panel.series.forEach((s, i) => {
      const ly = top + 9 + i * 14;
      out.push(
        `<line x1="${num(lx + 5)}" x2="${num(lx + 23)}" y1="${num(ly)}" y2="${num(ly)}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,3"' : ""}/>`,
      );
      out.push(
        `<text x="${num(lx + 27)}" y="${num(ly)}" font-size="10" dominant-baseline="central">${esc(s.label)}</text>`,
      );
    });
  }
  out.push("</g>");
  return out.join("\n");
}

/**
 * Renders panels side by side into one SVG string.
 * @example
 * renderChart([{ title: "loss", series: [{ name: "loss", label: "train", x: [1, 2], y: [0.9, 0.5], color: TRAIN_COLOR }] }], { width: 400, height: 240 });
 */
export function renderChart(panels: Panel[], opts: ChartOptions, className = "wk-chart"): string {
  const { width, height } = opts;
  const n = Math.max(1, panels.length);
  const pw = width / n;
  const body = panels.map((p, i) => renderPanel(p, i * pw, pw, height, opts)).join("\n");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="${className}" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${esc(FONT_FAMILY)}">\n` +
    `<rect x="0" y="0" width="${num(width)}" height="${num(height)}" fill="#fff"/>\n${body}\n</svg>\n`
  );
}
