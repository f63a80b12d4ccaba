/**
 * Learning-rate schedules (Keras `keras.optimizers.schedules`): a schedule maps the optimizer
 * step to a float32 scalar learning rate. Each `call` computes with float32 tensor ops in the
 * same order as Keras, so values match Keras within float32 rounding; hyperparameters stay
 * plain JavaScript numbers (Python floats in Keras) and configs echo them unchanged.
 *
 * Reference: keras/src/optimizers/schedules/learning_rate_schedule.py (Keras 3).
 */
import { ValueError, fmt } from "../../errors";
import { noGrad } from "../../autodiff/grad";
import { tidy } from "../../engine/engine";
import * as lax from "../../primitives/lax";
import { Tensor } from "../../tensor/tensor";
import { Variable } from "../../variables/variable";
import { registerBuiltin } from "../../saving/serialization";
import { optionsFromConfig } from "../config";

/** What a schedule accepts as the step: the optimizer's iteration Variable, a tensor or a number. */
export type Step = Variable | Tensor | number;

/** A step as a tensor: integers become int32 (a Python int), other numbers float32. */
function stepTensor(step: Step): Tensor {
  if (step instanceof Variable) return step.value;
  if (step instanceof Tensor) return step;
  return lax.scalar(step, Number.isInteger(step) ? "int32" : "float32");
}

/** The step cast to float32, as Keras' `ops.cast(step, dtype)`. */
function floatStep(step: Step): Tensor {
  return lax.cast(stepTensor(step), "float32");
}

const f32 = (x: number): Tensor => lax.scalar(x, "float32");
const ceil = (x: Tensor): Tensor => lax.neg(lax.floor(lax.neg(x)));

function checkPositive(name: string, value: number, where: string): void {
  if (!(value > 0))
    throw new ValueError(`${where}: argument \`${name}\` must be > 0. Received: ${name}=${value}`);
}

/**
 * Base class of learning-rate schedules. Subclasses set `static className` (the Keras class
 * name written to configs) and implement `call` and `getConfig`. An optimizer given a schedule
 * evaluates it at its iteration count before every update.
 * @example
 * class Halving extends LearningRateSchedule {
 *   static override className = "Halving";
 *   call(step: Step) { return lax.div(lax.scalar(0.1, "float32"), lax.add(lax.cast(toTensor(step), "float32"), 1)); }
 *   getConfig() { return {}; }
 * }
 */
export abstract class LearningRateSchedule {
  static className = "LearningRateSchedule";
  /** camelCase option names that `fromConfig` accepts (the config keys, converted). */
  static readonly optionKeys: readonly string[] = [];

  /** The learning rate at `step`, a new float32 scalar tensor owned by the current scope. */
  abstract call(step: Step): Tensor;

  abstract getConfig(): Record<string, unknown>;

  /** The learning rate at `step` as a number (reads the value back synchronously). */
  valueAt(step: number): number {
    return noGrad(() => tidy(() => this.call(step).dataSync()[0]!));
  }

  get className(): string {
    return (this.constructor as typeof LearningRateSchedule).className;
  }

  /**
   * Rebuilds a schedule from its snake_case Keras config.
   * @example const s = ExponentialDecay.fromConfig({ initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9 });
   */
  static fromConfig<T extends LearningRateSchedule>(
    this: ScheduleClass<T>,
    config: Record<string, unknown>,
  ): T {
    return new this(optionsFromConfig(config, this.optionKeys, this.className) as never);
  }
}

/** A step as a tensor (the Variable's value, a tensor unchanged, a number as a scalar). */
export const toTensor = stepTensor;

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

/**
 * `initial_learning_rate * decay_rate ^ (step / decay_steps)`; with `staircase`, the exponent is
 * floored.
 * @example const lr = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.9 });
 */
