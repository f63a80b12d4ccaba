/**
 * ProgbarLogger (Keras `keras.callbacks.ProgbarLogger`): the progress bar `fit`, `evaluate` and
 * `predict` show when `verbose` is 1 ("Epoch 1/5", then a bar per epoch).
 *
 * Unlike Keras, which averages the per-step values again in the bar, this one shows the metrics'
 * running means as they are (they already are the epoch averages), and it asks the trainer for
 * batch logs only when it is about to redraw (at most every `interval` seconds), so training
 * does not wait on a device read at every step.
 */
import { Callback, type CallbackParams, type Logs, type LoopMode } from "./callback";
import { Progbar, type TextElement } from "./progbar";

export interface ProgbarLoggerOptions {
  /** Receives the raw output instead of stdout / the console (e.g. to capture it). */
  write?: (chunk: string) => void;
  /** Shows the progress in this element's `textContent` (browsers; any object with textContent). */
  element?: TextElement;
  /** Minimum seconds between redraws (and batch-log reads). Default 0.1. */
  interval?: number;
  /** ANSI colours. Default: on for a terminal. */
  colors?: boolean;
}

/**
 * @example
 * const el = document.querySelector("#log");
 * await model.fit(x, y, { epochs: 5, callbacks: [new keras.callbacks.ProgbarLogger({ element: el })] });
 */
export class ProgbarLogger extends Callback {
  seen = 0;
  progbar: Progbar | null = null;
  target: number | null = null;
  verbose = 1;
  epochs = 1;
  private calledInFit = false;
  private readonly options: ProgbarLoggerOptions;
  private readonly elementLines: string[] = [];

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    this.options = options;
  }

  override setParams(params: CallbackParams): void {
    super.setParams(params);
    const v = params.verbose ?? 1;
    this.verbose = v === "auto" ? 1 : v;
    this.epochs = params.epochs ?? 1;
    this.target = params.steps ?? null;
  }

  override needsBatchLogs(mode: LoopMode, _batch: number): boolean {
    if (mode === "predict" || (mode === "test" && this.calledInFit)) return false;
    if (this.verbose !== 1) return false;
    return this.progbar ? this.progbar.wouldRender() : true;
  }

  override onTrainBegin(): void {
    // Inside fit, validation runs silently.
    this.calledInFit = true;
  }

  override onTrainEnd(): void {
    this.calledInFit = false;
  }

  override onTestBegin(): void {
    if (!this.calledInFit) {
      this.resetProgbar();
      this.maybeInitProgbar();
    }
  }

  override onPredictBegin(): void {
    this.resetProgbar();
    this.maybeInitProgbar();
  }

  override onEpochBegin(epoch: number): void {
    this.resetProgbar();
    this.maybeInitProgbar();
    if (this.verbose && this.epochs > 1) this.progbar!.print(`Epoch ${epoch + 1}/${this.epochs}`);
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): void {
    this.updateProgbar(batch, logs);
  }

  override onTestBatchEnd(batch: number, logs?: Logs): void {
    if (!this.calledInFit) this.updateProgbar(batch, logs);
  }

  override onPredictBatchEnd(batch: number): void {
    // Predictions are not shown.
    this.updateProgbar(batch, undefined);
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    this.finalizeProgbar(logs);
  }

  override onTestEnd(logs?: Logs): void {
    if (!this.calledInFit) this.finalizeProgbar(logs);
  }

  override onPredictEnd(): void {
    this.finalizeProgbar(undefined);
  }

  private resetProgbar(): void {
    this.seen = 0;
    this.progbar = null;
  }

  private maybeInitProgbar(): void {
    this.progbar ??= new Progbar(this.target, {
      verbose: this.verbose,
      unitName: "step",
      interval: this.options.interval ?? 0.1,
      statefulMetrics: "all",
      write: this.options.write,
      element: this.options.element,
      colors: this.options.colors,
      elementLines: this.elementLines,
    });
  }

  private updateProgbar(batch: number, logs: Logs | undefined): void {
    this.maybeInitProgbar();
    this.seen = batch + 1;
    if (this.verbose === 1) this.progbar!.update(this.seen, logs ? Object.entries(logs) : [], false);
  }

  private finalizeProgbar(logs: Logs | undefined): void {
    this.maybeInitProgbar();
    if (this.target === null) {
      this.target = this.seen;
      this.progbar!.target = this.target;
    }
    this.progbar!.update(this.target, logs ? Object.entries(logs) : [], true);
  }
}
