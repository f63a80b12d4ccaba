/**
 * Functional: a model defined by the graph between symbolic inputs and outputs. Nodes are
 * ordered as Keras' `functional._map_graph` orders them (by depth, then traversal order), so
 * `layers`, `summary()` and saved files list layers in Keras' order.
 */
import { ValueError, fmt } from "../errors";
import { KerasTensor } from "../symbolic/keras_tensor";
import type { Node, Operation } from "../symbolic/node";
import { flatten, packSequenceAs } from "../utils/nest";
import { Layer, type CallArgs } from "../layers/layer";
import { InputLayer } from "../layers/core/input_layer";
import { Model, modelHooks, type ModelOptions } from "./model";

interface GraphMap {
  /** Nodes in execution order (decreasing depth). */
  nodes: Node[];
  /** Operations in Keras order. */
  operations: Operation[];
  /** Nodes grouped by depth, deepest (inputs) first. */
  nodesByDepth: Node[][];
}

/** Keras `_build_map` + depth ordering, from the outputs back to `inputs`. */
export function mapGraph(inputs: KerasTensor[], outputs: KerasTensor[]): GraphMap {
  const inputSet = new Set(inputs);
  const visited = new Set<Node>();
  const inProgress = new Set<Node>();
  const decreasing: Node[] = [];
  const opIndex = new Map<Operation, number>();
  const visit = (t: KerasTensor): void => {
    const h = t.kerasHistory;
    if (!h) throw new ValueError(`Functional: tensor ${t.name} was not produced by a layer or op (use keras.Input for inputs). Received: ${t}`);
    const node = h.node;
    if (visited.has(node)) return;
    if (inProgress.has(node)) throw new ValueError(`Functional: the graph has a cycle at ${node.operation.name}. Received: ${t}`);
    if (!opIndex.has(node.operation)) opIndex.set(node.operation, opIndex.size);
    inProgress.add(node);
    if (node.inputs.length > 0 && !inputSet.has(t)) for (const x of node.inputs) visit(x);
    visited.add(node);
    inProgress.delete(node);
    decreasing.push(node);
  };
  for (const o of outputs) visit(o);

  const nodeDepth = new Map<Node, number>();
  const opDepth = new Map<Operation, number>();
  for (let i = decreasing.length - 1; i >= 0; i--) {
    const node = decreasing[i]!;
    let depth = nodeDepth.get(node) ?? 0;
    depth = Math.max(depth, opDepth.get(node.operation) ?? 0);
    opDepth.set(node.operation, depth);
    nodeDepth.set(node, depth);
    for (const parent of node.parentNodes) nodeDepth.set(parent, Math.max(depth + 1, nodeDepth.get(parent) ?? 0));
  }
  // Inputs never consumed by the graph still belong to it.
  for (const x of inputs) {
    const node = x.kerasHistory!.node;
    if (!nodeDepth.has(node)) {
      nodeDepth.set(node, 0);
      opDepth.set(node.operation, 0);
      if (!opIndex.has(node.operation)) opIndex.set(node.operation, opIndex.size);
    }
  }
  const byDepth = (m: Map<Node | Operation, number>) => {
    const groups = new Map<number, (Node | Operation)[]>();
    for (const [k, d] of m) (groups.get(d) ?? groups.set(d, []).get(d)!).push(k);
    return [...groups.keys()].sort((a, b) => b - a).map((d) => groups.get(d)!);
  };
  const nodesByDepth = byDepth(nodeDepth as Map<Node | Operation, number>) as Node[][];
  const nodes = nodesByDepth.flat();
  const operations = byDepth(opDepth as Map<Node | Operation, number>)
    .map((g) => (g as Operation[]).sort((a, b) => opIndex.get(a)! - opIndex.get(b)!))
    .flat();

  // Every tensor a node consumes must be computable from the inputs.
  const available = new Set<KerasTensor>(inputs);
  for (const node of nodes) {
    for (const x of node.inputs)
      if (!available.has(x))
        throw new ValueError(
          `Functional: graph disconnected: cannot obtain the value of tensor ${x.name} (needed by "${node.operation.name}") from the inputs ${inputs.map((i) => i.name).join(", ")}. Received: inputs=${fmt(inputs.map((i) => i.name))}`,
        );
    for (const o of node.outputs) available.add(o);
  }
  return { nodes, operations, nodesByDepth };
}

