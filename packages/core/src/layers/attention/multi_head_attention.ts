/**
 * MultiHeadAttention (Vaswani et al. 2017) as Keras 3 builds and computes it
 * (`keras/src/layers/attention/multi_head_attention.py`): EinsumDense projections named `query`,
 * `key`, `value` (kernels `(dim, num_heads, head_dim)`, biases `(num_heads, head_dim)`) and
 * `attention_output` (kernel `(num_heads, value_dim, out_dim)`, bias `(out_dim,)`), attention
 * over `attentionAxes`, Softmax and Dropout sub-layers.
 *
 * Keras calls `mha(query, value, key=None, ...)`; here the tensors are the first argument as a
 * list: `mha.apply([query, value])` or `mha.apply([query, value, key])`. The inputs' implicit
 * masks (`kerasMask`, e.g. from `Embedding({maskZero: true})`) are used as the query / value / key
 * masks, as in Keras; `queryMask` / `valueMask` / `keyMask` override them.
 *
 * Like Keras, the plain case (rank-3 inputs, no scores requested, no dropout in training) goes
 * through `ops.dotProductAttention`; otherwise through the explicit einsum path with the Softmax
 * layer's `-1e9` masking. The two differ only for rows whose every key is masked.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/attention/multi_head_attention.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import { KerasTensor } from "../../symbolic/keras_tensor";
import type { Tensor } from "../../tensor/tensor";
import {
  Layer,
  type CallArgs,
  type LayerOptions,
  type Shape,
  optionsFromConfig,
  type KernelBiasOptions,
} from "../layer";
import { EinsumDense } from "../core/einsum_dense";
import { Dropout } from "../regularization/dropout";
import { Softmax } from "../activations/softmax";
import { buildNested } from "../sublayers";

export interface MultiHeadAttentionOptions extends LayerOptions, KernelBiasOptions {
  /** Size of each attention head for value (default `keyDim`). */
  valueDim?: number | null;
  /** Dropout probability on the attention scores (training only). */
  dropout?: number;
  /** Whether the projections have biases (default true). */
  useBias?: boolean;
  /** Output shape besides the batch and sequence dims (default: the query's last dim). */
  outputShape?: number | readonly number[] | null;
  /** Axes over which attention is applied (default: all but batch, heads and features). */
  attentionAxes?: number | readonly number[] | null;
  /** Keras' flash-attention switch: accepted and checked as in Keras; no effect here. */
  flashAttention?: boolean | null;
  /** Seed of the dropout layer. */
  seed?: number | null;
}

/** Call arguments of MultiHeadAttention (Keras `call(query, value, key, ...)` keywords). */
export interface MultiHeadAttentionCallArgs extends CallArgs {
  /** Boolean `(B, T, S)` mask (broadcast over heads and missing batch dims): true = attend. */
  attentionMask?: AnyTensor | null;
  /** Also return the attention scores `(B, N, T, S)`. */
  returnAttentionScores?: boolean;
  /** Causal mask: query position i attends only to key positions j <= i. */
  useCausalMask?: boolean;
  /** `(B, T)` query padding mask (default: the query's implicit mask, `mask[0]`). */
  queryMask?: AnyTensor | null;
  /** `(B, S)` value padding mask (default: the value's implicit mask, `mask[1]`). */
  valueMask?: AnyTensor | null;
  /** `(B, S)` key padding mask (default: the key's implicit mask, `mask[2]`, when a key is given). */
  keyMask?: AnyTensor | null;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** Keras `_build_proj_equation`: the einsum equation of a projection, its bias axes and output rank. */
export function buildProjEquation(
  freeDims: number,
  boundDims: number,
  outputDims: number,
): [string, string, number] {
  let input = "";
  let kernel = "";
  let output = "";
  let bias = "";
  let offset = 0;
  for (let i = 0; i < freeDims; i++) {
    const c = LETTERS[i + offset]!;
    input += c;
    output += c;
  }
  offset += freeDims;
  for (let i = 0; i < boundDims; i++) {
    const c = LETTERS[i + offset]!;
    input += c;
    kernel += c;
  }
  offset += boundDims;
  for (let i = 0; i < outputDims; i++) {
    const c = LETTERS[i + offset]!;
    kernel += c;
    output += c;
    bias += c;
  }
  return [`${input},${kernel}->${output}`, bias, output.length];
}

/** Keras `_build_attention_equation`: dot-product and combine equations and the scores' rank. */
export function buildAttentionEquation(
  rank: number,
  attnAxes: readonly number[],
): [string, string, number] {
  const target = LETTERS.slice(0, rank);
  // Batch dims include the head dim: everything but the attention axes and the last axis.
  const batchDims = [...Array(rank).keys()].filter((i) => !attnAxes.includes(i) && i !== rank - 1);
  let offset = rank;
  let source = "";
  for (let i = 0; i < rank; i++) {
    if (batchDims.includes(i) || i === rank - 1) source += target[i];
    else source += LETTERS[offset++];
  }
  const product = [
    ...batchDims.map((i) => target[i]),
    ...attnAxes.map((i) => target[i]),
    ...attnAxes.map((i) => source[i]),
  ].join("");
  return [`${source},${target}->${product}`, `${product},${source}->${target}`, product.length];
}

/** Keras `_get_output_shape`: `None` for the leading dims, then the known last dims. */
function projOutputShape(outputRank: number, knownLastDims: readonly number[]): (number | null)[] {
  return [...new Array<null>(outputRank - knownLastDims.length).fill(null), ...knownLastDims];
}

function positiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw new ValueError(
      `${where}: \`${name}\` must be a positive integer. Received: ${name}=${fmt(v)}`,
    );
  return v;
}

