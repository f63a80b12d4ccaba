/**
 * `keras.ops` core module (Keras 3 `keras/src/ops/core.py`): casting, static shape queries,
 * slicing and scatter, control flow (`cond`, `whileLoop`, `foriLoop`, `scan`, `map`) and
 * `unstack` / `vectorizedMap`.
 *
 * Everything is composed from `lax.*`. Control flow runs eagerly: loops are unrolled in
 * JavaScript, so they are differentiable (every step is recorded on the active gradient tape)
 * but cannot be traced into a symbolic graph. `cond` is the exception: with a symbolic predicate
 * it traces both branches and selects with `where`, so the recorded graph can be replayed.
 * `convertToTensor`, `stopGradient` and `customGradient` are re-exported by `ops/index.ts`.
 */
import { ValueError, fmt } from "../errors";
import type { AnyTensor } from "../engine/bind";
import { endScope, engine, startScope, tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import { standardizeDType, type DType } from "../tensor/dtype";
import { Tensor, type NestedArray } from "../tensor/tensor";
import { KerasTensor } from "../symbolic/keras_tensor";
import {
  convertToTensor,
  isTensorLike,
  normalizeAxis,
  resultDType,
  staticShape,
  type TensorLike,
} from "./convert";

// ---------------------------------------------------------------------------------------------
// Small tree helpers (tensors in arrays / plain objects), shared by control flow.

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;

function treeLeaves(x: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(x)) for (const v of x) treeLeaves(v, out);
  else if (isPlainObject(x)) for (const v of Object.values(x)) treeLeaves(v, out);
  else out.push(x);
  return out;
}

/** Rebuilds `like`'s structure with leaves taken in order from `leaves`. */
function treeUnflatten(like: unknown, leaves: unknown[]): unknown {
  let i = 0;
  const rec = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(rec);
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rec(v)]));
    return leaves[i++];
  };
  return rec(like);
}

/** A string describing a tree's structure (not its leaves), to compare two trees. */
function treeDef(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(treeDef).join(",")}]`;
  if (isPlainObject(x))
    return `{${Object.entries(x)
      .map(([k, v]) => `${k}:${treeDef(v)}`)
      .join(",")}}`;
  return "*";
}

const tensorLeaves = (x: unknown): Tensor[] =>
  treeLeaves(x).filter((v): v is Tensor => v instanceof Tensor);

function describeLeaf(x: unknown): string {
  if (isTensorLike(x))
    return `${x instanceof KerasTensor ? "KerasTensor" : "Tensor"}(shape=${fmt(x.shape)}, dtype=${x.dtype})`;
  return fmt(x);
}

function rejectSymbolic(op: string, x: unknown): void {
  const k = treeLeaves(x).find((v) => v instanceof KerasTensor);
  if (k)
    throw new ValueError(
      `${op}: runs eagerly (unrolled in JavaScript) and cannot take symbolic inputs; call it on concrete tensors, or use cond/where inside a layer's call. Received: ${describeLeaf(k)}`,
    );
}

/**
 * Memory policy of eager loops. The loop runs inside its own scope; each step runs in `tidy`, so
 * a step's temporaries die with it, and what a step returns lands in the loop scope. `release`
 * frees an earlier step's outputs once they are replaced, but only tensors this loop created
 * (never the caller's, even if a step returns one), never kept ones, and never ones a gradient
 * tape still holds. When the loop ends, everything it created except its result is freed.
 */
class LoopScope {
  private readonly created = new Set<Tensor>();
  private readonly scope: { tensors: Tensor[] };

  constructor() {
    startScope();
    this.scope = engine().scopes[engine().scopes.length - 1]!;
  }

  step<S>(fn: () => S): S {
    const before = this.scope.tensors.length;
    const out = tidy(fn);
    for (let i = before; i < this.scope.tensors.length; i++)
      this.created.add(this.scope.tensors[i]!);
    return out;
  }

  release(old: Iterable<Tensor>, keepThese: Iterable<Tensor>): void {
    const k = new Set(keepThese);
    for (const t of old) {
      if (!this.created.has(t) || k.has(t) || t.kept || t.isDisposed || t.tapeRefs > 0) continue;
      t.dispose();
      this.created.delete(t);
    }
  }
}

