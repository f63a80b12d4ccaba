/**
 * RNN: runs a cell over the time axis (Keras 3 `keras/src/layers/rnn/rnn.py` with the loop of
 * `backend.rnn`). The loop is unrolled eagerly, one cell call per step, so the gradient tape sees
 * every step (backpropagation through time needs nothing special). Symbolic calls do not trace
 * the loop: `computeOutputSpec` gives the known output shapes directly.
 *
 * Masking follows Keras' default (`unroll=False`) loop: at a masked step the states are carried
 * over unchanged and the output repeats the previous output (the first state), or is zero with
 * `zeroOutputForMask`. With `unroll=True` Keras repeats the previous *output* (zeros before the
 * first step) instead; both are reproduced.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/rnn.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import { tidy } from "../../engine/engine";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import { KerasTensor } from "../../symbolic/keras_tensor";
import { Tensor } from "../../tensor/tensor";
import { flatten, packSequenceAs } from "../../utils/nest";
import { Variable } from "../../variables/variable";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { DropoutRNNCell } from "./dropout_rnn_cell";
import {
  StackedRNNCells,
  cellInitialState,
  cellOutputSize,
  isRNNCell,
  type RNNCellLike,
} from "./stacked_rnn_cells";
import { buildNested, deserializeLayer } from "../sublayers";

export interface RNNOptions extends LayerOptions {
  /** Return the whole output sequence `(batch, timesteps, units)` instead of the last output. */
  returnSequences?: boolean;
  /** Also return the final states: `[output, ...states]`. */
  returnState?: boolean;
  /** Process the sequence backwards (the returned sequence is then reversed too). */
  goBackwards?: boolean;
  /** Carry the final states of a batch over as the initial states of the next (fixed batch size). */
  stateful?: boolean;
  /** Keras' hint to unroll the loop; the loop here is always unrolled eagerly (masking detail above). */
  unroll?: boolean;
  /** With a mask and `returnSequences`, output zeros at masked steps. */
  zeroOutputForMask?: boolean;
}

/** Call arguments of the recurrent layers (Keras `call(sequences, initial_state, mask, training)`). */
export interface RNNCallArgs extends CallArgs {
  /** Initial state tensor(s), one per state (default zeros, or the stored states when stateful). */
  initialState?: AnyTensor | unknown[] | null;
  /** `(batch, timesteps)` boolean mask: false = skip that step (carry the states over). */
  mask?: unknown;
}

/** `(batch,)` mask -> broadcastable against a `(batch, ...)` tensor of rank `rank`. */
function expandMask(m: Tensor, rank: number): Tensor {
  return rank <= 1 ? m : ops.reshape(m, [m.shape[0]!, ...new Array<number>(rank - 1).fill(1)]);
}

/**
 * Base class for recurrent layers: applies `cell` to every step of a `(batch, timesteps, ...)`
 * sequence. A cell is a layer with `stateSize` (and optionally `outputSize`, `getInitialState`)
 * whose `call([x, states], {training})` returns `[output, newStates]`; a list of cells is
 * stacked with StackedRNNCells.
 * @example
 * const rnn = new keras.layers.RNN(new keras.layers.LSTMCell(4), { returnSequences: true, returnState: true });
 * const [seq, h, c] = rnn.apply(keras.random.normal([32, 10, 8])); // (32, 10, 4), (32, 4), (32, 4)
 */
export class RNN extends Layer {
  static override className = "RNN";
  readonly cell: RNNCellLike;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  zeroOutputForMask: boolean;
  /** One entry per state: an int, or a list of ints for a stacked cell's states. */
  readonly stateSize: (number | readonly number[])[];
  readonly singleState: boolean;
  /** The carried states of a stateful layer (not weights: Keras does not track them either). */
  states: Variable[] | null = null;
  /** Required input rank (3 for SimpleRNN / LSTM / GRU, whose Keras InputSpec says ndim=3). */
  protected inputNdim: number | null = null;
  private stepInputShape: Shape | null = null;
  private stateStructure: unknown = null;

