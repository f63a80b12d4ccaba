/**
 * LambdaCallback (Keras `keras.callbacks.LambdaCallback`): a callback built from functions.
 */
import { Callback, type HookResult, type Logs } from "./callback";

export interface LambdaCallbackOptions {
  onEpochBegin?: (epoch: number, logs?: Logs) => HookResult;
  onEpochEnd?: (epoch: number, logs?: Logs) => HookResult;
  onTrainBegin?: (logs?: Logs) => HookResult;
  onTrainEnd?: (logs?: Logs) => HookResult;
  onTrainBatchBegin?: (batch: number, logs?: Logs) => HookResult;
  onTrainBatchEnd?: (batch: number, logs?: Logs) => HookResult;
  onTestBegin?: (logs?: Logs) => HookResult;
  onTestEnd?: (logs?: Logs) => HookResult;
  onTestBatchBegin?: (batch: number, logs?: Logs) => HookResult;
  onTestBatchEnd?: (batch: number, logs?: Logs) => HookResult;
  onPredictBegin?: (logs?: Logs) => HookResult;
  onPredictEnd?: (logs?: Logs) => HookResult;
  onPredictBatchBegin?: (batch: number, logs?: Logs) => HookResult;
  onPredictBatchEnd?: (batch: number, logs?: Logs | { outputs: unknown }) => HookResult;
}

/**
 * @example
 * const log = new keras.callbacks.LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs) });
 */
export class LambdaCallback extends Callback {
  constructor(options: LambdaCallbackOptions = {}) {
    super();
    // Only the given hooks are replaced, so `needsBatchLogs` sees which batch hooks exist.
    for (const [k, fn] of Object.entries(options)) if (typeof fn === "function") (this as unknown as Record<string, unknown>)[k] = fn;
  }
}
