/**
 * ReduceLROnPlateau (Keras `keras.callbacks.ReduceLROnPlateau`): multiplies the learning rate by
 * `factor` when a monitored metric has not improved for `patience` epochs. Adds the current
 * `learning_rate` to each epoch's logs (so History records it), as Keras 3 does.
 */
import { ValueError } from "../errors";
import type { Optimizer } from "../optimizers/optimizer";
import type { Logs } from "./callback";
import { printMsg, warn } from "./io";
import { MonitorCallback } from "./monitor_callback";

export interface ReduceLROnPlateauOptions {
  /** Default "val_loss". */
  monitor?: string;
  /** New lr = lr * factor; must be < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  verbose?: number;
  /** "auto", "min" or "max". Default "auto". */
  mode?: string;
  /** Threshold for a new best. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate. Default 0. */
  minLr?: number;
}

/** The compiled model's optimizer, for callbacks that change its learning rate. @example modelOptimizer(this, "MyCallback").learningRate = 0.01; */
export function modelOptimizer(cb: { model: { compiled: { optimizer: Optimizer } | null } | null }, who: string): Optimizer {
  const opt = cb.model?.compiled?.optimizer;
  if (!opt) throw new ValueError(`${who}: the model must be compiled with an optimizer. Received: model.compiled=None`);
  return opt;
}

/**
 * @example
 * const reduce = new keras.callbacks.ReduceLROnPlateau({ monitor: "val_loss", factor: 0.2, patience: 5, minLr: 0.001 });
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: [reduce] });
 */
export class ReduceLROnPlateau extends MonitorCallback {
  factor: number;
  minLr: number;
  patience: number;
  verbose: number;
  cooldown: number;
  cooldownCounter = 0;
  wait = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super(options.monitor ?? "val_loss", options.mode ?? "auto", options.minDelta ?? 1e-4, "ReduceLROnPlateau");
    const factor = options.factor ?? 0.1;
    if (factor >= 1.0) throw new ValueError(`ReduceLROnPlateau does not support a factor >= 1.0. Received: factor=${factor}`);
    this.factor = factor;
    this.minLr = options.minLr ?? 0;
    this.patience = options.patience ?? 10;
    this.verbose = options.verbose ?? 0;
    this.cooldown = options.cooldown ?? 0;
  }

  private reset(): void {
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  override onTrainBegin(): void {
    this.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.monitorOp === null) this.setMonitorOp();
    const optimizer = modelOptimizer(this, "ReduceLROnPlateau");
    logs.learning_rate = optimizer.learningRateValue();
    const current = logs[this.monitor];
    if (current === undefined || current === null) {
      warn(`Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(",")}.`);
      return;
    }
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (!this.inCooldown()) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const oldLr = optimizer.learningRateValue();
        if (oldLr > Math.fround(this.minLr)) {
          const newLr = Math.max(oldLr * this.factor, this.minLr);
          optimizer.learningRate = newLr;
          if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${newLr}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }
}
