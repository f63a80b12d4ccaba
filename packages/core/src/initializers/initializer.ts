/**
 * Base class of weight initializers (Keras `keras.initializers.Initializer`): called with a shape
 * and dtype, returns a new concrete tensor. Subclasses set `static className` (the Keras class
 * name written to files) and implement `call` and `getConfig`.
 */
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";

export abstract class Initializer {
  static className = "Initializer";
  abstract call(shape: number[], dtype?: DType): Tensor;
  getConfig(): Record<string, unknown> {
    return {};
  }
  get className(): string {
    return (this.constructor as typeof Initializer).className;
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
}