function runLoop<R>(body: (loop: LoopScope) => R): R {
  const loop = new LoopScope();
  let out: R;
  try {
    out = body(loop);
  } catch (err) {
    endScope();
    throw err;
  }
  endScope(out);
  return out;
}

/** Reads a scalar predicate, or explains why it cannot be read synchronously. */
function readScalar(op: string, x: unknown): number {
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "number") return x;
  if (x instanceof Tensor) {
    if (x.size !== 1)
      throw new ValueError(`${op}: the predicate must be a scalar. Received: ${describeLeaf(x)}`);
    if (!x.backend.readSync)
      throw new ValueError(
        `${op}: backend "${x.backend.name}" cannot read a tensor synchronously; compute the predicate with \`await t.data()\` and pass a boolean, or select with keras.ops.where. Received: ${describeLeaf(x)}`,
      );
    return Number(x.dataSync()[0]);
  }
  throw new ValueError(
    `${op}: the predicate must be a boolean, a number or a scalar tensor. Received: ${describeLeaf(x)}`,
  );
}

/** Reads integer indices given as numbers or a concrete int tensor. */
function readInts(op: string, name: string, x: readonly number[] | AnyTensor): number[] {
  if (Array.isArray(x)) return x as number[];
  if (x instanceof KerasTensor)
    throw new ValueError(
      `${op}: ${name} must be concrete numbers, not a symbolic tensor. Received: ${describeLeaf(x)}`,
    );
  const t = x as Tensor;
  if (!t.backend.readSync)
    throw new ValueError(
      `${op}: ${name} must be given as numbers on backend "${t.backend.name}" (no synchronous read). Received: ${describeLeaf(t)}`,
    );
  return Array.from(t.dataSync(), Number);
}

// ---------------------------------------------------------------------------------------------
// Tensor queries and casting.

/**
 * Casts a tensor (or array) to `dtype`.
 * @example keras.ops.cast(keras.ops.convertToTensor([1.7, -2.2]), "int32"); // [1, -2]
 */
export function cast<T extends AnyTensor = Tensor>(x: TensorLike, dtype: DType | string): T {
  const dt = standardizeDType(dtype, "cast");
  return lax.cast(convertToTensor<T>(x), dt);
}

/**
 * Reads a tensor's values as nested JavaScript arrays (Keras' `convert_to_numpy`). Async because
 * GPU backends can only read asynchronously.
 * @example await keras.ops.convertToArray(keras.ops.convertToTensor([[1, 2]])); // [[1, 2]]
 */
export async function convertToArray(x: TensorLike): Promise<NestedArray> {
  if (x instanceof KerasTensor)
    throw new ValueError(
      `convertToArray: a symbolic tensor has no values; call the model on concrete data. Received: ${describeLeaf(x)}`,
    );
  if (x instanceof Tensor) return x.array();
  const t = convertToTensor(x);
  try {
    return await t.array();
  } finally {
    t.dispose();
  }
}

/**
 * Whether `x` is a concrete tensor of this library (KerasTensors and arrays are not).
 * @example keras.ops.isTensor(keras.ops.convertToTensor(1)); // true
 */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/**
 * Static shape of `x`, with `null` for dimensions unknown in symbolic execution.
 * @example keras.ops.shape(new keras.KerasTensor([null, 3])); // [null, 3]
 */
export function shape(x: TensorLike): (number | null)[] {
  if (isTensorLike(x)) return [...x.shape];
  const t = convertToTensor(x);
  const s = [...t.shape];
  t.dispose();
  return s;
}

/**
 * The dtype of `x` (for arrays and numbers: the dtype `convertToTensor` would give them).
 * @example keras.ops.dtype([1, 2]); // "int32"
 */
export function dtype(x: TensorLike): DType {
  return isTensorLike(x) ? x.dtype : resultDType(x);
}

// ---------------------------------------------------------------------------------------------
// Slicing and scatter.

