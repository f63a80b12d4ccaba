/**
 * Preprocessing layers (Keras 3 `keras/src/layers/preprocessing/`): Rescaling and Normalization.
 */
export { Rescaling, type RescalingOptions, type ScaleValue } from "./rescaling";
export { Normalization, type NormalizationOptions, type AdaptData } from "./normalization";
