/**
 * Progbar (Keras `keras.utils.Progbar`): the text progress bar of `fit`, `evaluate` and
 * `predict`, in Keras 3's format:
 *
 *     12/250 ━━━━━━━━━━━━━━━━━━━━ 1s 4ms/step - accuracy: 0.8000 - loss: 0.5000
 *
 * Where it goes: a `write` function (gets the raw chunks, `\r` included), else a DOM-like
 * `element` (its `textContent` is set; no DOM types needed), else Node's stdout (redrawn in place
 * with `\r` on a terminal; only finished lines when piped, instead of Keras' line per update),
 * else the console (finished lines only).
 * Port of https://github.com/keras-team/keras/blob/master/keras/src/utils/progbar.py
 */
import { hostStdout } from "./io";

/** Anything with a settable `textContent` (an HTMLElement, without DOM types). */
export interface TextElement {
  textContent: string | null;
}

export interface ProgbarOptions {
  /** Bar width in characters. Default 20. */
  width?: number;
  /** 0 silent, 1 bar, 2 one line when done. Default 1. */
  verbose?: number;
  /** Minimum seconds between redraws. Default 0.05 (Keras). */
  interval?: number;
  /**
   * Metrics shown as given. Others are averaged over the updates, as Keras does.
   * "all" shows every value as given (right for running means such as Keras metrics' results).
   */
  statefulMetrics?: readonly string[] | "all";
  /** Default "step". */
  unitName?: string;
  /** Receives the raw output (e.g. `(s) => process.stdout.write(s)`). */
  write?: (chunk: string) => void;
  /** An element whose `textContent` shows the bar (browsers). */
  element?: TextElement;
  /** ANSI bold / colours as Keras prints them. Default: on for a terminal, off otherwise. */
  colors?: boolean;
  /** Redraw in place with `\r`. Default: true for `write` and terminals. */
  dynamic?: boolean;
  /**
   * Finished lines shown above the bar in `element`; pass the same array to successive bars
   * (ProgbarLogger does, one bar per epoch) so earlier epochs stay visible.
   */
  elementLines?: string[];
}

type Sink = { kind: "stream"; write: (s: string) => void } | { kind: "element"; element: TextElement } | { kind: "console" };

/** Python's `%.4e` (two-digit exponent). */
function pyExp(v: number): string {
  return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
}

/** Python's `%.4f` / `%.4e` choice of Keras' progbar. @example formatMetric(0.00001234); // "1.2340e-05" */
export function formatMetric(avg: number, abs = true): string {
  return (abs ? Math.abs(avg) : avg) > 1e-3 ? avg.toFixed(4) : pyExp(avg);
}

/** Keras `_format_time`. @example formatTime(0.004, "step"); // " 4ms/step" */
export function formatTime(timePerUnit: number, unitName: string): string {
  if (timePerUnit >= 1 || timePerUnit === 0) return ` ${timePerUnit.toFixed(0)}s/${unitName}`;
  if (timePerUnit >= 1e-3) return ` ${(timePerUnit * 1e3).toFixed(0)}ms/${unitName}`;
  return ` ${(timePerUnit * 1e6).toFixed(0)}us/${unitName}`;
}

const now = (): number => Date.now() / 1000;

/**
 * @example
 * const bar = new keras.callbacks.Progbar(100);
 * for (let i = 1; i <= 100; i++) bar.update(i, [["loss", 1 / i]]);
 */
export class Progbar {
  target: number | null;
  readonly width: number;
  readonly verbose: number;
  readonly interval: number;
  readonly unitName: string;
  private readonly stateful: Set<string> | "all";
  private readonly sink: Sink;
  private readonly colors: boolean;
  private readonly dynamic: boolean;
  private values = new Map<string, [number, number]>();
  private seenSoFar = 0;
  private readonly start = now();
  private lastUpdate = 0;
  private timeAfterFirstStep: number | null = null;
  private prevTotalWidth = 0;
  /** Finished lines (element sink only). */
  private readonly lines: string[];

  constructor(target: number | null, options: ProgbarOptions = {}) {
    this.target = target;
    this.width = options.width ?? 20;
    this.verbose = options.verbose ?? 1;
    this.interval = options.interval ?? 0.05;
    this.unitName = options.unitName ?? "step";
    this.lines = options.elementLines ?? [];
    this.stateful = options.statefulMetrics === "all" ? "all" : new Set(options.statefulMetrics ?? []);
    const stdout = hostStdout();
    if (options.write) this.sink = { kind: "stream", write: options.write };
    else if (options.element) this.sink = { kind: "element", element: options.element };
    else if (stdout) this.sink = { kind: "stream", write: (s) => void stdout.write(s) };
    else this.sink = { kind: "console" };
    const tty = !options.write && !options.element && !!stdout?.isTTY;
    this.colors = options.colors ?? tty;
    this.dynamic = this.sink.kind === "element" || (this.sink.kind === "stream" && (options.dynamic ?? (!!options.write || tty)));
  }

  /** Whether `update(current)` now would redraw (so its caller should fetch fresh values). */
  wouldRender(finalize = false): boolean {
    if (this.verbose !== 1 || !this.dynamic) return finalize && this.verbose > 0;
    return finalize || now() - this.lastUpdate >= this.interval;
  }

