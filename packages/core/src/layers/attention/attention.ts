/**
 * Attention: dot-product (Luong-style) attention over `[query, value, key?]`
 * (Keras 3 `keras/src/layers/attention/attention.py`): scores `query @ key^T` (times a learned
 * scalar `scale` with `useScale`), or with `scoreMode: "concat"`
 * `concat_score_weight * sum(tanh(scale * (q + k)))`; masked scores get `-1e9`; softmax over the
 * value axis; optional dropout on the weights in training; output `weights @ value`, zeroed at
 * masked query steps.
 *
 * The masks are the `mask` call argument as a list `[queryMask, valueMask]`, as in Keras.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/attention/attention.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import * as random from "../../random/index";
import { SeedGenerator } from "../../random/index";
import { registerBuiltin } from "../../saving/serialization";
import { KerasTensor } from "../../symbolic/keras_tensor";
import type { Tensor } from "../../tensor/tensor";
import type { Variable } from "../../variables/variable";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";

export interface AttentionOptions extends LayerOptions {
  /** Learn a scalar that scales the scores (default false). */
  useScale?: boolean;
  /** "dot" (default) or "concat" (tanh of the sum of query and key). */
  scoreMode?: "dot" | "concat";
  /** Fraction of the attention weights to drop in training (default 0). */
  dropout?: number;
  /** Seed of the dropout. */
  seed?: number | null;
}

/** Call arguments of Attention / AdditiveAttention. */
export interface AttentionCallArgs extends CallArgs {
  /** `[queryMask (B, Tq), valueMask (B, Tv)]`; either may be null. */
  mask?: unknown;
  /** Also return the attention weights `(B, Tq, Tv)`. */
  returnAttentionScores?: boolean;
  /** Position i attends only to positions j <= i. */
  useCausalMask?: boolean;
}

/**
 * Dot-product attention layer, a.k.a. Luong-style attention.
 * @example
 * const att = new keras.layers.Attention();
 * const out = att.apply([query, value]); // (B, Tq, dim) attending over (B, Tv, dim)
 */
export class Attention extends Layer {
  static override className = "Attention";
  readonly useScale: boolean;
  readonly scoreMode: "dot" | "concat";
  readonly dropout: number;
  readonly seedGenerator: SeedGenerator | null;
  scale: Variable | null = null;
  concatScoreWeight: Variable | null = null;

  constructor(options: AttentionOptions = {}) {
    const { useScale, scoreMode, dropout, seed, ...base } = options;
    super(base);
    this.useScale = useScale ?? false;
    this.scoreMode = scoreMode ?? "dot";
    this.dropout = dropout ?? 0;
    this.seedGenerator = this.dropout > 0 ? new SeedGenerator(seed ?? null) : null;
    // Keras 3 sets `supports_masking` for layers that override `compute_mask`, as this one does:
    // the inputs' implicit masks arrive as `mask = [queryMask, valueMask]`.
    this.supportsMasking = true;
    if (this.scoreMode !== "dot" && this.scoreMode !== "concat")
      throw new ValueError(
        `${this.className} "${this.name}": invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=${fmt(scoreMode)}`,
      );
  }

  /** Keras `_validate_inputs`: a list of 2 or 3 inputs, and a list of 2 or 3 masks. */
  protected validateInputs(inputs: unknown, mask: unknown = null): void {
    const cls = this.className;
    if (!Array.isArray(inputs))
      throw new ValueError(
        `${cls} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. Received: inputs=${fmt(inputs)}`,
      );
    if (inputs.length < 2 || inputs.length > 3)
      throw new ValueError(
        `${cls} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: ${inputs.length}`,
      );
    if (mask !== null && mask !== undefined) {
      if (!Array.isArray(mask))
        throw new ValueError(
          `${cls} layer mask must be a list, namely [query_mask, value_mask]. Received: mask=${fmt(mask)}`,
        );
      if (mask.length < 2 || mask.length > 3)
        throw new ValueError(
          `${cls} layer accepts mask list of length 2 or 3. Received: mask of length ${mask.length}`,
        );
    }
  }

  override build(inputShape: Shape[]): void {
    this.validateInputs(inputShape);
    if (this.useScale)
      this.scale = this.addWeight({
        name: "scale",
        shape: [],
        initializer: "ones",
        trainable: true,
      });
    if (this.scoreMode === "concat")
      this.concatScoreWeight = this.addWeight({
        name: "concat_score_weight",
        shape: [],
        initializer: "ones",
        trainable: true,
      });
    super.build(inputShape);
  }

