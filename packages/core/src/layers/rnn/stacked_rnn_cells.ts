/**
 * StackedRNNCells: a list of RNN cells that behaves as one cell, each cell's output feeding the
 * next (Keras 3 `keras/src/layers/rnn/stacked_rnn_cells.py`). `RNN([cellA, cellB])` wraps its
 * list in one of these.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/stacked_rnn_cells.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import {
  Layer,
  type CallArgs,
  type LayerOptions,
  type Shape,
  optionsFromConfig,
  buildLayer,
} from "../layer";
import { deserializeLayer } from "../sublayers";

/** What the RNN layer needs from a cell (Keras duck-types `call` and `state_size`). */
export interface RNNCellLike extends Layer {
  /** One int per state tensor, or one int for a single state; nested lists for stacked cells. */
  readonly stateSize: number | readonly (number | readonly number[])[];
  /** Size of the step output (default: the first state size). */
  readonly outputSize?: number;
  getInitialState?(batchSize: number): unknown;
}

/** Is `x` a layer usable as an RNN cell (has `stateSize`)? */
export function isRNNCell(x: unknown): x is RNNCellLike {
  return x instanceof Layer && (x as { stateSize?: unknown }).stateSize !== undefined;
}

/** Keras' rule for a cell's output size: `output_size`, else the first state size. */
export function cellOutputSize(cell: RNNCellLike): number {
  if (typeof cell.outputSize === "number") return cell.outputSize;
  const s = cell.stateSize;
  if (typeof s === "number") return s;
  const first = s[0]!;
  return typeof first === "number" ? first : first[0]!;
}

/** Zero initial states of one cell: its own `getInitialState`, else zeros per state size. */
export function cellInitialState(cell: RNNCellLike, batchSize: number, dtype: string): unknown {
  if (typeof cell.getInitialState === "function") return cell.getInitialState(batchSize);
  const s = cell.stateSize;
  if (typeof s === "number") return ops.zeros([batchSize, s], dtype);
  return s.map((d) =>
    typeof d === "number"
      ? ops.zeros([batchSize, d], dtype)
      : d.map((e) => ops.zeros([batchSize, e], dtype)),
  );
}

/**
 * Wrapper allowing a stack of RNN cells to behave as a single cell.
 * @example
 * const cells = [new keras.layers.LSTMCell(8), new keras.layers.GRUCell(4)];
 * const rnn = new keras.layers.RNN(new keras.layers.StackedRNNCells(cells));
 * rnn.apply(keras.Input([10, 3])); // shape (None, 4)
 */
export class StackedRNNCells extends Layer {
  static override className = "StackedRNNCells";
  readonly cells: RNNCellLike[];

  constructor(cells: Layer[], options: LayerOptions = {}) {
    super(options);
    if (!Array.isArray(cells))
      throw new ValueError(
        `StackedRNNCells "${this.name}": \`cells\` must be a list of RNN cells. Received: cells=${fmt(cells)}`,
      );
    for (const cell of cells)
      if (!isRNNCell(cell))
        throw new ValueError(
          `StackedRNNCells "${this.name}": all cells must be layers with a \`stateSize\` attribute. Received: cell=${String(cell)}`,
        );
    this.cells = [...(cells as RNNCellLike[])];
  }

  get stateSize(): (number | readonly number[])[] {
    return this.cells.map((c) => c.stateSize as number | readonly number[]);
  }

  get outputSize(): number {
    return cellOutputSize(this.cells[this.cells.length - 1]!);
  }

  getInitialState(batchSize: number): unknown[] {
    return this.cells.map((c) => cellInitialState(c, batchSize, this.dtype));
  }

  override build(inputShape: Shape): void {
    let shape: Shape = inputShape;
    for (const cell of this.cells) {
      buildLayer(cell, shape);
      shape = [inputShape[0] ?? null, cellOutputSize(cell)];
    }
    super.build(inputShape);
  }

  override maybeBuild(inputs: unknown): void {
    if (Array.isArray(inputs) && inputs.length === 2) super.maybeBuild(inputs[0]);
    else super.maybeBuild(inputs);
  }

  /** `inputs` is `[x, states]` with one entry of `states` per cell. */
  call(inputs: [AnyTensor, unknown[]], args: CallArgs = {}): [AnyTensor, unknown[]] {
    const states = inputs[1];
    let x = inputs[0];
    if (!Array.isArray(states) || states.length !== this.cells.length)
      throw new ValueError(
        `StackedRNNCells "${this.name}": expected one state entry per cell (${this.cells.length}). Received: ${Array.isArray(states) ? states.length : fmt(states)} entries`,
      );
    const newStates: unknown[] = [];
    this.cells.forEach((cell, i) => {
      const s = states[i];
      const isList = Array.isArray(s);
      const [out, ns] = cell.call([x, isList ? s : [s]], { training: args.training }) as [
        AnyTensor,
        unknown,
      ];
      x = out;
      const nsList = Array.isArray(ns) ? ns : [ns];
      newStates.push(nsList.length === 1 && !isList ? nsList[0] : nsList);
    });
    return [x, newStates];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map((c) => serializeKerasObject(c)) };
  }

  static fromConfig(config: Record<string, unknown>): StackedRNNCells {
    const cells = (config.cells as unknown[]).map((c) =>
      deserializeLayer(c, "StackedRNNCells.fromConfig"),
    );
    return new StackedRNNCells(cells, optionsFromConfig(config, ["cells"]));
  }
}

registerBuiltin("keras.layers", "StackedRNNCells", StackedRNNCells);