export class ExponentialDecay extends LearningRateSchedule {
  static override className = "ExponentialDecay";
  static override readonly optionKeys = [
    "initialLearningRate",
    "decaySteps",
    "decayRate",
    "staircase",
    "name",
  ] as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(o: ExponentialDecayOptions) {
    super();
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.decayRate = o.decayRate;
    this.staircase = o.staircase ?? false;
    this.name = o.name ?? "ExponentialDecay";
    checkPositive("decay_steps", this.decaySteps, "ExponentialDecay");
  }

  call(step: Step): Tensor {
    let p = lax.div(floatStep(step), f32(this.decaySteps));
    if (this.staircase) p = lax.floor(p);
    return lax.mul(f32(this.initialLearningRate), lax.pow(f32(this.decayRate), p));
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }
}

export interface PiecewiseConstantDecayOptions {
  /** Strictly increasing step boundaries. */
  boundaries: number[];
  /** One more value than boundaries: `values[i]` holds up to and including `boundaries[i]`. */
  values: number[];
  name?: string;
}

/**
 * `values[0]` while `step <= boundaries[0]`, `values[1]` while `step <= boundaries[1]`, …,
 * `values[n]` after the last boundary.
 * @example const lr = new PiecewiseConstantDecay({ boundaries: [100, 200], values: [0.1, 0.05, 0.01] });
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  static override className = "PiecewiseConstantDecay";
  static override readonly optionKeys = ["boundaries", "values", "name"] as const;
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;

  constructor(o: PiecewiseConstantDecayOptions) {
    super();
    if (o.boundaries.length !== o.values.length - 1)
      throw new ValueError(
        `PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values. Received: boundaries=${fmt(o.boundaries)} of length ${o.boundaries.length}, and values=${fmt(o.values)} of length ${o.values.length}`,
      );
    this.boundaries = [...o.boundaries];
    this.values = [...o.values];
    this.name = o.name ?? "PiecewiseConstant";
  }

  call(step: Step): Tensor {
    // Keras sums indicator(step in range) * value over the ranges; boundaries take the step's
    // dtype. Values are always float32 here (Keras would keep int values as int).
    const s = stepTensor(step);
    const b = (x: number): Tensor => lax.scalar(x, s.dtype);
    const v = this.values.map(f32);
    const ind = (c: Tensor): Tensor => lax.cast(c, "float32");
    const n = this.boundaries.length;
    let result = lax.mul(ind(lax.lessEqual(s, b(this.boundaries[0]!))), v[0]!);
    result = lax.add(result, lax.mul(ind(lax.greater(s, b(this.boundaries[n - 1]!))), v[n]!));
    for (let i = 0; i + 1 < n; i++) {
      const inRange = lax.logicalAnd(
        lax.greater(s, b(this.boundaries[i]!)),
        lax.lessEqual(s, b(this.boundaries[i + 1]!)),
      );
      result = lax.add(result, lax.mul(ind(inRange), v[i + 1]!));
    }
    return result;
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }
}

export interface PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  endLearningRate?: number;
  power?: number;
  cycle?: boolean;
  name?: string;
}

/**
 * `(initial - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end`; with `cycle`,
 * `decay_steps` grows to the first multiple of itself at or above `step`.
 * @example const lr = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10000, endLearningRate: 0.01, power: 0.5 });
 */
export class PolynomialDecay extends LearningRateSchedule {
  static override className = "PolynomialDecay";
  static override readonly optionKeys = [
    "initialLearningRate",
    "decaySteps",
    "endLearningRate",
    "power",
    "cycle",
    "name",
  ] as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;

  constructor(o: PolynomialDecayOptions) {
    super();
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.endLearningRate = o.endLearningRate ?? 0.0001;
    this.power = o.power ?? 1.0;
    this.cycle = o.cycle ?? false;
    this.name = o.name ?? "PolynomialDecay";
    checkPositive("decay_steps", this.decaySteps, "PolynomialDecay");
  }

