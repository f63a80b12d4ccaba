/**
 * Callback base class (Keras `keras.callbacks.Callback`): hooks called by `fit`, `evaluate` and
 * `predict` through a `CallbackList`.
 *
 * Differences from Keras, both for the browser: hooks may return a Promise (the trainer awaits
 * it), and a callback tells the trainer whether it reads batch-level `logs` (`needsBatchLogs`),
 * because each read is a device-to-host transfer. By default a callback that overrides a
 * batch-end hook gets fresh logs at every batch; one that does not gets an empty object.
 */
import type { Model } from "../models/model";

/**
 * Epoch / batch logs: metric name -> value (Keras' logs dict, read back to numbers). A metric with
 * a vector result (e.g. Precision at several thresholds) logs an array of numbers.
 * @example const logs: Logs = { loss: 0.31, accuracy: 0.9 };
 */
export type Logs = Record<string, number>;

/** What `fit` / `evaluate` / `predict` tell callbacks through `setParams` (Keras `params`). */
export interface CallbackParams {
  verbose?: number | "auto";
  epochs?: number;
  /** Steps per epoch, or null when the data has no known length. */
  steps?: number | null;
  [key: string]: unknown;
}

/** The three loops that fire batch events. */
export type LoopMode = "train" | "test" | "predict";

/** A hook's result: nothing, or a Promise the trainer waits for. */
export type HookResult = void | Promise<void>;

/**
 * Base class for callbacks: override the hooks you need.
 * @example
 * class PrintLoss extends keras.callbacks.Callback {
 *   override onEpochEnd(epoch: number, logs?: Logs) { console.log(epoch, logs?.loss); }
 * }
 * await model.fit(x, y, { epochs: 3, callbacks: [new PrintLoss()] });
 */
export class Callback {
  /** The model being trained (set by `fit` / `evaluate` / `predict`). */
  model: Model | null = null;
  params: CallbackParams = {};

  setModel(model: Model): void {
    this.model = model;
  }

  setParams(params: CallbackParams): void {
    this.params = params;
  }

  /**
   * Whether this callback reads `logs` in its batch-end hook of `mode` at `batch`. Reading them
   * costs a device read, so the trainer fills batch logs only when some callback says yes.
   */
  needsBatchLogs(mode: LoopMode, _batch: number): boolean {
    const base = Callback.prototype;
    if (mode === "train") return this.onTrainBatchEnd !== base.onTrainBatchEnd || this.onBatchEnd !== base.onBatchEnd;
    if (mode === "test") return this.onTestBatchEnd !== base.onTestBatchEnd;
    return false;
  }

  onTrainBegin(_logs?: Logs): HookResult {}
  onTrainEnd(_logs?: Logs): HookResult {}
  onEpochBegin(_epoch: number, _logs?: Logs): HookResult {}
  onEpochEnd(_epoch: number, _logs?: Logs): HookResult {}
  /** Keras' backwards-compatible alias, called by the default `onTrainBatchBegin`. */
  onBatchBegin(_batch: number, _logs?: Logs): HookResult {}
  /** Keras' backwards-compatible alias, called by the default `onTrainBatchEnd`. */
  onBatchEnd(_batch: number, _logs?: Logs): HookResult {}
  onTrainBatchBegin(batch: number, logs?: Logs): HookResult {
    return this.onBatchBegin(batch, logs);
  }
  onTrainBatchEnd(batch: number, logs?: Logs): HookResult {
    return this.onBatchEnd(batch, logs);
  }
  onTestBegin(_logs?: Logs): HookResult {}
  onTestEnd(_logs?: Logs): HookResult {}
  onTestBatchBegin(_batch: number, _logs?: Logs): HookResult {}
  onTestBatchEnd(_batch: number, _logs?: Logs): HookResult {}
  onPredictBegin(_logs?: Logs): HookResult {}
  onPredictEnd(_logs?: Logs): HookResult {}
  onPredictBatchBegin(_batch: number, _logs?: Logs): HookResult {}
  /** `logs.outputs` holds the batch's predictions (tensors, valid during the call only). */
  onPredictBatchEnd(_batch: number, _logs?: Logs | { outputs: unknown }): HookResult {}
}
