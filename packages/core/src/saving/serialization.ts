/**
 * Keras 3 object (de)serialization: `serializeKerasObject` writes the
 * `{module, class_name, config, registered_name}` dicts found in `.keras` config.json files, and
 * `deserializeKerasObject` turns them back into objects.
 *
 * Built-in classes and functions are found through per-module tables ("keras.initializers",
 * "keras.layers", ...) that each module fills with `registerBuiltin` when it loads; custom
 * objects through the registry in `object_registration.ts` or a `customObjects` table. This
 * file imports no built-in module: the package entry point loads them all.
 *
 * What is written, as Keras 3 writes it:
 * - a built-in class: `{module: "keras.<kind>", class_name, config, registered_name: null}`;
 * - a custom class: `{module: null, class_name, config, registered_name: "Package>Name"}`
 *   (JavaScript has no importable module path; Keras itself writes `module: null` for classes
 *   defined in `__main__`, and loads by `registered_name` first, so Keras reads these back when
 *   the same name is registered on the Python side);
 * - a built-in function: `{module: "keras.<kind>", class_name: "function", config: name,
 *   registered_name: name}` (activations are normally written as plain strings instead).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/saving/serialization_lib.py
 */
import { KerasError, ValueError, fmt } from "../errors";
import { Tensor } from "../tensor/tensor";
import { convertToTensor } from "../ops/convert";
import type { DType } from "../tensor/dtype";
import {
  getRegisteredName,
  getRegisteredObject,
  isRegistered,
  withCustomObjects,
  type CustomObjects,
} from "./object_registration";

/** A serialized Keras object, as it appears in config.json. */
export interface SerializedKerasObject {
  module: string | null;
  class_name: string;
  config: unknown;
  registered_name: string | null;
  build_config?: unknown;
  compile_config?: unknown;
  shared_object_id?: number;
}

export interface DeserializeOptions {
  /** Extra name -> class/function table searched after the registry (Keras `module_objects`). */
  moduleObjects?: CustomObjects | null;
  /** User-provided name -> class/function table (Keras `custom_objects`). */
  customObjects?: CustomObjects | null;
  /** Refuse `__lambda__` entries (Keras default: true). */
  safeMode?: boolean;
}

/** A config names a class or function that cannot be found (Keras raises TypeError here). */
export class UnknownObjectError extends KerasError {
  constructor(
    message: string,
    /** The `class_name` (or function name) that could not be resolved. */
    readonly className: string,
  ) {
    super(message);
  }
}

interface BuiltinTables {
  /** module -> (class or function name -> object). Aliases are included. */
  byModule: Map<string, Map<string, unknown>>;
  /** object -> its canonical (module, name). */
  byObject: Map<unknown, { module: string; name: string }>;
}

const KEY = Symbol.for("webkeras.builtins.v1");

// Function declarations (hoisted) so that modules in an import cycle can register at load time.
function tables(): BuiltinTables {
  const g = globalThis as unknown as Record<symbol, BuiltinTables | undefined>;
  return (g[KEY] ??= { byModule: new Map(), byObject: new Map() });
}

/**
 * Registers a built-in Keras class or function under its public module, so that
 * `serializeKerasObject` writes `module` / `class_name` for it and `deserializeKerasObject`
 * finds it. `name` is the canonical Keras name (written to files); `aliases` are extra names
 * accepted when reading (e.g. "Orthogonal" for "OrthogonalInitializer").
 * @example registerBuiltin("keras.layers", "Dense", Dense);
 */
export function registerBuiltin(
  module: string,
  name: string,
  obj: unknown,
  aliases: readonly string[] = [],
): void {
  const t = tables();
  let m = t.byModule.get(module);
  if (!m) t.byModule.set(module, (m = new Map()));
  m.set(name, obj);
  for (const a of aliases) if (!m.has(a)) m.set(a, obj);
  if (!t.byObject.has(obj)) t.byObject.set(obj, { module, name });
}

/** The built-ins registered under one module, as a name -> object table (aliases included). */
export function builtinObjects(module: string): CustomObjects {
  return Object.fromEntries(tables().byModule.get(module) ?? []);
}

/** The canonical `{module, name}` of a built-in class or function, if it is one. */
export function builtinName(obj: unknown): { module: string; name: string } | undefined {
  return tables().byObject.get(obj);
}