/** Resolves start indices and sizes (-1 = to the end) against `xs`, or throws naming `op`. */
function resolveBox(
  op: string,
  xs: readonly (number | null)[],
  start: number[],
  size: readonly number[],
): number[] {
  if (start.length !== xs.length || size.length !== xs.length)
    throw new ValueError(
      `${op}: needs one start index and one size per axis of the input (rank ${xs.length}). Received: start_indices=${fmt(start)}, shape=${fmt(size)}`,
    );
  return size.map((n, i) => {
    const d = xs[i]!;
    const s = start[i]!;
    const len = n === -1 && d !== null ? d - s : n;
    if (
      !Number.isInteger(s) ||
      !Number.isInteger(len) ||
      s < 0 ||
      len < 0 ||
      (d !== null && s + len > d)
    )
      throw new ValueError(
        `${op}: the box starting at ${fmt(start)} with shape ${fmt(size)} does not fit in the input of shape ${fmt(xs)}. Received: start_indices=${fmt(start)}, shape=${fmt(size)}`,
      );
    return len;
  });
}

/**
 * Extracts the block of shape `shape` starting at `startIndices` (Keras `ops.slice`). A size of
 * -1 takes everything to the end of that axis. The block must lie inside `x`.
 * @example
 * const x = keras.ops.convertToTensor([[1, 2, 3], [4, 5, 6]]);
 * keras.ops.slice(x, [0, 1], [2, 2]); // [[2, 3], [5, 6]]
 */
export function slice<T extends AnyTensor = Tensor>(
  x: TensorLike,
  startIndices: readonly number[] | AnyTensor,
  shape: readonly number[],
): T {
  const t = convertToTensor<T>(x);
  const start = readInts("slice", "startIndices", startIndices);
  const size = resolveBox("slice", t.shape, start, shape);
  return lax.slice(
    t,
    start,
    start.map((s, i) => s + size[i]!),
  );
}

/**
 * Returns `x` with the block starting at `startIndices` replaced by `updates` (Keras
 * `ops.slice_update`). Composed as `where(mask, pad(updates), x)`, so gradients flow to both.
 * @example
 * const x = keras.ops.zeros([3, 3]);
 * keras.ops.sliceUpdate(x, [1, 1], keras.ops.ones([2, 2])); // ones in the bottom-right 2x2
 */
export function sliceUpdate<T extends AnyTensor = Tensor>(
  x: TensorLike,
  startIndices: readonly number[] | AnyTensor,
  updates: TensorLike,
): T {
  const xt = convertToTensor<T>(x);
  const xs = staticShape(xt, "sliceUpdate");
  const start = readInts("sliceUpdate", "startIndices", startIndices);
  const upd = convertToTensor<T>(updates, xt.dtype);
  if (upd.shape.length !== xs.length)
    throw new ValueError(
      `sliceUpdate: updates must have the rank of the input (${xs.length}). Received: updates shape=${fmt(upd.shape)}, inputs shape=${fmt(xs)}`,
    );
  const size = staticShape(upd, "sliceUpdate");
  resolveBox("sliceUpdate", xs, start, size);
  const padding = xs.map((d, i): [number, number] => [start[i]!, d - start[i]! - size[i]!]);
  const mask = lax.pad(lax.full(size, 1, "bool"), padding, 0); // true inside the box
  return lax.where(mask, lax.pad(upd, padding, 0), xt);
}

/** ScatterNd for any dtype (bool is scattered as int32; duplicates add). */
function scatterNdAny<T extends AnyTensor>(idx: AnyTensor, upd: T, shape: number[]): T {
  if (upd.dtype !== "bool") return lax.scatterNd(idx, upd, shape);
  return lax.notEqual(lax.scatterNd(idx, lax.cast(upd, "int32"), shape), 0) as T;
}

/**
 * A tensor of shape `shape`, zero except at `indices` (shape `[N, k]`), where `values` (shape
 * `[N, ...shape.slice(k)]`) are placed (Keras `ops.scatter`). Duplicate indices add up.
 * @example keras.ops.scatter([[0], [2]], [5, 7], [4]); // [5, 0, 7, 0]
 */
