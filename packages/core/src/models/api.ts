/**
 * `keras.models`: the model classes and Keras' model-level functions (`load_model`,
 * `save_model`, `model_from_json`) from the saving module.
 */
export { Model } from "./model";
export { Functional } from "./functional";
export { Sequential } from "./sequential";
export { loadModel, saveModel, modelFromJSON } from "../saving/index";
