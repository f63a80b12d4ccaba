/**
 * Bidirectional: runs a recurrent layer forwards and a copy of it backwards over the sequence
 * and merges the two outputs (Keras 3 `keras/src/layers/rnn/bidirectional.py`).
 *
 * As in Keras, the forward layer is a fresh copy of `layer` (rebuilt from its config, renamed
 * `forward_<name>`), and the backward layer is another copy with `go_backwards` flipped (renamed
 * `backward_<name>`) unless `backwardLayer` is given. Neither reuses the weights of `layer`.
 * With `return_sequences`, masked steps output zeros (`zero_output_for_mask` is forced on) and the
 * backward sequence is flipped back into forward time order before merging.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/bidirectional.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import { KerasTensor } from "../../symbolic/keras_tensor";
import type { Tensor } from "../../tensor/tensor";
import { Layer, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import type { RNNCallArgs } from "./rnn";
import { buildNested, deserializeLayer } from "../sublayers";

export type MergeMode = "concat" | "sum" | "mul" | "ave" | null;

export interface BidirectionalOptions extends LayerOptions {
  /** How forward and backward outputs are combined; null returns both. Default "concat". */
  mergeMode?: MergeMode;
  /** A layer for the backward direction (must have the opposite `goBackwards`). */
  backwardLayer?: Layer | null;
}

/** The attributes Bidirectional needs from the wrapped layer (those of RNN). */
interface RecurrentLike extends Layer {
  goBackwards: boolean;
  returnSequences: boolean;
  returnState: boolean;
  stateful: boolean;
  zeroOutputForMask?: boolean;
  resetState?: () => void;
}

function removePrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** A copy of `layer` from its serialized form, with config overrides (Keras' recipe). */
function copyLayer(layer: Layer, overrides: Record<string, unknown>): Layer {
  const ser = serializeKerasObject(layer) as { config: Record<string, unknown> };
  ser.config = { ...ser.config, ...overrides };
  return deserializeLayer(ser, "Bidirectional");
}

/**
 * Bidirectional wrapper for RNNs.
 * @example
 * const bi = new keras.layers.Bidirectional(new keras.layers.LSTM(10, { returnSequences: true }));
 * bi.apply(keras.Input([5, 8])); // shape (None, 5, 20)
 */
export class Bidirectional extends Layer {
  static override className = "Bidirectional";
  readonly forwardLayer: RecurrentLike;
  readonly backwardLayer: RecurrentLike;
  readonly mergeMode: MergeMode;
  readonly stateful: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;

  constructor(layer: Layer, options: BidirectionalOptions = {}) {
    if (!(layer instanceof Layer))
      throw new ValueError(
        `Bidirectional: please initialize \`Bidirectional\` layer with a \`keras.layers.Layer\` instance. Received: layer=${fmt(layer)}`,
      );
    const backward = options.backwardLayer ?? null;
    if (backward !== null && !(backward instanceof Layer))
      throw new ValueError(
        `Bidirectional: \`backward_layer\` need to be a \`keras.layers.Layer\` instance. Received: backward_layer=${fmt(backward)}`,
      );
    const mergeMode = options.mergeMode === undefined ? "concat" : options.mergeMode;
    if (!["sum", "mul", "ave", "concat", null].includes(mergeMode))
      throw new ValueError(
        `Bidirectional: invalid merge mode. Merge mode should be one of {"sum", "mul", "ave", "concat", None}. Received: merge_mode=${fmt(mergeMode)}`,
      );
    const { mergeMode: _m, backwardLayer: _b, ...base } = options;
    super(base);
    for (const a of ["goBackwards", "returnSequences", "returnState", "stateful"])
      if (typeof (layer as unknown as Record<string, unknown>)[a] !== "boolean")
        throw new ValueError(
          `Bidirectional "${this.name}": the wrapped layer must be a recurrent layer with \`${a}\` (such as LSTM or GRU). Received: layer=${String(layer)}`,
        );
    this.forwardLayer = copyLayer(layer, {
      name: `forward_${removePrefix(layer.name, "forward_")}`,
    }) as RecurrentLike;
    this.backwardLayer = (backward ??
      copyLayer(layer, {
        go_backwards: true,
        name: `backward_${removePrefix(layer.name, "backward_")}`,
      })) as RecurrentLike;
    this.verifyLayerConfig();
    // Masked steps must output zeros when sequences are returned, so the merge is meaningful.
    for (const l of [this.forwardLayer, this.backwardLayer])
      if (typeof l.zeroOutputForMask === "boolean") l.zeroOutputForMask = l.returnSequences;
    this.mergeMode = mergeMode;
    const src = layer as RecurrentLike;
    this.stateful = src.stateful;
    this.returnSequences = src.returnSequences;
    this.returnState = src.returnState;
    this.supportsMasking = true;
  }

  private verifyLayerConfig(): void {
    const f = this.forwardLayer;
    const b = this.backwardLayer;
    if (f.goBackwards === b.goBackwards)
      throw new ValueError(
        `Bidirectional "${this.name}": forward layer and backward layer should have different \`go_backwards\` value. Received: forward_layer.go_backwards=${f.goBackwards}, backward_layer.go_backwards=${b.goBackwards}`,
      );
    for (const [a, key] of [
      ["stateful", "stateful"],
      ["returnSequences", "return_sequences"],
      ["returnState", "return_state"],
    ] as const)
      if (f[a] !== b[a])
        throw new ValueError(
          `Bidirectional "${this.name}": forward layer and backward layer are expected to have the same value for attribute "${key}", got "${f[a]}" for forward layer and "${b[a]}" for backward layer. Received: ${key}=${b[a]}`,
        );
  }

  override build(sequencesShape: Shape): void {
    buildNested(this.name, this.forwardLayer, sequencesShape);
    buildNested(this.name, this.backwardLayer, sequencesShape);
    super.build(sequencesShape);
  }

  /** Keras `compute_output_shape`, from the forward layer's. */
  override computeOutputShape(sequencesShape: unknown): unknown {
    let outputShape = this.forwardLayer.computeOutputShape(sequencesShape) as unknown;
    let stateShape: unknown[] = [];
    if (this.returnState) {
      const all = outputShape as unknown[];
      outputShape = all[0];
      stateShape = all.slice(1);
    }
    let out: unknown;
    if (this.mergeMode === "concat") {
      const s = [...(outputShape as Shape)];
      const last = s[s.length - 1];
      s[s.length - 1] = last === null || last === undefined ? null : last * 2;
      out = s;
    } else if (this.mergeMode === null) out = [outputShape, outputShape];
    else out = outputShape;
    if (this.returnState) {
      if (this.mergeMode === null) return [...(out as unknown[]), ...stateShape, ...stateShape];
      return [out, ...stateShape, ...stateShape];
    }
    return out;
  }

  override computeOutputSpec(inputs: AnyTensor, _args: RNNCallArgs = {}): unknown {
    const shapes = this.computeOutputShape([...inputs.shape]);
    const toSpec = (s: unknown): unknown =>
      Array.isArray(s) && s.every((d) => d === null || typeof d === "number")
        ? new KerasTensor(s as Shape, this.dtype)
        : (s as unknown[]).map(toSpec);
    return toSpec(shapes);
  }

  call(sequences: Tensor, args: RNNCallArgs = {}): unknown {
    const sub: RNNCallArgs = { training: args.training };
    if (args.mask !== undefined && args.mask !== null) sub.mask = args.mask;
    let forwardState: unknown[] | null = null;
    let backwardState: unknown[] | null = null;
    if (args.initialState !== undefined && args.initialState !== null) {
      const init = Array.isArray(args.initialState) ? args.initialState : [args.initialState];
      const half = Math.floor(init.length / 2);
      forwardState = init.slice(0, half);
      backwardState = init.slice(half);
    }
    let y = this.forwardLayer.apply(sequences, { ...sub, initialState: forwardState }) as
      Tensor | Tensor[];
    let yRev = this.backwardLayer.apply(sequences, { ...sub, initialState: backwardState }) as
      Tensor | Tensor[];
    let states: Tensor[] = [];
    if (this.returnState) {
      const f = y as Tensor[];
      const b = yRev as Tensor[];
      states = [...f.slice(1), ...b.slice(1)];
      y = f[0]!;
      yRev = b[0]!;
    }
    let yb = yRev as Tensor;
    const yf = y as Tensor;
    // The backward layer returns its sequence in processing order: flip it back.
    if (this.returnSequences) yb = ops.flip(yb, 1);
    let output: Tensor | Tensor[];
    switch (this.mergeMode) {
      case "concat":
        output = ops.concatenate([yf, yb], -1);
        break;
      case "sum":
        output = ops.add(yf, yb);
        break;
      case "ave":
        output = ops.divide(ops.add(yf, yb), 2);
        break;
      case "mul":
        output = ops.multiply(yf, yb);
        break;
      default:
        output = [yf, yb];
    }
    if (this.returnState)
      return Array.isArray(output) ? [...output, ...states] : [output, ...states];
    return output;
  }

  /** Keras `compute_mask`: the sequence mask (twice without merging) when returning sequences. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    const m = Array.isArray(mask) ? (mask[0] ?? null) : mask;
    let outputMask: unknown;
    if (this.returnSequences) outputMask = this.mergeMode === null ? [m, m] : m;
    else outputMask = this.mergeMode === null ? [null, null] : null;
    if (this.returnState && this.states !== null) {
      const stateMask = this.states.map(() => null);
      if (Array.isArray(outputMask)) return [...outputMask, ...stateMask];
      return [outputMask, ...stateMask];
    }
    return outputMask;
  }

  /** The carried states of a stateful layer (forward then backward), or null. */
  get states(): unknown[] | null {
    const f = (this.forwardLayer as unknown as { states?: unknown[] | null }).states;
    const b = (this.backwardLayer as unknown as { states?: unknown[] | null }).states;
    if (f && b && f.length > 0 && b.length > 0) return [...f, ...b];
    return null;
  }

  /** Resets the states of both directions (stateful layers only). */
  resetState(): void {
    if (!this.stateful)
      throw new ValueError(
        `Bidirectional "${this.name}": layer must be stateful. Received: stateful=false`,
      );
    this.forwardLayer.resetState?.();
    this.backwardLayer.resetState?.();
  }

  resetStates(): void {
    this.resetState();
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      merge_mode: this.mergeMode,
      layer: serializeKerasObject(this.forwardLayer),
      backward_layer: serializeKerasObject(this.backwardLayer),
    };
  }

  static fromConfig(config: Record<string, unknown>): Bidirectional {
    const layer = deserializeLayer(config.layer, "Bidirectional.fromConfig");
    const backward =
      config.backward_layer !== undefined && config.backward_layer !== null
        ? deserializeLayer(config.backward_layer, "Bidirectional.fromConfig")
        : null;
    const options = optionsFromConfig<BidirectionalOptions>(config, ["layer", "backward_layer"]);
    const out = new Bidirectional(layer, { ...options, backwardLayer: backward });
    // `layer` only served as a template (the forward layer is a copy of it).
    layer.dispose();
    return out;
  }
}

registerBuiltin("keras.layers", "Bidirectional", Bidirectional);
