/**
 * Elementwise fusion planning shared by the backends that generate kernels (WebGL's GLSL now,
 * WebGPU's WGSL next): which primitives are recorded lazily, when a lazy buffer must be computed
 * (materialized) instead of inlined, and the walk of a lazy DAG into an ordered list of steps
 * (leaves deduplicated, each op once) that a backend renders into one program.
 *
 * It is not: a renderer, or a buffer manager. It never touches textures, GPU buffers or source
 * text; reference counts, allocation and running programs stay in the backend. The backend owns
 * the lazy buffers (objects that implement `LazyBuffer`) and hands this module a `materialize`
 * callback that computes one in place (sets `node` to null and gives it storage).
 *
 * The model, after tinygrad's lazy buffers and jax-js' fused elementwise kernels:
 * - an elementwise op (`isFusible`) over buffers returns a lazy buffer holding a `LazyNode`;
 * - `planFusion` decides, when recording the op, which lazy inputs must be computed first: one a
 *   second consumer already fuses (so shared sub-expressions are computed once), or all of them
 *   when the fused expression would pass the `FusionLimits` (ops, leaves);
 * - `linearize` walks the DAG under a root into `FusedStep`s for one program. A lazy node viewed
 *   under another shape (a reshape of a pending result) is inlined only when it is `flat` (every
 *   leaf has its size or one element, so all index by the same flat index); else it is
 *   materialized during the walk.
 * - `leafBroadcast` says how a leaf's view broadcasts against the output, so a renderer can pick
 *   a cheap read (one vector per four elements, one scalar per program...).
 *
 * @example
 * // Recording: in a backend's execute() for an elementwise primitive.
 * const plan = planFusion(ins, outSize, { maxOps: 48, maxLeaves: 12 }, (d) => this.materialize(d));
 * const out = new MyBuffer(shape, dtype, { prim, params, inputs }, plan);
 * // Running: when out's value is needed.
 * const { steps, result, leaves } = linearize(out, out.shape, (d) => this.materialize(d));
 * // ... render steps[i] in order (leaf reads, then ops over earlier steps) into one program.
 */
import {
  Primitive,
  isBinary,
  isCompare,
  isUnary,
  type BinaryPrimitive,
  type ComparePrimitive,
  type Params,
  type UnaryPrimitive,
} from "../../primitives/primitive";
import type { DType } from "../../tensor/dtype";

/** The elementwise primitives a fusing backend records lazily: the op table's, plus where and cast. */
export type FusiblePrimitive = UnaryPrimitive | BinaryPrimitive | ComparePrimitive | Primitive.Where | Primitive.Cast;

/**
 * What a lazy node may record: the elementwise primitives, and BroadcastTo, a view that costs no
 * op: `linearize` reads its operand broadcast to the program's output (right-aligned broadcasts
 * compose), so renderers never see it.
 */
export type LazyPrimitive = FusiblePrimitive | Primitive.BroadcastTo;

/**
 * Whether `prim` is elementwise and fusible (unary, binary, compare, where, cast).
 * @example isFusible(Primitive.Add) // true; isFusible(Primitive.Sum) // false
 */
export function isFusible(prim: Primitive): prim is FusiblePrimitive {
  return isUnary(prim) || isBinary(prim) || isCompare(prim) || prim === Primitive.Where || prim === Primitive.Cast;
}

/**
 * Whether `prim` is a view that fuses as a read of its operand (BroadcastTo). A backend may
 * record it lazily too (with `planFusion`, like an elementwise op), so that the broadcast costs
 * no pass of its own.
 * @example isFusibleView(Primitive.BroadcastTo) // true
 */
export function isFusibleView(prim: Primitive): prim is Primitive.BroadcastTo {
  return prim === Primitive.BroadcastTo;
}

/** One operand of a lazy op: the buffer and the shape and dtype the op saw it with. */
export interface LazyInput<B> {
  data: B;
  /** The operand's shape at the op (a reshape of `data` may differ from `data.shape`). */
  shape: number[];
  dtype: DType;
}

