/**
 * `keras.regularizers`: weight penalties added to the loss (Keras 3
 * `keras/src/regularizers/regularizers.py`): L1, L2, L1L2 and OrthogonalRegularizer, with
 * `get` / `serialize` / `deserialize`.
 *
 * Keras stores the factors as float32 tensors, so `getConfig()` returns them rounded to float32
 * (`L2(0.01).getConfig()` is `{l2: 0.009999999776482582}`, as in Keras). The L2 penalty is
 * `l2 * sum(x²)`, with no 1/2.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/regularizers/regularizers.py
 */
import { ValueError, fmt } from "../errors";
import { tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import { toSnakeCase } from "../utils/naming";
import type { CustomObjects } from "../saving/object_registration";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../saving/serialization";
import { Regularizer } from "../initializers/initializer";

export { Regularizer } from "../initializers/initializer";

/** Keras `validate_float_arg`: a finite, non-negative number. */
function validateFloatArg(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new ValueError(
      `Invalid value for argument ${name}: expected a non-negative float. Received: ${name}=${fmt(value)}`,
    );
  return value;
}

const allAxes = (x: Tensor): number[] => x.shape.map((_, i) => i);

/** `factor * sum(|x|)` as a scalar of x's dtype. */
function l1Penalty(x: Tensor, factor: number): Tensor {
  return lax.mul(lax.sum(lax.abs(x), allAxes(x)), factor);
}

/** `factor * sum(x²)` as a scalar of x's dtype. */
function l2Penalty(x: Tensor, factor: number): Tensor {
  return lax.mul(lax.sum(lax.mul(x, x), allAxes(x)), factor);
}

export interface L1L2Options {
  /** L1 factor (default 0). */
  l1?: number | null;
  /** L2 factor (default 0). */
  l2?: number | null;
}

/**
 * L1 and L2 penalties together: `l1 * sum(|x|) + l2 * sum(x²)` (Keras `L1L2`).
 * @example const reg = new keras.regularizers.L1L2({ l1: 0.01, l2: 0.01 });
 */
export class L1L2 extends Regularizer {
  static override className = "L1L2";
  readonly l1: number;
  readonly l2: number;

  constructor({ l1 = 0.0, l2 = 0.0 }: L1L2Options = {}) {
    super();
    this.l1 = Math.fround(validateFloatArg(l1 ?? 0.0, "l1"));
    this.l2 = Math.fround(validateFloatArg(l2 ?? 0.0, "l2"));
  }

  call(x: Tensor): Tensor {
    return tidy(() => {
      let reg = lax.full([], 0, x.dtype);
      if (this.l1) reg = lax.add(reg, l1Penalty(x, this.l1));
      if (this.l2) reg = lax.add(reg, l2Penalty(x, this.l2));
      return reg;
    });
  }

  override getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}

export interface L1Options {
  /** L1 factor (default 0.01). */
  l1?: number | null;
}

/**
 * L1 penalty `l1 * sum(|x|)` (Keras `L1`). `new L1(0.3)` is shorthand for `new L1({ l1: 0.3 })`.
 * @example new keras.regularizers.L1(0.01).call(kernel);
 */
export class L1 extends Regularizer {
  static override className = "L1";
  readonly l1: number;

  constructor(options: L1Options | number = {}) {
    super();
    const l1 = typeof options === "number" ? options : options.l1;
    this.l1 = Math.fround(validateFloatArg(l1 ?? 0.01, "l1"));
  }

  call(x: Tensor): Tensor {
    return tidy(() => l1Penalty(x, this.l1));
  }

  override getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
}

export interface L2Options {
  /** L2 factor (default 0.01). */
  l2?: number | null;
}

/**
 * L2 penalty `l2 * sum(x²)` (Keras `L2`; no factor 1/2). `new L2(0.1)` is shorthand for
 * `new L2({ l2: 0.1 })`.
 * @example new keras.regularizers.L2(2).call(keras.ops.ones([5, 5])); // 50
 */
export class L2 extends Regularizer {
  static override className = "L2";
  readonly l2: number;

  constructor(options: L2Options | number = {}) {
    super();
    const l2 = typeof options === "number" ? options : options.l2;
    this.l2 = Math.fround(validateFloatArg(l2 ?? 0.01, "l2"));
  }

  call(x: Tensor): Tensor {
    return tidy(() => l2Penalty(x, this.l2));
  }

  override getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

export interface OrthogonalRegularizerOptions {
  /** Penalty factor (default 0.01). */
  factor?: number;
  /** Make the rows (default) or the columns of a rank-2 input orthogonal. */
  mode?: "rows" | "columns";
}

/**
 * Encourages the rows (or columns) of a matrix to be orthogonal (Keras `OrthogonalRegularizer`):
 * `factor * 0.5 * sum(|P - diag(P)|) / (n (n - 1) / 2)`, where `P` holds the dot products of
 * the L2-normalized rows (columns) and `n` is their number.
 * @example const reg = new keras.regularizers.OrthogonalRegularizer({ factor: 0.01, mode: "rows" });
 */
export class OrthogonalRegularizer extends Regularizer {
  static override className = "OrthogonalRegularizer";
  readonly factor: number;
  readonly mode: "rows" | "columns";

  constructor({ factor = 0.01, mode = "rows" }: OrthogonalRegularizerOptions = {}) {
    super();
    this.factor = Math.fround(validateFloatArg(factor, "factor"));
    if (mode !== "rows" && mode !== "columns")
      throw new ValueError(
        `Invalid value for argument \`mode\`. Expected one of {"rows", "columns"}. Received: mode=${fmt(mode)}`,
      );
    this.mode = mode;
  }

  call(inputs: Tensor): Tensor {
    if (inputs.rank !== 2)
      throw new ValueError(
        `Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=${fmt(inputs.shape)}`,
      );
    return tidy(() => {
      const axis = this.mode === "rows" ? 1 : 0;
      // Keras `ops.nn.normalize`: x * min(rsqrt(sum(x², axis)), 1 / epsilon).
      const sq = lax.sum(lax.mul(inputs, inputs), [axis]);
      const inv = lax.minimum(lax.reciprocal(lax.sqrt(sq)), 1 / 1e-7);
      const keep = axis === 1 ? [inputs.shape[0]!, 1] : [1, inputs.shape[1]!];
      const x = lax.mul(inputs, lax.reshape(inv, keep));
      const product =
        this.mode === "rows" ? lax.matmul(x, x, false, true) : lax.matmul(x, x, true, false); // (n, n)
      const size = product.shape[0]!;
      const offDiag = lax.sub(
        lax.full([size, size], 1, x.dtype),
        lax.cast(lax.equal(lax.iota([size, size], 0), lax.iota([size, size], 1)), x.dtype),
      );
      const numPairs = (size * (size - 1)) / 2;
      const total = lax.sum(lax.abs(lax.mul(product, offDiag)), [0, 1]);
      return lax.div(lax.mul(total, this.factor * 0.5), numPairs);
    });
  }

  override getConfig(): Record<string, unknown> {
    return { factor: this.factor, mode: this.mode };
  }
}

const MODULE = "keras.regularizers";

type RegularizerClass = typeof Regularizer & (new (options?: never) => Regularizer);

const ALL_OBJECTS = [L1, L2, L1L2, OrthogonalRegularizer] as unknown as RegularizerClass[];

/** Name -> class: class names and snake_case names; "l1_l2" is added for the public alias. */
const ALL_OBJECTS_DICT: Record<string, RegularizerClass> = {};
for (const cls of ALL_OBJECTS) {
  ALL_OBJECTS_DICT[cls.className] = cls;
  ALL_OBJECTS_DICT[toSnakeCase(cls.className)] = cls;
}
ALL_OBJECTS_DICT.l1_l2 = L1L2 as unknown as RegularizerClass;

for (const cls of ALL_OBJECTS) {
  const aliases = Object.keys(ALL_OBJECTS_DICT).filter(
    (k) => ALL_OBJECTS_DICT[k] === cls && k !== cls.className,
  );
  registerBuiltin(MODULE, cls.className, cls, aliases);
}

/** A plain function `(x) => scalar` used as a regularizer. */
export type RegularizerFunction = (x: Tensor) => Tensor;

class FunctionRegularizer extends Regularizer {
  static override className = "FunctionRegularizer";
  constructor(readonly fn: RegularizerFunction) {
    super();
  }
  call(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/**
 * Serializes a regularizer to its Keras dict.
 * @example keras.regularizers.serialize(new keras.regularizers.L2(0.1));
 */
export function serialize(regularizer: Regularizer): Record<string, unknown> {
  return serializeKerasObject(regularizer) as Record<string, unknown>;
}

/**
 * Rebuilds a regularizer from a Keras dict.
 * @example keras.regularizers.deserialize({ class_name: "L2", config: { l2: 0.1 } });
 */
export function deserialize(
  config: Record<string, unknown> | string,
  customObjects?: CustomObjects,
): Regularizer {
  return deserializeKerasObject(config, {
    moduleObjects: ALL_OBJECTS_DICT,
    customObjects,
  }) as Regularizer;
}

/**
 * Retrieves a regularizer (Keras `keras.regularizers.get`): an instance as is, a name ("l1",
 * "l2", "l1_l2", "L2", "orthogonal_regularizer") as the class with its default factors, a dict
 * deserialized, a plain function wrapped; null gives null.
 * @example keras.regularizers.get("l2"); // L2 with l2 = 0.01
 */
export function get(identifier: null | undefined): null;
export function get(identifier: unknown): Regularizer;
export function get(identifier: unknown): Regularizer | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: unknown = identifier;
  if (typeof identifier === "string")
    obj = Object.prototype.hasOwnProperty.call(ALL_OBJECTS_DICT, identifier)
      ? ALL_OBJECTS_DICT[identifier]
      : undefined;
  else if (
    typeof identifier === "object" &&
    !(identifier instanceof Regularizer) &&
    typeof (identifier as Regularizer).call !== "function"
  )
    obj = deserialize(identifier as Record<string, unknown>);
  if (typeof obj === "function") {
    if (obj.prototype instanceof Regularizer) return new (obj as new () => Regularizer)();
    return new FunctionRegularizer(obj as RegularizerFunction);
  }
  if (
    obj instanceof Regularizer ||
    (typeof obj === "object" && obj !== null && typeof (obj as Regularizer).call === "function")
  )
    return obj as Regularizer;
  throw new ValueError(
    `Could not interpret regularizer identifier: ${fmt(identifier)}. Received: regularizer=${fmt(identifier)}`,
  );
}
