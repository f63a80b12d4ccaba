/**
 * Regularization layers (Keras 3 `keras/src/layers/regularization/`): Dropout, SpatialDropout1D,
 * SpatialDropout2D, GaussianNoise, GaussianDropout and ActivityRegularization.
 */
export { Dropout, type DropoutOptions } from "./dropout";
export {
  SpatialDropout1D,
  SpatialDropout2D,
  type SpatialDropoutOptions,
  type SpatialDropout2DOptions,
} from "./spatial_dropout";
export { GaussianNoise, GaussianDropout, type GaussianOptions } from "./gaussian";
export {
  ActivityRegularization,
  type ActivityRegularizationOptions,
} from "./activity_regularization";
