/**
 * Optimizer: the Keras 3 `BaseOptimizer`. It owns the iteration counter, the learning rate (a
 * float32 Variable or a schedule) and per-variable slot Variables, and applies gradients in
 * Keras' order: unscale (loss_scale_factor), clip (clipnorm per gradient, else global_clipnorm,
 * else clipvalue), decoupled weight decay (`w -= w * wd * lr`, before the update), the
 * subclass' `updateStep` per variable, EMA of the weights, constraints, then `iterations += 1`.
 *
 * Every update runs inside `noGrad(tidy(...))`: intermediates are freed and only the Variables'
 * new values survive. Variables are listed (and saved) in Keras order: iteration, learning_rate,
 * EMA averages, gradient accumulators, then the subclass' slots in build order.
 *
 * Not here: sparse (IndexedSlices) gradients, callable learning rates, `stateless_apply` (no
 * JAX-style stateless scope in this engine), LossScaleOptimizer.
 *
 * Reference: keras/src/optimizers/base_optimizer.py (Keras 3.15).
 */
import { ValueError, fmt } from "../errors";
import { noGrad } from "../autodiff/grad";
import { tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import { convertToTensor, type TensorLike } from "../ops/convert";
import type { DType } from "../tensor/dtype";
import { Tensor } from "../tensor/tensor";
import { Variable } from "../variables/variable";
import { deserializeKerasObject, serializeKerasObject } from "../saving/serialization";
import { LearningRateSchedule } from "./schedules/learning_rate_schedule";
import { optionsFromConfig } from "./config";

/** Options every optimizer takes (Keras `BaseOptimizer.__init__`, camelCase). */
export interface OptimizerOptions {
  /** A float, or a schedule evaluated at the iteration count before each update. */
  learningRate?: number | LearningRateSchedule;
  /** Decoupled weight decay: `w -= w * weightDecay * lr` before each update. */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number | null;
  /** Keep an exponential moving average of the weights. */
  useEma?: boolean;
  emaMomentum?: number;
  /** Overwrite the weights with their average every this many steps (null: never). */
  emaOverwriteFrequency?: number | null;
  /** Gradients are divided by this (the loss was multiplied by it). */
  lossScaleFactor?: number | null;
  /** Accumulate gradients over this many calls and update on the last one. */
  gradientAccumulationSteps?: number | null;
  name?: string;
}

/** The base option names, as `fromConfig` accepts them. */
export const BASE_OPTION_KEYS = [
  "learningRate",
  "weightDecay",
  "clipnorm",
  "clipvalue",
  "globalClipnorm",
  "useEma",
  "emaMomentum",
  "emaOverwriteFrequency",
  "lossScaleFactor",
  "gradientAccumulationSteps",
  "name",
] as const;

/** An optimizer class: its Keras name, the options its config maps to, and its constructor. */
export interface OptimizerClass<T extends Optimizer = Optimizer> {
  readonly className: string;
  readonly optionKeys: readonly string[];
  new (options: never): T;
}

/** A gradient for each variable; null/undefined where a variable got none (it is skipped). */
export type Gradients = readonly (Tensor | null | undefined)[];

/** A number read back from a Variable once, then kept until the Variable's value changes. */
class HostMirror {
  private tensor: Tensor | null = null;
  private value = 0;

  get(v: Variable): number {
    if (this.tensor !== v.value) this.set(v, Number(v.value.dataSync()[0]));
    return this.value;
  }

  set(v: Variable, value: number): void {
    this.tensor = v.value;
    this.value = value;
  }

  /** The cached value if it still describes `v`, else null. */
  peek(v: Variable): number | null {
    return this.tensor === v.value ? this.value : null;
  }
}

const square = (x: Tensor): Tensor => lax.mul(x, x);

/** Sum of all elements (rank 0 result). */
const sumAll = (x: Tensor): Tensor =>
  lax.sum(
    x,
    x.shape.map((_, i) => i),
  );

/**
 * Base class of all optimizers. Subclasses set `static className` and `static optionKeys`,
 * create their slots in `build` (after `super.build`) and implement `updateStep`.
 * @example
 * const opt = new keras.optimizers.Adam({ learningRate: 1e-3 });
 * opt.applyGradients([[gradKernel, kernel], [gradBias, bias]]);
 */
export abstract class Optimizer {
  static className = "Optimizer";
  static readonly optionKeys: readonly string[] = BASE_OPTION_KEYS;

  readonly name: string;
  weightDecay: number | null;
  clipnorm: number | null;
  clipvalue: number | null;
  globalClipnorm: number | null;
  useEma: boolean;
  emaMomentum: number;
  emaOverwriteFrequency: number | null;
  lossScaleFactor: number | null;
  gradientAccumulationSteps: number | null;
  built = false;

  private readonly _variables: Variable[] = [];
  private _trainableVariables: Variable[] = [];
  private readonly _indices = new Map<Variable, number>();
  private readonly _iterations: Variable;
  private _learningRate: Variable | LearningRateSchedule;
  private readonly _iterMirror = new HostMirror();
  private readonly _lrMirror = new HostMirror();
  private _averages: Variable[] = [];
  private _accumulatedGradients: Variable[] = [];
  private _excludeIds = new Set<Variable>();
  private _excludePattern: RegExp | null = null;

  /**
   * @param options the user's options.
   * @param defaults the subclass' default learning rate and name (Keras' keyword defaults).
   */
  constructor(options: OptimizerOptions, defaults: { learningRate: number; name: string }) {
    this.name = options.name ?? defaults.name;
    this.weightDecay = options.weightDecay ?? null;
    this.clipnorm = options.clipnorm ?? null;
    this.clipvalue = options.clipvalue ?? null;
    this.globalClipnorm = options.globalClipnorm ?? null;
    this.useEma = options.useEma ?? false;
    this.emaMomentum = options.emaMomentum ?? 0.99;
    this.emaOverwriteFrequency = options.emaOverwriteFrequency ?? null;
    this.lossScaleFactor = options.lossScaleFactor ?? null;
    this.gradientAccumulationSteps = options.gradientAccumulationSteps ?? null;

    const steps = this.gradientAccumulationSteps;
    if (steps && !(Number.isInteger(steps) && steps >= 2))
      throw new ValueError(
        `\`gradient_accumulation_steps\` must be an integer >= 2. Received: gradient_accumulation_steps=${steps}`,
      );
    if (this.useEma) {
      if (this.emaMomentum > 1 || this.emaMomentum < 0)
        throw new ValueError(
          `\`ema_momentum\` must be in the range [0, 1]. Received: ema_momentum=${this.emaMomentum}`,
        );
      const f = this.emaOverwriteFrequency;
      if (f && (!Number.isInteger(f) || f < 1))
        throw new ValueError(
          `\`ema_overwrite_frequency\` must be an integer >= 1 or None. Received: ema_overwrite_frequency=${f}`,
        );
    }
    const clipArgs = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter(
      (a) => a !== null,
    ).length;
    if (clipArgs > 1)
      throw new ValueError(
        `Only one of \`clipnorm\`, \`clipvalue\` and \`global_clipnorm\` can be set. Received: clipnorm=${fmt(this.clipnorm)}, clipvalue=${fmt(this.clipvalue)}, global_clipnorm=${fmt(this.globalClipnorm)}`,
      );

    this._iterations = this.addVariable({ shape: [], dtype: "int32", name: "iteration" });
    this._iterMirror.set(this._iterations, 0);

    const lr = options.learningRate ?? defaults.learningRate;
    if (lr instanceof LearningRateSchedule) {
      this._learningRate = lr;
    } else {
      if (typeof lr !== "number")
        throw new ValueError(
          `Argument \`learning_rate\` should be float, or an instance of LearningRateSchedule. Received instead: learning_rate=${fmt(lr)}`,
        );
      this._learningRate = this.addVariable({
        shape: [],
        dtype: "float32",
        name: "learning_rate",
        fill: lr,
      });
      this._lrMirror.set(this._learningRate, Math.fround(lr));
    }
  }

  /** The Keras class name (written to configs). */
  get className(): string {
    return (this.constructor as typeof Optimizer).className;
  }

  /** The iteration counter (int32 scalar): the number of `apply` calls so far. */
  get iterations(): Variable {
    return this._iterations;
  }

  /** Every optimizer variable, in Keras (and saving) order. */
  get variables(): Variable[] {
    return [...this._variables];
  }

  /** The variables this optimizer was built for. */
  get trainableVariables(): Variable[] {
    return [...this._trainableVariables];
  }

  /**
   * The learning rate the next update uses, as a float32 scalar. For a float learning rate this
   * is the Variable's value (owned by the Variable: do not dispose it); for a schedule, a new
   * tensor in the current scope.
   */
  get learningRate(): Tensor {
    return this.currentLearningRate();
  }

  /**
   * Sets a float learning rate (assigned to the Variable) or replaces it with a schedule. A
   * float cannot replace a schedule (Keras raises TypeError too).
   */
  set learningRate(value: number | LearningRateSchedule) {
    if (value instanceof LearningRateSchedule) {
      const prev = this._learningRate;
      this._learningRate = value;
      if (prev instanceof Variable) {
        this._variables.splice(this._variables.indexOf(prev), 1);
        prev.dispose();
      }
      return;
    }
    if (this._learningRate instanceof LearningRateSchedule)
      throw new TypeError(
        "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, hence its learning rate is not settable. If you need the learning rate to be settable, you should instantiate the optimizer with a float `learning_rate` argument.",
      );
    this._learningRate.assign(value);
    this._lrMirror.set(this._learningRate, Math.fround(value));
  }

  /** The schedule driving the learning rate, or null for a float learning rate. */
  get learningRateSchedule(): LearningRateSchedule | null {
    return this._learningRate instanceof LearningRateSchedule ? this._learningRate : null;
  }

  /** The learning rate the next update uses, as a number (reads back a schedule's value). */
  learningRateValue(): number {
    if (this._learningRate instanceof Variable) return this._lrMirror.get(this._learningRate);
    return noGrad(() => tidy(() => Number(this.currentLearningRate().dataSync()[0])));
  }

  /** Current learning rate tensor: the Variable's value, or the schedule at `iterations`. */
  protected currentLearningRate(): Tensor {
    const lr = this._learningRate;
    return lr instanceof LearningRateSchedule ? lr.call(this._iterations) : lr.value;
  }

  /**
   * The step count the update rules see (Keras `self.iterations`): the iteration counter, or
   * the number of completed accumulation cycles when accumulating gradients.
   */
  protected localIterations(): Tensor {
    const it = this._iterations.value;
    const steps = this.gradientAccumulationSteps;
    return steps ? lax.floor(lax.div(lax.cast(it, "float32"), lax.scalar(steps, "float32"))) : it;
  }

  /** `localIterations() + offset` as a float32 scalar (Keras `ops.cast(self.iterations + 1, dtype)`). */
  protected stepAsFloat(offset: number): Tensor {
    return lax.cast(lax.add(this.localIterations(), offset), "float32");
  }

  /** Keras `add_variable`: a non-trainable optimizer variable, tracked in creation order. */
  protected addVariable(o: {
    shape: readonly number[];
    dtype?: DType;
    name: string;
    fill?: number;
  }): Variable {
    const dtype = o.dtype ?? "float32";
    const v = noGrad(() =>
      tidy(
        () =>
          new Variable(lax.full(o.shape, o.fill ?? 0, dtype), {
            name: o.name,
            dtype,
            trainable: false,
          }),
      ),
    );
    v.path = `${this.name}/${o.name}`;
    this._variables.push(v);
    return v;
  }

  /**
   * Keras `add_variable_from_reference`: a variable shaped like `ref`, named after its path
   * (`dense/kernel` + "momentum" -> `dense_kernel_momentum`, path `adam/dense_kernel_momentum`).
   */
  protected addVariableFromReference(ref: Variable, name: string, fill = 0): Variable {
    return this.addVariable({
      shape: ref.shape,
      dtype: ref.dtype,
      name: `${ref.path.replace(/\//g, "_")}_${name}`,
      fill,
    });
  }

  /**
   * Keras `add_optimizer_variables`: one slot per variable for each name, interleaved per
   * variable (`kernel_momentum, kernel_velocity, bias_momentum, …`), one list per name.
   */
  protected addOptimizerVariables(
    vars: readonly Variable[],
    names: readonly string[],
    fills?: readonly number[],
  ): Variable[][] {
    const out = names.map((): Variable[] => []);
    for (const v of vars)
      names.forEach((n, i) => out[i]!.push(this.addVariableFromReference(v, n, fills?.[i] ?? 0)));
    return out;
  }

  /**
   * Creates the optimizer's variables for `vars` (once; `apply` calls it on first use).
   * Subclasses return early when built, call `super.build(vars)`, then add their slots.
   */
  build(vars: readonly Variable[]): void {
    if (this.useEma) this._averages = this.addOptimizerVariables(vars, ["average"])[0]!;
    if (this.gradientAccumulationSteps)
      this._accumulatedGradients = vars.map((v) =>
        this.addVariableFromReference(v, "gradient_accumulator"),
      );
    vars.forEach((v, i) => this._indices.set(v, i));
    this._trainableVariables = [...vars];
    this.built = true;
  }

  /** Index of `variable` in the build list (for slot lookup). */
  protected variableIndex(variable: Variable): number {
    const i = this._indices.get(variable);
    if (i === undefined)
      throw new ValueError(
        `Unknown variable: ${variable.path}. This optimizer can only be called for the variables it was originally built with. When working with a new set of variables, you should recreate a new optimizer instance. Received: variable=${variable.path}`,
      );
    return i;
  }

  /**
   * Keras `exclude_from_weight_decay`: skip weight decay for these variables, or for variables
   * whose name matches any of `varNames`. Call before the optimizer is built.
   */
  excludeFromWeightDecay(o: { varList?: readonly Variable[]; varNames?: readonly string[] }): void {
    if (this.built)
      throw new ValueError(
        "`exclude_from_weight_decay()` can only be configured before the optimizer is built. Received: built=true",
      );
    this._excludeIds = new Set(o.varList ?? []);
    this._excludePattern =
      o.varNames && o.varNames.length > 0 ? new RegExp([...new Set(o.varNames)].join("|")) : null;
  }

  private useWeightDecay(v: Variable): boolean {
    if (this._excludeIds.has(v)) return false;
    return !(this._excludePattern && this._excludePattern.test(v.name));
  }

  /**
   * Updates `vars` from `grads` (one per variable, in the same order; null skips a variable).
   * Builds the optimizer on first call. Without `vars`, uses the variables it was built with.
   * @example opt.apply([gKernel, gBias], [kernel, bias]);
   */
  apply(grads: Gradients, vars?: readonly Variable[]): void {
    if (grads.length === 0) return;
    let variables: Variable[];
    if (vars === undefined) {
      if (!this.built)
        throw new ValueError(
          "When passing `grads` without `variables`, the optimizer must already be built on a list of variables. Call `optimizer.build(trainable_variables)` first. Received: variables=undefined",
        );
      variables = this._trainableVariables;
    } else {
      variables = [...vars];
      if (!this.built) this.build(variables);
      for (const v of variables) this.variableIndex(v);
    }
    if (grads.length !== variables.length)
      throw new ValueError(
        `The gradients must match the variables one-to-one. Received a list of ${grads.length} gradients, but ${variables.length} variables.`,
      );

    const gs: Tensor[] = [];
    const vs: Variable[] = [];
    grads.forEach((g, i) => {
      if (g !== null && g !== undefined) {
        gs.push(g);
        vs.push(variables[i]!);
      }
    });
    if (gs.length === 0)
      throw new ValueError("No gradients provided for any variable. Received: grads=[None, ...]");

    noGrad(() =>
      tidy(() => {
        let g = gs.map((x, i) => lax.cast(x, vs[i]!.dtype));
        const scale = this.lossScaleFactor;
        if (scale !== null) g = g.map((x) => lax.div(x, scale));
        this.backendApplyGradients(g, vs);
        for (const v of vs) if (v.constraint) v.assign(v.constraint.call(v.value));
        const prev = this._iterMirror.peek(this._iterations);
        this._iterations.assignAdd(1);
        if (prev !== null) this._iterMirror.set(this._iterations, prev + 1);
      }),
    );
  }

  /**
   * Keras `apply_gradients`: `apply` on `[grad, variable]` pairs. Returns the iteration counter.
   * @example opt.applyGradients([[gKernel, kernel], [gBias, bias]]);
   */
  applyGradients(
    gradsAndVars: readonly (readonly [Tensor | null | undefined, Variable])[],
  ): Variable {
    this.apply(
      gradsAndVars.map(([g]) => g),
      gradsAndVars.map(([, v]) => v),
    );
    return this._iterations;
  }

  /** Clipping, weight decay, the update steps, gradient accumulation and EMA (Keras' order). */
  protected backendApplyGradients(grads: Tensor[], vars: Variable[]): void {
    const steps = this.gradientAccumulationSteps;
    if (steps) {
      // The branch is taken on the host: the counter is mirrored, read back only after an
      // outside assignment (e.g. loading weights).
      const isUpdateStep = (this._iterMirror.get(this._iterations) + 1) % steps === 0;
      const acc = vars.map((v) => this._accumulatedGradients[this.variableIndex(v)]!);
      if (isUpdateStep) {
        const g = grads.map((x, i) => lax.div(lax.add(x, acc[i]!.value), steps));
        const clipped = this.clipGradients(g);
        this.applyWeightDecay(vars);
        this.backendUpdateStep(clipped, vars, this.currentLearningRate());
        for (const a of this._accumulatedGradients) a.assign(lax.zerosLike(a.value));
      } else {
        grads.forEach((x, i) => acc[i]!.assign(lax.add(x, acc[i]!.value)));
      }
    } else {
      const clipped = this.clipGradients(grads);
      this.applyWeightDecay(vars);
      this.backendUpdateStep(clipped, vars, this.currentLearningRate());
    }

    if (this.useEma) {
      this.updateMovingAverages();
      const f = this.emaOverwriteFrequency;
      if (f) {
        const it = this._iterMirror.get(this._iterations);
        const local = steps ? Math.floor(it / steps) : it;
        if ((local + 1) % f === 0) this.overwriteWithMovingAverages();
      }
    }
  }

  /** Runs `updateStep` for each pair (Keras `_backend_update_step`; Nadam hooks in here). */
  protected backendUpdateStep(grads: Tensor[], vars: Variable[], learningRate: Tensor): void {
    grads.forEach((g, i) => this.updateStep(g, vars[i]!, learningRate));
  }

  /** The per-variable update rule (gradient already cast, clipped and unscaled). */
  protected abstract updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void;

  /** Keras `_clip_gradients`: clipnorm per gradient, else global_clipnorm, else clipvalue. */
  protected clipGradients(grads: Tensor[]): Tensor[] {
    if (this.clipnorm && this.clipnorm > 0) {
      const c = this.clipnorm;
      return grads.map((g) => {
        const l2sum = sumAll(square(g));
        const pred = lax.greater(l2sum, 0);
        const safe = lax.where(pred, l2sum, 1);
        const l2norm = lax.where(pred, lax.sqrt(safe), l2sum);
        return lax.div(lax.mul(g, c), lax.maximum(l2norm, c));
      });
    }
    if (this.globalClipnorm && this.globalClipnorm > 0) {
      const c = this.globalClipnorm;
      let sq = sumAll(square(grads[0]!));
      for (const g of grads.slice(1)) sq = lax.add(sq, sumAll(square(g)));
      const norm = lax.sqrt(sq);
      const scaleFinite = lax.mul(c, lax.minimum(lax.div(1, norm), 1 / c));
      // NaN when the norm is not finite, as in Keras.
      const scale = lax.add(scaleFinite, lax.sub(norm, norm));
      return grads.map((g) => lax.mul(g, scale));
    }
    if (this.clipvalue && this.clipvalue > 0) {
      const v = this.clipvalue;
      return grads.map((g) => lax.minimum(lax.maximum(g, -v), v));
    }
    return grads;
  }

  /** Keras `_apply_weight_decay`: `w -= w * wd * lr`, before the update step. */
  protected applyWeightDecay(vars: Variable[]): void {
    if (this.weightDecay === null) return;
    for (const v of vars) {
      if (!this.useWeightDecay(v)) continue;
      const lr = lax.cast(this.currentLearningRate(), v.dtype);
      v.assign(
        lax.sub(v.value, lax.mul(lax.mul(v.value, lax.scalar(this.weightDecay, v.dtype)), lr)),
      );
    }
  }

  private updateMovingAverages(): void {
    const notFirst = lax.cast(lax.notEqual(this.localIterations(), 0), "float32");
    this._trainableVariables.forEach((v, i) => {
      const avg = this._averages[i]!;
      const m = lax.mul(lax.cast(notFirst, v.dtype), this.emaMomentum);
      avg.assign(lax.add(lax.mul(m, avg.value), lax.mul(lax.sub(1, m), v.value)));
    });
  }

  private overwriteWithMovingAverages(): void {
    this._trainableVariables.forEach((v, i) => v.assign(this._averages[i]!.value));
  }

  /**
   * Keras `finalize_variable_values`: with EMA, replaces the weights by their moving averages
   * (`fit` calls this after the last epoch).
   */
  finalizeVariableValues(vars: readonly Variable[]): void {
    if (!this.useEma) return;
    if (vars.length !== this._averages.length)
      throw new ValueError(
        `The length of model variables (${vars.length}) to override does not match the length of model variables stored in the optimizer (${this._averages.length}). Please check if the optimizer was called on your model.`,
      );
    noGrad(() => tidy(() => vars.forEach((v, i) => v.assign(this._averages[i]!.value))));
  }

  /** Keras `scale_loss`: multiplies the loss by `lossScaleFactor` when set. */
  scaleLoss(loss: Tensor): Tensor {
    return this.lossScaleFactor === null ? loss : lax.mul(loss, this.lossScaleFactor);
  }

  /** Keras `set_weights`: assigns every optimizer variable, in `variables` order. */
  setWeights(weights: readonly (Tensor | TensorLike)[]): void {
    if (!this.built)
      throw new ValueError(
        "You are calling `set_weights()` on an optimizer that has not yet been built. Please call `optimizer.build(trainable_variables)` to create the optimizer weights before calling `set_weights()`. Received: built=false",
      );
    this._variables.forEach((v, i) => {
      if (i < weights.length) this.assignHostAware(v, weights[i]!);
    });
  }

  /**
   * Keras `load_own_variables` for a store keyed "0", "1", …: assigns every variable, or
   * returns a warning (and assigns nothing) when the counts differ, as Keras does for an
   * optimizer that was saved unbuilt.
   */
  loadOwnVariables(store: Readonly<Record<string, Tensor | TensorLike>>): string | null {
    const n = Object.keys(store).length;
    if (n !== this._variables.length) {
      let msg = `Skipping variable loading for optimizer '${this.name}', because it has ${this._variables.length} variables whereas the saved optimizer has ${n} variables. `;
      if (this._variables.length === 0)
        msg += "This is likely because the optimizer has not been called/built yet.";
      return msg;
    }
    this._variables.forEach((v, i) => this.assignHostAware(v, store[String(i)]!));
    return null;
  }

  /**
   * Assigns a loaded value; a value given on the host (number, array) also refreshes the
   * counter / learning-rate mirrors, so no read-back is needed later.
   */
  private assignHostAware(v: Variable, value: Tensor | TensorLike): void {
    noGrad(() =>
      tidy(() => {
        const t = convertToTensor(value as TensorLike, v.dtype);
        // Flat host data (a typed array read from a file) takes the variable's shape.
        v.assign(t.size === v.size ? lax.reshape(t, v.shape) : t);
      }),
    );
    if (value instanceof Tensor) return;
    let first: unknown = value;
    while (Array.isArray(first)) first = first[0];
    if (ArrayBuffer.isView(first)) first = (first as unknown as ArrayLike<number>)[0];
    if (typeof first !== "number") return;
    if (v === this._iterations) this._iterMirror.set(v, first);
    else if (v === this._learningRate) this._lrMirror.set(v, Math.fround(first));
  }

  /** The Keras config: every hyperparameter, snake_case; a schedule serialized inside. */
  getConfig(): Record<string, unknown> {
    const lr = this._learningRate;
    return {
      name: this.name,
      learning_rate:
        lr instanceof LearningRateSchedule ? serializeKerasObject(lr) : this._lrMirror.get(lr),
      weight_decay: this.weightDecay,
      clipnorm: this.clipnorm,
      global_clipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      use_ema: this.useEma,
      ema_momentum: this.emaMomentum,
      ema_overwrite_frequency: this.emaOverwriteFrequency,
      loss_scale_factor: this.lossScaleFactor,
      gradient_accumulation_steps: this.gradientAccumulationSteps,
    };
  }

  /**
   * Rebuilds an optimizer from its snake_case Keras config (a serialized schedule as
   * `learning_rate` is deserialized).
   * @example const opt = Adam.fromConfig({ learning_rate: 0.01, beta_1: 0.8 });
   */
  static fromConfig<T extends Optimizer>(
    this: OptimizerClass<T>,
    config: Record<string, unknown>,
  ): T {
    const options = optionsFromConfig(config, this.optionKeys, this.className);
    const lr = options.learningRate;
    if (lr !== null && typeof lr === "object" && !(lr instanceof LearningRateSchedule))
      options.learningRate = deserializeKerasObject(lr, { moduleObjects: null });
    return new this(options as never);
  }

  /** Frees every optimizer variable; the optimizer is unusable afterwards. */
  dispose(): void {
    for (const v of this._variables) v.dispose();
    this._variables.length = 0;
  }
}
