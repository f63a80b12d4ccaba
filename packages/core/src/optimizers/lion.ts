/**
 * Lion (Keras `keras.optimizers.Lion`).
 * Reference: keras/src/optimizers/lion.py; Chen et al., 2023.
 */
import { ValueError } from "../errors";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface LionOptions extends OptimizerOptions {
  /** Mix of momentum and gradient in the update's sign, in (0, 1]. */
  beta1?: number;
  /** Decay of the momentum. */
  beta2?: number;
}

/**
 * Lion: `w -= lr · sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g`.
 * @example const opt = new Lion({ learningRate: 1e-4 });
 */
export class Lion extends Optimizer {
  static override className = "Lion";
  static override readonly optionKeys: readonly string[] = [...BASE_OPTION_KEYS, "beta1", "beta2"];
  readonly beta1: number;
  readonly beta2: number;
  private momentums: Variable[] = [];

  constructor(options: LionOptions = {}) {
    super(options, { learningRate: 0.001, name: "lion" });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.99;
    if (this.beta1 <= 0 || this.beta1 > 1)
      throw new ValueError(
        `Argument \`beta_1\` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. Received: beta_1=${this.beta1}`,
      );
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    this.momentums = this.addOptimizerVariables(vars, ["momentum"])[0]!;
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const dt = variable.dtype;
    const lr = lax.cast(learningRate, dt);
    const beta1 = lax.scalar(this.beta1, dt);
    const beta2 = lax.scalar(this.beta2, dt);
    const m = this.momentums[this.variableIndex(variable)]!;
    variable.assignSub(
      lax.mul(lr, lax.sign(lax.add(lax.mul(m.value, beta1), lax.mul(gradient, lax.sub(1, beta1))))),
    );
    m.assign(lax.add(lax.mul(m.value, beta2), lax.mul(gradient, lax.sub(1, beta2))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2 };
  }
}
registerBuiltin("keras.optimizers", "Lion", Lion, ["lion"]);
