/**
 * LSTMCell / LSTM: Long Short-Term Memory (Hochreiter 1997), as Keras 3 computes it
 * (`keras/src/layers/rnn/lstm.py`). Gates in Keras' order i, f, c, o along the last axis of
 * `kernel` `(input_dim, 4 * units)`, `recurrent_kernel` `(units, 4 * units)` and `bias`
 * `(4 * units,)`; `unitForgetBias` initializes the forget-gate bias to ones. States `[h, c]`.
 *
 * With `recurrentDropout` Keras switches to its "implementation 1" (four separate masks per
 * dropout, one per gate); otherwise one mask per dropout ("implementation 2", fused matmul).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/lstm.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
import * as initializers from "../../initializers/index";
import { Initializer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import type { DType } from "../../tensor/dtype";
import type { Tensor } from "../../tensor/tensor";
import type { Variable } from "../../variables/variable";
import { type Shape, optionsFromConfig } from "../layer";
import { DropoutRNNCell, applyMask, checkUnits } from "./dropout_rnn_cell";
import { RNN, type RNNOptions } from "./rnn";
import {
  addCellKernels,
  cellWeightConfig,
  resolveCellWeightArgs,
  splitRNNOptions,
  type CellWeightArgs,
  type SimpleRNNCellOptions,
  type SimpleRNNOptions,
} from "./simple_rnn";

export interface LSTMCellOptions extends SimpleRNNCellOptions {
  /** Default "sigmoid". */
  recurrentActivation?: string | ActivationFunction | null;
  /** Add 1 to the forget-gate bias at initialization (default true). */
  unitForgetBias?: boolean;
  /** Keras' "implementation" switch (1 or 2); 1 is forced by `recurrentDropout`. Not in the config. */
  implementation?: 1 | 2;
}

/**
 * The LSTM bias initializer with `unit_forget_bias`: `[init(units), ones(units), init(2 * units)]`
 * (a local function in Keras; never serialized).
 */
class UnitForgetBiasInitializer extends Initializer {
  static override className = "UnitForgetBiasInitializer";
  constructor(
    private readonly base: Initializer,
    private readonly units: number,
  ) {
    super();
  }
  call(_shape: number[], dtype?: DType): Tensor {
    const u = this.units;
    return ops.concatenate([
      this.base.call([u], dtype),
      ops.ones([u], dtype ?? "float32"),
      this.base.call([2 * u], dtype),
    ]);
  }
}

/** Keras' `use_cudnn` check; the flag has no effect here (there is no cuDNN). */
export function checkUseCudnn(where: string, v: unknown): void {
  if (v !== undefined && v !== "auto" && v !== true && v !== false)
    throw new ValueError(
      `${where}: invalid value received for argument \`use_cudnn\`. Expected one of {'auto', True, False}. Received: use_cudnn=${fmt(v)}`,
    );
}

/**
 * Checks the `units` and `useCudnn` arguments of LSTM / GRU (`where`) and splits the other
 * options into the cell's and the RNN's (see `splitRNNOptions`).
 */
export function splitGatedRNNOptions<C>(
  where: string,
  units: number,
  options: SimpleRNNOptions & { useCudnn?: "auto" | boolean },
  cellName: string,
): [C, RNNOptions, "auto" | boolean] {
  checkUnits(where, units);
  const { useCudnn, ...rest } = options;
  checkUseCudnn(where, useCudnn);
  const [cellOptions, rnnOptions] = splitRNNOptions<C>(
    rest as SimpleRNNOptions & Record<string, unknown>,
    cellName,
  );
  return [cellOptions, rnnOptions, useCudnn ?? "auto"];
}

/**
 * Cell class for the LSTM layer: processes one step of the sequence.
 * @example
 * const rnn = new keras.layers.RNN(new keras.layers.LSTMCell(4), { returnState: true });
 * const [h, hState, cState] = rnn.apply(keras.random.normal([32, 10, 8])); // 3 x (32, 4)
 */
