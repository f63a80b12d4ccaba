/**
 * KerasTensor: a symbolic value (shape with null for unknown dims, dtype) and the node that made
 * it. Ops called on KerasTensors compute nothing: they run the primitives' shape rules and record
 * nodes, and a Functional model is the graph of those nodes.
 */
import { fmt } from "../errors";
import type { DType } from "../tensor/dtype";
import type { Node } from "./node";

let nextId = 0;

export class KerasTensor {
  readonly id = nextId++;
  readonly shape: readonly (number | null)[];
  readonly dtype: DType;
  name: string;
  /** The node that produced this tensor and this tensor's index among its outputs. */
  kerasHistory: { node: Node; tensorIndex: number } | null = null;
  /** Keras `_keras_mask`, symbolic. */
  kerasMask: KerasTensor | null = null;

  constructor(shape: readonly (number | null)[], dtype: DType = "float32", name?: string) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.name = name ?? `keras_tensor_${this.id}`;
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<KerasTensor shape=${fmt(this.shape)}, dtype=${this.dtype}, name=${this.name}>`;
  }
}

export function isKerasTensor(x: unknown): x is KerasTensor {
  return x instanceof KerasTensor;
}