  call(step: Step): Tensor {
    const initial = f32(this.initialLearningRate);
    const end = f32(this.endLearningRate);
    let s = floatStep(step);
    let decaySteps = f32(this.decaySteps);
    if (this.cycle) {
      // The first multiple of decay_steps at or above the step; 1 at step 0.
      const multiplier = lax.where(lax.equal(s, 0), 1, ceil(lax.div(s, f32(this.decaySteps))));
      decaySteps = lax.mul(decaySteps, multiplier);
    } else {
      s = lax.minimum(s, decaySteps);
    }
    const p = lax.div(s, decaySteps);
    return lax.add(lax.mul(lax.sub(initial, end), lax.pow(lax.sub(1, p), f32(this.power))), end);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      end_learning_rate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.name,
    };
  }
}

export interface InverseTimeDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

/**
 * `initial_learning_rate / (1 + decay_rate * step / decay_steps)`; with `staircase`, the
 * quotient is floored.
 * @example const lr = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
 */
export class InverseTimeDecay extends LearningRateSchedule {
  static override className = "InverseTimeDecay";
  static override readonly optionKeys = [
    "initialLearningRate",
    "decaySteps",
    "decayRate",
    "staircase",
    "name",
  ] as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(o: InverseTimeDecayOptions) {
    super();
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.decayRate = o.decayRate;
    this.staircase = o.staircase ?? false;
    this.name = o.name ?? "InverseTimeDecay";
    checkPositive("decay_steps", this.decaySteps, "InverseTimeDecay");
  }

  call(step: Step): Tensor {
    let p = lax.div(floatStep(step), f32(this.decaySteps));
    if (this.staircase) p = lax.floor(p);
    const denom = lax.add(f32(1), lax.mul(f32(this.decayRate), p));
    return lax.div(f32(this.initialLearningRate), denom);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }
}

export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** Final learning rate as a fraction of the decay's starting rate. */
  alpha?: number;
  name?: string;
  /** Warm up linearly from `initialLearningRate` to this rate first; null skips warmup. */
  warmupTarget?: number | null;
  warmupSteps?: number;
}

/**
 * Optional linear warmup, then cosine decay from the warmup target (or the initial rate) to
 * `alpha` times it over `decaySteps` (Loshchilov & Hutter, SGDR).
 * @example const lr = new CosineDecay({ initialLearningRate: 0, decaySteps: 1000, warmupTarget: 0.1, warmupSteps: 100 });
 */
export class CosineDecay extends LearningRateSchedule {
  static override className = "CosineDecay";
  static override readonly optionKeys = [
    "initialLearningRate",
    "decaySteps",
    "alpha",
    "name",
    "warmupTarget",
    "warmupSteps",
  ] as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly name: string;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(o: CosineDecayOptions) {
    super();
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.alpha = o.alpha ?? 0.0;
    this.name = o.name ?? "CosineDecay";
    this.warmupTarget = o.warmupTarget ?? null;
    this.warmupSteps = o.warmupSteps ?? 0;
    checkPositive("decay_steps", this.decaySteps, "CosineDecay");
  }

  private decay(step: Tensor, decaySteps: Tensor, from: Tensor): Tensor {
    const fraction = lax.div(step, decaySteps);
    const cosine = lax.mul(0.5, lax.add(1, lax.cos(lax.mul(f32(Math.PI), fraction))));
    const decayed = lax.add(lax.mul(1 - this.alpha, cosine), this.alpha);
    return lax.mul(from, decayed);
  }

  call(step: Step): Tensor {
    const initial = f32(this.initialLearningRate);
    const decaySteps = f32(this.decaySteps);
    let s = floatStep(step);
    if (this.warmupTarget === null) {
      s = lax.minimum(s, decaySteps);
      return this.decay(s, decaySteps, initial);
    }
    const target = f32(this.warmupTarget);
    const warmupSteps = f32(this.warmupSteps);
    s = lax.minimum(s, lax.add(decaySteps, warmupSteps));
    // Keras takes one branch with ops.cond; both are computed here and one is selected.
    const warm = lax.add(lax.mul(lax.sub(target, initial), lax.div(s, warmupSteps)), initial);
    const decayed = this.decay(lax.sub(s, warmupSteps), decaySteps, target);
    return lax.where(lax.less(s, warmupSteps), warm, decayed);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      alpha: this.alpha,
      name: this.name,
      warmup_target: this.warmupTarget,
      warmup_steps: this.warmupSteps,
    };
  }
}