  constructor(cell: Layer | Layer[], options: RNNOptions = {}) {
    super(options);
    const c = Array.isArray(cell) ? new StackedRNNCells(cell) : cell;
    if (!(c instanceof Layer) || typeof (c as { call?: unknown }).call !== "function")
      throw new ValueError(
        `${this.className} "${this.name}": argument \`cell\` should have a \`call\` method. Received: cell=${fmt(cell)}`,
      );
    if (!isRNNCell(c))
      throw new ValueError(
        `${this.className} "${this.name}": the RNN cell should have a \`stateSize\` attribute (single integer or list of integers, one integer per RNN state). Received: cell=${String(c)}`,
      );
    this.cell = c;
    this.zeroOutputForMask = options.zeroOutputForMask ?? false;
    this.returnSequences = options.returnSequences ?? false;
    this.returnState = options.returnState ?? false;
    this.goBackwards = options.goBackwards ?? false;
    this.stateful = options.stateful ?? false;
    this.unroll = options.unroll ?? false;
    this.supportsMasking = true;
    const s = c.stateSize;
    if (typeof s === "number") {
      this.stateSize = [s];
      this.singleState = true;
    } else if (Array.isArray(s)) {
      this.stateSize = [...(s as (number | readonly number[])[])];
      this.singleState = false;
    } else
      throw new ValueError(
        `${this.className} "${this.name}": state_size must be an integer, or a list of integers (one for each state tensor). Received: state_size=${fmt(s)}`,
      );
  }

  /** Keras `compute_output_shape(sequences_shape)`: output shape, then the state shapes if `returnState`. */
  override computeOutputShape(sequencesShape: unknown): unknown {
    const shape = sequencesShape as Shape;
    const batch = shape[0] ?? null;
    const length = shape[1] ?? null;
    const out = cellOutputSize(this.cell);
    const outputShape: Shape = this.returnSequences ? [batch, length, out] : [batch, out];
    if (!this.returnState) return outputShape;
    const statesShape = this.stateSize.map((s) =>
      typeof s === "number" ? [batch, s] : s.map((d) => [batch, d]),
    );
    return [outputShape, ...statesShape];
  }

  /** Output specs without tracing the time loop. */
  override computeOutputSpec(inputs: AnyTensor, _args: RNNCallArgs = {}): unknown {
    this.checkInput(inputs.shape);
    if (this.unroll && inputs.shape[1] === null)
      throw new ValueError(
        `${this.className} "${this.name}": cannot unroll a RNN if the time dimension is undefined; give the time dimension in the Input shape. Received: sequences.shape=${fmt(inputs.shape)}`,
      );
    const shapes = this.computeOutputShape([...inputs.shape]);
    if (!this.returnState) return new KerasTensor(shapes as Shape, this.dtype);
    const toSpec = (s: unknown): unknown =>
      Array.isArray(s) && s.every((d) => d === null || typeof d === "number")
        ? new KerasTensor(s as Shape, this.dtype)
        : (s as unknown[]).map(toSpec);
    return (shapes as unknown[]).map(toSpec);
  }

  /** Keras `compute_mask`: the input mask for sequences, none for the last output and the states. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    const m = Array.isArray(mask) ? (mask[0] ?? null) : mask;
    const outputMask = this.returnSequences ? m : null;
    if (this.returnState) return [outputMask, ...this.stateSize.map(() => null)];
    return outputMask;
  }

  override build(sequencesShape: Shape): void {
    this.checkInput(sequencesShape);
    const stepInputShape: Shape = [sequencesShape[0] ?? null, ...sequencesShape.slice(2)];
    this.stepInputShape = stepInputShape;
    buildNested(this.name, this.cell, stepInputShape);
    if (this.stateful) {
      if (this.states !== null) this.resetState();
      else {
        const batch = sequencesShape[0];
        if (batch === null || batch === undefined)
          throw new ValueError(
            `${this.className} "${this.name}": when using \`stateful=True\` in a RNN, the batch size must be static. Found dynamic batch size: sequence.shape=${fmt(sequencesShape)}`,
          );
        this.createStateVariables(batch);
      }
    }
    super.build(sequencesShape);
  }

  private createStateVariables(batchSize: number): void {
    const init = this.getInitialState(batchSize);
    this.stateStructure = init;
    this.states = flatten(init).map((t) => {
      const v = new Variable(t as Tensor, {
        name: "rnn_state",
        trainable: false,
        dtype: this.dtype,
      });
      v.path = `${this.name}/rnn_state`;
      (t as Tensor).dispose();
      return v;
    });
  }

  /** Zero initial states (or the cell's own `getInitialState`), one entry per state. */
  getInitialState(batchSize: number): unknown[] {
    const s = cellInitialState(this.cell, batchSize, this.dtype);
    return Array.isArray(s) ? [...(s as unknown[])] : [s];
  }

