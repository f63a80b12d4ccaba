/**
 * SimpleRNNCell / SimpleRNN: the fully-connected recurrent layer
 * `h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)`
 * (Keras 3 `keras/src/layers/rnn/simple_rnn.py`). The weights live in the cell
 * (`simple_rnn/simple_rnn_cell/kernel`, `recurrent_kernel`, `bias`).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/simple_rnn.py
 */
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import type { Variable } from "../../variables/variable";
import { type Layer, type Shape, optionsFromConfig, type Identifier } from "../layer";
import {
  DropoutRNNCell,
  applyMask,
  checkUnits,
  type DropoutRNNCellOptions,
} from "./dropout_rnn_cell";
import { RNN, type RNNOptions } from "./rnn";

export interface SimpleRNNCellOptions extends DropoutRNNCellOptions {
  /** Default "tanh". */
  activation?: string | ActivationFunction | null;
  useBias?: boolean;
  /** Default "glorot_uniform". */
  kernelInitializer?: Identifier<Initializer>;
  /** Default "orthogonal". */
  recurrentInitializer?: Identifier<Initializer>;
  /** Default "zeros". */
  biasInitializer?: Identifier<Initializer>;
  kernelRegularizer?: Identifier<Regularizer>;
  recurrentRegularizer?: Identifier<Regularizer>;
  biasRegularizer?: Identifier<Regularizer>;
  kernelConstraint?: Identifier<Constraint>;
  recurrentConstraint?: Identifier<Constraint>;
  biasConstraint?: Identifier<Constraint>;
}

/** The weight arguments shared by the three built-in cells, resolved. */
export interface CellWeightArgs {
  kernelInitializer: Initializer;
  recurrentInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer: Regularizer | null;
  recurrentRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
  kernelConstraint: Constraint | null;
  recurrentConstraint: Constraint | null;
  biasConstraint: Constraint | null;
}

/** Resolves the initializer / regularizer / constraint identifiers with Keras' defaults. */
export function resolveCellWeightArgs(o: SimpleRNNCellOptions): CellWeightArgs {
  return {
    kernelInitializer: initializers.get(o.kernelInitializer ?? "glorot_uniform"),
    recurrentInitializer: initializers.get(o.recurrentInitializer ?? "orthogonal"),
    biasInitializer: initializers.get(o.biasInitializer ?? "zeros"),
    kernelRegularizer: regularizers.get(o.kernelRegularizer ?? null),
    recurrentRegularizer: regularizers.get(o.recurrentRegularizer ?? null),
    biasRegularizer: regularizers.get(o.biasRegularizer ?? null),
    kernelConstraint: constraints.get(o.kernelConstraint ?? null),
    recurrentConstraint: constraints.get(o.recurrentConstraint ?? null),
    biasConstraint: constraints.get(o.biasConstraint ?? null),
  };
}

/**
 * Creates a cell's `kernel` `(inputDim, gates * units)` and `recurrent_kernel`
 * `(units, gates * units)` from its weight arguments (the bias is the cell's own).
 */
export function addCellKernels(
  cell: Layer & { readonly units: number; readonly w: CellWeightArgs },
  inputShape: Shape,
  gates: number,
): [Variable, Variable] {
  const { w, units } = cell;
  const kernel = cell.addWeight({
    shape: [inputShape[inputShape.length - 1] as number, gates * units],
    name: "kernel",
    initializer: w.kernelInitializer,
    regularizer: w.kernelRegularizer,
    constraint: w.kernelConstraint,
  });
  const recurrentKernel = cell.addWeight({
    shape: [units, gates * units],
    name: "recurrent_kernel",
    initializer: w.recurrentInitializer,
    regularizer: w.recurrentRegularizer,
    constraint: w.recurrentConstraint,
  });
  return [kernel, recurrentKernel];
}

/** The serialized initializers, regularizers and constraints, in Keras' config order. */
export function cellWeightConfig(
  w: CellWeightArgs,
  activityRegularizer?: Regularizer | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kernel_initializer: serializeKerasObject(w.kernelInitializer),
    recurrent_initializer: serializeKerasObject(w.recurrentInitializer),
    bias_initializer: serializeKerasObject(w.biasInitializer),
    kernel_regularizer: serializeKerasObject(w.kernelRegularizer),
    recurrent_regularizer: serializeKerasObject(w.recurrentRegularizer),
    bias_regularizer: serializeKerasObject(w.biasRegularizer),
  };
  if (activityRegularizer !== undefined)
    out.activity_regularizer = serializeKerasObject(activityRegularizer);
  out.kernel_constraint = serializeKerasObject(w.kernelConstraint);
  out.recurrent_constraint = serializeKerasObject(w.recurrentConstraint);
  out.bias_constraint = serializeKerasObject(w.biasConstraint);
  return out;
}

/**
 * Cell class for SimpleRNN: processes one step of the sequence.
 * @example
 * const rnn = new keras.layers.RNN(new keras.layers.SimpleRNNCell(4));
 * rnn.apply(keras.random.normal([32, 10, 8])).shape; // [32, 4]
 */
