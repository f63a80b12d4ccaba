/**
 * Reverse-mode autodiff on whatever backend is active: `grad`, `valueAndGrad`, `stopGradient`,
 * `customGradient` and `remat`. Functions are differentiated by running them under a tape
 * (see tape.ts); arguments may be tensors or arrays / plain objects of tensors.
 */
import { ValueError, fmt } from "../errors";
import { shareBuffer } from "../engine/bind";
import { engine, endScope, startScope, tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import { Tensor } from "../tensor/tensor";
import { KerasTensor } from "../symbolic/keras_tensor";
import { Tape, type Cotangent } from "./tape";

/** Tensors, or arrays / plain objects of them. */
export type TensorTree = Tensor | TensorTree[] | { [key: string]: TensorTree };

function leaves(x: unknown, out: Tensor[] = []): Tensor[] {
  if (x instanceof Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) leaves(v, out);
  else if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    for (const v of Object.values(x)) leaves(v, out);
  return out;
}

function rebuild(x: unknown, map: (t: Tensor) => unknown): unknown {
  if (x instanceof Tensor) return map(x);
  if (Array.isArray(x)) return x.map((v) => rebuild(v, map));
  if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rebuild(v, map)]));
  return x;
}

/** Runs the tape backwards from `outputs` seeded with `seeds`; cotangents of `wrt` (null = zero). */
export function backprop(tape: Tape, outputs: Tensor[], seeds: Tensor[], wrt: Tensor[]): Cotangent[] {
  const ct = new Map<number, Tensor>();
  outputs.forEach((o, i) => accumulate(ct, o, seeds[i]!));
  for (let i = tape.entries.length - 1; i >= 0; i--) {
    const e = tape.entries[i]!;
    const outCts = e.outputs.map((o) => ct.get(o.id) ?? null);
    if (outCts.every((c) => c === null)) continue;
    const filled = outCts.map((c, j) => c ?? (e.outputs[j]!.dtype === "float32" ? lax.zerosLike(e.outputs[j]!) : null));
    const needs = e.inputs.map((x) => x.dtype === "float32" && tape.watched.has(x.id));
    const inCts = e.vjp(filled, needs);
    e.inputs.forEach((x, j) => {
      const c = inCts[j];
      if (c && x.dtype === "float32") accumulate(ct, x, c);
    });
  }
  return wrt.map((w) => ct.get(w.id) ?? null);
}

function accumulate(ct: Map<number, Tensor>, x: Tensor, c: Tensor): void {
  const prev = ct.get(x.id);
  ct.set(x.id, prev ? lax.add(prev, c) : c);
}

/**
 * Gradients: the structure of the differentiated argument(s) (an array of them for an `argnums`
 * list), which the types cannot follow through `argnums`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Gradients = any;

export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). */
  argnums?: number | number[];
  /** `fn` returns `[value, aux]`; aux is passed through. */
  hasAux?: boolean;
}

/**
 * Returns a function computing `[value, gradients]` of a scalar-valued `fn`.
 * Gradients have the structure of the differentiated argument(s).
 * @example
 * const [loss, g] = keras.ops.valueAndGrad((w) => keras.ops.sum(keras.ops.square(w)))(w);
 */
export function valueAndGrad<A extends unknown[]>(
  fn: (...args: A) => unknown,
  options: GradOptions = {},
): (...args: A) => [Tensor, Gradients, ...unknown[]] {
  const argnums = options.argnums ?? 0;
  const nums = Array.isArray(argnums) ? argnums : [argnums];
  return (...args: A) => {
    for (const n of nums)
      if (n < 0 || n >= args.length)
        throw new ValueError(`valueAndGrad: argnums out of range for ${args.length} arguments. Received: argnums=${fmt(argnums)}`);
    const e = engine();
    const tape = new Tape();
    const wrt = nums.map((n) => leaves(args[n]));
    for (const group of wrt) for (const t of group) tape.watch(t);
    startScope();
    let result: [Tensor, Gradients, ...unknown[]];
    try {
      e.tapes.push(tape);
      let out: unknown;
      try {
        out = fn(...args);
      } finally {
        e.tapes.splice(e.tapes.indexOf(tape), 1);
      }
      const [value, aux] = options.hasAux ? (out as [unknown, unknown]) : [out, undefined];
      if (!(value instanceof Tensor)) {
        if (value instanceof KerasTensor)
          throw new ValueError("valueAndGrad: cannot differentiate a symbolic function; call it on concrete tensors. Received: KerasTensor");
        throw new ValueError(`valueAndGrad: the function must return a scalar Tensor${options.hasAux ? " as the first item of [value, aux]" : ""}. Received: ${fmt(value)}`);
      }
      if (value.size !== 1 || value.dtype !== "float32")
        throw new ValueError(`valueAndGrad: the function must return a float32 scalar. Received: shape=${fmt(value.shape)}, dtype=${value.dtype}`);
      const flat = wrt.flat();
      const cts = backprop(tape, [value], [lax.onesLike(value)], flat);
      const byId = new Map<number, Tensor>();
      flat.forEach((t, i) => byId.set(t.id, cts[i] ?? lax.zerosLike(t)));
      const grads = nums.map((n) => rebuild(args[n], (t) => byId.get(t.id)));
      const g = Array.isArray(argnums) ? grads : grads[0];
      result = options.hasAux ? [value, g, aux] : [value, g];
    } catch (err) {
      tape.release();
      endScope();
      throw err;
    }
    tape.release();
    endScope(result);
    return result;
  };
}

