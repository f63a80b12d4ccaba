/**
 * `.keras` files in both directions (Keras `saving_lib.save_model` / `load_model`), weights
 * files (`save_weights` / `load_weights`) and JSON configs (`to_json` / `model_from_json`).
 *
 * A `.keras` file is a zip of three STORED entries, in this order: `metadata.json`
 * (`{"keras_version": "3.15.1", "date_saved": "YYYY-MM-DD@HH:MM:SS"}`), `config.json`
 * (`serialize_keras_object(model)` as Python's `json.dumps` writes it) and `model.weights.h5`
 * (see `weights_store.ts` for where each variable goes). We write keras_version "3.15.1": the
 * version whose format these files follow, so Keras reads them as its own.
 *
 * Loading never returns a half-loaded model: the config is rebuilt, the whole weights file is
 * checked against it, and only then are values assigned; every failure is a typed error
 * (`errors.ts`, or `UnknownObjectError` for a class that cannot be found).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/saving/saving_lib.py
 */
import { KerasError } from "../errors";
import { InputLayer } from "../layers/core/input_layer";
import { Layer } from "../layers/layer";
import { Functional, serializeLayerForModel } from "../models/functional";
import { Model } from "../models/model";
import { Sequential } from "../models/sequential";
import type { CustomObjects } from "./object_registration";
import { deserializeKerasObject, registerBuiltin, UnknownObjectError } from "./serialization";
import {
  CorruptedFileError,
  HDF5FormatError,
  InvalidConfigError,
  KerasFileError,
  SafeModeError,
  UnsupportedFeatureError,
} from "./errors";
import { readHDF5 } from "./hdf5_reader";
import { writeHDF5 } from "./hdf5_writer";
import { downloadBytes, readSource, resolveTarget, writeNodeFile, type ModelSource } from "./io";
import { pythonJsonDumps, pythonJsonLoads } from "./python_json";
import { decodeUtf8, encodeUtf8 } from "./text";
import { applyWeightsLoad, planWeightsLoad, weightsTree } from "./weights_store";
import { readZip, writeZip } from "./zip";

/** A user-facing warning (Keras `warnings.warn`), on the console. */
function warn(message: string): void {
  (globalThis as { console?: { warn(m: string): void } }).console?.warn(message);
}

/**
 * The Keras version written to metadata.json: the format these files follow.
 * @example JSON.parse(metadataText).keras_version === keras.saving.KERAS_VERSION
 */
export const KERAS_VERSION = "3.15.1";

registerBuiltin("keras.layers", "InputLayer", InputLayer);
registerBuiltin("keras", "Sequential", Sequential);
registerBuiltin("keras.src.models.functional", "Functional", Functional);
registerBuiltin("keras", "Functional", Functional, ["Model"]);
registerBuiltin("keras.models", "Functional", Functional, ["Model"]);

export interface LoadModelOptions {
  /** Classes and functions the file refers to that are not registered (Keras `custom_objects`). */
  customObjects?: CustomObjects | null;
  /** Compile the model from its `compile_config` and load the optimizer state (default true). */
  compile?: boolean;
  /** Refuse code stored in the file (Lambda layers holding a lambda). Default true. */
  safeMode?: boolean;
}

/** `YYYY-MM-DD@HH:MM:SS` in local time, as Keras writes `date_saved`. */
function dateSaved(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * `serialize_keras_object(model)` as Keras writes it to config.json and `to_json()`:
 * module, class_name, config, registered_name, build_config and compile_config (`{}` when the
 * model was not compiled).
 * @example serializeModel(model).class_name // "Sequential"
 */
export function serializeModel(model: Model): Record<string, unknown> {
  const out = serializeLayerForModel(model);
  delete out.compile_config;
  out.compile_config = model.compiled?.compileConfig ?? {};
  return out;
}

/**
 * The bytes of a `.keras` file for `model`, as Keras 3 writes it.
 * @example
 * const bytes = await keras.saving.saveModel(model);
 * await keras.saving.loadModel(bytes);
 */
export async function saveModel(model: Model): Promise<Uint8Array> {
  if (!(model instanceof Model))
    throw new KerasFileError(`saveModel expects a keras.Model. Received: ${String(model)}`);
  if (!model.built)
    warn("You are saving a model that has not yet been built. It might not contain any weights yet. Consider building the model first by calling it on some data.");
  const config = pythonJsonDumps(serializeModel(model));
  const metadata = pythonJsonDumps({ keras_version: KERAS_VERSION, date_saved: dateSaved() });
  const weights = await writeHDF5(await weightsTree(model));
  // Keras stamps the two JSON entries 1980-01-01 (zipfile's default) and the weights with now.
  const epoch = new Date(1980, 0, 1, 0, 0, 0);
  return writeZip([
    { name: "metadata.json", data: encodeUtf8(metadata), mtime: epoch },
    { name: "config.json", data: encodeUtf8(config), mtime: epoch },
    { name: "model.weights.h5", data: weights },
  ]);
}

function parseJsonEntry(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = decodeUtf8(bytes, true);
  } catch {
    throw new CorruptedFileError(`${what} is not valid UTF-8. Received: ${bytes.length} bytes`);
  }
  try {
    return pythonJsonLoads(text);
  } catch (err) {
    throw new CorruptedFileError(`${what} is not valid JSON (${(err as Error).message}). Received: ${text.slice(0, 80)}${text.length > 80 ? "..." : ""}`);
  }
}

