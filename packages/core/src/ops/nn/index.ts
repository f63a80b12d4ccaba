/**
 * The `keras.ops` nn family (Keras 3 `keras/src/ops/nn.py`): activations, convolutions,
 * pooling, normalization, label encodings, losses and attention, all composed from primitives.
 * Exported flat into `keras.ops`, as in Keras.
 */
export {
  relu,
  relu6,
  sigmoid,
  sparseSigmoid,
  softplus,
  softsign,
  softShrink,
  sparsePlus,
  silu,
  swish,
  squareplus,
  logSigmoid,
  leakyRelu,
  hardSigmoid,
  hardSilu,
  hardSwish,
  elu,
  selu,
  gelu,
  celu,
  glu,
  tanhShrink,
  hardTanh,
  hardShrink,
  threshold,
  softmax,
  logSoftmax,
  sparsemax,
} from "./activations";
export { conv, depthwiseConv, separableConv, convTranspose } from "./conv";
export { maxPool, averagePool } from "./pooling";
export {
  moments,
  batchNormalization,
  normalize,
  rmsNormalization,
  layerNormalization,
} from "./normalization";
export { oneHot, multiHot } from "./encoding";
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  psnr,
} from "./losses";
export { dotProductAttention } from "./attention";
export { ctcLoss } from "./ctc";
export type { DataFormat, Padding } from "./util";
