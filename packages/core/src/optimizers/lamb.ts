/**
 * LAMB, layer-wise adaptive Adam (Keras `keras.optimizers.Lamb`).
 * Reference: keras/src/optimizers/lamb.py; You et al., 2019.
 */
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface LambOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

const sumAll = (x: Tensor): Tensor =>
  lax.sum(
    x,
    x.shape.map((_, i) => i),
  );

/**
 * Lamb: the bias-corrected Adam direction `u = m̂ / (sqrt(v̂) + eps)`, scaled per variable by the
 * trust ratio `||w|| / ||u||` (1 when either norm is 0): `w -= ratio · lr · u`.
 * @example const opt = new Lamb({ learningRate: 1e-3 });
 */
export class Lamb extends Optimizer {
  static override className = "Lamb";
  static override readonly optionKeys: readonly string[] = [
    ...BASE_OPTION_KEYS,
    "beta1",
    "beta2",
    "epsilon",
  ];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];

  constructor(options: LambOptions = {}) {
    super(options, { learningRate: 0.001, name: "lamb" });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    [this.momentums, this.velocities] = this.addOptimizerVariables(vars, [
      "momentum",
      "velocity",
    ]) as [Variable[], Variable[]];
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const dt = variable.dtype;
    const lr = lax.cast(learningRate, dt);
    const step = lax.cast(this.stepAsFloat(1), dt);
    const b1Power = lax.pow(lax.scalar(this.beta1, dt), step);
    const b2Power = lax.pow(lax.scalar(this.beta2, dt), step);
    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    const v = this.velocities[i]!;
    m.assignAdd(lax.mul(lax.sub(gradient, m.value), 1 - this.beta1));
    v.assignAdd(lax.mul(lax.sub(lax.mul(gradient, gradient), v.value), 1 - this.beta2));
    const mHat = lax.div(m.value, lax.sub(1, b1Power));
    const vSqrt = lax.add(lax.sqrt(lax.div(v.value, lax.sub(1, b2Power))), this.epsilon);
    const update = lax.div(mHat, vSqrt);
    const wNorm = lax.sqrt(sumAll(lax.mul(variable.value, variable.value)));
    const gNorm = lax.sqrt(sumAll(lax.mul(update, update)));
    const ratio = lax.where(
      lax.greater(wNorm, 0),
      lax.where(lax.greater(gNorm, 0), lax.div(wNorm, gNorm), 1),
      1,
    );
    variable.assignSub(lax.mul(lax.mul(ratio, lr), update));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}
registerBuiltin("keras.optimizers", "Lamb", Lamb, ["lamb"]);
