/**
 * Lambda: wraps a function of tensors as a layer (Keras 3 `keras/src/layers/core/lambda_layer.py`).
 *
 * Saving: a built-in or registered function is written as Keras writes functions
 * (`{module, class_name: "function", config: name, registered_name}`); any other function is
 * written as a `__lambda__` entry whose `code` is the JavaScript source (`fn.toString()`), the
 * slot where Keras puts Python bytecode. Loading such an entry runs code from the file, so
 * `fromConfig` refuses it unless safe mode is off (`{ safeMode: false }`, or a
 * `deserializeKerasObject(..., { safeMode: false })` scope), like Keras. A Python lambda from a
 * Keras file cannot be loaded at all.
 *
 * The function is called as `fn(inputs)`, or `fn(inputs, arguments)` when `arguments` is not empty
 * (JavaScript has no keyword arguments to pass `mask` / `training` by name as Keras does).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/core/lambda_layer.py
 */
import { ValueError, fmt } from "../../errors";
import { KerasTensor } from "../../symbolic/keras_tensor";
import {
  builtinName,
  deserializeKerasObject,
  serializeKerasObject,
} from "../../saving/serialization";
import { registerBuiltin } from "../../saving/serialization";
import { isRegistered } from "../../saving/object_registration";
import { flatten } from "../../utils/nest";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (...args: any[]) => any;

export interface LambdaOptions extends LayerOptions {
  /**
   * Output shape without the batch dimension (the batch dimension of the first input is added),
   * or a function from the input shape(s) to the full output shape. Default: traced from `fn`.
   */
  outputShape?: Shape | ((inputShape: unknown) => unknown) | null;
  /** The output mask: a value, or a function `(inputs, mask) => mask`. */
  mask?: unknown;
  /** Extra argument object passed as `fn(inputs, arguments)`. */
  arguments?: Record<string, unknown> | null;
}

export interface LambdaFromConfigOptions {
  /** Refuse functions stored as source code (default: the enclosing deserialization scope, else true). */
  safeMode?: boolean;
}

/** The safe mode of the enclosing `deserializeKerasObject` call (its scope stack on globalThis), if any. */
function ambientSafeMode(): boolean | undefined {
  const stack = (globalThis as unknown as Record<symbol, boolean[] | undefined>)[
    Symbol.for("webkeras.safe_mode.v1")
  ];
  return stack && stack.length > 0 ? stack[stack.length - 1] : undefined;
}

function serializeFunction(fn: Fn): unknown {
  if (builtinName(fn) || isRegistered(fn)) return serializeKerasObject(fn);
  return {
    class_name: "__lambda__",
    config: { code: fn.toString(), defaults: null, closure: null },
  };
}

function isLambdaEntry(x: unknown): x is { class_name: "__lambda__"; config: { code: unknown } } {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as { class_name?: unknown }).class_name === "__lambda__"
  );
}

function loadFunction(entry: unknown, what: string, safeMode: boolean): Fn {
  if (isLambdaEntry(entry)) {
    const code = entry.config?.code;
    if (safeMode)
      throw new ValueError(
        `Requested the deserialization of a \`Lambda\` layer whose \`${what}\` is stored as source code. This carries a potential risk of arbitrary code execution and thus it is disallowed by default. If you trust the source of the artifact, pass \`safeMode: false\`. Received: ${what}=${fmt(String(code).slice(0, 80))}`,
      );
    if (typeof code !== "string")
      throw new ValueError(
        `Lambda: the \`${what}\` entry has no source code. Received: code=${fmt(code)}`,
      );
    let fn: unknown;
    try {
      // The artifact was declared trusted (safe mode off): evaluate its JavaScript source.
      fn = new Function(`"use strict"; return (${code});`)();
    } catch (err) {
      throw new ValueError(
        `Lambda: could not load \`${what}\` as JavaScript source (a Python lambda from a Keras file cannot be loaded; replace it with a registered function). ${(err as Error).message}. Received: code=${fmt(code.slice(0, 80))}`,
      );
    }
    if (typeof fn !== "function")
      throw new ValueError(
        `Lambda: \`${what}\` source is not a function. Received: code=${fmt(code.slice(0, 80))}`,
      );
    return fn as Fn;
  }
  const fn = deserializeKerasObject(entry);
  if (typeof fn !== "function")
    throw new ValueError(
      `Lambda: could not resolve \`${what}\` to a function. Received: ${what}=${fmt(entry)}`,
    );
  return fn as Fn;
}

