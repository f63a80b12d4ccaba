/**
 * Base class of weight initializers (Keras `keras.initializers.Initializer`): called with a shape
 * and dtype, returns a new concrete tensor. Subclasses set `static className` (the Keras class
 * name written to files) and implement `call` and `getConfig`.
 */
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { configToOptions } from "../saving/serialization";

/** Options-object constructor, as every built-in initializer, regularizer and constraint has. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OptionsConstructor<T> = new (options?: any) => T;

export abstract class Initializer {
  static className = "Initializer";
  abstract call(shape: number[], dtype?: DType): Tensor;
  getConfig(): Record<string, unknown> {
    return {};
  }
  get className(): string {
    return (this.constructor as typeof Initializer).className;
  }
  /**
   * Rebuilds an instance from `getConfig()` output: `new this(configToOptions(config))`, i.e. the
   * snake_case Keras keys become the camelCase constructor options. Override when the
   * constructor does not take that options object.
   * @example const init = keras.initializers.RandomNormal.fromConfig({ mean: 0, stddev: 1, seed: 3 });
   */
  static fromConfig<T>(this: OptionsConstructor<T>, config: Record<string, unknown>): T {
    return new this(configToOptions(config));
  }
}

/** Keras regularizer: a penalty added to the loss, computed from a weight. */
export abstract class Regularizer {
  static className = "Regularizer";
  abstract call(x: Tensor): Tensor;
  getConfig(): Record<string, unknown> {
    return {};
  }
  get className(): string {
    return (this.constructor as typeof Regularizer).className;
  }
  /**
   * Rebuilds an instance from `getConfig()` output: `new this(configToOptions(config))`, i.e. the
   * snake_case Keras keys become the camelCase constructor options. Override when the
   * constructor does not take that options object.
   * @example const reg = keras.regularizers.L2.fromConfig({ l2: 0.1 });
   */
  static fromConfig<T>(this: OptionsConstructor<T>, config: Record<string, unknown>): T {
    return new this(configToOptions(config));
  }
}

/** Keras constraint: a projection applied to a weight after each optimizer update. */
export abstract class Constraint {
  static className = "Constraint";
  abstract call(w: Tensor): Tensor;
  getConfig(): Record<string, unknown> {
    return {};
  }
  get className(): string {
    return (this.constructor as typeof Constraint).className;
  }
  /**
   * Rebuilds an instance from `getConfig()` output: `new this(configToOptions(config))`, i.e. the
   * snake_case Keras keys become the camelCase constructor options. Override when the
   * constructor does not take that options object.
   * @example const c = keras.constraints.MaxNorm.fromConfig({ max_value: 3, axis: 0 });
   */
  static fromConfig<T>(this: OptionsConstructor<T>, config: Record<string, unknown>): T {
    return new this(configToOptions(config));
  }
}
