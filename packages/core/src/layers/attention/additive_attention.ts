/**
 * AdditiveAttention: Bahdanau-style attention (Keras 3
 * `keras/src/layers/attention/additive_attention.py`). Scores
 * `sum(scale * tanh(query + key), axis=-1)` with a learned `(dim,)` `scale` (glorot_uniform)
 * when `useScale` (the default); masking, softmax and dropout as in Attention.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/attention/additive_attention.py
 */
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import type { Tensor } from "../../tensor/tensor";
import { type Shape, optionsFromConfig } from "../layer";
import { Attention, type AttentionOptions } from "./attention";

/** Attention's options without `scoreMode` (scores are always additive); `useScale` defaults to true. */
export type AdditiveAttentionOptions = Omit<AttentionOptions, "scoreMode">;

/**
 * Additive attention layer, a.k.a. Bahdanau-style attention.
 * @example
 * const att = new keras.layers.AdditiveAttention();
 * const out = att.apply([query, value]); // (B, Tq, dim)
 */
export class AdditiveAttention extends Attention {
  static override className = "AdditiveAttention";

  constructor(options: AdditiveAttentionOptions = {}) {
    super({ ...options, useScale: options.useScale ?? true });
  }

  override build(inputShape: Shape[]): void {
    this.validateInputs(inputShape);
    const dim = inputShape[0]![inputShape[0]!.length - 1];
    if (this.useScale)
      this.scale = this.addWeight({
        name: "scale",
        shape: [dim as number],
        initializer: "glorot_uniform",
        trainable: true,
      });
    this.buildInputShape = inputShape;
    this.built = true;
  }

  /** `sum(scale * tanh(q[:, :, None] + k[:, None]), -1)`: `(B, Tq, dim)`, `(B, Tv, dim)` -> `(B, Tq, Tv)`. */
  protected override calculateScores(query: Tensor, key: Tensor): Tensor {
    const t = ops.tanh(ops.add(ops.expandDims(query, -2), ops.expandDims(key, -3))); // (B, Tq, Tv, dim)
    return ops.sum(this.scale ? ops.multiply(this.scale.value, t) : t, -1);
  }

  override getConfig(): Record<string, unknown> {
    const { score_mode: _drop, ...config } = super.getConfig();
    return config;
  }

  static override fromConfig(config: Record<string, unknown>): AdditiveAttention {
    return new AdditiveAttention(optionsFromConfig<AdditiveAttentionOptions>(config));
  }
}

registerBuiltin("keras.layers", "AdditiveAttention", AdditiveAttention);
