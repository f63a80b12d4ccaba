/**
 * TerminateOnNaN (Keras `keras.callbacks.TerminateOnNaN`): stops training when a batch's loss is
 * NaN or infinite. It reads the loss at every batch (one device read per step).
 */
import { Callback, type Logs } from "./callback";
import { printMsg } from "./io";

/**
 * @example await model.fit(x, y, { callbacks: [new keras.callbacks.TerminateOnNaN()] });
 */
export class TerminateOnNaN extends Callback {
  override onBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    if (loss !== undefined && loss !== null && !Number.isFinite(loss)) {
      printMsg(`Batch ${batch}: Invalid loss, terminating training`);
      this.model!.stopTraining = true;
    }
  }
}