/**
 * MultiHeadAttention layer. If `query`, `key` and `value` are the same, this is self-attention.
 * @example
 * const mha = new keras.layers.MultiHeadAttention(2, 16);
 * const q = keras.Input([8, 32]);
 * const v = keras.Input([4, 32]);
 * const [out, scores] = mha.apply([q, v], { returnAttentionScores: true });
 * // out: (None, 8, 32), scores: (None, 2, 8, 4)
 */
export class MultiHeadAttention extends Layer {
  static override className = "MultiHeadAttention";
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputShape: number[] | null;
  /** Null until built, unless given (Keras fills in the default at build, and the config shows it). */
  attentionAxes: number[] | null;
  readonly flashAttention: boolean | null;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  /** Applied to the projections' outputs (Keras passes it to the EinsumDense sub-layers). */
  readonly subLayerActivityRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly seed: number | null;
  queryDense: EinsumDense | null = null;
  keyDense: EinsumDense | null = null;
  valueDense: EinsumDense | null = null;
  softmax: Softmax | null = null;
  dropoutLayer: Dropout | null = null;
  outputDense: EinsumDense | null = null;
  private dotProductEquation = "";
  private combineEquation = "";
  private readonly inverseSqrtKeyDim: number;

  constructor(numHeads: number, keyDim: number, options: MultiHeadAttentionOptions = {}) {
    const { activityRegularizer, ...base } = options;
    super(base);
    const where = `MultiHeadAttention "${this.name}"`;
    this.supportsMasking = true;
    this.numHeads = positiveInt(where, "num_heads", numHeads);
    this.keyDim = positiveInt(where, "key_dim", keyDim);
    this.valueDim = options.valueDim ? positiveInt(where, "value_dim", options.valueDim) : keyDim;
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== "number" || !(this.dropout >= 0 && this.dropout <= 1))
      throw new ValueError(
        `${where}: \`dropout\` must be a float between 0 and 1. Received: dropout=${fmt(options.dropout)}`,
      );
    this.useBias = options.useBias ?? true;
    const os = options.outputShape;
    if (os !== null && os !== undefined && os !== 0 && !(Array.isArray(os) && os.length === 0)) {
      if (typeof os === "number") this.outputShape = [os];
      else if (Array.isArray(os)) this.outputShape = [...(os as number[])];
      else
        throw new ValueError(
          `${where}: invalid \`output_shape\`: when specified, the \`output_shape\` should be of type tuple, list, or int. Received: output_shape=${fmt(os)}`,
        );
    } else this.outputShape = null;
    this.flashAttention = options.flashAttention ?? null;
    this.kernelInitializer = initializers.get(options.kernelInitializer ?? "glorot_uniform");
    this.biasInitializer = initializers.get(options.biasInitializer ?? "zeros");
    this.kernelRegularizer = regularizers.get(options.kernelRegularizer ?? null);
    this.biasRegularizer = regularizers.get(options.biasRegularizer ?? null);
    this.subLayerActivityRegularizer = regularizers.get(activityRegularizer ?? null);
    this.kernelConstraint = constraints.get(options.kernelConstraint ?? null);
    this.biasConstraint = constraints.get(options.biasConstraint ?? null);
    const axes = options.attentionAxes;
    if (axes === null || axes === undefined) this.attentionAxes = null;
    else if (typeof axes === "number") this.attentionAxes = [axes];
    else if (Array.isArray(axes)) this.attentionAxes = [...(axes as number[])];
    else
      throw new ValueError(
        `${where}: \`attention_axes\` must be an int, list, or tuple. Received: attention_axes=${fmt(axes)}`,
      );
    this.seed = options.seed ?? null;
    this.inverseSqrtKeyDim = 1 / Math.sqrt(this.keyDim);
    if (this.flashAttention && this.dropout > 0)
      throw new ValueError(
        `${where}: dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to use flash attention. Received: dropout=${this.dropout}`,
      );
  }

  /** Arguments shared by the EinsumDense sub-layers; initializers are fresh copies, as in Keras. */
  private commonKwargs(): Record<string, unknown> {
    return {
      kernelRegularizer: this.kernelRegularizer,
      biasRegularizer: this.biasRegularizer,
      activityRegularizer: this.subLayerActivityRegularizer,
      kernelConstraint: this.kernelConstraint,
      biasConstraint: this.biasConstraint,
      dtype: this.dtype,
      kernelInitializer: initializers.get(serializeKerasObject(this.kernelInitializer)),
      biasInitializer: initializers.get(serializeKerasObject(this.biasInitializer)),
    };
  }

  private splitInputs(inputs: unknown): [AnyTensor, AnyTensor, AnyTensor | null] {
    if (!Array.isArray(inputs) || inputs.length < 2 || inputs.length > 3)
      throw new ValueError(
        `MultiHeadAttention "${this.name}": call the layer on a list [query, value] or [query, value, key]. Received: inputs=${Array.isArray(inputs) ? `a list of ${inputs.length}` : fmt(inputs)}`,
      );
    return [
      inputs[0] as AnyTensor,
      inputs[1] as AnyTensor,
      (inputs[2] ?? null) as AnyTensor | null,
    ];
  }

  /**
   * Builds the projections for `[queryShape, valueShape, keyShape?]` (Keras
   * `build(query_shape, value_shape, key_shape=None)`).
   */
  override build(inputShape: Shape[]): void {
    if (!Array.isArray(inputShape) || inputShape.length < 2 || !Array.isArray(inputShape[0]))
      throw new ValueError(
        `MultiHeadAttention "${this.name}": call the layer on a list [query, value] or [query, value, key] (build expects [query_shape, value_shape, key_shape?]). Received: ${fmt(inputShape)}`,
      );
    const queryShape = inputShape[0]!;
    const valueShape = inputShape[1]!;
    const keyShape = inputShape[2] ?? valueShape;
    this.checkValueKey(valueShape, keyShape);
    const common = (): Record<string, unknown> => this.commonKwargs();
    const proj = (rank: number, dim: number, name: string): EinsumDense => {
      const [eq, biasAxes, outputRank] = buildProjEquation(rank - 1, 1, 2);
      return new EinsumDense(eq, projOutputShape(outputRank - 1, [this.numHeads, dim]), {
        biasAxes: this.useBias ? biasAxes : null,
        name,
        ...common(),
      });
    };
    this.queryDense = proj(queryShape.length, this.keyDim, "query");
    buildNested(this.name, this.queryDense, queryShape);
    this.keyDense = proj(keyShape.length, this.keyDim, "key");
    buildNested(this.name, this.keyDense, keyShape);
    this.valueDense = proj(valueShape.length, this.valueDim, "value");
    buildNested(this.name, this.valueDense, valueShape);
    // Attention computations (Keras `_build_attention(output_rank)`).
    const rank = valueShape.length + 1;
    this.attentionAxes =
      this.attentionAxes === null
        ? [...Array(Math.max(rank - 3, 0)).keys()].map((i) => i + 1)
        : this.attentionAxes.map((a) => (a >= 0 ? a : rank - 1 + a));
    const [dot, combine, scoresRank] = buildAttentionEquation(rank, this.attentionAxes);
    this.dotProductEquation = dot;
    this.combineEquation = combine;
    const n = this.attentionAxes.length;
    const normAxes = [...Array(n).keys()].map((i) => scoresRank - n + i);
    this.softmax = new Softmax({ axis: normAxes, dtype: this.dtype });
    this.dropoutLayer = new Dropout(this.dropout, { dtype: this.dtype, seed: this.seed });
    // Output projection (Keras `_make_output_dense`).
    const outShape = this.outputShape ?? [queryShape[queryShape.length - 1] as number];
    const [eq, biasAxes, outputRank] = buildProjEquation(queryShape.length - 1, 2, outShape.length);
    this.outputDense = new EinsumDense(eq, projOutputShape(outputRank - 1, outShape), {
      biasAxes: this.useBias ? biasAxes : null,
      name: "attention_output",
      ...common(),
    });
    const outIn = [...(this.queryDense.computeOutputShape(queryShape) as Shape)];
    outIn[outIn.length - 1] = this.valueDim;
    buildNested(this.name, this.outputDense, outIn);
    super.build(inputShape);
  }

  private checkValueKey(
    valueShape: readonly (number | null)[],
    keyShape: readonly (number | null)[],
  ): void {
    const a = valueShape.slice(1, -1);
    const b = keyShape.slice(1, -1);
    if (a.length !== b.length || a.some((d, i) => d !== null && b[i] !== null && d !== b[i]))
      throw new ValueError(
        `MultiHeadAttention "${this.name}": all dimensions of \`value\` and \`key\`, except the last one, must be equal. Received: value_shape=${fmt([...valueShape])} and key_shape=${fmt([...keyShape])}`,
      );
  }

  /** Checks the inputs against the shapes the layer was built with (symbolic and eager). */
  private checkInputs(query: AnyTensor, value: AnyTensor, key: AnyTensor): void {
    this.checkValueKey(value.shape, key.shape);
    for (const [name, t, dense] of [
      ["query", query, this.queryDense],
      ["value", value, this.valueDense],
      ["key", key, this.keyDense],
    ] as const) {
      const k = dense!.kernel!.shape;
      const want = k[0];
      const got = t.shape[t.shape.length - 1];
      if (
        t.shape.length !== (dense!.buildInputShape as Shape).length ||
        (got !== null && got !== want)
      )
        throw new ValueError(
          `Layer "${this.name}" (MultiHeadAttention): the \`${name}\` input is incompatible with the layer: expected rank ${(dense!.buildInputShape as Shape).length} with last dimension ${want}. Received: ${name}.shape=${fmt([...t.shape])}`,
        );
    }
  }

  /** Keras `compute_output_shape(query_shape, value_shape, key_shape=None)`. */
  override computeOutputShape(inputShape: unknown): unknown {
    const [q, v, k] = inputShape as Shape[];
    this.checkValueKey(v!, k ?? v!);
    if (this.outputShape) return [...q!.slice(0, -1), ...this.outputShape];
    return [...q!];
  }

  /** The attention scores' shape: `(B, <non-attention dims>, N, <query attention dims>, <key attention dims>)`. */
  private scoresShape(query: readonly (number | null)[], key: readonly (number | null)[]): Shape {
    const qp = [...query.slice(0, -1), this.numHeads, this.keyDim];
    const kp = [...key.slice(0, -1), this.numHeads, this.keyDim];
    const rank = qp.length;
    const axes = this.attentionAxes!;
    const batchDims = [...Array(rank).keys()].filter((i) => !axes.includes(i) && i !== rank - 1);
    return [
      ...batchDims.map((i) => qp[i] ?? null),
      ...axes.map((i) => qp[i] ?? null),
      ...axes.map((i) => kp[i] ?? null),
    ];
  }

  override computeOutputSpec(inputs: unknown, args: MultiHeadAttentionCallArgs = {}): unknown {
    const [query, value, keyIn] = this.splitInputs(inputs);
    const key = keyIn ?? value;
    this.checkInputs(query, value, key);
    const out = new KerasTensor(
      this.computeOutputShape([query.shape, value.shape, key.shape]) as Shape,
      this.dtype,
    );
    if (args.returnAttentionScores)
      return [out, new KerasTensor(this.scoresShape(query.shape, key.shape), this.dtype)];
    return out;
  }

  call(
    inputs: [AnyTensor, AnyTensor, AnyTensor?],
    args: MultiHeadAttentionCallArgs = {},
  ): Tensor | Tensor[] {
    const [query, value, keyIn] = this.splitInputs(inputs);
    const key = keyIn ?? value;
    this.checkInputs(query, value, key);
    const attentionMask = this.computeAttentionMask(
      query as Tensor,
      value as Tensor,
      this.resolveInputMasks(args, keyIn !== null),
    );
    const q = this.queryDense!.apply(query) as Tensor; // (B, T, dim) -> (B, T, N, H)
    const k = this.keyDense!.apply(key) as Tensor; // (B, S, dim) -> (B, S, N, H)
    const v = this.valueDense!.apply(value) as Tensor; // (B, S, dim) -> (B, S, N, Hv)
    const [attn, scores] = this.computeAttention(
      q,
      k,
      v,
      attentionMask,
      args.training,
      args.returnAttentionScores === true,
    );
    const output = this.outputDense!.apply(attn) as Tensor; // (B, T, N, Hv) -> (B, T, out)
    return args.returnAttentionScores ? [output, scores!] : output;
  }

  /**
   * Keras `_compute_attention`: `(B, T, N, H)` projections -> `(B, T, N, Hv)` output and, on the
   * explicit path, the `(B, N, T, S)` scores.
   */
  protected computeAttention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attentionMask: Tensor | null,
    training: boolean | undefined,
    returnAttentionScores: boolean,
  ): [Tensor, Tensor | null] {
    if (this.flashAttention && returnAttentionScores)
      throw new ValueError(
        `MultiHeadAttention "${this.name}": returning attention scores is not supported when flash attention is enabled. Please disable flash attention to access attention scores. Received: return_attention_scores=true`,
      );
    const expansionAxis = -this.attentionAxes!.length * 2 - 1;
    const useDotProductAttention = !(
      (this.dropout > 0 && training === true) ||
      returnAttentionScores ||
      query.rank !== 4
    );
    if (useDotProductAttention) {
      let mask: Tensor | null = null;
      if (attentionMask !== null) {
        mask = attentionMask;
        while (mask.rank < 4) mask = ops.expandDims(mask, expansionAxis); // -> (B, 1, T, S)
        mask = ops.cast(mask, "bool");
      }
      const out = ops.dotProductAttention(
        query,
        key,
        value,
        null,
        mask,
        this.inverseSqrtKeyDim,
        false,
      );
      return [out, null];
    }
    const q = ops.multiply(query, this.inverseSqrtKeyDim);
    // (B, S, N, H), (B, T, N, H) -> (B, N, T, S)
    let scores = ops.einsum(this.dotProductEquation, key, q);
    let mask: Tensor | null = attentionMask;
    if (mask !== null) while (mask.rank < scores.rank) mask = ops.expandDims(mask, expansionAxis);
    scores = this.softmax!.apply(scores, { mask }) as Tensor;
    const dropped =
      this.dropout > 0 ? (this.dropoutLayer!.apply(scores, { training }) as Tensor) : scores;
    // (B, N, T, S), (B, S, N, Hv) -> (B, T, N, Hv)
    const out = ops.einsum(this.combineEquation, dropped, value);
    return [out, scores];
  }

  /**
   * The inputs' implicit masks (`mask`, one per input tensor, filled in by `Layer.apply` from the
   * tensors' `kerasMask`) become `queryMask` / `valueMask` / `keyMask` unless those are given, as
   * Keras fills its `query_mask` / `value_mask` / `key_mask` arguments from `_keras_mask`.
   */
  private resolveInputMasks(
    args: MultiHeadAttentionCallArgs,
    hasKey: boolean,
  ): MultiHeadAttentionCallArgs {
    const m = args.mask;
    if (!Array.isArray(m)) return args;
    const pick = (i: number): AnyTensor | null => (m[i] ?? null) as AnyTensor | null;
    return {
      ...args,
      queryMask: args.queryMask ?? pick(0),
      valueMask: args.valueMask ?? pick(1),
      keyMask: args.keyMask ?? (hasKey ? pick(2) : null),
    };
  }

  /**
   * Keras `_compute_attention_mask`: the AND of the query mask `(B, T, 1)`, value and key masks
   * `(B, 1, S)`, the causal mask `(1, T, S)` and `attentionMask`.
   */
  private computeAttentionMask(
    query: Tensor,
    value: Tensor,
    args: MultiHeadAttentionCallArgs,
  ): Tensor | null {
    let auto: Tensor | null = null;
    const and = (a: Tensor | null, b: Tensor): Tensor => (a === null ? b : ops.logicalAnd(a, b));
    if (args.queryMask) auto = ops.expandDims(ops.cast(args.queryMask, "bool"), -1); // (B, T, 1)
    if (args.valueMask) auto = and(auto, ops.expandDims(ops.cast(args.valueMask, "bool"), -2)); // (B, 1, S)
    if (args.keyMask) auto = and(auto, ops.expandDims(ops.cast(args.keyMask, "bool"), -2)); // (B, 1, S)
    if (args.useCausalMask) auto = and(auto, this.computeCausalMask(query, value));
    let attentionMask = args.attentionMask ? ops.cast(args.attentionMask, "bool") : null;
    if (auto !== null)
      attentionMask = attentionMask === null ? auto : ops.logicalAnd(attentionMask, auto);
    return attentionMask;
  }

  /** `(1, T, S)` lower-triangular boolean mask (Keras `_compute_causal_mask`). */
  private computeCausalMask(query: Tensor, value: Tensor): Tensor {
    const t = query.shape[1]!;
    const s = value.shape[1]!;
    const rows = ops.expandDims(ops.arange(t, null, 1, "int32"), -1); // (T, 1)
    const cols = ops.expandDims(ops.arange(s, null, 1, "int32"), 0); // (1, S)
    return ops.expandDims(ops.greaterEqual(rows, cols), 0);
  }

  /** The output carries the query's mask (Keras sets it on the output). */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    if (Array.isArray(mask)) return mask[0] ?? null;
    return mask;
  }

  /** Keras' build config for MHA: `{shapes_dict: {query_shape, value_shape, key_shape?}}`. */
  override getBuildConfig(): Record<string, unknown> | null {
    const s = this.buildInputShape as Shape[] | null;
    if (!Array.isArray(s)) return null;
    const shapes: Record<string, unknown> = { query_shape: s[0], value_shape: s[1] };
    if (s[2] !== undefined) shapes.key_shape = s[2];
    return { shapes_dict: shapes };
  }

  /** Builds from `getBuildConfig()` output (Keras `build_from_config`). */
  override buildFromConfig(config: Record<string, unknown>): void {
    if (this.built) return;
    const d = config.shapes_dict as Record<string, Shape> | undefined;
    const shapes = d
      ? [d.query_shape!, d.value_shape!, ...(d.key_shape ? [d.key_shape] : [])]
      : (config.input_shape as Shape[]);
    this.build(shapes);
    this.built = true;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      num_heads: this.numHeads,
      key_dim: this.keyDim,
      value_dim: this.valueDim,
      dropout: this.dropout,
      use_bias: this.useBias,
      output_shape: this.outputShape ? [...this.outputShape] : null,
      attention_axes: this.attentionAxes ? [...this.attentionAxes] : null,
      kernel_initializer: serializeKerasObject(this.kernelInitializer),
      bias_initializer: serializeKerasObject(this.biasInitializer),
      kernel_regularizer: serializeKerasObject(this.kernelRegularizer),
      bias_regularizer: serializeKerasObject(this.biasRegularizer),
      activity_regularizer: serializeKerasObject(this.subLayerActivityRegularizer),
      kernel_constraint: serializeKerasObject(this.kernelConstraint),
      bias_constraint: serializeKerasObject(this.biasConstraint),
      seed: this.seed,
    };
  }

  static fromConfig(config: Record<string, unknown>): MultiHeadAttention {
    return new MultiHeadAttention(
      config.num_heads as number,
      config.key_dim as number,
      optionsFromConfig<MultiHeadAttentionOptions>(config, ["num_heads", "key_dim"]),
    );
  }
}

registerBuiltin("keras.layers", "MultiHeadAttention", MultiHeadAttention);
