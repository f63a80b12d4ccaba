/**
 * History (Keras `keras.callbacks.History`): records each epoch's logs. `fit` adds one to every
 * run and returns it.
 */
import { Callback, type Logs } from "./callback";

/**
 * @example
 * const history = await model.fit(x, y, { epochs: 3, validationSplit: 0.2 });
 * history.history.loss; // [0.9, 0.6, 0.4]; also val_loss, and one list per metric
 */
export class History extends Callback {
  /** Metric name -> one value per epoch. */
  history: Record<string, number[]> = {};
  /** The epoch indices recorded (0-based, `initialEpoch` included). */
  epoch: number[] = [];

  override onTrainBegin(): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
