/**
 * GRUCell / GRU: Gated Recurrent Unit (Cho et al. 2014) as Keras 3 computes it
 * (`keras/src/layers/rnn/gru.py`). Gates in Keras' order z (update), r (reset), h (candidate)
 * along the last axis of `kernel` `(input_dim, 3 * units)` and `recurrent_kernel`
 * `(units, 3 * units)`.
 *
 * `resetAfter: true` (default, cuDNN-compatible): the reset gate multiplies the recurrent
 * projection after the matmul, and there are separate input and recurrent biases, `bias`
 * `(2, 3 * units)`. `resetAfter: false`: `r * h` goes into the matmul, `bias` `(3 * units,)`.
 * Output `h = z * h_prev + (1 - z) * hh`.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/gru.py
 */
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import type { ActivationFunction } from "../../activations/index";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import type { Variable } from "../../variables/variable";
import { type Shape, optionsFromConfig } from "../layer";
import { DropoutRNNCell, applyMask, checkUnits } from "./dropout_rnn_cell";
import { splitGatedRNNOptions } from "./lstm";
import { RNN, type RNNOptions } from "./rnn";
import {
  addCellKernels,
  cellWeightConfig,
  resolveCellWeightArgs,
  type CellWeightArgs,
  type SimpleRNNCellOptions,
} from "./simple_rnn";

export interface GRUCellOptions extends SimpleRNNCellOptions {
  /** Default "sigmoid". */
  recurrentActivation?: string | ActivationFunction | null;
  /** Apply the reset gate after the recurrent matmul (default true). */
  resetAfter?: boolean;
  /** Keras' "implementation" switch (1 or 2); 1 is forced by `recurrentDropout`. Not in the config. */
  implementation?: 1 | 2;
}

/**
 * Cell class for the GRU layer: processes one step of the sequence.
 * @example
 * const rnn = new keras.layers.RNN(new keras.layers.GRUCell(4), { returnSequences: true });
 * rnn.apply(keras.random.normal([32, 10, 8])).shape; // [32, 10, 4]
 */