  /** `(B, Tq, dim)`, `(B, Tv, dim)` -> `(B, Tq, Tv)` scores. */
  protected calculateScores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === "dot") {
      let scores = ops.matmul(query, ops.transpose(key, [0, 2, 1]));
      if (this.scale) scores = ops.multiply(scores, this.scale.value);
      return scores;
    }
    const q = ops.expandDims(query, -2); // (B, Tq, 1, dim)
    const k = ops.expandDims(key, -3); // (B, 1, Tv, dim)
    let s = ops.add(q, k);
    if (this.scale) s = ops.multiply(this.scale.value, s);
    return ops.multiply(this.concatScoreWeight!.value, ops.sum(ops.tanh(s), -1));
  }

  /** Keras `_apply_scores`: masked softmax, dropout, then `weights @ value`. */
  protected applyScores(
    scores: Tensor,
    value: Tensor,
    scoresMask: Tensor | null,
    training: boolean,
  ): [Tensor, Tensor] {
    let s = scores;
    if (scoresMask !== null)
      s = ops.subtract(s, ops.multiply(1.0e9, ops.cast(ops.logicalNot(scoresMask), s.dtype)));
    let weights = ops.softmax(s, -1);
    if (training && this.dropout > 0)
      weights = random.dropout(weights, this.dropout, null, this.seedGenerator!);
    return [ops.matmul(weights, value), weights];
  }

  /** Keras `_calculate_score_mask`: the value mask `(B, 1, Tv)`, AND the causal mask `(1, Tq, Tv)`. */
  protected calculateScoreMask(
    scores: Tensor,
    vMask: Tensor | null,
    useCausalMask: boolean,
  ): Tensor | null {
    const vm = vMask === null ? null : ops.expandDims(ops.cast(vMask, "bool"), -2);
    if (!useCausalMask) return vm;
    const [tq, tv] = scores.shape.slice(-2) as number[];
    const rows = ops.expandDims(ops.arange(tq!, null, 1, "int32"), -1);
    const cols = ops.expandDims(ops.arange(tv!, null, 1, "int32"), 0);
    const causal = ops.expandDims(ops.greaterEqual(rows, cols), 0); // (1, Tq, Tv)
    return vm === null ? causal : ops.logicalAnd(vm, causal);
  }

  call(inputs: AnyTensor[], args: AttentionCallArgs = {}): Tensor | Tensor[] {
    const mask = (args.mask ?? null) as (AnyTensor | null)[] | null;
    this.validateInputs(inputs, mask);
    const q = inputs[0] as Tensor;
    const v = inputs[1] as Tensor;
    const k = (inputs[2] ?? v) as Tensor;
    const qMask = (mask?.[0] ?? null) as Tensor | null;
    const vMask = (mask?.[1] ?? null) as Tensor | null;
    const scores = this.calculateScores(q, k);
    const scoresMask = this.calculateScoreMask(scores, vMask, args.useCausalMask === true);
    const [res, weights] = this.applyScores(scores, v, scoresMask, args.training === true);
    let result = res;
    if (qMask !== null)
      result = ops.multiply(result, ops.cast(ops.expandDims(qMask, -1), result.dtype)); // (B, Tq, 1)
    return args.returnAttentionScores ? [result, weights] : result;
  }

  /** `(*query_shape[:-1], value_shape[-1])`. */
  override computeOutputShape(inputShape: unknown): unknown {
    const s = inputShape as Shape[];
    return [...s[0]!.slice(0, -1), s[1]![s[1]!.length - 1] ?? null];
  }

  override computeOutputSpec(inputs: AnyTensor[], args: AttentionCallArgs = {}): unknown {
    this.validateInputs(inputs, args.mask ?? null);
    const [q, v, k] = [inputs[0]!, inputs[1]!, inputs[2] ?? inputs[1]!];
    const dq = q.shape[q.shape.length - 1];
    const dk = k.shape[k.shape.length - 1];
    if (this.scoreMode === "dot" && dq !== null && dk !== null && dq !== dk)
      throw new ValueError(
        `Layer "${this.name}" (${this.className}): query and key must have the same last dimension. Received: query.shape=${fmt([...q.shape])}, key.shape=${fmt([...k.shape])}`,
      );
    const out = new KerasTensor(this.computeOutputShape([q.shape, v.shape]) as Shape, this.dtype);
    if (!args.returnAttentionScores) return out;
    return [
      out,
      new KerasTensor([q.shape[0] ?? null, q.shape[1] ?? null, v.shape[1] ?? null], this.dtype),
    ];
  }

  /** Keras `compute_mask`: the query mask. */
  computeMask(inputs: unknown, mask: unknown = null): unknown {
    this.validateInputs(inputs, mask);
    if (mask === null || mask === undefined) return null;
    return (mask as unknown[])[0] ?? null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      use_scale: this.useScale,
      score_mode: this.scoreMode,
      dropout: this.dropout,
    };
  }

  static fromConfig(config: Record<string, unknown>): Attention {
    return new Attention(optionsFromConfig<AttentionOptions>(config));
  }
}

registerBuiltin("keras.layers", "Attention", Attention);
