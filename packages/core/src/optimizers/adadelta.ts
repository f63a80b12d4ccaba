/**
 * Adadelta (Keras `keras.optimizers.Adadelta`).
 * Reference: keras/src/optimizers/adadelta.py.
 */
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface AdadeltaOptions extends OptimizerOptions {
  /** Decay rate of both running averages. */
  rho?: number;
  epsilon?: number;
}

/**
 * Adadelta (Zeiler): `Eg = rho Eg + (1 - rho) g²; d = -sqrt(Ed + eps) g / sqrt(Eg + eps);
 * Ed = rho Ed + (1 - rho) d²; w += lr d`.
 * @example const opt = new Adadelta({ learningRate: 1.0 });
 */
export class Adadelta extends Optimizer {
  static override className = "Adadelta";
  static override readonly optionKeys: readonly string[] = [...BASE_OPTION_KEYS, "rho", "epsilon"];
  readonly rho: number;
  readonly epsilon: number;
  private accumulatedGrads: Variable[] = [];
  private accumulatedDeltaVars: Variable[] = [];

  constructor(options: AdadeltaOptions = {}) {
    super(options, { learningRate: 0.001, name: "adadelta" });
    this.rho = options.rho ?? 0.95;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    [this.accumulatedGrads, this.accumulatedDeltaVars] = this.addOptimizerVariables(vars, [
      "accumulated_grad",
      "accumulated_delta_var",
    ]) as [Variable[], Variable[]];
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const lr = lax.cast(learningRate, variable.dtype);
    const i = this.variableIndex(variable);
    const accGrad = this.accumulatedGrads[i]!;
    const accDelta = this.accumulatedDeltaVars[i]!;
    const rho = this.rho;
    const rms = (x: Tensor): Tensor => lax.sqrt(lax.add(x, this.epsilon));
    accGrad.assign(
      lax.add(lax.mul(accGrad.value, rho), lax.mul(lax.mul(gradient, gradient), 1 - rho)),
    );
    const delta = lax.neg(lax.div(lax.mul(rms(accDelta.value), gradient), rms(accGrad.value)));
    accDelta.assign(lax.add(lax.mul(accDelta.value, rho), lax.mul(lax.mul(delta, delta), 1 - rho)));
    variable.assignAdd(lax.mul(lr, delta));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
registerBuiltin("keras.optimizers", "Adadelta", Adadelta, ["adadelta"]);
