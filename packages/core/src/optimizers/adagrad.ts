/**
 * Adagrad (Keras `keras.optimizers.Adagrad`).
 * Reference: keras/src/optimizers/adagrad.py.
 */
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the squared-gradient accumulators (>= 0). */
  initialAccumulatorValue?: number;
  epsilon?: number;
}

/**
 * Adagrad (Duchi et al.): `a += g²; w -= lr g / sqrt(a + eps)`.
 * @example const opt = new Adagrad({ learningRate: 0.1 });
 */
export class Adagrad extends Optimizer {
  static override className = "Adagrad";
  static override readonly optionKeys: readonly string[] = [
    ...BASE_OPTION_KEYS,
    "initialAccumulatorValue",
    "epsilon",
  ];
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  private accumulators: Variable[] = [];

  constructor(options: AdagradOptions = {}) {
    super(options, { learningRate: 0.001, name: "adagrad" });
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    this.accumulators = this.addOptimizerVariables(
      vars,
      ["accumulator"],
      [this.initialAccumulatorValue],
    )[0]!;
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const lr = lax.cast(learningRate, variable.dtype);
    const acc = this.accumulators[this.variableIndex(variable)]!;
    acc.assignAdd(lax.mul(gradient, gradient));
    variable.assignSub(lax.div(lax.mul(lr, gradient), lax.sqrt(lax.add(acc.value, this.epsilon))));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      initial_accumulator_value: this.initialAccumulatorValue,
      epsilon: this.epsilon,
    };
  }
}
registerBuiltin("keras.optimizers", "Adagrad", Adagrad, ["adagrad"]);
