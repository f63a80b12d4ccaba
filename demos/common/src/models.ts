/**
 * Loading models for the demos, through core's saving module (`keras.saving.loadModel`):
 * `indexeddb://name`, a URL of a `.keras` file, a dropped File, or bytes.
 */
import * as keras from "@webkeras/core";

/** Where a model comes from: `indexeddb://name`, a URL, a File (a Blob) or bytes. */
export type ModelSource = string | Blob | ArrayBuffer | Uint8Array;

/**
 * Loads a Keras model (uncompiled: each demo compiles what it trains).
 * @example const model = await loadModelFrom("indexeddb://mnist-mlp");
 */
export function loadModelFrom(source: ModelSource): Promise<keras.Model> {
  return keras.saving.loadModel(source, { compile: false });
}
