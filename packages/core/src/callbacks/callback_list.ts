/**
 * CallbackList (Keras `keras.callbacks.CallbackList`): fans each training event out to a list of
 * callbacks, awaiting hooks that return a Promise, and adds the default `History` and
 * `ProgbarLogger` at the end of the list, as Keras 3 does.
 */
import type { Model } from "../models/model";
import { Callback, type CallbackParams, type HookResult, type Logs, type LoopMode } from "./callback";
import { History } from "./history";
import { ProgbarLogger } from "./progbar_logger";

export interface CallbackListOptions {
  /** Append a `History` unless the list has one (fit). */
  addHistory?: boolean;
  /** Append a `ProgbarLogger` unless the list has one (verbose != 0). */
  addProgbar?: boolean;
  model?: Model;
  /** Passed to `setParams`. */
  params?: CallbackParams;
}

type Hooks = {
  [K in keyof Callback]: Callback[K] extends (...args: infer A) => HookResult ? A : never;
};

/**
 * A list of callbacks called in order; the defaults (History, then ProgbarLogger) come last, as
 * in Keras 3.
 * @example const cbs = new keras.callbacks.CallbackList([new keras.callbacks.TerminateOnNaN()], { addHistory: true, model });
 */
export class CallbackList {
  readonly callbacks: Callback[];
  history: History | null = null;
  progbar: ProgbarLogger | null = null;

  constructor(callbacks: readonly Callback[] = [], options: CallbackListOptions = {}) {
    this.callbacks = [...callbacks];
    this.history = (this.callbacks.find((c) => c instanceof History) as History | undefined) ?? null;
    this.progbar = (this.callbacks.find((c) => c instanceof ProgbarLogger) as ProgbarLogger | undefined) ?? null;
    if (!this.history && options.addHistory) this.callbacks.push((this.history = new History()));
    if (!this.progbar && options.addProgbar) this.callbacks.push((this.progbar = new ProgbarLogger()));
    if (options.model) this.setModel(options.model);
    if (options.params) this.setParams(options.params);
  }

  append(callback: Callback): void {
    this.callbacks.push(callback);
  }

  setModel(model: Model): void {
    for (const c of this.callbacks) c.setModel(model);
  }

  setParams(params: CallbackParams): void {
    for (const c of this.callbacks) c.setParams(params);
  }

  /** Whether any callback reads batch logs at this batch (see `Callback.needsBatchLogs`). */
  needsBatchLogs(mode: LoopMode, batch: number): boolean {
    return this.callbacks.some((c) => c.needsBatchLogs(mode, batch));
  }

  private async call<K extends keyof Hooks>(hook: K, ...args: Hooks[K]): Promise<void> {
    for (const c of this.callbacks) {
      const r = (c[hook] as (...a: Hooks[K]) => HookResult).apply(c, args);
      if (r && typeof (r as Promise<void>).then === "function") await r;
    }
  }

  onTrainBegin(logs?: Logs): Promise<void> {
    return this.call("onTrainBegin", logs);
  }
  onTrainEnd(logs?: Logs): Promise<void> {
    return this.call("onTrainEnd", logs);
  }
  onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    return this.call("onEpochBegin", epoch, logs);
  }
  onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    return this.call("onEpochEnd", epoch, logs);
  }
  onTrainBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.call("onTrainBatchBegin", batch, logs);
  }
  onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.call("onTrainBatchEnd", batch, logs);
  }
  onTestBegin(logs?: Logs): Promise<void> {
    return this.call("onTestBegin", logs);
  }
  onTestEnd(logs?: Logs): Promise<void> {
    return this.call("onTestEnd", logs);
  }
  onTestBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.call("onTestBatchBegin", batch, logs);
  }
  onTestBatchEnd(batch: number, logs?: Logs): Promise<void> {
    return this.call("onTestBatchEnd", batch, logs);
  }
  onPredictBegin(logs?: Logs): Promise<void> {
    return this.call("onPredictBegin", logs);
  }
  onPredictEnd(logs?: Logs): Promise<void> {
    return this.call("onPredictEnd", logs);
  }
  onPredictBatchBegin(batch: number, logs?: Logs): Promise<void> {
    return this.call("onPredictBatchBegin", batch, logs);
  }
  onPredictBatchEnd(batch: number, logs?: Logs | { outputs: unknown }): Promise<void> {
    return this.call("onPredictBatchEnd", batch, logs);
  }
}