/**
 * Converts a Keras config (snake_case keys) into constructor options (camelCase keys), one
 * level deep: `{kernel_initializer, beta_1}` -> `{kernelInitializer, beta1}`. Values are kept
 * as they are (nested serialized objects are resolved by the constructor's `get` calls).
 * @example configToOptions({ max_value: 2, axis: 0 }) // { maxValue: 2, axis: 0 }
 */
export function configToOptions(config: unknown): Record<string, unknown> {
  if (config === null || config === undefined) return {};
  if (typeof config !== "object" || Array.isArray(config))
    throw new ValueError(
      `configToOptions: a config must be a plain object. Received: ${fmt(config)}`,
    );
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[snakeToCamel(k)] = v;
  return out;
}

/** "kernel_initializer" -> "kernelInitializer", "beta_1" -> "beta1"; leading "_" is kept. */
export function snakeToCamel(key: string): string {
  return key.replace(/(?<=[A-Za-z0-9])_([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isClassLike(x: unknown): x is abstract new (...args: never[]) => unknown {
  return typeof x === "function" && /^class[\s{]/.test(Function.prototype.toString.call(x));
}

/** The Keras class name of a constructor: its own static `className`, else its JS name. */
function classNameOf(ctor: unknown): string {
  if (typeof ctor !== "function") return String(ctor);
  if (Object.prototype.hasOwnProperty.call(ctor, "className")) {
    const cn = (ctor as { className?: unknown }).className;
    if (typeof cn === "string") return cn;
  }
  return ctor.name;
}

function nested(flat: ArrayLike<number>, shape: readonly number[], dtype: DType): unknown {
  const conv = (v: number): number | boolean => (dtype === "bool" ? v !== 0 : v);
  if (shape.length === 0) return conv(flat[0]!);
  let offset = 0;
  const build = (d: number): unknown[] => {
    const n = shape[d]!;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++)
      out.push(d === shape.length - 1 ? conv(flat[offset++]!) : build(d + 1));
    return out;
  };
  return build(0);
}

/**
 * Serializes a value the way Keras 3's `serialize_keras_object` does: plain values pass
 * through, arrays and plain objects are serialized element-wise, objects with `getConfig()`
 * become `{module, class_name, config, registered_name}` (plus `build_config` /
 * `compile_config` when the object has them), functions become `class_name: "function"`
 * entries, and concrete tensors become `__tensor__` entries.
 * @example
 * keras.saving.serializeKerasObject(new keras.initializers.Zeros());
 * // {module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null}
 */
export function serializeKerasObject(obj: unknown): unknown {
  if (obj === null || obj === undefined) return null;
  if (typeof obj === "string" || typeof obj === "number" || typeof obj === "boolean") return obj;
  if (Array.isArray(obj)) return obj.map(serializeKerasObject);
  if (obj instanceof Tensor) {
    return {
      class_name: "__tensor__",
      config: { value: nested(obj.dataSync(), obj.shape, obj.dtype), dtype: obj.dtype },
    };
  }
  if (typeof obj === "function" && !isClassLike(obj))
    return serializeFunction(obj as (...args: never[]) => unknown);
  if (isPlainObject(obj)) return serializeDict(obj);
  const getConfig = (obj as { getConfig?: unknown }).getConfig;
  if (typeof obj === "object" && typeof getConfig === "function") {
    const config = getConfig.call(obj);
    if (!isPlainObject(config))
      throw new ValueError(
        `serializeKerasObject: getConfig() of ${classNameOf(obj.constructor)} must return a plain object. Received: ${fmt(config)}`,
      );
    const ctor = obj.constructor;
    const inner = serializeDict(config);
    const builtin = builtinName(ctor);
    let out: SerializedKerasObject;
    if (builtin)
      out = {
        module: builtin.module,
        class_name: builtin.name,
        config: inner,
        registered_name: null,
      };
    else {
      const className = classNameOf(ctor);
      const registered = isRegistered(ctor) ? getRegisteredName(ctor) : className;
      out = { module: null, class_name: className, config: inner, registered_name: registered };
    }
    addBuildAndCompileConfig(obj, out);
    return out;
  }
  throw new ValueError(
    `serializeKerasObject: cannot serialize this object; to be serializable, a class must implement getConfig(). Received: ${fmt(obj)}`,
  );
}

function serializeDict(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = serializeKerasObject(v);
  return out;
}

function serializeFunction(fn: (...args: never[]) => unknown): SerializedKerasObject {
  const builtin = builtinName(fn);
  if (builtin)
    return {
      module: builtin.module,
      class_name: "function",
      config: builtin.name,
      registered_name: builtin.name,
    };
  if (isRegistered(fn)) {
    const key = getRegisteredName(fn);
    return {
      module: null,
      class_name: "function",
      config: key.slice(key.indexOf(">") + 1),
      registered_name: key,
    };
  }
  if (!fn.name)
    throw new ValueError(
      "serializeKerasObject: cannot serialize an anonymous function (Keras refuses lambdas too); give it a name and register it with registerKerasSerializable(). Received: an anonymous function",
    );
  return { module: null, class_name: "function", config: fn.name, registered_name: fn.name };
}

function addBuildAndCompileConfig(obj: object, out: SerializedKerasObject): void {
  const o = obj as { getBuildConfig?: () => unknown; getCompileConfig?: () => unknown };
  if (typeof o.getBuildConfig === "function") {
    const b = o.getBuildConfig();
    if (b !== null && b !== undefined) out.build_config = serializeKerasObject(b);
  }
  if (typeof o.getCompileConfig === "function") {
    const c = o.getCompileConfig();
    if (c !== null && c !== undefined) out.compile_config = serializeKerasObject(c);
  }
}

/** Module tables searched for a `module: "builtins"` function (Keras BUILTIN_MODULES). */
const BUILTIN_FUNCTION_MODULES = [
  "keras.activations",
  "keras.constraints",
  "keras.initializers",
  "keras.losses",
  "keras.metrics",
  "keras.optimizers",
  "keras.regularizers",
];

function lookupIn(module: string, name: string): unknown {
  return tables().byModule.get(module)?.get(name);
}

/** Unique match across every built-in table (configs without a `module` key, e.g. Keras 2). */
function lookupAnyModule(name: string): unknown {
  const found = new Set<unknown>();
  for (const m of tables().byModule.values()) if (m.has(name)) found.add(m.get(name));
  return found.size === 1 ? [...found][0] : undefined;
}

function unknownObject(
  kind: "class" | "function",
  name: string,
  full: unknown,
): UnknownObjectError {
  return new UnknownObjectError(
    `Could not locate ${kind} '${name}'. Make sure custom classes are registered with ` +
      "`registerKerasSerializable()` (Python: `@keras.saving.register_keras_serializable()`) " +
      `or passed in \`customObjects\`. Full object config: ${fmt(full)}. Received: class_name=${name}`,
    name,
  );
}

function resolve(
  kind: "class" | "function",
  name: string,
  registeredName: string | null | undefined,
  module: string | null | undefined,
  full: unknown,
  opts: DeserializeOptions,
): unknown {
  const custom = opts.customObjects ?? null;
  const found =
    getRegisteredObject(registeredName ?? name, custom) ??
    (registeredName && registeredName !== name ? getRegisteredObject(name, custom) : undefined);
  if (found !== undefined) return found;
  if (module) {
    const obj = lookupIn(module, name);
    if (obj !== undefined) return obj;
    if (kind === "function" && module === "builtins") {
      for (const m of BUILTIN_FUNCTION_MODULES) {
        const f = lookupIn(m, name);
        if (f !== undefined) return f;
      }
    }
  }
  const fromModule = opts.moduleObjects
    ? getRegisteredObject(name, null, opts.moduleObjects)
    : undefined;
  if (fromModule !== undefined) return fromModule;
  // No module (Keras 2 configs) or a Keras module path we have no table for
  // ("keras.src.layers.core.dense"): accept a unique match among all built-ins.
  const kerasPath =
    typeof module === "string" && (module === "keras" || module.startsWith("keras."));
  if ((module === undefined && !opts.moduleObjects) || kerasPath) {
    const any = lookupAnyModule(name);
    if (any !== undefined) return any;
  }
  throw unknownObject(kind, name, full);
}

/** Instantiates a class from its inner config: `fromConfig` if defined, else `new cls(options)`. */
function instantiate(cls: unknown, inner: unknown, className: string): unknown {
  const c = cls as { fromConfig?: (config: unknown) => unknown } & (new (
    options: unknown,
  ) => unknown);
  if (typeof c.fromConfig === "function") return c.fromConfig(inner ?? {});
  if (typeof c === "function") return new c(configToOptions(inner ?? {}));
  throw new ValueError(
    `deserializeKerasObject: '${className}' resolved to something that is neither a class nor a function. Received: ${fmt(cls)}`,
  );
}

const SAFE_MODE_KEY = Symbol.for("webkeras.safe_mode.v1");

function safeModeStack(): boolean[] {
  const g = globalThis as unknown as Record<symbol, boolean[] | undefined>;
  return (g[SAFE_MODE_KEY] ??= []);
}

/**
 * Rebuilds an object from its serialized form (Keras `deserialize_keras_object`). Plain values
 * pass through; strings found in `customObjects` (or in `moduleObjects`) resolve to those
 * objects; `{class_name, config}` dicts are resolved through, in order: the custom-object
 * scopes and registry (by `registered_name`, then `class_name`), the built-in table of their
 * `module`, then `moduleObjects`. Classes are built with `fromConfig(config)` when they define
 * it, else `new Class(configToOptions(config))`; `build_config` and `compile_config` are
 * applied through `buildFromConfig` / `compileFromConfig` when the instance has them.
 * @example
 * const init = keras.saving.deserializeKerasObject({
 *   module: "keras.initializers", class_name: "GlorotUniform", config: { seed: 1 }, registered_name: null,
 * });
 */
export function deserializeKerasObject(config: unknown, options: DeserializeOptions = {}): unknown {
  const stack = safeModeStack();
  const opts: DeserializeOptions = {
    ...options,
    safeMode: options.safeMode ?? stack[stack.length - 1] ?? true,
  };
  if (config === null || config === undefined) return null;
  if (typeof config === "string") {
    const custom = getRegisteredObject(config, opts.customObjects ?? null);
    if (custom !== undefined) return custom;
    if (opts.moduleObjects && Object.prototype.hasOwnProperty.call(opts.moduleObjects, config)) {
      const obj = opts.moduleObjects[config];
      return isClassLike(obj) ? instantiate(obj, {}, config) : obj;
    }
    return config;
  }
  if (typeof config === "number" || typeof config === "boolean") return config;
  if (Array.isArray(config)) return config.map((c) => deserializeKerasObject(c, opts));
  if (!isPlainObject(config)) return config;

  const className = config.class_name;
  const hasInner = Object.prototype.hasOwnProperty.call(config, "config");
  if (typeof className !== "string" || (!hasInner && !opts.moduleObjects)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) out[k] = deserializeKerasObject(v, opts);
    return out;
  }
  const inner = config.config as Record<string, unknown> | string | null | undefined;
  switch (className) {
    case "__keras_tensor__":
      // Rebuilt by the Functional model loader, which knows the graph.
      return config;
    case "__tensor__":
    case "__numpy__": {
      const c = inner as { value: unknown; dtype: string };
      return convertToTensor(c.value as never, c.dtype);
    }
    case "__bytes__":
      return (inner as { value: string }).value;
    case "__lambda__":
      if (opts.safeMode)
        throw new ValueError(
          "Requested the deserialization of a `lambda` object. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. Received: class_name=__lambda__",
        );
      throw new ValueError(
        "deserializeKerasObject: Python lambdas (Python bytecode) cannot be loaded in JavaScript; replace the lambda with a registered named function. Received: class_name=__lambda__",
      );
  }
  const module = Object.prototype.hasOwnProperty.call(config, "module")
    ? (config.module as string | null)
    : undefined;
  const registeredName = config.registered_name as string | null | undefined;

  if (className === "function") {
    const fnName = String(inner);
    const registered = registeredName === "function" ? fnName : registeredName;
    return resolve("function", fnName, registered, module, config, opts);
  }

  const cls = resolve("class", className, registeredName, module, config, opts);
  if (typeof cls === "function" && !isClassLike(cls)) return cls;
  stack.push(opts.safeMode!);
  let instance: unknown;
  try {
    instance = withCustomObjects(opts.customObjects, () => instantiate(cls, inner, className));
  } finally {
    stack.pop();
  }
  const inst = instance as {
    built?: boolean;
    buildFromConfig?: (c: unknown) => void;
    compileFromConfig?: (c: unknown) => void;
  };
  if (config.build_config && inst.built !== true && typeof inst.buildFromConfig === "function") {
    inst.buildFromConfig(config.build_config);
    inst.built = true;
  }
  if (config.compile_config && typeof inst.compileFromConfig === "function")
    inst.compileFromConfig(config.compile_config);
  return instance;
}
