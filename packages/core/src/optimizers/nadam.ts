/**
 * Nadam, Adam with Nesterov momentum (Keras `keras.optimizers.Nadam`). Besides the per-variable
 * momentum and velocity it keeps one scalar, the running product of the momentum schedule
 * (`nadam/variable`, saved after the slots, as Keras does).
 * Reference: keras/src/optimizers/nadam.py; Dozat, 2015.
 */
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface NadamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Nadam: Adam whose first moment uses the momentum schedule `u_t = b1 (1 - 0.5 · 0.96^t)`.
 * @example const opt = new Nadam({ learningRate: 2e-3 });
 */
export class Nadam extends Optimizer {
  static override className = "Nadam";
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
  private uProduct: Variable | null = null;

  constructor(options: NadamOptions = {}) {
    super(options, { learningRate: 0.001, name: "nadam" });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    const dtype = vars.length > 0 ? vars[0]!.dtype : "float32";
    super.build(vars);
    [this.momentums, this.velocities] = this.addOptimizerVariables(vars, [
      "momentum",
      "velocity",
    ]) as [Variable[], Variable[]];
    // Keras creates it as a bare `backend.Variable(1.0)`, auto-named "variable".
    this.uProduct = this.addVariable({ shape: [], dtype, name: "variable", fill: 1 });
  }

  protected override backendUpdateStep(
    grads: Tensor[],
    vars: Variable[],
    learningRate: Tensor,
  ): void {
    const u = this.uProduct!;
    const step = lax.cast(this.stepAsFloat(1), u.dtype);
    const factor = lax.sub(1, lax.mul(lax.pow(lax.scalar(0.96, u.dtype), step), 0.5));
    u.assign(lax.mul(lax.mul(u.value, this.beta1), factor));
    super.backendUpdateStep(grads, vars, learningRate);
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const dt = variable.dtype;
    const lr = lax.cast(learningRate, dt);
    const localStep = lax.cast(this.stepAsFloat(1), dt);
    const nextStep = lax.cast(this.stepAsFloat(2), dt);
    const decay = lax.scalar(0.96, dt);
    const beta1 = lax.scalar(this.beta1, dt);
    const beta2 = lax.scalar(this.beta2, dt);
    const uT = lax.mul(beta1, lax.sub(1, lax.mul(lax.pow(decay, localStep), 0.5)));
    const uT1 = lax.mul(beta1, lax.sub(1, lax.mul(lax.pow(decay, nextStep), 0.5)));
    const uProductT = lax.cast(this.uProduct!.value, dt);
    const uProductT1 = lax.mul(uProductT, uT1);
    const beta2Power = lax.pow(beta2, localStep);

    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    const v = this.velocities[i]!;
    m.assignAdd(lax.mul(lax.sub(gradient, m.value), lax.sub(1, beta1)));
    v.assignAdd(lax.mul(lax.sub(lax.mul(gradient, gradient), v.value), lax.sub(1, beta2)));
    const mHat = lax.add(
      lax.div(lax.mul(uT1, m.value), lax.sub(1, uProductT1)),
      lax.div(lax.mul(lax.sub(1, uT), gradient), lax.sub(1, uProductT)),
    );
    const vHat = lax.div(v.value, lax.sub(1, beta2Power));
    variable.assignSub(lax.div(lax.mul(mHat, lr), lax.add(lax.sqrt(vHat), this.epsilon)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}
registerBuiltin("keras.optimizers", "Nadam", Nadam, ["nadam"]);