export interface CosineDecayRestartsOptions {
  initialLearningRate: number;
  firstDecaySteps: number;
  /** Each period is `tMul` times longer than the previous one. */
  tMul?: number;
  /** Each period starts at `mMul` times the previous period's starting rate. */
  mMul?: number;
  alpha?: number;
  name?: string;
}

/**
 * Cosine decay with warm restarts (SGDR): decays from the initial rate to `alpha` times it over
 * `firstDecaySteps`, then restarts with periods scaled by `tMul` and rates by `mMul`.
 * @example const lr = new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 1000 });
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  static override className = "CosineDecayRestarts";
  static override readonly optionKeys = [
    "initialLearningRate",
    "firstDecaySteps",
    "tMul",
    "mMul",
    "alpha",
    "name",
  ] as const;
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;

  constructor(o: CosineDecayRestartsOptions) {
    super();
    this.initialLearningRate = o.initialLearningRate;
    this.firstDecaySteps = o.firstDecaySteps;
    this.tMul = o.tMul ?? 2.0;
    this.mMul = o.mMul ?? 1.0;
    this.alpha = o.alpha ?? 0.0;
    this.name = o.name ?? "SGDRDecay";
    checkPositive("first_decay_steps", this.firstDecaySteps, "CosineDecayRestarts");
  }

  call(step: Step): Tensor {
    const initial = f32(this.initialLearningRate);
    const alpha = f32(this.alpha);
    const tMul = f32(this.tMul);
    const mMul = f32(this.mMul);
    let fraction = lax.div(floatStep(step), f32(this.firstDecaySteps));
    let iRestart: Tensor;
    if (this.tMul === 1) {
      iRestart = lax.floor(fraction);
      fraction = lax.sub(fraction, iRestart);
    } else {
      // Index of the current period of a geometric series of period lengths.
      iRestart = lax.floor(
        lax.div(lax.log(lax.sub(1, lax.mul(fraction, lax.sub(1, tMul)))), lax.log(tMul)),
      );
      const sumR = lax.div(lax.sub(1, lax.pow(tMul, iRestart)), lax.sub(1, tMul));
      fraction = lax.div(lax.sub(fraction, sumR), lax.pow(tMul, iRestart));
    }
    const mFac = lax.pow(mMul, iRestart);
    const cosine = lax.mul(
      lax.mul(0.5, mFac),
      lax.add(1, lax.cos(lax.mul(f32(Math.PI), fraction))),
    );
    const decayed = lax.add(lax.mul(lax.sub(1, alpha), cosine), alpha);
    return lax.mul(initial, decayed);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      first_decay_steps: this.firstDecaySteps,
      t_mul: this.tMul,
      m_mul: this.mMul,
      alpha: this.alpha,
      name: this.name,
    };
  }
}

/** A schedule class: its Keras name, the option keys its config maps to, and its constructor. */
export interface ScheduleClass<T extends LearningRateSchedule = LearningRateSchedule> {
  readonly className: string;
  readonly optionKeys: readonly string[];
  new (options: never): T;
}

/** The built-in schedules, registered for (de)serialization under "keras.optimizers.schedules". */
export const BUILTIN_SCHEDULES: readonly ScheduleClass[] = [
  ExponentialDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  InverseTimeDecay,
  CosineDecay,
  CosineDecayRestarts,
];
for (const cls of BUILTIN_SCHEDULES)
  registerBuiltin("keras.optimizers.schedules", cls.className, cls);