/**
 * Wraps an arbitrary function of tensors as a layer. Prefer a custom Layer subclass for anything
 * with weights or state; Lambda layers save as source code, which safe loading refuses.
 * @example
 * const square = new keras.layers.Lambda((x) => keras.ops.square(x));
 * const y = square.apply(keras.Input([4])); // shape (None, 4)
 */
export class Lambda extends Layer {
  static override className = "Lambda";
  readonly fn: Fn;
  readonly outputShape: Shape | ((inputShape: unknown) => unknown) | null;
  readonly mask: unknown;
  readonly arguments: Record<string, unknown>;

  constructor(fn: Fn, options: LambdaOptions = {}) {
    super(options);
    if (typeof fn !== "function")
      throw new ValueError(
        `Lambda "${this.name}": \`function\` must be a function. Received: function=${fmt(fn)}`,
      );
    this.fn = fn;
    this.outputShape = options.outputShape ?? null;
    this.mask = options.mask ?? null;
    this.arguments = options.arguments ?? {};
    this.supportsMasking = this.mask !== null;
    this.built = true;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(inputs: any): any {
    return Object.keys(this.arguments).length > 0
      ? this.fn(inputs, this.arguments)
      : this.fn(inputs);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override computeOutputSpec(inputs: any, args: CallArgs = {}): any {
    if (this.outputShape === null) return super.computeOutputSpec(inputs, args);
    const leaves = flatten(inputs) as KerasTensor[];
    const inShapes = leaves.map((t) => [...t.shape]);
    const dtype = leaves[0]?.dtype ?? this.dtype;
    if (typeof this.outputShape === "function") {
      const out = this.outputShape(Array.isArray(inputs) ? inShapes : inShapes[0]) as
        Shape | Shape[];
      const isOne = Array.isArray(out) && out.every((d) => d === null || typeof d === "number");
      return isOne
        ? new KerasTensor(out as Shape, dtype)
        : (out as Shape[]).map((s) => new KerasTensor(s, dtype));
    }
    const batch = inShapes[0]?.[0] ?? null;
    return new KerasTensor([batch, ...this.outputShape], dtype);
  }

  /** Keras `compute_mask`: `mask(inputs, mask)` if a function, else the fixed value. */
  computeMask(inputs: unknown, mask: unknown = null): unknown {
    return typeof this.mask === "function" ? (this.mask as Fn)(inputs, mask) : this.mask;
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      function: serializeFunction(this.fn),
    };
    if (this.outputShape !== null)
      config.output_shape =
        typeof this.outputShape === "function"
          ? serializeFunction(this.outputShape)
          : [...this.outputShape];
    if (this.mask !== null)
      config.mask =
        typeof this.mask === "function"
          ? serializeFunction(this.mask as Fn)
          : serializeKerasObject(this.mask);
    config.arguments = serializeKerasObject(this.arguments);
    return config;
  }

  /**
   * Rebuilds a Lambda. Functions stored as source code are refused unless `safeMode` is false
   * (or the enclosing `deserializeKerasObject` runs with `safeMode: false`).
   */
  static fromConfig(
    config: Record<string, unknown>,
    options: LambdaFromConfigOptions = {},
  ): Lambda {
    const safeMode = (options.safeMode ?? ambientSafeMode()) !== false;
    const fn = loadFunction(config.function, "function", safeMode);
    let outputShape: LambdaOptions["outputShape"] = null;
    if (config.output_shape !== undefined && config.output_shape !== null) {
      const os = config.output_shape;
      outputShape = Array.isArray(os)
        ? (os as Shape)
        : (loadFunction(os, "output_shape", safeMode) as (s: unknown) => unknown);
    }
    let mask: unknown = null;
    if (config.mask !== undefined && config.mask !== null)
      mask =
        isLambdaEntry(config.mask) ||
        (config.mask as { class_name?: unknown }).class_name === "function"
          ? loadFunction(config.mask, "mask", safeMode)
          : deserializeKerasObject(config.mask);
    const args = (config.arguments ? deserializeKerasObject(config.arguments) : {}) as Record<
      string,
      unknown
    >;
    const base = optionsFromConfig<LambdaOptions>(config, [
      "function",
      "output_shape",
      "mask",
      "arguments",
    ]);
    return new Lambda(fn, { ...base, outputShape, mask, arguments: args });
  }
}

registerBuiltin("keras.layers", "Lambda", Lambda);
