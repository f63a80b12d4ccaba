/**
 * Convolution layers (Keras `keras/src/layers/convolutional/`): Conv1D/2D/3D, their transposed
 * versions, depthwise and separable convolutions.
 */
export { BaseConv, type ConvOptions } from "./base_conv";
export { Conv1D, Conv2D, Conv3D } from "./conv";
export {
  BaseConvTranspose,
  Conv1DTranspose,
  Conv2DTranspose,
  Conv3DTranspose,
  type ConvTransposeOptions,
} from "./conv_transpose";
export {
  BaseDepthwiseConv,
  DepthwiseConv1D,
  DepthwiseConv2D,
  type DepthwiseConvOptions,
} from "./depthwise_conv";
export {
  BaseSeparableConv,
  SeparableConv1D,
  SeparableConv2D,
  type SeparableConvOptions,
} from "./separable_conv";
