/**
 * `keras.constraints`: projections applied to a weight after each optimizer update (Keras 3
 * `keras/src/constraints/constraints.py`): MaxNorm, NonNeg, UnitNorm and MinMaxNorm, with
 * `get` / `serialize` / `deserialize`.
 *
 * Norm-based constraints divide by `epsilon + norms` with Keras' `backend.epsilon()` = 1e-7
 * (added to the norm, not under the square root), so a zero column stays zero.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/constraints/constraints.py
 */
import { ValueError, fmt } from "../errors";
import { tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import { toSnakeCase } from "../utils/naming";
import { normalizeAxes } from "../ops/convert";
import type { CustomObjects } from "../saving/object_registration";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../saving/serialization";
import { Constraint } from "../initializers/initializer";

export { Constraint } from "../initializers/initializer";

/** Keras `backend.epsilon()`. */
const EPSILON = 1e-7;

/** `sqrt(sum(w², axis, keepdims=True))` in float32. */
function norms(w: Tensor, axis: number | number[], where: string): { w: Tensor; n: Tensor } {
  const x = lax.cast(w, "float32");
  const axes = normalizeAxes(axis, x.rank, where);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return { w: x, n: lax.reshape(lax.sqrt(lax.sum(lax.mul(x, x), axes)), kept) };
}

export interface MaxNormOptions {
  /** Largest allowed norm (default 2). */
  maxValue?: number;
  /** Axis or axes the norm is taken over (default 0: each column of a Dense kernel). */
  axis?: number | number[];
}

/**
 * Rescales slices whose norm exceeds `maxValue` down to it (Keras `MaxNorm`):
 * `w * clip(norms, 0, maxValue) / (epsilon + norms)`.
 * @example const c = new keras.constraints.MaxNorm({ maxValue: 2, axis: 0 });
 */
export class MaxNorm extends Constraint {
  static override className = "MaxNorm";
  readonly maxValue: number;
  readonly axis: number | number[];

  constructor({ maxValue = 2, axis = 0 }: MaxNormOptions = {}) {
    super();
    this.maxValue = maxValue;
    this.axis = axis;
  }

  call(w: Tensor): Tensor {
    return tidy(() => {
      const { w: x, n } = norms(w, this.axis, "MaxNorm");
      const desired = lax.minimum(lax.maximum(n, 0), this.maxValue);
      return lax.mul(x, lax.div(desired, lax.add(n, EPSILON)));
    });
  }

  override getConfig(): Record<string, unknown> {
    return { max_value: this.maxValue, axis: this.axis };
  }
}

/**
 * Clamps weights to be non-negative: `max(w, 0)` (Keras `NonNeg`).
 * @example new keras.constraints.NonNeg().call(w);
 */
export class NonNeg extends Constraint {
  static override className = "NonNeg";
  constructor(_options: Record<string, never> = {}) {
    super();
  }
  call(w: Tensor): Tensor {
    return lax.maximum(w, 0);
  }
}

export interface UnitNormOptions {
  /** Axis or axes the norm is taken over (default 0). */
  axis?: number | number[];
}

/**
 * Rescales slices to unit norm: `w / (epsilon + norms)` (Keras `UnitNorm`).
 * @example const c = new keras.constraints.UnitNorm({ axis: 0 });
 */
export class UnitNorm extends Constraint {
  static override className = "UnitNorm";
  readonly axis: number | number[];

  constructor({ axis = 0 }: UnitNormOptions = {}) {
    super();
    this.axis = axis;
  }

  call(w: Tensor): Tensor {
    return tidy(() => {
      const { w: x, n } = norms(w, this.axis, "UnitNorm");
      return lax.div(x, lax.add(n, EPSILON));
    });
  }

  override getConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}

export interface MinMaxNormOptions {
  /** Smallest allowed norm (default 0). */
  minValue?: number;
  /** Largest allowed norm (default 1). */
  maxValue?: number;
  /** 1 enforces the bounds strictly; below 1 moves the norm part of the way (default 1). */
  rate?: number;
  /** Axis or axes the norm is taken over (default 0). */
  axis?: number | number[];
}

/**
 * Keeps slice norms within `[minValue, maxValue]` (Keras `MinMaxNorm`): the norm is moved to
 * `rate * clip(norms, minValue, maxValue) + (1 - rate) * norms`.
 * @example const c = new keras.constraints.MinMaxNorm({ minValue: 0.5, maxValue: 1 });
 */
export class MinMaxNorm extends Constraint {
  static override className = "MinMaxNorm";
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: number | number[];

  constructor({ minValue = 0.0, maxValue = 1.0, rate = 1.0, axis = 0 }: MinMaxNormOptions = {}) {
    super();
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.rate = rate;
    this.axis = axis;
  }

  call(w: Tensor): Tensor {
    return tidy(() => {
      const { w: x, n } = norms(w, this.axis, "MinMaxNorm");
      const clipped = lax.minimum(lax.maximum(n, this.minValue), this.maxValue);
      const desired = lax.add(lax.mul(clipped, this.rate), lax.mul(n, 1 - this.rate));
      return lax.mul(x, lax.div(desired, lax.add(n, EPSILON)));
    });
  }

  override getConfig(): Record<string, unknown> {
    return { min_value: this.minValue, max_value: this.maxValue, rate: this.rate, axis: this.axis };
  }
}

const MODULE = "keras.constraints";

type ConstraintClass = typeof Constraint & (new (options?: never) => Constraint);

const ALL_OBJECTS = [MaxNorm, MinMaxNorm, NonNeg, UnitNorm] as unknown as ConstraintClass[];

/** Name -> class: class names and snake_case names ("max_norm", "non_neg", ...). */
const ALL_OBJECTS_DICT: Record<string, ConstraintClass> = {};
for (const cls of ALL_OBJECTS) {
  ALL_OBJECTS_DICT[cls.className] = cls;
  ALL_OBJECTS_DICT[toSnakeCase(cls.className)] = cls;
}

for (const cls of ALL_OBJECTS)
  registerBuiltin(MODULE, cls.className, cls, [toSnakeCase(cls.className)]);

/** A plain function `(w) => w'` used as a constraint. */
export type ConstraintFunction = (w: Tensor) => Tensor;

class FunctionConstraint extends Constraint {
  static override className = "FunctionConstraint";
  constructor(readonly fn: ConstraintFunction) {
    super();
  }
  call(w: Tensor): Tensor {
    return this.fn(w);
  }
}

/**
 * Serializes a constraint to its Keras dict.
 * @example keras.constraints.serialize(new keras.constraints.NonNeg());
 */
export function serialize(constraint: Constraint): Record<string, unknown> {
  return serializeKerasObject(constraint) as Record<string, unknown>;
}

/**
 * Rebuilds a constraint from a Keras dict.
 * @example keras.constraints.deserialize({ class_name: "MaxNorm", config: { max_value: 3, axis: 0 } });
 */
export function deserialize(
  config: Record<string, unknown> | string,
  customObjects?: CustomObjects,
): Constraint {
  return deserializeKerasObject(config, {
    moduleObjects: ALL_OBJECTS_DICT,
    customObjects,
  }) as Constraint;
}

/**
 * Retrieves a constraint (Keras `keras.constraints.get`): an instance as is, a name
 * ("max_norm", "non_neg", "unit_norm", "min_max_norm" or the class names) as the class with its
 * defaults, a dict deserialized, a plain function wrapped; null gives null.
 * @example keras.constraints.get("non_neg");
 */
export function get(identifier: null | undefined): null;
export function get(identifier: unknown): Constraint;
export function get(identifier: unknown): Constraint | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: unknown = identifier;
  if (typeof identifier === "string")
    obj = Object.prototype.hasOwnProperty.call(ALL_OBJECTS_DICT, identifier)
      ? ALL_OBJECTS_DICT[identifier]
      : undefined;
  else if (
    typeof identifier === "object" &&
    !(identifier instanceof Constraint) &&
    typeof (identifier as Constraint).call !== "function"
  )
    obj = deserialize(identifier as Record<string, unknown>);
  if (typeof obj === "function") {
    if (obj.prototype instanceof Constraint) return new (obj as new () => Constraint)();
    return new FunctionConstraint(obj as ConstraintFunction);
  }
  if (
    obj instanceof Constraint ||
    (typeof obj === "object" && obj !== null && typeof (obj as Constraint).call === "function")
  )
    return obj as Constraint;
  throw new ValueError(
    `Could not interpret constraint identifier: ${fmt(identifier)}. Received: constraint=${fmt(identifier)}`,
  );
}
