/**
 * RMSprop (Keras `keras.optimizers.RMSprop`), with optional plain momentum and centering.
 * Reference: keras/src/optimizers/rmsprop.py.
 */
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface RMSpropOptions extends OptimizerOptions {
  /** Discount of the squared-gradient average. */
  rho?: number;
  /** Plain (not Nesterov) momentum; 0 keeps no momentum slots. */
  momentum?: number;
  epsilon?: number;
  /** Normalize by the estimated variance instead of the uncentered second moment. */
  centered?: boolean;
}

/**
 * RMSprop (Hinton): `v = rho v + (1 - rho) g²; w -= lr g / sqrt(v + eps)`; centered subtracts
 * the squared running mean of g inside the root.
 * @example const opt = new RMSprop({ learningRate: 1e-3, rho: 0.9 });
 */
export class RMSprop extends Optimizer {
  static override className = "RMSprop";
  static override readonly optionKeys: readonly string[] = [
    ...BASE_OPTION_KEYS,
    "rho",
    "momentum",
    "epsilon",
    "centered",
  ];
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  private velocities: Variable[] = [];
  private momentums: Variable[] = [];
  private averageGradients: Variable[] = [];

  constructor(options: RMSpropOptions = {}) {
    super(options, { learningRate: 0.001, name: "rm_sprop" });
    this.rho = options.rho ?? 0.9;
    this.momentum = options.momentum ?? 0.0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    // Keras adds the three slot kinds in three passes (not interleaved per variable).
    this.velocities = this.addOptimizerVariables(vars, ["velocity"])[0]!;
    if (this.momentum > 0) this.momentums = this.addOptimizerVariables(vars, ["momentum"])[0]!;
    if (this.centered)
      this.averageGradients = this.addOptimizerVariables(vars, ["average_gradient"])[0]!;
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const lr = lax.cast(learningRate, variable.dtype);
    const i = this.variableIndex(variable);
    const velocity = this.velocities[i]!;
    const rho = this.rho;
    velocity.assign(
      lax.add(lax.mul(velocity.value, rho), lax.mul(lax.mul(gradient, gradient), 1 - rho)),
    );
    let denominator: Tensor;
    if (this.centered) {
      const avg = this.averageGradients[i]!;
      avg.assign(lax.add(lax.mul(avg.value, rho), lax.mul(gradient, 1 - rho)));
      denominator = lax.add(lax.sub(velocity.value, lax.mul(avg.value, avg.value)), this.epsilon);
    } else {
      denominator = lax.add(velocity.value, this.epsilon);
    }
    const increment = lax.div(lax.mul(lr, gradient), lax.sqrt(denominator));
    if (this.momentum > 0) {
      const mom = this.momentums[i]!;
      mom.assign(lax.add(lax.mul(mom.value, this.momentum), increment));
      variable.assignSub(mom.value);
    } else {
      variable.assignSub(increment);
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}
registerBuiltin("keras.optimizers", "RMSprop", RMSprop, ["rmsprop"]);