  /**
   * Updates the bar to step `current`. `values` are `[name, value]` pairs. `finalize` defaults to
   * `current >= target`.
   */
  update(current: number, values: readonly (readonly [string, number])[] = [], finalize?: boolean): void {
    const fin = finalize ?? (this.target !== null && current >= this.target);
    for (const [k, v] of values) {
      const stateless = this.stateful !== "all" && !this.stateful.has(k);
      const prev = this.values.get(k);
      if (stateless && !fin) {
        const base = Math.max(current - this.seenSoFar, 1);
        if (!prev) this.values.set(k, [v * base, base]);
        else {
          prev[0] += v * base;
          prev[1] += base;
        }
      } else this.values.set(k, [v, 1]);
    }
    this.seenSoFar = current;
    const t = now();
    const timePerUnit = this.estimateStepDuration(current, t);
    const bold = (s: string): string => (this.colors ? `\x1b[1m${s}\x1b[0m` : s);

    if (this.verbose === 1) {
      if (t - this.lastUpdate < this.interval && !fin) return;
      if (!this.dynamic && !fin) {
        this.lastUpdate = t;
        return;
      }
      let bar: string;
      const target = this.target;
      if (target !== null && target > 0) {
        const digits = Math.floor(Math.log10(target)) + 1;
        bar = `${bold(`${String(current).padStart(digits)}/${target}`)} `;
        const progWidth = Math.floor((this.width * current) / target);
        const done = "━".repeat(Math.max(0, Math.min(this.width, progWidth)));
        const todo = "━".repeat(Math.max(0, this.width - progWidth));
        if (this.colors) bar += (done ? `\x1b[32m${done}\x1b[0m` : "") + `\x1b[37m${todo}\x1b[0m`;
        else bar += done + todo;
      } else bar = `${String(current).padStart(7)}/Unknown`;

      let info: string;
      if (target !== null && target > 0 && !fin) {
        const eta = timePerUnit * (target - current);
        let etaFormat: string;
        if (eta > 3600)
          etaFormat = `${Math.floor(eta / 3600)}:${String(Math.floor((eta % 3600) / 60)).padStart(2, "0")}:${String(Math.floor(eta % 60)).padStart(2, "0")}`;
        else if (eta > 60) etaFormat = `${Math.floor(eta / 60)}:${String(Math.floor(eta % 60)).padStart(2, "0")}`;
        else etaFormat = `${Math.floor(eta)}s`;
        info = ` ${bold(etaFormat)}`;
      } else info = ` ${bold(`${(t - this.start).toFixed(0)}s`)}`;
      info += formatTime(timePerUnit, this.unitName);
      for (const [k, [sum, count]] of this.values) info += ` - ${k}: ${formatMetric(sum / Math.max(1, count))}`;

      // eslint-disable-next-line no-control-regex
      const visible = (bar + info).replace(/\x1b\[\d+m/g, "").length;
      let line = bar + info;
      if (this.prevTotalWidth > visible) line += " ".repeat(this.prevTotalWidth - visible);
      this.emit(line, fin);
      this.prevTotalWidth = fin ? 0 : visible;
    } else if (this.verbose === 2 && fin && this.target !== null && this.target > 0) {
      const digits = Math.floor(Math.log10(this.target)) + 1;
      let info = `${String(current).padStart(digits)}/${this.target} - ${(t - this.start).toFixed(0)}s -${formatTime(timePerUnit, this.unitName)}`;
      for (const [k, [sum, count]] of this.values) info += ` - ${k}: ${formatMetric(sum / Math.max(1, count), false)}`;
      this.emit(info, true, false);
    }
    this.lastUpdate = t;
  }

  /** Prints a whole line through the same sink (e.g. "Epoch 1/5"). */
  print(line: string): void {
    const s = this.sink;
    if (s.kind === "stream") s.write(`${line}\n`);
    else if (s.kind === "element") {
      this.lines.push(line);
      s.element.textContent = this.lines.join("\n");
    } else (globalThis as { console?: { log(x: string): void } }).console?.log(line);
  }

  private emit(line: string, finalize: boolean, inPlace = this.dynamic): void {
    const s = this.sink;
    if (s.kind === "stream") {
      if (inPlace) s.write(`\r${line}${finalize ? "\n" : ""}`);
      else s.write(`${line}\n`);
    } else if (s.kind === "element") {
      const text = [...this.lines, line.trimEnd()].join("\n");
      if (finalize) this.lines.push(line.trimEnd());
      s.element.textContent = text;
    } else if (finalize) (globalThis as { console?: { log(x: string): void } }).console?.log(line.trimEnd());
  }

  /** Keras `_estimate_step_duration`: ignores the (slow, compiling) first step when it can. */
  private estimateStepDuration(current: number, t: number): number {
    if (!current) return 0;
    const perUnit =
      this.timeAfterFirstStep !== null && current > 1 ? (t - this.timeAfterFirstStep) / (current - 1) : (t - this.start) / current;
    if (current === 1) this.timeAfterFirstStep = t;
    return perUnit;
  }
}