export function scatter<T extends AnyTensor = Tensor>(
  indices: TensorLike,
  values: TensorLike,
  shape: readonly number[],
): T {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(
      `scatter: shape must be non-negative integers. Received: shape=${fmt(shape)}`,
    );
  const idx = convertToTensor(indices, "int32");
  return scatterNdAny(idx, convertToTensor<T>(values), [...shape]);
}

/**
 * Returns `inputs` with the entries at `indices` (shape `[N, k]`) replaced by `updates` (shape
 * `[N, ...inputs.shape.slice(k)]`) (Keras `ops.scatter_update`). Composed from two ScatterNd
 * (updates and a ones-mask) and `where`. With duplicate indices the updates are summed.
 * @example
 * keras.ops.scatterUpdate(keras.ops.zeros([2, 2]), [[0, 1], [1, 0]], [5, 6]); // [[0, 5], [6, 0]]
 */
export function scatterUpdate<T extends AnyTensor = Tensor>(
  inputs: TensorLike,
  indices: TensorLike,
  updates: TensorLike,
): T {
  const x = convertToTensor<T>(inputs);
  const xs = staticShape(x, "scatterUpdate");
  const idx = convertToTensor(indices, "int32");
  const upd = convertToTensor<T>(updates, x.dtype);
  const scattered = scatterNdAny(idx, upd, xs);
  const ones = lax.full(staticShape(upd, "scatterUpdate"), 1, "int32");
  const mask = lax.greater(lax.scatterNd(idx, ones, xs), 0);
  return lax.where(mask, scattered, x);
}

// ---------------------------------------------------------------------------------------------
// Control flow.

/** A condition: a boolean, a number (non-zero = true) or a scalar tensor. */
export type Predicate = boolean | number | AnyTensor;

/**
 * Calls `trueFn` or `falseFn` (Keras `ops.cond`).
 *
 * Eager: the predicate is read synchronously (cpu, wasm); on GPU backends read it yourself with
 * `await` and pass a boolean, or use `where`. Symbolic (a KerasTensor predicate): both branches
 * are traced, must return the same structure, shapes and dtypes, and the result is selected with
 * `where`, so the recorded graph replays with either outcome.
 * @example
 * const y = keras.ops.cond(keras.ops.greater(x, 0), () => keras.ops.sqrt(x), () => keras.ops.zerosLike(x));
 */
export function cond<R>(pred: Predicate, trueFn: () => R, falseFn: () => R): R {
  if (typeof trueFn !== "function" || typeof falseFn !== "function")
    throw new ValueError(
      `cond: trueFn and falseFn must be functions. Received: trueFn=${typeof trueFn}, falseFn=${typeof falseFn}`,
    );
  if (!(pred instanceof KerasTensor)) return readScalar("cond", pred) !== 0 ? trueFn() : falseFn();
  if (pred.shape.some((d) => d !== 1))
    throw new ValueError(
      `cond: a symbolic predicate must be a scalar. Received: ${describeLeaf(pred)}`,
    );
  let p: AnyTensor = lax.reshape(pred, []);
  if (p.dtype !== "bool") p = lax.notEqual(p, 0);
  const t = trueFn();
  const f = falseFn();
  const tl = treeLeaves(t);
  const fl = treeLeaves(f);
  const mismatch = () =>
    new ValueError(
      `cond: trueFn and falseFn must return the same structure, shapes and dtypes. Received: trueFn -> ${tl.map(describeLeaf).join(", ")}; falseFn -> ${fl.map(describeLeaf).join(", ")}`,
    );
  if (treeDef(t) !== treeDef(f)) throw mismatch();
  const out = tl.map((a, i) => {
    const b = fl[i];
    if (a === null || a === undefined || b === null || b === undefined) {
      if (a !== b) throw mismatch();
      return a;
    }
    const ta = convertToTensor(a as TensorLike);
    const tb = convertToTensor(b as TensorLike);
    const same =
      ta.dtype === tb.dtype &&
      ta.shape.length === tb.shape.length &&
      ta.shape.every((d, j) => d === null || tb.shape[j] === null || d === tb.shape[j]);
    if (!same) throw mismatch();
    return lax.where(p, ta, tb);
  });
  return treeUnflatten(t, out) as R;
}