/** A pending elementwise op. */
export interface LazyNode<B> {
  prim: LazyPrimitive;
  params: Params<Primitive>;
  inputs: LazyInput<B>[];
}

/**
 * What this module reads and updates on a backend's buffer. A buffer is materialized when `node`
 * is null, lazy otherwise; `materialize` callbacks must leave `node` null.
 */
export interface LazyBuffer<B extends LazyBuffer<B>> {
  /** Unique per buffer (memoizes the walk). */
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  node: LazyNode<B> | null;
  /** Lazy consumers recorded so far (`planFusion` counts them). */
  uses: number;
  /** Lazy only: leaves of the fused expression (an upper bound; shared leaves count once per use). */
  leaves: number;
  /** Lazy only: ops in the fused expression. */
  ops: number;
  /**
   * Lazy only: every leaf (transitively) has this buffer's size or one element, so the fused
   * expression indexes all its leaves by one flat index and survives a reshape.
   */
  flat: boolean;
}

/** Caps on one fused program. */
export interface FusionLimits {
  /** Most ops in one fused expression. */
  maxOps: number;
  /** Most leaves one fused program reads (bounded by samplers / bindings per program). */
  maxLeaves: number;
}

/** The bookkeeping fields of a new lazy buffer (see `LazyBuffer`). */
export interface FusionPlan {
  leaves: number;
  ops: number;
  flat: boolean;
}

/**
 * Plans recording a new elementwise op over `inputs` (the buffers, in operand order, duplicates
 * allowed) whose output has `outSize` elements. Calls `materialize` on the lazy inputs that must
 * be computed first (one already fused by another consumer; all of them when the expression
 * would pass `limits`), counts the new consumer on the inputs that stay lazy, and returns the
 * new buffer's `leaves`, `ops` and `flat`. The caller then takes its own references to the
 * inputs and records the node.
 *
 * @example
 * const plan = planFusion([a, b], 4096, { maxOps: 48, maxLeaves: 12 }, materialize);
 * // plan.ops === a.ops + b.ops + 1 when both were lazy and unshared
 */
export function planFusion<B extends LazyBuffer<B>>(
  inputs: readonly B[],
  outSize: number,
  limits: FusionLimits,
  materialize: (d: B) => void,
): FusionPlan {
  const distinct = [...new Set(inputs)];
  // A lazy input already fused by another consumer is computed once, as a texture.
  for (const d of distinct) if (d.node && d.uses > 0) materialize(d);
  let leaves = 0;
  let ops = 1;
  for (const d of distinct) {
    leaves += d.node ? d.leaves : 1;
    ops += d.node ? d.ops : 0;
  }
  if (leaves > limits.maxLeaves || ops > limits.maxOps) {
    for (const d of distinct) materialize(d);
    leaves = distinct.length;
    ops = 1;
  }
  let flat = true;
  for (const d of inputs) if (!(d.size === 1 || (d.size === outSize && (!d.node || d.flat)))) flat = false;
  for (const d of distinct) if (d.node) d.uses++;
  return { leaves, ops, flat };
}

/**
 * Whether a kernel that reads each input element about once (a reduction) may read lazy buffer
 * `d` through its fused expression instead of materializing it: no other consumer fuses it.
 */
export function isInlinable<B extends LazyBuffer<B>>(d: B): boolean {
  return d.node !== null && d.uses === 0;
}

/** One step of a linearized fused expression. Steps only refer to earlier steps. */
export type FusedStep<B> =
  | {
      kind: "leaf";
      /** A materialized buffer. */
      data: B;
      /** The shape it is read with, broadcast (NumPy, right-aligned) to the output shape. */
      view: number[];
      dtype: DType;
      /** Index of `data` in `FusedExpr.leaves` (one binding per distinct buffer). */
      binding: number;
    }
  | {
      kind: "op";
      prim: FusiblePrimitive;
      params: Params<Primitive>;
      /** Operand step indices, in operand order. */
      args: number[];
      /** Operand dtypes, in operand order. */
      inDtypes: DType[];
      dtype: DType;
    };

