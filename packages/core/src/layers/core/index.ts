/**
 * Core layers (Keras 3 `keras/src/layers/core/`): Input, Dense, EinsumDense, Embedding,
 * Identity, Lambda and Masking. (Activation lives with the activation layers, as in Keras.)
 */
export { InputLayer, Input, type InputOptions } from "./input_layer";
export { Dense, type DenseOptions } from "./dense";
export { EinsumDense, analyzeEinsumString, type EinsumDenseOptions } from "./einsum_dense";
export { Embedding, type EmbeddingOptions } from "./embedding";
export { Identity } from "./identity";
export { Lambda, type LambdaOptions, type LambdaFromConfigOptions } from "./lambda_layer";
export { Masking, type MaskingOptions } from "./masking";