  /** Sets the carried states of a stateful layer back to zeros. */
  resetState(): void {
    if (this.states === null) return;
    for (const v of this.states) v.assign(ops.zerosLike(v.value));
  }

  /** Compatibility alias of `resetState` (Keras `reset_states`). */
  resetStates(): void {
    this.resetState();
  }

  /** Rank and feature-dimension checks, for symbolic and eager calls. */
  protected checkInput(shape: readonly (number | null)[]): void {
    const head = `Layer "${this.name}" (${this.className}): input 0 is incompatible with the layer`;
    if (this.inputNdim !== null && shape.length !== this.inputNdim)
      throw new ValueError(
        `${head}: expected ndim=${this.inputNdim}, found ndim=${shape.length}. Received: input.shape=${fmt([...shape])}`,
      );
    if (shape.length < 3)
      throw new ValueError(
        `${head}: expected min_ndim=3 (batch, timesteps, features), found ndim=${shape.length}. Received: input.shape=${fmt([...shape])}`,
      );
    const step = this.stepInputShape;
    if (step !== null) {
      const feat = shape.slice(2);
      const want = step.slice(1);
      const bad =
        feat.length !== want.length ||
        feat.some((d, i) => d !== null && want[i] !== null && d !== want[i]);
      if (bad)
        throw new ValueError(
          `${head}: expected the features of each step to have shape ${fmt(want)} (the shape the layer was built with), but received an input with shape ${fmt([...shape])}. Received: input.shape=${fmt([...shape])}`,
        );
    }
  }

  call(sequences: Tensor, args: RNNCallArgs = {}): unknown {
    this.checkInput(sequences.shape);
    const T = sequences.shape[1]!;
    const B = sequences.shape[0]!;
    if (T === 0)
      throw new ValueError(
        `${this.className} "${this.name}": the sequence must have at least one time step. Received: sequences.shape=${fmt(sequences.shape)}`,
      );
    const training = args.training === true;
    let mask = args.mask as Tensor | Tensor[] | null | undefined;
    if (Array.isArray(mask)) mask = mask[0];
    if (mask !== undefined && mask !== null) {
      const ms = mask.shape;
      if (ms.length !== 2 || ms[0] !== B || ms[1] !== T)
        throw new ValueError(
          `${this.className} "${this.name}": the mask must have shape (batch, timesteps) = ${fmt([B, T])}. Received: mask.shape=${fmt(ms)}`,
        );
    }
    // Everything the loop creates, initial states included, is freed except the results.
    const [output, finalStates] = tidy(() => {
      let initial: unknown[];
      if (args.initialState === undefined || args.initialState === null) {
        initial =
          this.stateful && this.states !== null
            ? packSequenceAs<unknown[]>(
                this.stateStructure,
                this.states.map((v) => v.value),
              )
            : this.getInitialState(B);
      } else
        initial = Array.isArray(args.initialState) ? [...args.initialState] : [args.initialState];
      const nStates = flatten(initial).length;
      const nExpected = flatten(this.getInitialStateShapes()).length;
      if (nStates !== nExpected)
        throw new ValueError(
          `${this.className} "${this.name}": expected ${nExpected} initial state tensor(s) (state_size=${fmt(this.stateSize)}). Received: ${nStates} tensor(s)`,
        );
      return this.loop(sequences, initial, (mask ?? null) as Tensor | null, training);
    });
    if (this.stateful && this.states !== null) {
      const flat = flatten(finalStates) as Tensor[];
      this.states.forEach((v, i) => v.assign(ops.stopGradient(flat[i]!)));
    }
    if (this.returnState) return [output, ...finalStates];
    return output;
  }

  /** Shapes-only stand-in of the initial states (for counting). */
  private getInitialStateShapes(): unknown[] {
    return this.stateSize.map((s) =>
      typeof s === "number" ? new KerasTensor([null, s]) : s.map((d) => new KerasTensor([null, d])),
    );
  }

