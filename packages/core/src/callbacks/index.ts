/**
 * `keras.callbacks`: hooks into `fit` / `evaluate` / `predict` (Keras `keras/src/callbacks/`).
 */
export { Callback, type CallbackParams, type HookResult, type Logs, type LoopMode } from "./callback";
export { CallbackList, type CallbackListOptions } from "./callback_list";
export { History } from "./history";
export { Progbar, type ProgbarOptions, type TextElement } from "./progbar";
export { ProgbarLogger, type ProgbarLoggerOptions } from "./progbar_logger";
export { MonitorCallback, metricDirection, type MonitorMode } from "./monitor_callback";
export { EarlyStopping, type EarlyStoppingOptions } from "./early_stopping";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce_lr_on_plateau";
export { LearningRateScheduler } from "./learning_rate_scheduler";
export { TerminateOnNaN } from "./terminate_on_nan";
export { CSVLogger, type CSVLoggerOptions } from "./csv_logger";
export { LambdaCallback, type LambdaCallbackOptions } from "./lambda_callback";
export { ModelCheckpoint, formatPath, type ModelCheckpointOptions } from "./model_checkpoint";
export { BackupAndRestore, type BackupAndRestoreOptions } from "./backup_and_restore";
