/**
 * Reshaping layers (Keras 3 `keras/src/layers/reshaping/`): Flatten, Reshape, Permute,
 * RepeatVector, UpSampling2D, ZeroPadding1D/2D and Cropping1D/2D.
 */
export { Flatten, type FlattenOptions } from "./flatten";
export { Reshape } from "./reshape";
export { Permute } from "./permute";
export { RepeatVector } from "./repeat_vector";
export {
  UpSampling2D,
  type UpSampling2DOptions,
  type UpSamplingInterpolation,
} from "./up_sampling2d";
export {
  ZeroPadding1D,
  ZeroPadding2D,
  type ZeroPadding1DOptions,
  type ZeroPadding2DOptions,
} from "./zero_padding";
export { Cropping1D, Cropping2D, type Cropping1DOptions, type Cropping2DOptions } from "./cropping";
