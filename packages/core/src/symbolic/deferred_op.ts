/**
 * Deferred ops: one graph node for a whole op whose composition needs static dims that its
 * KerasTensor inputs do not have yet (Keras' `Operation.symbolic_call`).
 *
 * Primitives that move data (reshape, broadcast_to, slice, iota, pad...) take fully known shapes
 * as params, so an op whose composition needs a static dim cannot bind them on a KerasTensor whose
 * batch dim is `null`. Such an op computes its output spec itself (as a Keras
 * `Operation.compute_output_spec` does) and records *one* node whose replay calls the op again on
 * the values it is given: concrete tensors when a Functional model runs (the op then binds
 * primitives eagerly, so gradients flow as usual), or KerasTensors with known shapes. Ops whose
 * inputs have fully known shapes never defer.
 *
 * Not public API: used by the op families (`ops/numpy`, `ops/nn`, `ops/math`, `ops/image`).
 */
import type { AnyTensor } from "../engine/bind";
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import type { KerasTensor } from "./keras_tensor";
import { recordNode, type Operation } from "./node";

type Dim = number | null;

/** Output spec of a deferred op (Keras `KerasTensor(shape, dtype)` from `compute_output_spec`). */
export interface OutputSpec {
  shape: readonly Dim[];
  dtype: DType;
}

/** The operation of a deferred node: replaying it calls the op again on the replayed values. */
export class DeferredOp implements Operation {
  constructor(
    readonly name: string,
    /** For each input slot: the index among the node's symbolic inputs, or a captured constant. */
    private readonly slots: readonly (number | Tensor)[],
    private readonly fn: (xs: AnyTensor[]) => AnyTensor[],
  ) {}

  callNode(inputs: unknown[]): unknown[] {
    return this.fn(this.slots.map((s) => (typeof s === "number" ? inputs[s] : s)) as AnyTensor[]);
  }
}

/**
 * Records one call of the op `fn` on `inputs` as a single graph node named `name`, with outputs
 * of the specs `outs` (see `recordNode`); `fn` runs again, on all inputs in their original
 * order, when the graph is replayed.
 */
export function deferredCall(
  name: string,
  inputs: readonly AnyTensor[],
  outs: readonly OutputSpec[],
  fn: (xs: AnyTensor[]) => AnyTensor[],
): KerasTensor[] {
  return recordNode(inputs, outs, (slots) => new DeferredOp(name, slots, fn));
}

/** True when some dim of `x` is unknown (only KerasTensors have unknown dims). */
export function hasUnknown(x: { readonly shape: readonly Dim[] }): boolean {
  return x.shape.some((d) => d === null);
}

/**
 * When some input has an unknown dim, records `fn` as one deferred node with the specs `outs()`
 * and returns its outputs; otherwise returns null and the caller computes with static shapes.
 */
export function deferIfUnknown(
  name: string,
  inputs: readonly AnyTensor[],
  outs: () => readonly OutputSpec[],
  fn: (xs: AnyTensor[]) => AnyTensor[],
): KerasTensor[] | null {
  if (!inputs.some(hasUnknown)) return null;
  return deferredCall(name, inputs, outs(), fn);
}

/**
 * A shape-taking primitive (reshape, broadcast_to...) applied to `x` with the target shape
 * `target`: `apply(x, target)` when every dim of `target` is known, else one deferred node with
 * output shape `target` whose replay calls `again` (the caller's op) on the replayed value.
 */
export function staticOrDeferred<T extends AnyTensor>(
  name: string,
  x: T,
  target: readonly Dim[],
  apply: (x: T, shape: readonly number[]) => T,
  again: (x: T) => T,
): T {
  if (!target.includes(null)) return apply(x, target as readonly number[]);
  return deferredCall(name, [x], [{ shape: target, dtype: x.dtype }], ([u]) => [
    again(u as T),
  ])[0] as unknown as T;
}
