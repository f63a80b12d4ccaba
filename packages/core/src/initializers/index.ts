/**
 * `keras.initializers`: weight initializers, and `get` / `serialize` / `deserialize`
 * (Keras 3 `keras/src/initializers/__init__.py`).
 *
 * `get` is what layers call on their `*_initializer` arguments: it accepts an instance, a Keras
 * name ("glorot_uniform", "GlorotUniform", "zeros", "orthogonal", ...), a serialized dict
 * (`{class_name, config}` with or without `module`) or a class.
 */
import { ValueError, fmt } from "../errors";
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { toSnakeCase } from "../utils/naming";
import type { CustomObjects } from "../saving/object_registration";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../saving/serialization";
import { Initializer } from "./initializer";
import { Constant, Identity, Ones, Zeros } from "./constant_initializers";
import {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  Orthogonal,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  VarianceScaling,
} from "./random_initializers";

export { Initializer } from "./initializer";
export { Constant, Identity, IdentityInitializer, Ones, Zeros } from "./constant_initializers";
export type { ConstantOptions, IdentityOptions } from "./constant_initializers";
export {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  Orthogonal,
  OrthogonalInitializer,
  RandomInitializer,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  VarianceScaling,
  computeFans,
  householderQR,
} from "./random_initializers";
export type {
  FanMode,
  InitializerSeed,
  OrthogonalOptions,
  PresetOptions,
  RandomNormalOptions,
  RandomUniformOptions,
  VarianceDistribution,
  VarianceScalingOptions,
} from "./random_initializers";

const MODULE = "keras.initializers";

type InitializerClass = typeof Initializer & (new (options?: never) => Initializer);

const ALL_OBJECTS: InitializerClass[] = [
  Constant,
  Identity,
  Ones,
  Zeros,
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  RandomNormal,
  TruncatedNormal,
  RandomUniform,
  VarianceScaling,
  Orthogonal,
] as unknown as InitializerClass[];

/** Extra names Keras accepts (its `ALL_OBJECTS_DICT` aliases and public export names). */
const ALIASES: Record<string, InitializerClass> = {
  uniform: RandomUniform as unknown as InitializerClass,
  normal: RandomNormal as unknown as InitializerClass,
  orthogonal: Orthogonal as unknown as InitializerClass,
  // Keras 3.15.1 writes "Orthogonal" / "Identity"; older releases wrote the *Initializer names.
  OrthogonalInitializer: Orthogonal as unknown as InitializerClass,
  identity: Identity as unknown as InitializerClass,
  IdentityInitializer: Identity as unknown as InitializerClass,
  one: Ones as unknown as InitializerClass,
  zero: Zeros as unknown as InitializerClass,
};

/** Name -> class: Keras class names, their snake_case forms and the aliases. */
const ALL_OBJECTS_DICT: Record<string, InitializerClass> = {};
for (const cls of ALL_OBJECTS) {
  ALL_OBJECTS_DICT[cls.className] = cls;
  ALL_OBJECTS_DICT[toSnakeCase(cls.className)] = cls;
}
Object.assign(ALL_OBJECTS_DICT, ALIASES);

for (const cls of ALL_OBJECTS) {
  const aliases = Object.keys(ALL_OBJECTS_DICT).filter(
    (k) => ALL_OBJECTS_DICT[k] === cls && k !== cls.className,
  );
  registerBuiltin(MODULE, cls.className, cls, aliases);
}

/** A plain function `(shape, dtype) => Tensor` used as an initializer. */
export type InitializerFunction = (shape: number[], dtype?: DType) => Tensor;

/** What `get` accepts. */
export type InitializerIdentifier =
  | Initializer
  | string
  | Record<string, unknown>
  | InitializerFunction
  | (new () => Initializer)
  | null
  | undefined;

/** Wraps a plain function so that it has the Initializer interface. */
class FunctionInitializer extends Initializer {
  static override className = "FunctionInitializer";
  constructor(readonly fn: InitializerFunction) {
    super();
  }
  call(shape: number[], dtype?: DType): Tensor {
    return this.fn(shape, dtype);
  }
}

function isInitializerLike(x: unknown): x is Initializer {
  return (
    x instanceof Initializer ||
    (typeof x === "object" && x !== null && typeof (x as Initializer).call === "function")
  );
}

/**
 * Serializes an initializer to its Keras dict.
 * @example keras.initializers.serialize(new keras.initializers.Zeros());
 * // {module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null}
 */
export function serialize(initializer: Initializer): Record<string, unknown> {
  return serializeKerasObject(initializer) as Record<string, unknown>;
}

/**
 * Rebuilds an initializer from a Keras dict (or name).
 * @example keras.initializers.deserialize({ class_name: "Ones", config: {} });
 */
export function deserialize(
  config: Record<string, unknown> | string,
  customObjects?: CustomObjects,
): Initializer {
  return deserializeKerasObject(config, {
    moduleObjects: ALL_OBJECTS_DICT,
    customObjects,
  }) as Initializer;
}

/**
 * Retrieves an initializer from an identifier (Keras `keras.initializers.get`): an instance is
 * returned as is, a name or dict is deserialized, a class is instantiated with its defaults, a
 * plain function is wrapped; null gives null.
 * @example
 * keras.initializers.get("glorot_uniform"); // a GlorotUniform
 * keras.initializers.get({ class_name: "RandomNormal", config: { stddev: 0.1, seed: 1 } });
 */
export function get(identifier: null | undefined): null;
export function get(identifier: InitializerIdentifier | unknown): Initializer;
export function get(identifier: unknown): Initializer | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: unknown = identifier;
  if (typeof identifier === "string") obj = deserialize({ class_name: identifier, config: {} });
  else if (typeof identifier === "object" && !isInitializerLike(identifier))
    obj = deserialize(identifier as Record<string, unknown>);
  if (typeof obj === "function") {
    if (obj.prototype instanceof Initializer) return new (obj as new () => Initializer)();
    return new FunctionInitializer(obj as InitializerFunction);
  }
  if (isInitializerLike(obj)) return obj;
  throw new ValueError(
    `Could not interpret initializer identifier: ${fmt(identifier)}. Received: initializer=${fmt(identifier)}`,
  );
}
