/**
 * The registry of serializable custom objects (Keras `keras.saving.register_keras_serializable`,
 * `get_registered_object`, `get_registered_name`, `CustomObjectScope`).
 *
 * A custom class or function is registered under `"Package>Name"`; configs written for it carry
 * that string as `registered_name`, and loading looks it up here first. The registry lives on
 * `globalThis` under `Symbol.for("webkeras.objects.v1")`, so two copies of core in one bundle
 * share it. Built-in Keras classes are *not* registered here: they live in the per-module
 * tables of `serialization.ts` (`registerBuiltin`).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/saving/object_registration.py
 */
import { ValueError, fmt } from "../errors";

/** Anything that can be registered: a class (with `getConfig`) or a plain function. */
export type RegistrableObject =
  ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);

/** A name -> object table, as passed in `customObjects`. */
export type CustomObjects = Record<string, unknown>;

export interface RegisterOptions {
  /** The package part of the key `"Package>Name"`. Default "Custom". */
  package?: string;
  /** The name part; default the class' static `className`, else its JavaScript name. */
  name?: string;
}

interface ObjectRegistry {
  /** "Package>Name" -> object (Keras GLOBAL_CUSTOM_OBJECTS). */
  objects: Map<string, unknown>;
  /** object -> "Package>Name" (Keras GLOBAL_CUSTOM_NAMES). */
  names: Map<unknown, string>;
  /** Stack of `withCustomObjects` scopes, innermost last. */
  scopes: CustomObjects[];
}

const KEY = Symbol.for("webkeras.objects.v1");

// A function declaration (hoisted), so modules in an import cycle can register at load time.
function registry(): ObjectRegistry {
  const g = globalThis as unknown as Record<symbol, ObjectRegistry | undefined>;
  return (g[KEY] ??= { objects: new Map(), names: new Map(), scopes: [] });
}

/** The Keras name of a class or function: static `className` if set, else the JS name. */
function defaultName(obj: unknown): string {
  if (typeof obj === "function") {
    const cn = (obj as { className?: unknown }).className;
    if (typeof cn === "string" && Object.prototype.hasOwnProperty.call(obj, "className")) return cn;
    return obj.name;
  }
  return String(obj);
}