  /** The time loop (Keras `backend.rnn`), eagerly unrolled. Returns `[output, finalStates]`. */
  private loop(
    sequences: Tensor,
    initialStates: unknown[],
    mask: Tensor | null,
    training: boolean,
  ): [Tensor, unknown[]] {
    const T = sequences.shape[1]!;
    const B = sequences.shape[0]!;
    const cell = this.cell;
    const steps = ops.unstack(sequences, T, 1); // (B, T, ...) -> T x (B, ...)
    let maskSteps: Tensor[] | null = null;
    if (mask !== null)
      maskSteps = ops.unstack(mask.dtype === "bool" ? mask : ops.cast(mask, "bool"), T, 1); // T x (B,)
    if (this.goBackwards) {
      steps.reverse();
      maskSteps?.reverse();
    }
    // Draw the dropout masks once for the whole sequence, outside the per-step scopes.
    if (training) configDropoutMasks(cell, [B, ...sequences.shape.slice(2)], initialStates);
    let states: unknown[] = initialStates;
    const outputs: Tensor[] = [];
    try {
      for (let t = 0; t < T; t++) {
        const prevOutput = outputs.length > 0 ? outputs[outputs.length - 1]! : null;
        const [out, newStates] = tidy(() => {
          const res = cell.call([steps[t]!, states], { training }) as unknown;
          if (!Array.isArray(res) || res.length !== 2)
            throw new ValueError(
              `${this.className} "${this.name}": the cell must return [output, newStates]. Received: ${fmt(res)}`,
            );
          const [o, ns] = res as [Tensor, unknown];
          let output = o;
          let next: unknown[] = Array.isArray(ns) ? ns : [ns];
          if (maskSteps !== null) {
            const m = maskSteps[t]!;
            const flatOld = flatten(states) as Tensor[];
            const flatNew = flatten(next) as Tensor[];
            next = packSequenceAs<unknown[]>(
              next,
              flatNew.map((s, i) => ops.where(expandMask(m, s.rank), s, flatOld[i]!)),
            );
            const mo = expandMask(m, output.rank);
            if (this.zeroOutputForMask) output = ops.where(mo, output, ops.zerosLike(output));
            else {
              // Keras' scan loop repeats the first state (of the last cell when stacked); its
              // unrolled loop repeats the previous output, zeros before the first step.
              let prev: Tensor;
              if (this.unroll) prev = prevOutput ?? ops.zerosLike(output);
              else {
                const last = states[states.length - 1];
                prev = Array.isArray(states[0]) ? (last as Tensor[])[0]! : (states[0] as Tensor);
              }
              output = ops.where(mo, output, prev);
            }
          }
          return [output, next] as [Tensor, unknown[]];
        });
        outputs.push(out);
        states = newStates;
      }
    } finally {
      resetDropoutMasks(cell);
    }
    const last = outputs[outputs.length - 1]!;
    const output = this.returnSequences ? ops.stack(outputs, 1) : last; // T x (B, units) -> (B, T, units)
    return [output, states];
  }

  override getConfig(): Record<string, unknown> {
    return { ...this.rnnBaseConfig(), cell: serializeKerasObject(this.cell) };
  }

  /**
   * The layer keys and the RNN keys, in Keras' order, without `cell`: SimpleRNN, LSTM and GRU
   * put their cell's arguments after these instead (Keras deletes `cell` from their configs).
   */
  protected rnnBaseConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zero_output_for_mask: this.zeroOutputForMask,
    };
  }

  static fromConfig(config: Record<string, unknown>): RNN {
    const cell = deserializeLayer(config.cell, "RNN.fromConfig");
    return new RNN(cell, optionsFromConfig<RNNOptions>(config, ["cell"]));
  }
}

/**
 * Draws each dropout cell's masks before the loop (Keras `_maybe_config_dropout_masks`), from
 * the step-input shape and the first state; for stacked cells the next cell's input is the
 * previous cell's output.
 */
function configDropoutMasks(cell: Layer, stepShape: number[], states: unknown): void {
  if (cell instanceof DropoutRNNCell) {
    const first = Array.isArray(states) ? states[0] : states;
    cell.getDropoutMask({ shape: stepShape });
    if (first instanceof Tensor) cell.getRecurrentDropoutMask(first);
  }
  if (cell instanceof StackedRNNCells) {
    let shape = stepShape;
    cell.cells.forEach((c, i) => {
      configDropoutMasks(c, shape, (states as unknown[])[i]);
      shape = [stepShape[0]!, cellOutputSize(c)];
    });
  }
}

function resetDropoutMasks(cell: Layer): void {
  if (cell instanceof DropoutRNNCell) {
    cell.resetDropoutMask();
    cell.resetRecurrentDropoutMask();
  }
  if (cell instanceof StackedRNNCells) for (const c of cell.cells) resetDropoutMasks(c);
}

registerBuiltin("keras.layers", "RNN", RNN);
