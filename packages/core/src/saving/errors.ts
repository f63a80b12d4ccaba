/**
 * Typed errors of model files (`.keras`, `.weights.h5`, JSON configs) and model stores.
 *
 * Every failure of `loadModel`, `loadWeights`, `saveModel` and the model store is one of these
 * (or `UnknownObjectError` from `serialization.ts` for a class that cannot be found), so callers
 * can tell a bad file from a bug. They extend `ValueError`, as Keras raises ValueError for the
 * same situations. Messages end with `Received: ...` like every webkeras error.
 */
import { ValueError } from "../errors";

/**
 * Base class of every model-file error.
 * @example
 * try { await keras.saving.loadModel(bytes); }
 * catch (e) { if (e instanceof keras.saving.KerasFileError) console.log("bad file:", e.message); }
 */
export class KerasFileError extends ValueError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    if (options && "cause" in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/**
 * The bytes are not a readable `.keras` zip: truncated, a bad checksum, a missing entry, or a
 * config/metadata entry that is not valid JSON.
 * @example if (e instanceof keras.saving.CorruptedFileError) askUserToDownloadAgain();
 */
export class CorruptedFileError extends KerasFileError {}

/**
 * The weights are not a readable HDF5 file (no HDF5 signature, or a damaged structure).
 * @example await keras.saving.loadWeights(model, new Uint8Array(10)); // throws HDF5FormatError
 */
export class HDF5FormatError extends KerasFileError {}

/**
 * config.json (or a JSON config) is valid JSON but not a model Keras can build: a missing key,
 * a wrong type, a graph reference to a layer that does not exist.
 * @example keras.models.modelFromJSON('{"class_name": "Sequential"}'); // throws InvalidConfigError
 */
export class InvalidConfigError extends KerasFileError {}

/**
 * The file and the model disagree on the weights. Subclasses say how; nothing was assigned.
 * @example if (e instanceof keras.saving.WeightsMismatchError) console.log(e.path);
 */
export class WeightsMismatchError extends KerasFileError {
  constructor(
    message: string,
    /** The HDF5 group of the layer (e.g. `layers/dense_1/vars`). */
    readonly path: string,
    /** The layer (or optimizer) name, when known. */
    readonly layerName: string | null,
  ) {
    super(message);
  }
}

/**
 * The file lacks weights that the model has (a missing group, or fewer variables).
 * @example if (e instanceof keras.saving.MissingWeightsError) console.log(e.path);
 */
export class MissingWeightsError extends WeightsMismatchError {}

/**
 * The file holds weights that the model has no variable for.
 * @example if (e instanceof keras.saving.UnexpectedWeightsError) console.log(e.path);
 */
export class UnexpectedWeightsError extends WeightsMismatchError {}

/**
 * A stored weight has a different shape from the model's variable.
 * @example if (e instanceof keras.saving.WeightShapeError) console.log(e.expectedShape, e.receivedShape);
 */
export class WeightShapeError extends WeightsMismatchError {
  constructor(
    message: string,
    path: string,
    layerName: string | null,
    readonly expectedShape: readonly number[],
    readonly receivedShape: readonly number[],
  ) {
    super(message, path, layerName);
  }
}

/**
 * The file uses a Keras feature webkeras cannot load (npz weights, sharded weights, assets,
 * chunked or compressed HDF5 datasets, a Python lambda, ...).
 * @example if (e instanceof keras.saving.UnsupportedFeatureError) console.log(e.feature);
 */
export class UnsupportedFeatureError extends KerasFileError {
  constructor(
    message: string,
    /** A short name of the feature, e.g. "npz weights". */
    readonly feature: string,
  ) {
    super(message);
  }
}

/**
 * Safe mode refused code stored in the file (a Lambda layer's function). Pass
 * `safeMode: false` only for files you trust.
 * @example await keras.saving.loadModel(bytes, { safeMode: false });
 */
export class SafeModeError extends KerasFileError {}

/**
 * Nothing is stored under that name (IndexedDB key, file path or URL).
 * @example if (e instanceof keras.saving.ModelNotFoundError) await trainFromScratch();
 */
export class ModelNotFoundError extends KerasFileError {}

/**
 * The browser's storage quota is full; the previous version of the model is still stored.
 * @example if (e instanceof keras.saving.StorageQuotaError) await keras.saving.removeModel("old");
 */
export class StorageQuotaError extends KerasFileError {}
