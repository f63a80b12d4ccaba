/**
 * Adamax, Adam with the infinity norm (Keras `keras.optimizers.Adamax`).
 * Reference: keras/src/optimizers/adamax.py.
 */
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface AdamaxOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adamax (Kingma & Ba, section 7.1): `m += (g - m)(1 - b1); u = max(b2 u, |g|);
 * w -= lr m / ((1 - b1^t)(u + eps))`.
 * @example const opt = new Adamax({ learningRate: 2e-3 });
 */
export class Adamax extends Optimizer {
  static override className = "Adamax";
  static override readonly optionKeys: readonly string[] = [
    ...BASE_OPTION_KEYS,
    "beta1",
    "beta2",
    "epsilon",
  ];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private m: Variable[] = [];
  private u: Variable[] = [];

  constructor(options: AdamaxOptions = {}) {
    super(options, { learningRate: 0.001, name: "adamax" });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    [this.m, this.u] = this.addOptimizerVariables(vars, ["momentum", "norm"]) as [
      Variable[],
      Variable[],
    ];
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const dt = variable.dtype;
    const lr = lax.cast(learningRate, dt);
    const b1Power = lax.pow(lax.scalar(this.beta1, dt), lax.cast(this.stepAsFloat(1), dt));
    const i = this.variableIndex(variable);
    const m = this.m[i]!;
    const u = this.u[i]!;
    m.assignAdd(lax.mul(lax.sub(gradient, m.value), 1 - this.beta1));
    u.assign(lax.maximum(lax.mul(u.value, this.beta2), lax.abs(gradient)));
    variable.assignSub(
      lax.div(lax.mul(lr, m.value), lax.mul(lax.sub(1, b1Power), lax.add(u.value, this.epsilon))),
    );
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}
registerBuiltin("keras.optimizers", "Adamax", Adamax, ["adamax"]);
