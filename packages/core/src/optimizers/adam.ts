/**
 * Adam and AdamW (Keras `keras.optimizers.Adam`, `keras.optimizers.AdamW`). AdamW is Adam with
 * the base class' decoupled weight decay switched on.
 * Reference: keras/src/optimizers/adam.py, adamw.py.
 */
import { ValueError } from "../errors";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  /** "Epsilon hat": added to sqrt(v), outside the bias correction. */
  epsilon?: number;
  /** Use the running maximum of v (Reddi et al., 2018). */
  amsgrad?: boolean;
}

const ADAM_KEYS = [...BASE_OPTION_KEYS, "beta1", "beta2", "epsilon", "amsgrad"];

/**
 * Adam (Kingma & Ba): `m += (g - m)(1 - b1); v += (g² - v)(1 - b2);
 * w -= m · lr·sqrt(1 - b2^t)/(1 - b1^t) / (sqrt(v) + eps)`.
 * @example const opt = new Adam({ learningRate: 1e-3 });
 */
export class Adam extends Optimizer {
  static override className = "Adam";
  static override readonly optionKeys: readonly string[] = ADAM_KEYS;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private velocityHats: Variable[] = [];

  constructor(options: AdamOptions = {}) {
    super(options, { learningRate: 0.001, name: "adam" });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.amsgrad = options.amsgrad ?? false;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    [this.momentums, this.velocities] = this.addOptimizerVariables(vars, [
      "momentum",
      "velocity",
    ]) as [Variable[], Variable[]];
    if (this.amsgrad) this.velocityHats = this.addOptimizerVariables(vars, ["velocity_hat"])[0]!;
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const dt = variable.dtype;
    const lr = lax.cast(learningRate, dt);
    const step = lax.cast(this.stepAsFloat(1), dt);
    const b1Power = lax.pow(lax.scalar(this.beta1, dt), step);
    const b2Power = lax.pow(lax.scalar(this.beta2, dt), step);
    const i = this.variableIndex(variable);
    const m = this.momentums[i]!;
    let v = this.velocities[i]!;
    const alpha = lax.div(lax.mul(lr, lax.sqrt(lax.sub(1, b2Power))), lax.sub(1, b1Power));
    m.assignAdd(lax.mul(lax.sub(gradient, m.value), 1 - this.beta1));
    v.assignAdd(lax.mul(lax.sub(lax.mul(gradient, gradient), v.value), 1 - this.beta2));
    if (this.amsgrad) {
      const vHat = this.velocityHats[i]!;
      vHat.assign(lax.maximum(vHat.value, v.value));
      v = vHat;
    }
    variable.assignSub(lax.div(lax.mul(m.value, alpha), lax.add(lax.sqrt(v.value), this.epsilon)));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      beta_1: this.beta1,
      beta_2: this.beta2,
      epsilon: this.epsilon,
      amsgrad: this.amsgrad,
    };
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, `w -= w · wd · lr` before each
 * Adam step. `weightDecay` defaults to 0.004 and cannot be null.
 * @example const opt = new AdamW({ learningRate: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  static override className = "AdamW";
  static override readonly optionKeys: readonly string[] = ADAM_KEYS;

  constructor(options: AdamOptions = {}) {
    super({
      ...options,
      name: options.name ?? "adam_w",
      weightDecay: options.weightDecay === undefined ? 0.004 : options.weightDecay,
    });
    if (this.weightDecay === null)
      throw new ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None");
  }
}

registerBuiltin("keras.optimizers", "Adam", Adam, ["adam"]);
registerBuiltin("keras.optimizers", "AdamW", AdamW, ["adamw"]);