type Unpack<V> = V extends unknown[] ? V : [V];

/**
 * Runs `loopVars = body(...loopVars)` while `cond(...loopVars)` is true, at most
 * `maximumIterations` times (Keras `ops.while_loop`). As in Keras, an array of loop variables is
 * passed spread to `cond` and `body`, and `body` returns an array of the same length.
 *
 * Eager only; each step's predicate is read synchronously (cpu, wasm). Loop variables of earlier
 * steps are disposed as the loop advances unless a gradient tape still needs them.
 * @example
 * const [i, x] = keras.ops.whileLoop((i, x) => i < 10, (i, x) => [i + 1, keras.ops.multiply(x, 2)], [0, x]);
 */
export function whileLoop<V>(
  cond: (...vars: Unpack<V>) => Predicate,
  body: (...vars: Unpack<V>) => V,
  loopVars: V,
  maximumIterations?: number,
): V {
  if (
    maximumIterations !== undefined &&
    !(Number.isInteger(maximumIterations) && maximumIterations >= 0)
  )
    throw new ValueError(
      `whileLoop: maximumIterations must be a non-negative integer. Received: maximumIterations=${maximumIterations}`,
    );
  rejectSymbolic("whileLoop", loopVars);
  const isList = Array.isArray(loopVars);
  const spread = (v: V) => (isList ? (v as unknown[]) : [v]) as Unpack<V>;
  const def = treeDef(loopVars);
  return runLoop((loop) => {
    let vars = loopVars;
    for (let it = 0; maximumIterations === undefined || it < maximumIterations; it++) {
      const go = loop.step(() => readScalar("whileLoop", cond(...spread(vars))) !== 0);
      if (!go) break;
      const next = loop.step(() => body(...spread(vars)));
      if (treeDef(next) !== def)
        throw new ValueError(
          `whileLoop: body must return loop variables with the structure of loopVars (${def}). Received: ${treeDef(next)}`,
        );
      loop.release(tensorLeaves(vars), tensorLeaves(next));
      vars = next;
    }
    return vars;
  });
}

/**
 * `for (let i = lower; i < upper; i++) val = body(i, val)`, returning `val` (Keras
 * `ops.fori_loop`). `i` is passed as a JavaScript number. Eager only.
 * @example const y = keras.ops.foriLoop(0, 3, (i, acc) => keras.ops.add(acc, i), keras.ops.zeros([2]));
 */
export function foriLoop<V>(
  lower: number | Tensor,
  upper: number | Tensor,
  body: (i: number, val: V) => V,
  initVal: V,
): V {
  const lo = readScalar("foriLoop", lower);
  const hi = readScalar("foriLoop", upper);
  if (!Number.isInteger(lo) || !Number.isInteger(hi))
    throw new ValueError(
      `foriLoop: lower and upper must be integers. Received: lower=${lo}, upper=${hi}`,
    );
  rejectSymbolic("foriLoop", initVal);
  return runLoop((loop) => {
    let val = initVal;
    for (let i = lo; i < hi; i++) {
      const next = loop.step(() => body(i, val));
      loop.release(tensorLeaves(val), tensorLeaves(next));
      val = next;
    }
    return val;
  });
}

/** Length along axis 0 shared by every tensor leaf of `xs`, or throws naming `op`. */
function leadingLength(op: string, xs: unknown): number {
  const lens = treeLeaves(xs).map((x) => {
    if (!(x instanceof Tensor) || x.rank < 1)
      throw new ValueError(
        `${op}: every leaf of xs must be a tensor of rank >= 1. Received: ${describeLeaf(x)}`,
      );
    return x.shape[0]!;
  });
  if (lens.length === 0) throw new ValueError(`${op}: xs has no tensors. Received: xs=${fmt(xs)}`);
  if (lens.some((n) => n !== lens[0]))
    throw new ValueError(
      `${op}: every leaf of xs must have the same length along axis 0. Received: lengths=${fmt(lens)}`,
    );
  return lens[0]!;
}

