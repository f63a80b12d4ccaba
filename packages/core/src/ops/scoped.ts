/**
 * The public `keras.ops` object: every op runs in its own memory scope, so the intermediates a
 * composed op creates (softmax makes several) are freed when it returns, even outside `tidy`,
 * as TensorFlow.js ops do. Only the result (and tensors a gradient tape still needs) survive.
 */
import { endScope, startScope } from "../engine/engine";

function scoped<F extends (...args: never[]) => unknown>(fn: F): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    startScope();
    let result: ReturnType<F>;
    try {
      result = fn.apply(this, args) as ReturnType<F>;
    } catch (err) {
      endScope();
      throw err;
    }
    endScope(result);
    return result;
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped as unknown as F;
}

/** Wraps every synchronous function of an ops namespace; async ones and objects pass through. */
export function scopeOps<T extends object>(ns: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ns)) {
    const isAsync = typeof v === "function" && v.constructor?.name === "AsyncFunction";
    out[k] = typeof v === "function" && !isAsync && !/^[A-Z]/.test(k) ? scoped(v as (...a: never[]) => unknown) : v;
  }
  return Object.freeze(out) as T;
}