function isClass(obj: unknown): boolean {
  return typeof obj === "function" && /^class[\s{]/.test(Function.prototype.toString.call(obj));
}

function register(obj: RegistrableObject, options: RegisterOptions): void {
  const pkg = options.package ?? "Custom";
  const name = options.name ?? defaultName(obj);
  if (!name)
    throw new ValueError(
      `registerKerasSerializable: cannot register an anonymous class or function without a name; pass { name }. Received: ${fmt(obj)}`,
    );
  const key = `${pkg}>${name}`;
  if (
    isClass(obj) &&
    typeof (obj as { prototype?: { getConfig?: unknown } }).prototype?.getConfig !== "function"
  )
    throw new ValueError(
      `registerKerasSerializable: cannot register a class that does not have a getConfig() method. Received: ${name}`,
    );
  const r = registry();
  const existing = r.objects.get(key);
  if (existing !== undefined && existing !== obj)
    throw new ValueError(
      `registerKerasSerializable: the name '${key}' is already registered to another object; choose a different package/name combination. Received: package=${pkg}, name=${name}`,
    );
  r.objects.set(key, obj);
  r.names.set(obj, key);
}

/**
 * Registers a custom class or function for (de)serialization under `"Package>Name"`
 * (Keras `register_keras_serializable`). Classes must implement `getConfig()`; a class that
 * needs more than `new Cls(configToOptions(config))` to be rebuilt also defines
 * `static fromConfig(config)`.
 *
 * Use it as a function, or as a (TypeScript 5 / TC39) class decorator.
 * @example
 * class MyInit extends keras.initializers.Initializer {
 *   static override className = "MyInit";
 *   call(shape: number[]) { return keras.ops.ones(shape); }
 * }
 * keras.saving.registerKerasSerializable(MyInit, { package: "MyPkg" }); // key "MyPkg>MyInit"
 *
 * @keras.saving.registerKerasSerializable({ package: "MyPkg" })
 * class MyLayer extends keras.layers.Layer { ... }
 */
export function registerKerasSerializable<T extends RegistrableObject>(
  obj: T,
  options?: RegisterOptions,
): T;
export function registerKerasSerializable(
  options?: RegisterOptions,
): <T extends RegistrableObject>(obj: T, context?: unknown) => T;
export function registerKerasSerializable(
  objOrOptions?: RegistrableObject | RegisterOptions,
  options: RegisterOptions = {},
): unknown {
  if (typeof objOrOptions === "function") {
    register(objOrOptions, options);
    return objOrOptions;
  }
  const opts = objOrOptions ?? {};
  return <T extends RegistrableObject>(obj: T, _context?: unknown): T => {
    register(obj, opts);
    return obj;
  };
}

/** Removes a registration by its `"Package>Name"` key (for tests and hot reloading). */
export function unregisterKerasSerializable(registeredName: string): boolean {
  const r = registry();
  const obj = r.objects.get(registeredName);
  if (obj === undefined) return false;
  r.objects.delete(registeredName);
  if (r.names.get(obj) === registeredName) r.names.delete(obj);
  return true;
}

/**
 * The name a class, instance or function is serialized under: its `"Package>Name"` key if
 * registered, else its Keras class name (static `className`) or JavaScript name
 * (Keras `get_registered_name`).
 * @example keras.saving.getRegisteredName(MyInit) // "MyPkg>MyInit"
 */
export function getRegisteredName(obj: unknown): string {
  const r = registry();
  const key = typeof obj === "function" ? obj : (obj as object | null)?.constructor;
  const name = r.names.get(key);
  if (name !== undefined) return name;
  return defaultName(key);
}

/** Whether a class (or the class of an instance) or function has a registration. */
export function isRegistered(obj: unknown): boolean {
  const key = typeof obj === "function" ? obj : (obj as object | null)?.constructor;
  return registry().names.has(key);
}

/**
 * Looks a name up in, in order: the active `withCustomObjects` scopes (innermost first), the
 * global registry, `customObjects`, then `moduleObjects` (Keras `get_registered_object`).
 * Returns `undefined` when nothing matches.
 * @example keras.saving.getRegisteredObject("MyPkg>MyInit") // MyInit
 */
export function getRegisteredObject(
  name: string | null | undefined,
  customObjects?: CustomObjects | null,
  moduleObjects?: CustomObjects | null,
): unknown {
  if (name === null || name === undefined) return undefined;
  const r = registry();
  for (let i = r.scopes.length - 1; i >= 0; i--) {
    const scope = r.scopes[i]!;
    if (Object.prototype.hasOwnProperty.call(scope, name)) return scope[name];
  }
  if (r.objects.has(name)) return r.objects.get(name);
  if (customObjects && Object.prototype.hasOwnProperty.call(customObjects, name))
    return customObjects[name];
  if (moduleObjects && Object.prototype.hasOwnProperty.call(moduleObjects, name))
    return moduleObjects[name];
  return undefined;
}

/**
 * A live view of the global registry as a plain object (Keras `get_custom_objects`); scoped
 * objects are not included.
 */
export function getCustomObjects(): CustomObjects {
  return Object.fromEntries(registry().objects);
}

/** All objects visible now: scopes (innermost wins) over the global registry. */
export function visibleCustomObjects(): CustomObjects {
  const r = registry();
  const out: CustomObjects = Object.fromEntries(r.objects);
  for (const scope of r.scopes) Object.assign(out, scope);
  return out;
}

/**
 * Runs `fn` with extra custom objects visible to deserialization (Keras `CustomObjectScope`).
 * Synchronous only: the scope closes when `fn` returns.
 * @example
 * const layer = keras.saving.withCustomObjects({ MyInit }, () =>
 *   keras.saving.deserializeKerasObject(config));
 */
export function withCustomObjects<T>(objects: CustomObjects | null | undefined, fn: () => T): T {
  const r = registry();
  r.scopes.push({ ...(objects ?? {}) });
  try {
    return fn();
  } finally {
    r.scopes.pop();
  }
}