/** Element `i` along axis 0 of every leaf of `xs`. */
function sliceTree(xs: unknown, i: number): unknown {
  return treeUnflatten(
    xs,
    treeLeaves(xs).map((x) => {
      const t = x as Tensor;
      const start = t.shape.map((_, a) => (a === 0 ? i : 0));
      const stop = t.shape.map((d, a) => (a === 0 ? i + 1 : d));
      return lax.reshape(lax.slice(t, start, stop), t.shape.slice(1));
    }),
  );
}

/** Zeros shaped like one element along axis 0 of `x`. */
const zeroSlice = (x: Tensor): Tensor => lax.full(x.shape.slice(1), 0, x.dtype);

/** Stacks per-step trees along a new axis 0 (structure of `steps[0]`; `empty` when none). */
function stackTrees(op: string, steps: unknown[], empty: () => unknown): unknown {
  if (steps.length === 0) return empty();
  const def = treeDef(steps[0]);
  const cols = steps.map((s) => {
    if (treeDef(s) !== def)
      throw new ValueError(
        `${op}: every step must return the same structure. Received: ${def} and ${treeDef(s)}`,
      );
    return treeLeaves(s);
  });
  const stacked = cols[0]!.map((first, j) => {
    if (first === null || first === undefined) return first;
    const parts = cols.map((c) => convertToTensor(c[j] as TensorLike));
    const s0 = parts[0]!;
    for (const p of parts)
      if (
        p.dtype !== s0.dtype ||
        p.shape.length !== s0.shape.length ||
        p.shape.some((d, k) => d !== s0.shape[k])
      )
        throw new ValueError(
          `${op}: every step must return the same shapes and dtypes. Received: ${describeLeaf(s0)} and ${describeLeaf(p)}`,
        );
    return lax.concat(
      parts.map((p) => lax.reshape(p, [1, ...p.shape])),
      0,
    );
  });
  return treeUnflatten(steps[0], stacked);
}

/** Empty stacked outputs (length 0), shaped by one throwaway call of `fn` on zero slices. */
function emptyOutputs(op: string, probe: () => unknown): unknown {
  return tidy(() => {
    const out = probe();
    const leaves = treeLeaves(out).map((y) => {
      if (y === null || y === undefined) return y;
      const t = convertToTensor(y as TensorLike);
      return lax.full([0, ...staticShape(t, op)], 0, t.dtype);
    });
    return treeUnflatten(out, leaves);
  });
}

/**
 * Scans `f` over the leading axis of `xs` carrying state (Keras `ops.scan`): for each i,
 * `[carry, y_i] = f(carry, xs[i])`. Returns `[finalCarry, stackedYs]`. With `xs` null, `length`
 * steps run with `x` = null. `reverse` scans from the end; `ys` stay aligned with `xs`.
 *
 * Eager: the loop is unrolled, stacking with Reshape + Concat, so it is differentiable.
 * @example
 * const [total, partial] = keras.ops.scan((c, x) => { const s = keras.ops.add(c, x); return [s, s]; }, 0, xs);
 */
export function scan<C, X = Tensor, Y = Tensor>(
  f: (carry: C, x: X) => [C, Y],
  init: C,
  xs: X | null = null,
  length: number | null = null,
  reverse = false,
): [C, Y] {
  rejectSymbolic("scan", [init, xs]);
  let n: number;
  if (xs === null || xs === undefined) {
    if (length === null || !Number.isInteger(length) || length < 0)
      throw new ValueError(
        `scan: without xs, length must be a non-negative integer. Received: length=${length}`,
      );
    n = length;
  } else {
    n = leadingLength("scan", xs);
    if (length !== null && length !== n)
      throw new ValueError(
        `scan: length must equal the leading dimension of xs (${n}). Received: length=${length}`,
      );
  }
  const xAt = (i: number) => (xs === null || xs === undefined ? null : sliceTree(xs, i)) as X;
  return runLoop((loop): [C, Y] => {
    const ys: unknown[] = [];
    const yTensors = new Set<Tensor>();
    let carry = init;
    for (let k = 0; k < n; k++) {
      const i = reverse ? n - 1 - k : k;
      const [c, y] = loop.step(() => {
        const out = f(carry, xAt(i));
        if (!Array.isArray(out) || out.length !== 2)
          throw new ValueError(`scan: f must return [carry, y]. Received: ${treeDef(out)}`);
        return out;
      });
      if (treeDef(c) !== treeDef(init))
        throw new ValueError(
          `scan: f must return a carry with the structure of init (${treeDef(init)}). Received: ${treeDef(c)}`,
        );
      for (const t of tensorLeaves(y)) yTensors.add(t);
      loop.release(tensorLeaves(carry), [...tensorLeaves(c), ...yTensors]);
      carry = c;
      ys.push(y);
    }
    if (reverse) ys.reverse();
    const stacked = stackTrees("scan", ys, () =>
      emptyOutputs(
        "scan",
        () =>
          f(
            init,
            (xs === null || xs === undefined
              ? null
              : treeUnflatten(
                  xs,
                  treeLeaves(xs).map((x) => zeroSlice(x as Tensor)),
                )) as X,
          )[1],
      ),
    );
    return [carry, stacked as Y];
  });
}