/**
 * Returns a function computing the gradient of a scalar-valued `fn` w.r.t. its first argument
 * (or `argnums`).
 * @example const dfdx = keras.ops.grad((x) => keras.ops.sum(keras.ops.sin(x)));
 */
export function grad<A extends unknown[]>(fn: (...args: A) => unknown, options: GradOptions = {}): (...args: A) => Gradients {
  const vg = valueAndGrad(fn, options);
  return (...args: A) => {
    // A scope of its own frees `value` only if this call created it (not an argument or a
    // captured tensor) and no outer tape still needs it (higher-order gradients read it).
    startScope();
    let out: unknown;
    try {
      const [, g, aux] = vg(...args);
      out = options.hasAux ? [g, aux] : g;
    } catch (err) {
      endScope();
      throw err;
    }
    endScope(out);
    return out;
  };
}

/** Runs `fn` with gradient recording paused: nothing it computes is differentiated. */
export function noGrad<T>(fn: () => T): T {
  const e = engine();
  e.gradPaused++;
  try {
    return fn();
  } finally {
    e.gradPaused--;
  }
}

/**
 * Returns `x` unchanged but cut from the gradient: nothing flows back through it.
 * @example const target = keras.ops.stopGradient(y);
 */
export function stopGradient<T extends Tensor | KerasTensor>(x: T): T {
  if (x instanceof KerasTensor) return x;
  return shareBuffer(x as Tensor) as T;
}

/**
 * Defines a function with its own gradient, as Keras' `ops.custom_gradient`: `fn` returns
 * `[value, gradFn]`, where `gradFn(upstream)` returns one gradient per tensor argument.
 * @example
 * const safeLog = keras.ops.customGradient((x) => [keras.ops.log(x), (dy) => keras.ops.divide(dy, x)]);
 */
export function customGradient<A extends Tensor[]>(
  fn: (...args: A) => [Tensor, (upstream: Tensor) => Tensor | (Tensor | null)[]],
): (...args: A) => Tensor {
  return (...args: A) => {
    const e = engine();
    const [value, gradFn] = noGrad(() => fn(...args));
    if (e.tapes.length > 0 && e.gradPaused === 0) {
      for (const tape of e.tapes) {
        if (!tape.isWatching(args)) continue;
        tape.add({
          name: "custom_gradient",
          inputs: args,
          outputs: [value],
          vjp: ([ct]) => {
            const g = gradFn(ct!);
            return Array.isArray(g) ? g : [g];
          },
        });
      }
    }
    return value;
  };
}

/**
 * Rematerialization: the returned function does not keep `fn`'s intermediates for the backward
 * pass; it recomputes them when gradients are taken (less memory, more compute).
 * @example const block = keras.remat((x) => keras.ops.relu(keras.ops.matmul(x, w)));
 */
export function remat<A extends Tensor[]>(fn: (...args: A) => Tensor): (...args: A) => Tensor {
  return (...args: A) => {
    const e = engine();
    if (e.tapes.length === 0 || e.gradPaused > 0) return tidy(() => fn(...args));
    // Forward once under a tape that records everything, only to learn which outside tensors
    // `fn` reads (weights captured by the closure): they need gradients too. Then drop every
    // intermediate; the backward pass recomputes them.
    const outer = e.tapes;
    const probe = new Tape(true);
    startScope();
    let value: Tensor;
    try {
      e.tapes = [probe];
      value = fn(...args);
    } catch (err) {
      probe.release();
      endScope();
      throw err;
    } finally {
      e.tapes = outer;
    }
    const made = new Set<number>();
    for (const entry of probe.entries) for (const o of entry.outputs) made.add(o.id);
    const captured: Tensor[] = [];
    for (const entry of probe.entries)
      for (const x of entry.inputs)
        if (!made.has(x.id) && !args.includes(x) && !captured.includes(x) && x.dtype === "float32") captured.push(x);
    probe.release();
    endScope(value);
    const inputs = [...args, ...captured.filter((t) => outer.some((tape) => tape.isWatching([t])))];
    for (const tape of outer) {
      if (!tape.isWatching(inputs)) continue;
      tape.add({
        name: "remat",
        inputs,
        outputs: [value],
        vjp: ([ct]) => {
          const inner = new Tape();
          for (const a of inputs) inner.watch(a);
          e.tapes.push(inner);
          let out: Tensor;
          try {
            out = fn(...args);
          } finally {
            e.tapes.splice(e.tapes.indexOf(inner), 1);
          }
          const cts = backprop(inner, [out], [ct!], inputs);
          inner.release();
          return cts;
        },
      });
    }
    return value;
  };
}
