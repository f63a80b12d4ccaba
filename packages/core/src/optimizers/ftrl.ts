/**
 * FTRL-Proximal (Keras `keras.optimizers.Ftrl`), with online L2 and L2-shrinkage
 * regularization.
 * Reference: keras/src/optimizers/ftrl.py; McMahan et al., 2013.
 */
import { ValueError } from "../errors";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { Variable } from "../variables/variable";
import { registerBuiltin } from "../saving/serialization";
import { BASE_OPTION_KEYS, Optimizer, type OptimizerOptions } from "./optimizer";

export interface FtrlOptions extends OptimizerOptions {
  /** <= 0; how the per-coordinate rate decays (-0.5: 1/sqrt(n)). */
  learningRatePower?: number;
  /** >= 0. */
  initialAccumulatorValue?: number;
  l1RegularizationStrength?: number;
  l2RegularizationStrength?: number;
  l2ShrinkageRegularizationStrength?: number;
  beta?: number;
}

/**
 * FTRL: `n' = n + g²; z += g + 2 λs w - (n'^-p - n^-p)/lr · w;
 * w = (clip(z, ±λ1) - z) / (n'^-p/lr + 2(λ2 + β/(2 lr)))`.
 * @example const opt = new Ftrl({ learningRate: 0.1, l1RegularizationStrength: 0.01 });
 */
export class Ftrl extends Optimizer {
  static override className = "Ftrl";
  static override readonly optionKeys: readonly string[] = [
    ...BASE_OPTION_KEYS,
    "learningRatePower",
    "initialAccumulatorValue",
    "l1RegularizationStrength",
    "l2RegularizationStrength",
    "l2ShrinkageRegularizationStrength",
    "beta",
  ];
  readonly learningRatePower: number;
  readonly initialAccumulatorValue: number;
  readonly l1RegularizationStrength: number;
  readonly l2RegularizationStrength: number;
  readonly l2ShrinkageRegularizationStrength: number;
  readonly beta: number;
  private accumulators: Variable[] = [];
  private linears: Variable[] = [];

  constructor(options: FtrlOptions = {}) {
    super(options, { learningRate: 0.001, name: "ftrl" });
    this.learningRatePower = options.learningRatePower ?? -0.5;
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
    this.l1RegularizationStrength = options.l1RegularizationStrength ?? 0.0;
    this.l2RegularizationStrength = options.l2RegularizationStrength ?? 0.0;
    this.l2ShrinkageRegularizationStrength = options.l2ShrinkageRegularizationStrength ?? 0.0;
    this.beta = options.beta ?? 0.0;
    const nonNegative: [string, number][] = [
      ["initial_accumulator_value", this.initialAccumulatorValue],
      ["l1_regularization_strength", this.l1RegularizationStrength],
      ["l2_regularization_strength", this.l2RegularizationStrength],
      ["l2_shrinkage_regularization_strength", this.l2ShrinkageRegularizationStrength],
    ];
    if (this.learningRatePower > 0)
      throw new ValueError(
        `\`learning_rate_power\` needs to be negative or zero. Received: learning_rate_power=${this.learningRatePower}`,
      );
    for (const [k, v] of nonNegative)
      if (v < 0) throw new ValueError(`\`${k}\` needs to be positive or zero. Received: ${k}=${v}`);
  }

  override build(vars: readonly Variable[]): void {
    if (this.built) return;
    super.build(vars);
    [this.accumulators, this.linears] = this.addOptimizerVariables(
      vars,
      ["accumulator", "linear"],
      [this.initialAccumulatorValue, 0],
    ) as [Variable[], Variable[]];
  }

  protected updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void {
    const lr = lax.cast(learningRate, variable.dtype);
    const i = this.variableIndex(variable);
    const accum = this.accumulators[i]!;
    const linear = this.linears[i]!;
    const p = -this.learningRatePower;
    const l2Reg = lax.add(
      lax.div(lax.scalar(this.beta, lr.dtype), lax.mul(lr, 2)),
      this.l2RegularizationStrength,
    );
    const gradToUse = lax.add(
      gradient,
      lax.mul(variable.value, 2 * this.l2ShrinkageRegularizationStrength),
    );
    const newAccum = lax.add(accum.value, lax.mul(gradient, gradient));
    const newAccumPow = lax.pow(newAccum, p);
    const sigma = lax.div(lax.sub(newAccumPow, lax.pow(accum.value, p)), lr);
    linear.assignAdd(lax.sub(gradToUse, lax.mul(sigma, variable.value)));
    const quadratic = lax.add(lax.div(newAccumPow, lr), lax.mul(l2Reg, 2));
    const l1 = this.l1RegularizationStrength;
    const linearClipped = lax.minimum(lax.maximum(linear.value, -l1), l1);
    variable.assign(lax.div(lax.sub(linearClipped, linear.value), quadratic));
    accum.assign(newAccum);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      learning_rate_power: this.learningRatePower,
      initial_accumulator_value: this.initialAccumulatorValue,
      l1_regularization_strength: this.l1RegularizationStrength,
      l2_regularization_strength: this.l2RegularizationStrength,
      l2_shrinkage_regularization_strength: this.l2ShrinkageRegularizationStrength,
      beta: this.beta,
    };
  }
}
registerBuiltin("keras.optimizers", "Ftrl", Ftrl, ["ftrl"]);