export class LSTMCell extends DropoutRNNCell {
  static override className = "LSTMCell";
  readonly units: number;
  readonly activation: ActivationFunction;
  readonly recurrentActivation: ActivationFunction;
  readonly useBias: boolean;
  readonly unitForgetBias: boolean;
  readonly implementation: 1 | 2;
  readonly w: CellWeightArgs;
  readonly stateSize: number[];
  readonly outputSize: number;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, options: LSTMCellOptions = {}) {
    checkUnits("LSTMCell", units);
    super(options);
    this.units = units;
    this.activation = activations.get(
      options.activation === undefined ? "tanh" : options.activation,
    );
    this.recurrentActivation = activations.get(
      options.recurrentActivation === undefined ? "sigmoid" : options.recurrentActivation,
    );
    this.useBias = options.useBias ?? true;
    this.w = resolveCellWeightArgs(options);
    this.unitForgetBias = options.unitForgetBias ?? true;
    this.implementation = this.recurrentDropout !== 0 ? 1 : (options.implementation ?? 2);
    if (this.implementation === 1) this.dropoutMaskCount = 4;
    this.stateSize = [units, units];
    this.outputSize = units;
  }

  override build(inputShape: Shape): void {
    const w = this.w;
    const u = this.units;
    [this.kernel, this.recurrentKernel] = addCellKernels(this, inputShape, 4);
    if (this.useBias)
      this.bias = this.addWeight({
        shape: [4 * u],
        name: "bias",
        initializer: this.unitForgetBias
          ? new UnitForgetBiasInitializer(w.biasInitializer, u)
          : w.biasInitializer,
        regularizer: w.biasRegularizer,
        constraint: w.biasConstraint,
      });
    super.build(inputShape);
  }

  step(inputs: AnyTensor, states: AnyTensor[], training: boolean): [AnyTensor, AnyTensor[]] {
    const hPrev = states[0]!;
    const cPrev = states[1]!;
    const ra = this.recurrentActivation;
    let i: AnyTensor, f: AnyTensor, o: AnyTensor, cand: AnyTensor;
    if (this.implementation === 1) {
      // One matmul per gate, each with its own dropout masks.
      const dp = training ? this.getDropoutMask(inputs) : null;
      const rdp = training ? this.getRecurrentDropoutMask(hPrev) : null;
      const ks = ops.split<AnyTensor>(this.kernel!.value, 4, 1);
      const rks = ops.split<AnyTensor>(this.recurrentKernel!.value, 4, 1);
      const bs = this.bias ? ops.split<AnyTensor>(this.bias.value, 4, 0) : null;
      const gate = (g: number): AnyTensor => {
        let x = ops.matmul<AnyTensor>(applyMask(inputs, dp, g), ks[g]!);
        if (bs) x = ops.add<AnyTensor>(x, bs[g]!);
        return ops.add<AnyTensor>(x, ops.matmul<AnyTensor>(applyMask(hPrev, rdp, g), rks[g]!));
      };
      i = ra(gate(0)) as AnyTensor;
      f = ra(gate(1)) as AnyTensor;
      cand = this.activation(gate(2)) as AnyTensor;
      o = ra(gate(3)) as AnyTensor;
    } else {
      let x = inputs;
      if (training) x = applyMask(x, this.getDropoutMask(x), 0);
      // (B, F) @ (F, 4U) + (B, U) @ (U, 4U) + (4U,) -> (B, 4U), gates i | f | c | o
      let z = ops.add<AnyTensor>(
        ops.matmul<AnyTensor>(x, this.kernel!.value),
        ops.matmul<AnyTensor>(hPrev, this.recurrentKernel!.value),
      );
      if (this.bias) z = ops.add<AnyTensor>(z, this.bias.value);
      const [z0, z1, z2, z3] = ops.split<AnyTensor>(z, 4, 1);
      i = ra(z0!) as AnyTensor;
      f = ra(z1!) as AnyTensor;
      cand = this.activation(z2!) as AnyTensor;
      o = ra(z3!) as AnyTensor;
    }
    const c = ops.add<AnyTensor>(ops.multiply(f, cPrev), ops.multiply(i, cand));
    const h = ops.multiply<AnyTensor>(o, this.activation(c));
    return [h, [h, c]];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
      recurrent_activation: activations.serialize(this.recurrentActivation),
      use_bias: this.useBias,
      unit_forget_bias: this.unitForgetBias,
      ...cellWeightConfig(this.w),
      ...this.dropoutConfig(),
    };
  }

  static fromConfig(config: Record<string, unknown>): LSTMCell {
    return new LSTMCell(
      config.units as number,
      optionsFromConfig<LSTMCellOptions>(config, ["units"]),
    );
  }
}

export interface LSTMOptions extends LSTMCellOptions, RNNOptions {
  /** Keras' cuDNN switch: "auto" | true | false; accepted and validated, no effect here. */
  useCudnn?: "auto" | boolean;
}

/**
 * Long Short-Term Memory layer (Hochreiter 1997).
 * @example
 * const lstm = new keras.layers.LSTM(4, { returnSequences: true, returnState: true });
 * const [seq, h, c] = lstm.apply(keras.random.normal([32, 10, 8])); // (32, 10, 4), (32, 4), (32, 4)
 */
export class LSTM extends RNN {
  static override className = "LSTM";
  declare readonly cell: LSTMCell;
  readonly useCudnn: "auto" | boolean;

  constructor(units: number, options: LSTMOptions = {}) {
    const [cellOptions, rnnOptions, useCudnn] = splitGatedRNNOptions<LSTMCellOptions>(
      "LSTM",
      units,
      options,
      "lstm_cell",
    );
    super(new LSTMCell(units, cellOptions), rnnOptions);
    this.useCudnn = useCudnn;
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
      recurrent_activation: activations.serialize(c.recurrentActivation),
      use_bias: c.useBias,
      kernel_initializer: initializers.serialize(c.w.kernelInitializer),
      recurrent_initializer: initializers.serialize(c.w.recurrentInitializer),
      bias_initializer: initializers.serialize(c.w.biasInitializer),
      unit_forget_bias: c.unitForgetBias,
      ...cellWeightConfig(c.w, this.activityRegularizer),
      dropout: c.dropout,
      recurrent_dropout: c.recurrentDropout,
      seed: c.seed,
    };
  }

  static override fromConfig(config: Record<string, unknown>): LSTM {
    return new LSTM(config.units as number, optionsFromConfig<LSTMOptions>(config, ["units"]));
  }
}

registerBuiltin("keras.layers", "LSTMCell", LSTMCell);
registerBuiltin("keras.layers", "LSTM", LSTM);