export class Functional extends Model {
  static override className = "Functional";
  private readonly inputStructure: unknown;
  private readonly outputStructure: unknown;
  private readonly _inputs: KerasTensor[];
  private readonly _outputs: KerasTensor[];
  private readonly graph: GraphMap;
  /** The graph's operations in Keras order (layers, and primitive ops used directly). */
  readonly operations: Operation[];

  /**
   * @example
   * const x = keras.Input([6]);
   * const model = new keras.Functional(x, new keras.layers.Dense(3).apply(x));
   */
  constructor(inputs: unknown, outputs: unknown, options: Omit<ModelOptions, "inputs" | "outputs"> = {}) {
    super({ ...options, name: options.name ?? undefined });
    this.inputStructure = inputs;
    this.outputStructure = outputs;
    this._inputs = flatten(inputs) as KerasTensor[];
    this._outputs = flatten(outputs) as KerasTensor[];
    for (const t of [...this._inputs, ...this._outputs])
      if (!(t instanceof KerasTensor))
        throw new ValueError(`Functional "${this.name}": inputs and outputs must be KerasTensors (from keras.Input and layer calls). Received: ${fmt(t)}`);
    for (const t of this._inputs)
      if (!(t.kerasHistory?.node.operation instanceof InputLayer))
        throw new ValueError(`Functional "${this.name}": each input must come from keras.Input(). Received: ${t}`);
    this.graph = mapGraph(this._inputs, this._outputs);
    this.operations = this.graph.operations;
    this.built = true;
    this.buildInputShape = this._inputs.length === 1 ? [...this._inputs[0]!.shape] : this._inputs.map((t) => [...t.shape]);
  }

  override get layers(): Layer[] {
    return this.operations.filter((op): op is Layer => op instanceof Layer);
  }

  override get inputs(): KerasTensor[] {
    return this._inputs;
  }
  override get outputs(): KerasTensor[] {
    return this._outputs;
  }

  /** The graph's nodes in execution order. */
  get nodes(): Node[] {
    return this.graph.nodes;
  }

  /** The graph's nodes grouped by depth, inputs first (Keras `_nodes_by_depth`). */
  get nodesByDepth(): Node[][] {
    return this.graph.nodesByDepth;
  }

  override call(inputs: unknown, args: CallArgs = {}): unknown {
    const overrides: CallArgs = args.training === undefined ? {} : { training: args.training };
    return this.run(inputs, (op, ins, node) => op.callNode(ins, node, overrides));
  }

  override computeOutputSpec(inputs: unknown): unknown {
    return this.run(inputs, (op, ins, node) => (op.specNode ? op.specNode(ins, node) : op.callNode(ins, node)));
  }

  private run(inputs: unknown, exec: (op: Operation, ins: unknown[], node: Node) => unknown[]): unknown {
    let given = flatten(inputs);
    if (given.length !== this._inputs.length && this._inputs.length === 1 && Array.isArray(inputs)) given = inputs as never;
    if (given.length !== this._inputs.length)
      throw new ValueError(`Functional "${this.name}" expects ${this._inputs.length} input(s). Received: ${given.length} input(s)`);
    const values = new Map<KerasTensor, unknown>();
    this._inputs.forEach((t, i) => {
      const v = given[i]!;
      const want = t.shape;
      if (v.shape.length !== want.length || want.some((d, j) => d !== null && v.shape[j] !== null && v.shape[j] !== d))
        throw new ValueError(
          `Input ${i} ("${t.name}") of model "${this.name}" is incompatible: expected shape ${fmt(want)}. Received: shape=${fmt(v.shape)}`,
        );
      values.set(t, v);
    });
    for (const node of this.graph.nodes) {
      if (node.operation instanceof InputLayer) continue;
      const ins = node.inputs.map((x) => values.get(x));
      const outs = exec(node.operation, ins, node);
      node.outputs.forEach((o, i) => values.set(o, outs[i]));
    }
    return packSequenceAs(this.outputStructure, this._outputs.map((o) => values.get(o)));
  }
}

modelHooks.makeFunctional = (options: ModelOptions) => {
  const { inputs, outputs, ...rest } = options;
  return new Functional(inputs, outputs, rest);
};
