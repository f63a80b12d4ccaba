/**
 * Deterministic initializers (Keras 3 `keras/src/initializers/constant_initializers.py`):
 * Zeros, Ones, Constant and Identity. (STFTInitializer is not provided.)
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/initializers/constant_initializers.py
 */
import { ValueError, fmt } from "../errors";
import { tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import { standardizeDType, type DType } from "../tensor/dtype";
import { Tensor, type NestedArray } from "../tensor/tensor";
import { convertToTensor } from "../ops/convert";
import { deserializeKerasObject, serializeKerasObject } from "../saving/serialization";
import { Initializer } from "./initializer";

function checkShape(where: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(
      `${where}: shape must be a list of non-negative integers. Received: shape=${fmt(shape)}`,
    );
  return [...shape];
}

/**
 * All zeros (Keras `Zeros`); the default bias initializer.
 * @example const b = new keras.initializers.Zeros().call([4]);
 */
export class Zeros extends Initializer {
  static override className = "Zeros";
  constructor(_options: Record<string, never> = {}) {
    super();
  }
  call(shape: number[], dtype: DType = "float32"): Tensor {
    return lax.full(checkShape("Zeros", shape), 0, standardizeDType(dtype, "Zeros"));
  }
}

/**
 * All ones (Keras `Ones`).
 * @example const gamma = new keras.initializers.Ones().call([4]);
 */
export class Ones extends Initializer {
  static override className = "Ones";
  constructor(_options: Record<string, never> = {}) {
    super();
  }
  call(shape: number[], dtype: DType = "float32"): Tensor {
    return lax.full(checkShape("Ones", shape), 1, standardizeDType(dtype, "Ones"));
  }
}

export interface ConstantOptions {
  /** A number, or an array / tensor that broadcasts to the requested shape (default 0). */
  value?: number | NestedArray | Tensor;
}

/**
 * A constant value everywhere (Keras `Constant`: `cast(value, dtype) * ones(shape)`).
 * Accepts `new Constant(3)` as shorthand for `new Constant({ value: 3 })`.
 * @example const w = new keras.initializers.Constant({ value: 0.1 }).call([2, 3]);
 */
export class Constant extends Initializer {
  static override className = "Constant";
  readonly value: number | NestedArray | Tensor;

  constructor(options: ConstantOptions | number = {}) {
    super();
    let value = typeof options === "number" ? options : (options.value ?? 0.0);
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      !(value instanceof Tensor)
    )
      value = deserializeKerasObject(value) as Tensor; // a serialized `__tensor__` from a config
    this.value = value;
  }

  call(shape: number[], dtype: DType = "float32"): Tensor {
    const s = checkShape("Constant", shape);
    const dt = standardizeDType(dtype, "Constant");
    if (typeof this.value === "number" || typeof this.value === "boolean")
      return lax.full(s, Number(this.value), dt);
    const value = this.value;
    return tidy(() => {
      const v = convertToTensor(value as NestedArray, dt) as Tensor;
      if (v.rank > s.length || v.shape.some((d, i) => d !== 1 && d !== s[s.length - v.rank + i]))
        throw new ValueError(
          `Constant: the value of shape ${fmt(v.shape)} does not broadcast to shape ${fmt(s)}. Received: shape=${fmt(s)}`,
        );
      return lax.broadcastTo(lax.reshape(v, [...Array(s.length - v.rank).fill(1), ...v.shape]), s);
    });
  }

  override getConfig(): Record<string, unknown> {
    return { value: serializeKerasObject(this.value) };
  }
}

export interface IdentityOptions {
  /** Multiplicative factor (default 1). */
  gain?: number;
}

/**
 * `gain` times the identity matrix, for 2D shapes (Keras `IdentityInitializer`, also exported
 * as `Identity`; non-square shapes get ones on the main diagonal, like `eye(rows, cols)`).
 * @example const w = new keras.initializers.Identity({ gain: 2 }).call([3, 3]);
 */
export class Identity extends Initializer {
  static override className = "Identity";
  readonly gain: number;

  constructor({ gain = 1.0 }: IdentityOptions = {}) {
    super();
    this.gain = gain;
  }

  call(shape: number[], dtype: DType = "float32"): Tensor {
    const s = checkShape("IdentityInitializer", shape);
    if (s.length !== 2)
      throw new ValueError(
        `IdentityInitializer: the identity matrix initializer can only be used for 2D matrices. Received: shape=${fmt(shape)} of rank ${shape.length}`,
      );
    const dt = standardizeDType(dtype, "IdentityInitializer");
    const [rows, cols] = s as [number, number];
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = this.gain;
    return lax.constant(data, s, dt);
  }

  override getConfig(): Record<string, unknown> {
    return { gain: this.gain };
  }
}

/** Keras' canonical class name for Identity. */
export const IdentityInitializer = Identity;
