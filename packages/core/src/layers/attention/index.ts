/**
 * Attention layers (Keras 3 `keras/src/layers/attention/`): MultiHeadAttention, Attention
 * (Luong-style) and AdditiveAttention (Bahdanau-style).
 */
export {
  MultiHeadAttention,
  type MultiHeadAttentionOptions,
  type MultiHeadAttentionCallArgs,
} from "./multi_head_attention";
export { Attention, type AttentionOptions, type AttentionCallArgs } from "./attention";
export { AdditiveAttention, type AdditiveAttentionOptions } from "./additive_attention";
