/**
 * Core layers (Keras 3 `keras/src/layers/core/`): Input, Dense, EinsumDense, Embedding,
 * Activation, Identity, Lambda and Masking.
 */
export { InputLayer, Input, type InputOptions } from "./input_layer";
export { Dense, type DenseOptions } from "./dense";
export { EinsumDense, analyzeEinsumString, type EinsumDenseOptions } from "./einsum_dense";
export { Embedding, type EmbeddingOptions } from "./embedding";
export { Activation } from "./activation";
export { Identity } from "./identity";
export { Lambda, type LambdaOptions, type LambdaFromConfigOptions } from "./lambda_layer";
export { Masking, type MaskingOptions } from "./masking";
