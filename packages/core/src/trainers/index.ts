/**
 * The trainer API (Keras `keras/src/trainers/`): the loops `Model` delegates to, the compiled
 * loss / metrics containers, and the data pipeline.
 */
export {
  compile,
  fit,
  evaluate,
  predict,
  trainOnBatch,
  testOnBatch,
  predictOnBatch,
  metricsNames,
  getMetrics,
  resetMetrics,
  getCompileConfig,
  CompiledState,
  type CompileConfig,
  type DataInput,
  type FitOptions,
  type EvaluateOptions,
  type PredictOptions,
  type BatchOptions,
  type History,
} from "./trainer";
export { CompileLoss, CompileMetrics } from "./compile_utils";
export { yieldToEventLoop } from "./event_loop";
export * from "./data/index";