/** Safe mode: refuses any lambda (stored code) in a config tree, naming the layer that holds it. */
function refuseLambdas(config: unknown): void {
  const visit = (x: unknown, layerName: string | null, depth: number): void => {
    if (depth > 200) throw new InvalidConfigError("config.json nests too deeply. Received: more than 200 levels");
    if (Array.isArray(x)) {
      for (const v of x) visit(v, layerName, depth + 1);
      return;
    }
    if (x === null || typeof x !== "object") return;
    const o = x as Record<string, unknown>;
    const inner = o.config as Record<string, unknown> | undefined;
    const name = typeof inner?.name === "string" ? inner.name : layerName;
    const isLegacyLambda = o.class_name === "Lambda" && inner?.function_type === "lambda";
    if (o.class_name === "__lambda__" || isLegacyLambda)
      throw new SafeModeError(
        `The file contains a lambda (code) in layer '${name ?? "?"}'. Loading it could execute arbitrary code, so it is refused in safe mode; pass \`safeMode: false\` to loadModel only if you trust the file. Received: class_name=${String(o.class_name)}`,
      );
    for (const v of Object.values(o)) visit(v, name, depth + 1);
  };
  visit(config, null, 0);
}

/** Wraps unexpected errors raised while rebuilding a model as InvalidConfigError. */
function asConfigError(err: unknown, where: string): Error {
  if (err instanceof KerasFileError || err instanceof UnknownObjectError) return err;
  const msg = (err as Error)?.message ?? String(err);
  if (/lambda/i.test(msg) && /safe/i.test(msg)) return new SafeModeError(msg, { cause: err });
  return new InvalidConfigError(`${where} describes a model that cannot be built: ${msg}${/Received:/.test(msg) ? "" : `. Received: ${(err as Error)?.name ?? typeof err}`}`, {
    cause: err,
  });
}

/**
 * Builds a model from its serialized config (a parsed config.json or `toJSON()`).
 * @example const model = modelFromConfig(JSON.parse(json));
 */
export function modelFromConfig(config: unknown, options: LoadModelOptions = {}, where = "config.json"): Model {
  if (config === null || typeof config !== "object" || Array.isArray(config) || typeof (config as { class_name?: unknown }).class_name !== "string")
    throw new InvalidConfigError(`${where} must be an object with a class_name. Received: ${Array.isArray(config) ? "a list" : typeof config}`);
  const safeMode = options.safeMode ?? true;
  if (safeMode) refuseLambdas(config);
  const c = { ...(config as Record<string, unknown>) };
  if (options.compile === false) delete c.compile_config;
  let obj: unknown;
  try {
    obj = deserializeKerasObject(c, { customObjects: options.customObjects ?? null, safeMode });
  } catch (err) {
    throw asConfigError(err, where);
  }
  if (!(obj instanceof Model)) {
    if (obj instanceof Layer) obj.dispose();
    throw new InvalidConfigError(`${where} does not describe a model. Received: class_name=${String(c.class_name)}`);
  }
  return obj;
}

/** Frees a model that failed to load (its weights and optimizer variables). */
function disposeModel(model: Model): void {
  try {
    model.compiled?.optimizer.variables.forEach((v) => v.dispose());
    model.dispose();
  } catch {
    // Best effort: the load error matters more.
  }
}

/**
 * Loads a `.keras` file: from bytes, an ArrayBuffer, a Blob, a URL, `"indexeddb://name"` or
 * (in Node) a file path.
 * @example
 * const model = await keras.saving.loadModel("https://example.com/mnist.keras");
 * const y = model.predict(x);
 */
