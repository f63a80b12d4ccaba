/**
 * The `Metric` base class (Keras `keras/src/metrics/metric.py`): a stateful accumulator whose
 * state lives in non-trainable `Variable`s. `updateState` folds a batch into the state,
 * `result` reads the current value, `resetState` zeroes it.
 *
 * Memory: subclasses do their work inside `this.track(() => ...)`, which runs it in a `tidy`
 * scope without gradient recording, so every temporary is freed and only the new variable
 * values (kept by `Variable.assign`) survive: repeated updates leave the live-tensor count flat.
 */
import { noGrad } from "../autodiff/grad";
import { tidy } from "../engine/engine";
import { rethrowNamed } from "../losses/loss";
import * as lax from "../primitives/lax";
import { configToOptions } from "../saving/serialization";
import { standardizeDType, type DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { toSnakeCase, uniqueName } from "../utils/naming";
import { Variable } from "../variables/variable";

export interface MetricOptions {
  /** Defaults to the class' Keras name (e.g. "binary_accuracy"). */
  name?: string;
  /** Dtype of the state and result (float32). */
  dtype?: DType | string | null;
}

export interface AddVariableOptions {
  name: string;
  /** Initial value of every element. Default 0. */
  initialValue?: number;
  dtype?: DType;
  /** Keras aggregation hint. Default "sum". */
  aggregation?: "none" | "mean" | "sum" | "only_first_replica";
}

/**
 * Metric base class (Keras `keras.metrics.Metric`).
 *
 * @example
 * class BinaryTruePositives extends keras.metrics.Metric {
 *   static override className = "BinaryTruePositives";
 *   tp = this.addVariable([], { name: "true_positives" });
 *   updateState(yTrue: TensorLike, yPred: TensorLike) {
 *     this.track(() => this.tp.assign(lax.add(this.tp.value, countTruePositives(yTrue, yPred))));
 *   }
 *   result() { return this.tp.value; }
 * }
 */
export abstract class Metric {
  static className = "Metric";
  name: string;
  readonly dtype: DType;
  protected readonly _variables: Variable[] = [];
  /** Sub-metrics whose variables are part of this one's state. */
  protected readonly _metrics: Metric[] = [];

  constructor(options: MetricOptions = {}) {
    this.name = options.name ?? uniqueName(toSnakeCase(this.className));
    this.dtype = options.dtype
      ? standardizeDType(options.dtype, `${this.className} dtype`)
      : "float32";
  }

  get className(): string {
    return (this.constructor as typeof Metric).className;
  }

  /** Creates a non-trainable state variable `<metric name>/<name>` (Keras `add_variable`). */
  addVariable(shape: readonly number[], options: AddVariableOptions): Variable {
    const dtype = options.dtype ?? this.dtype;
    const v = tidy(
      () =>
        new Variable(lax.full(shape, options.initialValue ?? 0, dtype), {
          name: options.name,
          dtype,
          trainable: false,
          aggregation: options.aggregation ?? "sum",
        }),
    );
    v.path = `${this.name}/${options.name}`;
    this._variables.push(v);
    return v;
  }

  /** The state variables, this metric's then its sub-metrics'. */
  get variables(): Variable[] {
    return [...this._variables, ...this._metrics.flatMap((m) => m.variables)];
  }

  /** Folds a batch into the state. */
  abstract updateState(...args: unknown[]): void;

  /** The current value (a new scalar tensor, or a vector for multi-threshold metrics). */
  abstract result(): Tensor;

  /** Zeroes every state variable. */
  resetState(): void {
    this.track(() => {
      for (const v of this.variables) v.assign(lax.full(v.shape, 0, v.dtype));
    });
  }

  /** Updates the state with one batch and returns the new result (Keras `Metric.__call__`). */
  apply(...args: unknown[]): Tensor {
    this.updateState(...args);
    return this.result();
  }

  /**
   * Runs `fn` in a `tidy` scope with gradient recording off, naming this metric in shape and
   * value errors. State updates and results go through it so that no temporary outlives the call.
   */
  protected track<R>(fn: () => R): R {
    try {
      return noGrad(() => tidy(fn));
    } catch (err) {
      rethrowNamed(err, `${this.className} "${this.name}"`);
    }
  }

  /** Keras config: `{ name, dtype }` plus subclass hyperparameters (snake_case keys). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }

  /** Rebuilds a metric from its Keras config (snake_case keys). */
  static fromConfig<T extends Metric>(
    this: new (options: never) => T,
    config: Record<string, unknown>,
  ): T {
    return new this(configToOptions(config) as never);
  }

  /** Frees the state variables. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }

  toString(): string {
    return `<${this.className} name=${this.name}>`;
  }
}