/**
 * Applies `f` to each element along the leading axis of `xs` and stacks the results (Keras
 * `ops.map`). `xs` may be a tensor or arrays / objects of tensors of one length. Eager.
 * @example keras.ops.map((row) => keras.ops.sum(row), x); // row sums
 */
export function map<X = Tensor, Y = Tensor>(f: (x: X) => Y, xs: X): Y {
  rejectSymbolic("map", xs);
  const n = leadingLength("map", xs);
  return runLoop((loop) => {
    const ys: unknown[] = [];
    for (let i = 0; i < n; i++) ys.push(loop.step(() => f(sliceTree(xs, i) as X)));
    return stackTrees("map", ys, () =>
      emptyOutputs("map", () =>
        f(
          treeUnflatten(
            xs,
            treeLeaves(xs).map((x) => zeroSlice(x as Tensor)),
          ) as X,
        ),
      ),
    ) as Y;
  });
}

/**
 * Keras `ops.vectorized_map`: `f` applied to each slice of `elements` along axis 0, results
 * stacked. Runs as an eager loop (same as `map`); `f` sees one unbatched element at a time.
 * @example keras.ops.vectorizedMap((v) => keras.ops.dot(v, v), x); // squared norm of each row
 */
export function vectorizedMap<X = Tensor, Y = Tensor>(f: (x: X) => Y, elements: X): Y {
  return map(f, elements);
}

/**
 * Splits `x` along `axis` into a list of tensors of rank one less (Keras `ops.unstack`). The
 * axis length must be known (or given as `num`, which must match when both are known).
 * @example const [a, b] = keras.ops.unstack(keras.ops.convertToTensor([[1, 2], [3, 4]]));
 */
export function unstack<T extends AnyTensor = Tensor>(
  x: TensorLike,
  num?: number | null,
  axis = 0,
): T[] {
  const t = convertToTensor<T>(x);
  const ax = normalizeAxis(axis, t.rank, "unstack");
  const d = t.shape[ax]!;
  if (d === null && (num === undefined || num === null))
    throw new ValueError(
      `unstack: the length of axis ${ax} is unknown; pass num. Received: shape=${fmt(t.shape)}`,
    );
  if (num !== undefined && num !== null && d !== null && num !== d)
    throw new ValueError(
      `unstack: num must equal the length of axis ${ax} (${d}). Received: num=${num}`,
    );
  const n = d ?? (num as number);
  const rest = t.shape.filter((_, i) => i !== ax);
  if (t.shape.every((s) => s !== null)) {
    const full = t.shape as number[];
    return Array.from({ length: n }, (_, i) => {
      const start = full.map((_, a) => (a === ax ? i : 0));
      const stop = full.map((s, a) => (a === ax ? i + 1 : s));
      return lax.reshape(lax.slice(t, start, stop), rest as number[]);
    });
  }
  // Unknown dims elsewhere (symbolic): move the axis first and gather one row at a time.
  const perm = [ax, ...t.shape.map((_, i) => i).filter((i) => i !== ax)];
  const moved = lax.transpose(t, perm);
  return Array.from({ length: n }, (_, i) => lax.gatherNd(moved, lax.constant([i], [1], "int32")));
}
