/**
 * LearningRateScheduler (Keras `keras.callbacks.LearningRateScheduler`): sets the learning rate
 * at the start of each epoch from `schedule(epoch, lr)`, and records it in the epoch's logs.
 */
import { ValueError, fmt } from "../errors";
import { Callback, type Logs } from "./callback";
import { printMsg } from "./io";
import { modelOptimizer } from "./reduce_lr_on_plateau";

/**
 * @example
 * const scheduler = new keras.callbacks.LearningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)));
 * await model.fit(x, y, { epochs: 15, callbacks: [scheduler] });
 */
export class LearningRateScheduler extends Callback {
  readonly schedule: (epoch: number, lr: number) => number;
  verbose: number;

  constructor(schedule: (epoch: number, lr: number) => number, options: { verbose?: number } = {}) {
    super();
    if (typeof schedule !== "function")
      throw new ValueError(`LearningRateScheduler: \`schedule\` must be a function (epoch, lr) => lr. Received: schedule=${fmt(schedule)}`);
    this.schedule = schedule;
    this.verbose = options.verbose ?? 0;
  }

  override onEpochBegin(epoch: number): void {
    const optimizer = modelOptimizer(this, "LearningRateScheduler");
    const lr = this.schedule(epoch, optimizer.learningRateValue());
    if (typeof lr !== "number" || Number.isNaN(lr))
      throw new ValueError(`The output of the \`schedule\` function should be a float. Got: ${fmt(lr)}. Received: ${fmt(lr)}`);
    optimizer.learningRate = lr;
    if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    logs.learning_rate = modelOptimizer(this, "LearningRateScheduler").learningRateValue();
  }
}
