/**
 * Normalization layers (Keras `keras/src/layers/normalization/`): BatchNormalization,
 * LayerNormalization, GroupNormalization, UnitNormalization and RMSNormalization.
 */
export { BatchNormalization, type BatchNormalizationOptions } from "./batch_normalization";
export { LayerNormalization, type LayerNormalizationOptions } from "./layer_normalization";
export { GroupNormalization, type GroupNormalizationOptions } from "./group_normalization";
export { UnitNormalization, type UnitNormalizationOptions } from "./unit_normalization";
export { RMSNormalization, type RMSNormalizationOptions } from "./rms_normalization";