export async function loadModel(source: ModelSource, options: LoadModelOptions = {}): Promise<Model> {
  const { bytes, label } = await readSource(source);
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46)
    throw new UnsupportedFeatureError(
      `This is an HDF5 file, not a .keras zip: legacy Keras 2 .h5 models cannot be loaded; for a .weights.h5 file, build the model and call loadWeights(). Received: ${label}`,
      "legacy h5 model",
    );
  const zip = readZip(bytes);
  if (!zip.has("config.json")) throw new CorruptedFileError(`The .keras file has no config.json. Received: entries ${zip.entries.map((e) => e.name).join(", ") || "none"}`);
  if (zip.has("metadata.json")) parseJsonEntry(zip.read("metadata.json"), "metadata.json");
  const config = parseJsonEntry(zip.read("config.json"), "config.json");
  let weightsBytes: Uint8Array | null = null;
  if (zip.has("model.weights.h5")) weightsBytes = zip.read("model.weights.h5");
  else if (zip.has("model.weights.npz"))
    throw new UnsupportedFeatureError(`Weights saved in the npz format cannot be loaded; save with the default h5 format. Received: model.weights.npz in ${label}`, "npz weights");
  else if (zip.has("model.weights.json"))
    throw new UnsupportedFeatureError(`Sharded weights cannot be loaded yet. Received: model.weights.json in ${label}`, "sharded weights");
  else throw new CorruptedFileError(`The .keras file has no model.weights.h5. Received: entries ${zip.entries.map((e) => e.name).join(", ")}`);
  if (zip.entries.some((e) => e.name.startsWith("assets/")))
    warn(`loadModel: the file has assets (${label}); webkeras does not load layer assets yet, so layers that need them will not work.`);
  // Parse the weights before building the model: a damaged file fails before any allocation.
  const root = readHDF5(weightsBytes);
  const model = modelFromConfig(config, options);
  try {
    const plan = planWeightsLoad(model, root, { includeOptimizer: options.compile !== false });
    applyWeightsLoad(plan);
    for (const w of plan.warnings) warn(w);
  } catch (err) {
    disposeModel(model);
    if (err instanceof KerasError) throw err;
    throw new HDF5FormatError(`The weights could not be read: ${(err as Error)?.message ?? String(err)}. Received: ${label}`, { cause: err });
  }
  return model;
}

/**
 * Saves `model` to a target: `"indexeddb://name"`, a file path in Node (must end in
 * `.keras`), or, in a browser, a file name to download (`"downloads://name.keras"` also works).
 * @example await model.save("indexeddb://mnist");
 */
export async function saveModelTo(model: Model, target: string): Promise<void> {
  const t = resolveTarget(target);
  if (t.kind === "file" && !t.path.endsWith(".keras"))
    throw new KerasFileError(
      `Invalid filepath extension for saving. Please add a \`.keras\` extension for the native Keras format, or use saveWeights() with a \`.weights.h5\` path. Received: filepath=${t.path}`,
    );
  const bytes = await saveModel(model);
  if (t.kind === "indexeddb") {
    const store = await import("./model_store");
    await store.writeModelBytes(t.name, bytes, { kind: "model", kerasVersion: KERAS_VERSION });
  } else if (t.kind === "file") await writeNodeFile(t.path, bytes);
  else downloadBytes(bytes, t.filename);
}

/**
 * The bytes of a `.weights.h5` file for `model` (Keras `save_weights`), optionally written to a
 * target (`"indexeddb://name"`, a Node path ending in `.weights.h5`, or a download).
 * @example const bytes = await keras.saving.saveWeights(model);
 */
export async function saveWeights(model: Model, target?: string): Promise<Uint8Array> {
  const bytes = await writeHDF5(await weightsTree(model));
  if (target !== undefined) {
    const t = resolveTarget(target);
    if (t.kind === "file" && !t.path.endsWith(".weights.h5"))
      throw new KerasFileError(`The filename must end in \`.weights.h5\`. Received: filepath=${t.path}`);
    if (t.kind === "indexeddb") {
      const store = await import("./model_store");
      await store.writeModelBytes(t.name, bytes, { kind: "weights", kerasVersion: null });
    } else if (t.kind === "file") await writeNodeFile(t.path, bytes);
    else downloadBytes(bytes, t.filename);
  }
  return bytes;
}

/**
 * Loads weights into `model` from a `.weights.h5` file or the weights of a `.keras` file
 * (Keras `load_weights`). Nothing is assigned unless every weight matches.
 * @example await keras.saving.loadWeights(model, "indexeddb://mnist-weights");
 */
export async function loadWeights(model: Model, source: ModelSource): Promise<void> {
  const { bytes, label } = await readSource(source);
  let h5 = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const zip = readZip(bytes);
    if (!zip.has("model.weights.h5")) throw new CorruptedFileError(`The .keras file has no model.weights.h5. Received: ${label}`);
    h5 = zip.read("model.weights.h5");
  }
  const root = readHDF5(h5);
  const plan = planWeightsLoad(model, root, { includeOptimizer: true });
  applyWeightsLoad(plan);
  for (const w of plan.warnings) warn(w);
}

/**
 * The model's config as Keras' `to_json()` writes it.
 * @example const json = keras.saving.modelToJSON(model);
 */
export function modelToJSON(model: Model): string {
  return pythonJsonDumps(serializeModel(model));
}

/**
 * A new (untrained) model from `toJSON()` output (Keras `model_from_json`).
 * @example const copy = keras.models.modelFromJSON(model.toJSON());
 */
export function modelFromJSON(json: string, options: { customObjects?: CustomObjects | null; safeMode?: boolean } = {}): Model {
  let config: unknown;
  try {
    config = pythonJsonLoads(json);
  } catch (err) {
    throw new CorruptedFileError(`modelFromJSON: the text is not valid JSON (${(err as Error).message}). Received: ${json.slice(0, 80)}`);
  }
  return modelFromConfig(config, { ...options, compile: true }, "The JSON config");
}
