/**
 * Pooling layers (Keras `keras/src/layers/pooling/`): windowed max / average pooling in 1, 2 and
 * 3 spatial dims, and global max / average pooling.
 */
export {
  BasePooling,
  MaxPooling1D,
  MaxPooling2D,
  MaxPooling3D,
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
  type PoolingOptions,
} from "./pooling";
export {
  BaseGlobalPooling,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  type GlobalPoolingOptions,
} from "./global_pooling";
