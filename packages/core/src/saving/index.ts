/**
 * `keras.saving`: `.keras` model files, weights files, JSON configs, the IndexedDB model store,
 * object (de)serialization and the custom-object registry.
 *
 * Importing this module also adds the saving methods to `keras.Model` (`save`, `saveWeights`,
 * `loadWeights`, `toJSON`, `compileFromConfig`): `models/model.ts` cannot
 * import saving (saving imports the models), so the methods are attached here, and the
 * `declare module` block below gives them their types.
 */
import { Model } from "../models/model";
import { deserializeKerasObject } from "./serialization";
import {
  loadWeights,
  modelToJSON,
  saveModelTo,
  saveWeights,
} from "./saving_api";
import type { ModelSource } from "./io";

export {
  saveModel,
  saveModelTo,
  loadModel,
  saveWeights,
  loadWeights,
  modelToJSON,
  modelFromJSON,
  modelFromConfig,
  serializeModel,
  KERAS_VERSION,
  type LoadModelOptions,
} from "./saving_api";
export {
  listModels,
  removeModel,
  copyModel,
  getModelInfo,
  type StoredModelInfo,
} from "./model_store";
export {
  KerasFileError,
  CorruptedFileError,
  HDF5FormatError,
  InvalidConfigError,
  WeightsMismatchError,
  MissingWeightsError,
  UnexpectedWeightsError,
  WeightShapeError,
  UnsupportedFeatureError,
  SafeModeError,
  ModelNotFoundError,
  StorageQuotaError,
} from "./errors";
export {
  serializeKerasObject,
  deserializeKerasObject,
  registerBuiltin,
  UnknownObjectError,
  type SerializedKerasObject,
  type DeserializeOptions,
} from "./serialization";
export {
  registerKerasSerializable,
  unregisterKerasSerializable,
  getRegisteredName,
  getRegisteredObject,
  getCustomObjects,
  withCustomObjects,
  type CustomObjects,
  type RegisterOptions,
} from "./object_registration";
export type { ModelSource } from "./io";

declare module "../models/model" {
  interface Model {
    /**
     * Saves the model as a `.keras` file: `"indexeddb://name"`, a Node path ending in
     * `.keras`, or (in a browser) a file name to download.
     * @example await model.save("indexeddb://mnist");
     */
    save(target: string): Promise<void>;
    /**
     * Saves the weights as a `.weights.h5` file (returns its bytes; writes to `target` if given).
     * @example await model.saveWeights("ckpt.weights.h5");
     */
    saveWeights(target?: string): Promise<Uint8Array>;
    /**
     * Loads weights from a `.weights.h5` or `.keras` file; nothing is assigned unless every
     * weight matches.
     * @example await model.loadWeights("ckpt.weights.h5");
     */
    loadWeights(source: ModelSource): Promise<void>;
    /**
     * The model's config as JSON, as Keras' `to_json()` writes it.
     * @example const copy = keras.models.modelFromJSON(model.toJSON());
     */
    toJSON(): string;
    /**
     * Keras `compile_from_config()`: compiles from a saved `compile_config` (no-op when empty)
     * and builds the optimizer so saved optimizer variables can be loaded.
     * @example model.compileFromConfig(config.compile_config);
     */
    compileFromConfig(config: Record<string, unknown> | null | undefined): void;
  }
}

type Proto = Record<string, unknown>;
const proto = Model.prototype as unknown as Proto;

function define(name: string, fn: unknown): void {
  // Leave a method alone if the Model class (or the trainer) defines it itself.
  if (typeof proto[name] === "function") return;
  Object.defineProperty(Model.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

define("save", function (this: Model, target: string) {
  return saveModelTo(this, target);
});
define("saveWeights", function (this: Model, target?: string) {
  return saveWeights(this, target);
});
define("loadWeights", function (this: Model, source: ModelSource) {
  return loadWeights(this, source);
});
define("toJSON", function (this: Model) {
  return modelToJSON(this);
});
define("compileFromConfig", function (this: Model, config: Record<string, unknown> | null | undefined) {
  if (!config || Object.keys(config).length === 0) return;
  const c = deserializeKerasObject(config) as Record<string, unknown>;
  const opt = (k: string): never => (c[k] === null ? undefined : c[k]) as never;
  this.compile({
    optimizer: opt("optimizer"),
    loss: opt("loss"),
    lossWeights: opt("loss_weights"),
    metrics: opt("metrics"),
    weightedMetrics: opt("weighted_metrics"),
    runEagerly: opt("run_eagerly"),
    stepsPerExecution: opt("steps_per_execution"),
    jitCompile: opt("jit_compile"),
  });
  // Keras builds the optimizer here so that saved optimizer variables can be loaded.
  if (this.built && this.compiled) this.compiled.optimizer.build(this.trainableWeights);
});
