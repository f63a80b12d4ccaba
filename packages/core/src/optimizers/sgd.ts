/**
 * SGD with optional (Nesterov) momentum (Keras `keras.optimizers.SGD`).
 * Reference: keras/src/optimizers/sgd.py.
 */
import { ValueError } from "../errors";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface SGDOptions extends OptimizerOptions {
  /** In [0, 1]; 0 is plain gradient descent (no slot variables). */
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Gradient descent: `w -= lr * g`; with momentum, `v = momentum * v - lr * g; w += v`; with
 * Nesterov, `w += momentum * v - lr * g`.
 * @example const opt = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer {
  static override className = "SGD";
  static override readonly optionKeys: readonly string[] = [
    ...BASE_OPTION_KEYS,
    "momentum",
    "nesterov",
  ];
  readonly momentum: number;
  readonly nesterov: boolean;
  private momentums: Variable[] = [];

  constructor(options: SGDOptions = {}) {
    super(options, { learningRate: 0.01, name: "sgd" });
    const m = options.momentum ?? 0.0;
    if (typeof m !== "number" || !(m >= 0 && m <= 1))
      throw new ValueError(`\`momentum\` must be a float between [0, 1]. Received: momentum=${m}`);
    this.momentum = m;
    this.nesterov = options.nesterov ?? false;
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    if (this.momentum !== 0) this.momentums = this.addOptimizerVariables(vars, ["momentum"])[0]!;
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const lr = lax.cast(learningRate, variable.dtype);
    if (this.momentum === 0) {
      variable.assignSub(lax.mul(gradient, lr));
      return;
    }
    const m = this.momentums[this.variableIndex(variable)]!;
    const momentum = lax.scalar(this.momentum, variable.dtype);
    m.assign(lax.sub(lax.mul(m.value, momentum), lax.mul(gradient, lr)));
    if (this.nesterov)
      variable.assignAdd(lax.sub(lax.mul(m.value, momentum), lax.mul(gradient, lr)));
    else variable.assignAdd(m.value);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
registerBuiltin("keras.optimizers", "SGD", SGD, ["sgd"]);