/** A fused expression in evaluation order. */
export interface FusedExpr<B> {
  steps: FusedStep<B>[];
  /** Index of the step holding the root's value. */
  result: number;
  /** Distinct materialized buffers read, in first-use order (the program's bindings). */
  leaves: B[];
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The DAG under `root`, viewed with shape `outShape` (root's own shape or a reshape of it), as
 * ordered steps: each (buffer, view) pair once, leaves deduplicated, operands before their ops;
 * BroadcastTo nodes become their operand read with its own shape (a broadcast leaf).
 * A lazy node met under a view it cannot be inlined with (a reshape of a non-flat expression) is
 * computed by `materialize` during the walk and read as a leaf.
 *
 * @example
 * // y = exp(x * 2) with x materialized:
 * linearize(y, y.shape, m).steps
 * // [{ kind: "leaf", data: x, ... }, { kind: "leaf", data: two, ... },
 * //  { kind: "op", prim: "mul", args: [0, 1] }, { kind: "op", prim: "exp", args: [2] }]
 */
export function linearize<B extends LazyBuffer<B>>(root: B, outShape: readonly number[], materialize: (d: B) => void): FusedExpr<B> {
  const steps: FusedStep<B>[] = [];
  const leaves: B[] = [];
  const bindingOf = new Map<B, number>();
  const memo = new Map<string, number>();

  const visit = (data: B, view: number[], dtype: DType): number => {
    const key = `${data.id}:${view.join(",")}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const reshaped = !sameShape(view, data.shape);
    if (data.node && reshaped && !data.flat) materialize(data);
    const node = data.node;
    let step: FusedStep<B>;
    if (!node) {
      let binding = bindingOf.get(data);
      if (binding === undefined) {
        binding = leaves.length;
        leaves.push(data);
        bindingOf.set(data, binding);
      }
      step = { kind: "leaf", data, view, dtype, binding };
    } else if (node.prim === Primitive.BroadcastTo) {
      // A view: the operand, read broadcast to the output (no step of its own).
      const i = node.inputs[0]!;
      const idx = visit(i.data, i.shape, i.dtype);
      memo.set(key, idx);
      return idx;
    } else {
      // A flat node under a reshape: operands of its size take the view, one-element ones stay.
      const args = node.inputs.map((i) => visit(i.data, reshaped && i.data.size === data.size ? view : i.shape, i.dtype));
      step = { kind: "op", prim: node.prim, params: node.params, args, inDtypes: node.inputs.map((i) => i.dtype), dtype: data.dtype };
    }
    steps.push(step);
    memo.set(key, steps.length - 1);
    return steps.length - 1;
  };

  const result = visit(root, [...outShape], root.dtype);
  return { steps, result, leaves };
}

/**
 * How a leaf read with shape `view` broadcasts against an output of shape `out`:
 * - `same`:    as many elements as the output (read element e at e);
 * - `scalar`:  one element;
 * - `row`:     not broadcast along the last axis (`view`'s last dim is the output's, e.g. a bias
 *              row): consecutive output elements along the last axis read consecutive elements;
 * - `column`:  broadcast along the last axis (`view`'s last dim is 1): one element serves a whole
 *              run of the output's last axis;
 * - `general`: anything else (index through broadcast arithmetic).
 * Renderers combine it with their own alignment rules (e.g. rows of 4k elements read as vectors).
 * @example leafBroadcast([64], [8, 64]) // "row"
 */
export function leafBroadcast(view: readonly number[], out: readonly number[]): "same" | "scalar" | "row" | "column" | "general" {
  const n = out.reduce((a, b) => a * b, 1);
  const size = view.reduce((a, b) => a * b, 1);
  if (size === n) return "same";
  if (size === 1) return "scalar";
  const last = out.length > 0 ? out[out.length - 1]! : 1;
  const vLast = view.length > 0 ? view[view.length - 1]! : 1;
  if (vLast === last && last > 1) return "row";
  if (vLast === 1 && last > 1) return "column";
  return "general";
}
