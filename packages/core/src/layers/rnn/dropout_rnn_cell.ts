/**
 * DropoutRNNCell: the base of the built-in RNN cells (Keras 3 mixes `DropoutRNNCell` into
 * `SimpleRNNCell`, `LSTMCell` and `GRUCell`, `keras/src/layers/rnn/dropout_rnn_cell.py`).
 *
 * A cell processes one time step: `call([inputs, states], {training})` returns
 * `[output, newStates]`. Its dropout masks are drawn once per sequence and reused at every step
 * (the RNN layer draws them before its time loop and resets them after), as in Keras.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/dropout_rnn_cell.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import * as random from "../../random/index";
import { SeedGenerator } from "../../random/index";
import type { Tensor } from "../../tensor/tensor";
import { Layer, type CallArgs, type LayerOptions } from "../layer";

/** Recurrent state sizes: one int per state tensor (or one int for a single state). */
export type StateSize = number | readonly number[];

/** One step's states: a list of tensors (a single tensor is accepted where Keras accepts it). */
export type States = AnyTensor | AnyTensor[];

export interface DropoutRNNCellOptions extends LayerOptions {
  /** Fraction of the input units to drop (training only). Default 0. */
  dropout?: number;
  /** Fraction of the recurrent units to drop (training only). Default 0. */
  recurrentDropout?: number;
  /** Seed of the cell's SeedGenerator (dropout masks). */
  seed?: number | null;
}

/** Keras clamps the rates into [0, 1]: `min(1.0, max(0.0, dropout))`. */
function clampRate(where: string, name: string, v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || Number.isNaN(v))
    throw new ValueError(`${where}: \`${name}\` must be a number. Received: ${name}=${fmt(v)}`);
  return Math.min(1, Math.max(0, v));
}

/** Keras' check on `units` for the RNN cells. */
export function checkUnits(where: string, units: unknown): number {
  if (typeof units !== "number" || !Number.isInteger(units) || units <= 0)
    throw new ValueError(
      `${where}: received an invalid value for argument \`units\`, expected a positive integer. Received: units=${fmt(units)}`,
    );
  return units;
}

/**
 * Base class of the built-in RNN cells: dropout-mask caching and the `[inputs, states]` call
 * convention. Subclasses set `stateSize` / `outputSize` and implement `step`.
 */
export abstract class DropoutRNNCell extends Layer {
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator;
  /** Number of distinct masks per dropout (Keras `dropout_mask_count`; null = one shared mask). */
  dropoutMaskCount: number | null = null;
  abstract readonly stateSize: StateSize;
  abstract readonly outputSize: number;
  private dropoutMaskCache: Tensor | Tensor[] | null = null;
  private recurrentDropoutMaskCache: Tensor | Tensor[] | null = null;

  constructor(options: DropoutRNNCellOptions = {}) {
    super(options);
    const where = `${this.className} "${this.name}"`;
    this.dropout = clampRate(where, "dropout", options.dropout);
    this.recurrentDropout = clampRate(where, "recurrent_dropout", options.recurrentDropout);
    this.seed = options.seed ?? null;
    this.seedGenerator = new SeedGenerator(this.seed);
  }

  /** One time step: `(batch, features)` inputs and the previous states -> output and new states. */
  abstract step(
    inputs: AnyTensor,
    states: AnyTensor[],
    training: boolean,
  ): [AnyTensor, AnyTensor[]];

  /**
   * Keras `cell(inputs, states, training=...)`: `inputs` is `[x, states]`.
   * @example const [h, [hNew]] = cell.apply([x, [h0]]);
   */
  call(inputs: [AnyTensor, States], args: CallArgs = {}): [AnyTensor, States] {
    if (!Array.isArray(inputs) || inputs.length !== 2)
      throw new ValueError(
        `${this.className} "${this.name}": a cell is called on [inputs, states]. Received: inputs=${fmt(inputs)}`,
      );
    const [x, states] = inputs;
    const nested = Array.isArray(states);
    const [out, newStates] = this.step(x, nested ? states : [states], args.training === true);
    return [out, nested ? newStates : newStates[0]!];
  }

  /** A cell is built from the shape of its step inputs only (not of its states). */
  override maybeBuild(inputs: unknown): void {
    if (Array.isArray(inputs) && inputs.length === 2) super.maybeBuild(inputs[0]);
    else super.maybeBuild(inputs);
  }

  /** Zero states for a batch (Keras `get_initial_state`). */
  getInitialState(batchSize: number): Tensor[] {
    const sizes = typeof this.stateSize === "number" ? [this.stateSize] : this.stateSize;
    return sizes.map((d) => ops.zeros([batchSize, d], this.dtype));
  }

  private createDropoutMask(shape: readonly number[], rate: number): Tensor | Tensor[] {
    const make = (): Tensor =>
      random.dropout(ops.ones([...shape], this.dtype), rate, null, this.seedGenerator);
    if (this.dropoutMaskCount === null) return make();
    return Array.from({ length: this.dropoutMaskCount }, make);
  }

  /** The input dropout mask(s) for this sequence, drawn on first use (Keras `get_dropout_mask`). */
  getDropoutMask(stepInput: { shape: readonly (number | null)[] }): Tensor | Tensor[] | null {
    if (this.dropoutMaskCache === null && this.dropout > 0)
      this.dropoutMaskCache = this.createDropoutMask(stepInput.shape as number[], this.dropout);
    return this.dropoutMaskCache;
  }

  /** The recurrent dropout mask(s) for this sequence (Keras `get_recurrent_dropout_mask`). */
  getRecurrentDropoutMask(state: { shape: readonly (number | null)[] }): Tensor | Tensor[] | null {
    if (this.recurrentDropoutMaskCache === null && this.recurrentDropout > 0)
      this.recurrentDropoutMaskCache = this.createDropoutMask(
        state.shape as number[],
        this.recurrentDropout,
      );
    return this.recurrentDropoutMaskCache;
  }

  /** Forgets the cached masks (the RNN layer calls this after each sequence). */
  resetDropoutMask(): void {
    this.dropoutMaskCache = null;
  }

  resetRecurrentDropoutMask(): void {
    this.recurrentDropoutMaskCache = null;
  }

  /** Keras' base keys of a cell config: dropout, recurrent_dropout and seed come last. */
  protected dropoutConfig(): Record<string, unknown> {
    return { dropout: this.dropout, recurrent_dropout: this.recurrentDropout, seed: this.seed };
  }
}

/** `x * mask` where `mask` may be one of several (implementation 1) or one shared mask. */
export function applyMask(x: AnyTensor, mask: Tensor | Tensor[] | null, i: number): AnyTensor {
  if (mask === null) return x;
  const m = Array.isArray(mask) ? mask[i]! : mask;
  return ops.multiply<AnyTensor>(x, m);
}
