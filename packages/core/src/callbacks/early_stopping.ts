/**
 * EarlyStopping (Keras `keras.callbacks.EarlyStopping`): stops training when a monitored metric
 * has stopped improving, optionally restoring the weights of the best epoch.
 */
import { shareBuffer } from "../engine/bind";
import { keep } from "../engine/engine";
import type { Tensor } from "../tensor/tensor";
import type { Logs } from "./callback";
import { printMsg, warn } from "./io";
import { MonitorCallback } from "./monitor_callback";

export interface EarlyStoppingOptions {
  /** Default "val_loss". */
  monitor?: string;
  /** Changes smaller than this do not count as improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** 1 prints when it stops. Default 0. */
  verbose?: number;
  /** "auto" (from the metric), "min" or "max". Default "auto". */
  mode?: string;
  /** Training stops unless the metric beats this value. Default null. */
  baseline?: number | null;
  /** Restore the best epoch's weights at the end. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring starts. Default 0. */
  startFromEpoch?: number;
}

/**
 * @example
 * const stop = new keras.callbacks.EarlyStopping({ monitor: "val_loss", patience: 3, restoreBestWeights: true });
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2, callbacks: [stop] });
 */
export class EarlyStopping extends MonitorCallback {
  patience: number;
  verbose: number;
  baseline: number | null;
  restoreBestWeights: boolean;
  startFromEpoch: number;
  wait = 0;
  stoppedEpoch = 0;
  bestEpoch = 0;
  /**
   * Snapshot of the best weights, on the device (buffers are immutable, so a snapshot shares them
   * and costs no copy while the weights are unchanged).
   */
  private bestWeights: Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super(options.monitor ?? "val_loss", options.mode ?? "auto", options.minDelta ?? 0, "EarlyStopping");
    this.patience = options.patience ?? 0;
    this.verbose = options.verbose ?? 0;
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = options.startFromEpoch ?? 0;
  }

  override onTrainBegin(): void {
    // Instances may be reused.
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.setBestWeights(null);
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs?: Logs): void {
    if (this.monitorOp === null) this.setMonitorOp();
    const current = this.getMonitorValue(logs);
    if (current === null || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Never set: the current weights are the best.
      this.setBestWeights(this.snapshot());
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.setBestWeights(this.snapshot());
      // Only restart waiting if we beat both the baseline and the previous best.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) printMsg(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) printMsg(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model!.setWeights(this.bestWeights);
      this.setBestWeights(null);
    }
  }

  /** The monitored value from `logs`, warning (as Keras does) when it is missing. */
  getMonitorValue(logs: Logs = {}): number | null {
    const v = logs[this.monitor];
    if (v === undefined || v === null) {
      warn(`Early stopping conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(",")}`);
      return null;
    }
    return v;
  }

  private snapshot(): Tensor[] {
    return this.model!.weights.map((w) => keep(shareBuffer(w.value)));
  }

  private setBestWeights(ws: Tensor[] | null): void {
    if (this.bestWeights) for (const t of this.bestWeights) t.dispose();
    this.bestWeights = ws;
  }
}
