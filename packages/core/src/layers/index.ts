/**
 * `keras.layers`: every layer family, as Keras 3 exposes them in one namespace.
 */
export { Layer, type LayerOptions, type CallArgs, type AddWeightOptions, type LayerIO } from "./layer";
export * from "./core/index";
export * from "./activations/index";
export * from "./regularization/index";
export * from "./reshaping/index";
export * from "./merging/index";
export * from "./preprocessing/index";
export * from "./convolutional/index";
export * from "./pooling/index";
export * from "./normalization/index";
export * from "./rnn/index";
export * from "./attention/index";
