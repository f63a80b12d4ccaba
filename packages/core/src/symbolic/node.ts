/**
 * A node of the symbolic graph: one call of an operation (a primitive or a layer) on KerasTensors.
 * Functional models walk these nodes backwards from their outputs.
 */
import type { AnyTensor } from "../engine/bind";
import { engine, keep } from "../engine/engine";
import type { DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { KerasTensor } from "./keras_tensor";

/** Anything that can be called on tensors and recorded in a graph (a primitive, a layer). */
export interface Operation {
  readonly name: string;
  /**
   * Re-runs the operation on concrete (or symbolic) inputs in the recorded order; `overrides`
   * replaces recorded call arguments (a Functional model passes `training` down).
   */
  callNode(inputs: unknown[], node: Node, overrides?: Record<string, unknown>): unknown[];
  /** Output specs for symbolic inputs without recording a node on this operation. */
  specNode?(inputs: unknown[], node: Node): unknown[];
}

export class Node {
  constructor(
    readonly operation: Operation,
    readonly inputs: KerasTensor[],
    readonly outputs: KerasTensor[],
    /** Extra call arguments (a layer's kwargs, say), replayed with the inputs. */
    readonly callArgs: Record<string, unknown> = {},
  ) {
    outputs.forEach((t, i) => {
      t.kerasHistory = { node: this, tensorIndex: i };
    });
  }

  /** Nodes that produced this node's inputs (graph parents). */
  get parentNodes(): Node[] {
    const out: Node[] = [];
    for (const t of this.inputs)
      if (t.kerasHistory && !out.includes(t.kerasHistory.node)) out.push(t.kerasHistory.node);
    return out;
  }
}

/**
 * Records one call on `inputs` as a graph node: the KerasTensor inputs become the node's inputs,
 * the concrete ones are kept alive and captured. `makeOperation` gets, for each input slot, the
 * index among the node's inputs or the captured tensor. Returns the outputs, KerasTensors of the
 * specs `outs`.
 */
export function recordNode(
  inputs: readonly AnyTensor[],
  outs: readonly { shape: readonly (number | null)[]; dtype: DType }[],
  makeOperation: (slots: (number | Tensor)[]) => Operation,
): KerasTensor[] {
  const symbolic: KerasTensor[] = [];
  const slots = inputs.map((t) => {
    if (t instanceof KerasTensor) {
      symbolic.push(t);
      return symbolic.length - 1;
    }
    // A node that may be replayed (a Functional graph) keeps its captured constants alive; one
    // made while a layer only traces output specs does not, so they are freed with that trace.
    return engine().specOnly > 0 ? t : keep(t);
  });
  const outputs = outs.map((s) => new KerasTensor(s.shape, s.dtype));
  new Node(makeOperation(slots), symbolic, outputs);
  return outputs;
}