export class GRUCell extends DropoutRNNCell {
  static override className = "GRUCell";
  readonly units: number;
  readonly activation: ActivationFunction;
  readonly recurrentActivation: ActivationFunction;
  readonly useBias: boolean;
  readonly resetAfter: boolean;
  readonly implementation: 1 | 2;
  readonly w: CellWeightArgs;
  readonly stateSize: number;
  readonly outputSize: number;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, options: GRUCellOptions = {}) {
    checkUnits("GRUCell", units);
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
    this.implementation = this.recurrentDropout !== 0 ? 1 : (options.implementation ?? 2);
    if (this.implementation === 1) this.dropoutMaskCount = 3;
    this.resetAfter = options.resetAfter ?? true;
    this.stateSize = units;
    this.outputSize = units;
  }

  override build(inputShape: Shape): void {
    const w = this.w;
    const u = this.units;
    [this.kernel, this.recurrentKernel] = addCellKernels(this, inputShape, 3);
    if (this.useBias)
      this.bias = this.addWeight({
        // Separate input and recurrent biases with reset_after; the (2, 3u) shape (not (6u,))
        // is what Keras uses to tell these weights from CuDNNGRU's.
        shape: this.resetAfter ? [2, 3 * u] : [3 * u],
        name: "bias",
        initializer: w.biasInitializer,
        regularizer: w.biasRegularizer,
        constraint: w.biasConstraint,
      });
    super.build(inputShape);
  }

  step(inputs: AnyTensor, states: AnyTensor[], training: boolean): [AnyTensor, AnyTensor[]] {
    const hPrev = states[0]!;
    const u = this.units;
    const ra = this.recurrentActivation;
    let inputBias: AnyTensor | null = null;
    let recurrentBias: AnyTensor | null = null;
    if (this.bias) {
      if (this.resetAfter) {
        const [b0, b1] = ops.split<AnyTensor>(this.bias.value, 2, 0);
        inputBias = ops.squeeze<AnyTensor>(b0!, 0);
        recurrentBias = ops.squeeze<AnyTensor>(b1!, 0);
      } else inputBias = this.bias.value;
    }
    const rk = this.recurrentKernel!.value;
    let z: AnyTensor, r: AnyTensor, hh: AnyTensor;
    if (this.implementation === 1) {
      const dp = training ? this.getDropoutMask(inputs) : null;
      const rdp = training ? this.getRecurrentDropoutMask(hPrev) : null;
      const [kz, kr, kh] = ops.split<AnyTensor>(this.kernel!.value, 3, 1);
      const [rkz, rkr, rkh] = ops.split<AnyTensor>(rk, 3, 1);
      const [ibz, ibr, ibh] = inputBias
        ? ops.split<AnyTensor>(inputBias, 3, 0)
        : [null, null, null];
      const [rbz, rbr, rbh] = recurrentBias
        ? ops.split<AnyTensor>(recurrentBias, 3, 0)
        : [null, null, null];
      const addB = (x: AnyTensor, b: AnyTensor | null | undefined): AnyTensor =>
        b ? ops.add<AnyTensor>(x, b) : x;
      const xz = addB(ops.matmul<AnyTensor>(applyMask(inputs, dp, 0), kz!), ibz);
      const xr = addB(ops.matmul<AnyTensor>(applyMask(inputs, dp, 1), kr!), ibr);
      const xh = addB(ops.matmul<AnyTensor>(applyMask(inputs, dp, 2), kh!), ibh);
      const hz = applyMask(hPrev, rdp, 0);
      const hr = applyMask(hPrev, rdp, 1);
      const hH = applyMask(hPrev, rdp, 2);
      const recZ = addB(ops.matmul<AnyTensor>(hz, rkz!), rbz);
      const recR = addB(ops.matmul<AnyTensor>(hr, rkr!), rbr);
      z = ra(ops.add(xz, recZ)) as AnyTensor;
      r = ra(ops.add(xr, recR)) as AnyTensor;
      const recH = this.resetAfter
        ? ops.multiply<AnyTensor>(r, addB(ops.matmul<AnyTensor>(hH, rkh!), rbh))
        : ops.matmul<AnyTensor>(ops.multiply(r, hH), rkh!);
      hh = this.activation(ops.add(xh, recH)) as AnyTensor;
    } else {
      let x = inputs;
      if (training) x = applyMask(x, this.getDropoutMask(x), 0);
      // Inputs projected by all gate matrices at once: (B, F) @ (F, 3U) -> (B, 3U), z | r | h.
      let matrixX = ops.matmul<AnyTensor>(x, this.kernel!.value);
      if (inputBias) matrixX = ops.add<AnyTensor>(matrixX, inputBias);
      const [xz, xr, xh] = ops.split<AnyTensor>(matrixX, 3, -1);
      let recZ: AnyTensor, recR: AnyTensor, recH: AnyTensor;
      if (this.resetAfter) {
        let inner = ops.matmul<AnyTensor>(hPrev, rk); // (B, U) @ (U, 3U) -> (B, 3U)
        if (recurrentBias) inner = ops.add<AnyTensor>(inner, recurrentBias);
        [recZ, recR, recH] = ops.split<AnyTensor>(inner, 3, -1) as [
          AnyTensor,
          AnyTensor,
          AnyTensor,
        ];
      } else {
        const [rkZR, rkH] = ops.split<AnyTensor>(rk, [2 * u], 1);
        const inner = ops.matmul<AnyTensor>(hPrev, rkZR!); // (B, U) @ (U, 2U) -> (B, 2U)
        [recZ, recR] = ops.split<AnyTensor>(inner, 2, -1) as [AnyTensor, AnyTensor];
        recH = rkH!;
      }
      z = ra(ops.add(xz!, recZ)) as AnyTensor;
      r = ra(ops.add(xr!, recR)) as AnyTensor;
      recH = this.resetAfter
        ? ops.multiply<AnyTensor>(r, recH)
        : ops.matmul<AnyTensor>(ops.multiply(r, hPrev), recH);
      hh = this.activation(ops.add(xh!, recH)) as AnyTensor;
    }
    // Previous and candidate state mixed by the update gate.
    const h = ops.add<AnyTensor>(ops.multiply(z, hPrev), ops.multiply(ops.subtract(1, z), hh));
    return [h, [h]];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activations.serialize(this.activation),
      recurrent_activation: activations.serialize(this.recurrentActivation),
      use_bias: this.useBias,
      ...cellWeightConfig(this.w),
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      reset_after: this.resetAfter,
      seed: this.seed,
    };
  }

  static fromConfig(config: Record<string, unknown>): GRUCell {
    return new GRUCell(
      config.units as number,
      optionsFromConfig<GRUCellOptions>(config, ["units"]),
    );
  }
}

export interface GRUOptions extends GRUCellOptions, RNNOptions {
  /** Keras' cuDNN switch: "auto" | true | false; accepted and validated, no effect here. */
  useCudnn?: "auto" | boolean;
}

/**
 * Gated Recurrent Unit layer (Cho et al. 2014).
 * @example
 * const gru = new keras.layers.GRU(4, { returnSequences: true, returnState: true });
 * const [seq, h] = gru.apply(keras.random.normal([32, 10, 8])); // (32, 10, 4), (32, 4)
 */
export class GRU extends RNN {
  static override className = "GRU";
  declare readonly cell: GRUCell;
  readonly useCudnn: "auto" | boolean;

  constructor(units: number, options: GRUOptions = {}) {
    const [cellOptions, rnnOptions, useCudnn] = splitGatedRNNOptions<GRUCellOptions>(
      "GRU",
      units,
      options,
      "gru_cell",
    );
    super(new GRUCell(units, cellOptions), rnnOptions);
    this.useCudnn = useCudnn;
    this.inputNdim = 3;
  }

  get units(): number {
    return this.cell.units;
  }

  get resetAfter(): boolean {
    return this.cell.resetAfter;
  }

  override getConfig(): Record<string, unknown> {
    const c = this.cell;
    return {
      ...this.rnnBaseConfig(),
      units: c.units,
      activation: activations.serialize(c.activation),
      recurrent_activation: activations.serialize(c.recurrentActivation),
      use_bias: c.useBias,
      ...cellWeightConfig(c.w, this.activityRegularizer),
      dropout: c.dropout,
      recurrent_dropout: c.recurrentDropout,
      reset_after: c.resetAfter,
      seed: c.seed,
    };
  }

  static override fromConfig(config: Record<string, unknown>): GRU {
    return new GRU(config.units as number, optionsFromConfig<GRUOptions>(config, ["units"]));
  }
}

registerBuiltin("keras.layers", "GRUCell", GRUCell);
registerBuiltin("keras.layers", "GRU", GRU);