export class SimpleRNNCell extends DropoutRNNCell {
  static override className = "SimpleRNNCell";
  readonly units: number;
  readonly activation: ActivationFunction;
  readonly useBias: boolean;
  readonly w: CellWeightArgs;
  readonly stateSize: number;
  readonly outputSize: number;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, options: SimpleRNNCellOptions = {}) {
    checkUnits("SimpleRNNCell", units);
    super(options);
    this.units = units;
    this.activation = activations.get(
      options.activation === undefined ? "tanh" : options.activation,
    );
    this.useBias = options.useBias ?? true;
    this.w = resolveCellWeightArgs(options);
    this.stateSize = units;
    this.outputSize = units;
  }

  override build(inputShape: Shape): void {
    const w = this.w;
    [this.kernel, this.recurrentKernel] = addCellKernels(this, inputShape, 1);
    if (this.useBias)
      this.bias = this.addWeight({
        shape: [this.units],
        name: "bias",
        initializer: w.biasInitializer,
        regularizer: w.biasRegularizer,
        constraint: w.biasConstraint,
      });
    super.build(inputShape);
  }

  step(inputs: AnyTensor, states: AnyTensor[], training: boolean): [AnyTensor, AnyTensor[]] {
    let x = inputs;
    let prev = states[0]!;
    if (training) {
      x = applyMask(x, this.getDropoutMask(x), 0);
      prev = applyMask(prev, this.getRecurrentDropoutMask(prev), 0);
    }
    // (B, F) @ (F, U) + (U,) + (B, U) @ (U, U) -> (B, U)
    let h = ops.matmul<AnyTensor>(x, this.kernel!.value);
    if (this.bias) h = ops.add<AnyTensor>(h, this.bias.value);
    const output = this.activation(
      ops.add<AnyTensor>(h, ops.matmul<AnyTensor>(prev, this.recurrentKernel!.value)),
    ) as AnyTensor;
    return [output, [output]];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
      use_bias: this.useBias,
      ...cellWeightConfig(this.w),
      ...this.dropoutConfig(),
    };
  }

  static fromConfig(config: Record<string, unknown>): SimpleRNNCell {
    return new SimpleRNNCell(
      config.units as number,
      optionsFromConfig<SimpleRNNCellOptions>(config, ["units"]),
    );
  }
}

export interface SimpleRNNOptions extends SimpleRNNCellOptions, RNNOptions {}

/** The options of SimpleRNN / LSTM / GRU that go to the RNN layer, not to its cell. */
const RNN_OPTION_KEYS = [
  "returnSequences",
  "returnState",
  "goBackwards",
  "stateful",
  "unroll",
  "zeroOutputForMask",
  "name",
  "trainable",
  "dtype",
  "inputShape",
  "batchSize",
  "inputDim",
  "activityRegularizer",
] as const;

/**
 * Splits SimpleRNN / LSTM / GRU options into the cell's and the RNN's; the cell also gets the
 * layer's `dtype` and `trainable`, and the name `cellName`.
 */
export function splitRNNOptions<C>(
  options: SimpleRNNOptions & Record<string, unknown>,
  cellName: string,
): [C, RNNOptions] {
  const cellOptions: Record<string, unknown> = { ...options };
  const rnn: Record<string, unknown> = {};
  for (const k of RNN_OPTION_KEYS) {
    rnn[k] = options[k];
    delete cellOptions[k];
  }
  const { dtype, trainable } = options;
  return [{ ...cellOptions, dtype, trainable, name: cellName } as C, rnn as RNNOptions];
}

/**
 * Fully-connected RNN where the output is fed back as the new input.
 *
 * As in Keras 3, `activityRegularizer` is accepted but not applied (Keras' SimpleRNN does not
 * pass it on), and `seed` is not part of the config.
 * @example
 * const rnn = new keras.layers.SimpleRNN(4, { returnSequences: true, returnState: true });
 * const [seq, h] = rnn.apply(keras.random.normal([32, 10, 8])); // (32, 10, 4), (32, 4)
 */
export class SimpleRNN extends RNN {
  static override className = "SimpleRNN";
  declare readonly cell: SimpleRNNCell;

  constructor(units: number, options: SimpleRNNOptions = {}) {
    checkUnits("SimpleRNN", units);
    const [cellOptions, rnnOptions] = splitRNNOptions<SimpleRNNCellOptions>(
      options as SimpleRNNOptions & Record<string, unknown>,
      "simple_rnn_cell",
    );
    super(new SimpleRNNCell(units, cellOptions), { ...rnnOptions, activityRegularizer: null });
    this.inputNdim = 3;
  }

  get units(): number {
    return this.cell.units;
  }

  override getConfig(): Record<string, unknown> {
    const c = this.cell;
    return {
      ...this.rnnBaseConfig(),
      units: c.units,
      activation: activations.serialize(c.activation),
      use_bias: c.useBias,
      ...cellWeightConfig(c.w, this.activityRegularizer),
      dropout: c.dropout,
      recurrent_dropout: c.recurrentDropout,
    };
  }

  static override fromConfig(config: Record<string, unknown>): SimpleRNN {
    return new SimpleRNN(
      config.units as number,
      optionsFromConfig<SimpleRNNOptions>(config, ["units"]),
    );
  }
}

registerBuiltin("keras.layers", "SimpleRNNCell", SimpleRNNCell);
registerBuiltin("keras.layers", "SimpleRNN", SimpleRNN);
