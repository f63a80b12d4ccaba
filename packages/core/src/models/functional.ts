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
import { deserializeKerasObject, serializeKerasObject } from "../saving/serialization";
import { InvalidConfigError, UnsupportedFeatureError } from "../saving/errors";
import { KerasOp } from "../saving/keras_ops";

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

  /**
   * Keras `Functional.get_config()`: name, trainable, the layers (each with `name` and
   * `inbound_nodes`), and the input / output tensors as `[layer_name, node_index, tensor_index]`
   * in the structure the model was built with.
   * @example JSON.stringify(model.getConfig().input_layers) // [["input_a",0,0],["input_b",0,0]]
   */
  override getConfig(): Record<string, unknown> {
    const own = new Set(this.graph.nodes);
    // Keras renumbers each layer's nodes, keeping only those of this model.
    const reindex = new Map<Node, number>();
    for (const op of this.operations) {
      if (!(op instanceof Layer) && !(op instanceof KerasOp))
        throw new UnsupportedFeatureError(
          `Functional "${this.name}": the graph calls the op "${op.name}" directly on symbolic tensors; saving such graphs is not supported yet. Wrap the op in a layer. Received: op=${op.name}`,
          "raw ops in functional graphs",
        );
      let kept = op instanceof Functional ? 1 : 0;
      for (const node of op.inboundNodes) if (own.has(node)) reindex.set(node, kept++);
    }
    const layers = this.operations.map((op) => {
      const layer = op as Layer | KerasOp;
      const inbound: unknown[] = [];
      for (const node of layer.inboundNodes) if (own.has(node) && node.inputs.length > 0) inbound.push(serializeNode(node, own));
      const entry = layer instanceof KerasOp ? layer.serialize() : serializeLayerForModel(layer);
      return { ...entry, name: layer.name, inbound_nodes: inbound };
    });
    const tensorConfig = (t: unknown): unknown => {
      const h = (t as KerasTensor).kerasHistory!;
      return [h.node.operation.name, reindex.get(h.node) ?? 0, h.tensorIndex];
    };
    return {
      name: this.name,
      trainable: this.trainable,
      layers,
      input_layers: mapKerasTensors(this.inputStructure, tensorConfig),
      output_layers: mapKerasTensors(this.outputStructure, tensorConfig),
    };
  }

  /** Keras writes `{input_shape: null}` for Functional models (their graph fixes the shapes). */
  override getBuildConfig(): Record<string, unknown> {
    return { input_shape: null };
  }

  /**
   * Keras `functional_from_config`: creates every layer, then replays the recorded calls
   * (re-queueing calls whose inputs do not exist yet, as a layer may be shared at different
   * depths), then picks the input and output tensors.
   * @example const copy = keras.Functional.fromConfig(model.getConfig());
   */
  static fromConfig(config: Record<string, unknown>): Functional {
    return functionalFromConfig(config);
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

/** `[layer_name, node_index, tensor_index]` in a config: a leaf of `input_layers` / keras_history. */
function isTensorRef(x: unknown): x is [string, number, number] {
  return Array.isArray(x) && x.length === 3 && typeof x[0] === "string" && typeof x[1] === "number" && typeof x[2] === "number";
}

/** Maps the KerasTensors of a structure (a tensor, arrays, plain objects). */
function mapKerasTensors(structure: unknown, fn: (t: KerasTensor) => unknown): unknown {
  if (structure instanceof KerasTensor) return fn(structure);
  if (Array.isArray(structure)) return structure.map((x) => mapKerasTensors(x, fn));
  if (structure !== null && typeof structure === "object")
    return Object.fromEntries(Object.entries(structure).map(([k, v]) => [k, mapKerasTensors(v, fn)]));
  return serializeKerasObject(structure);
}

/** Keras `serialize_node`: the call's args / kwargs with KerasTensors as `__keras_tensor__` entries. */
function serializeNode(node: Node, own: Set<Node>): Record<string, unknown> {
  const { inputs, args } = node.callArgs.structure as { inputs: unknown; args: Record<string, unknown> };
  const tensor = (x: KerasTensor): unknown => {
    const h = x.kerasHistory!;
    const op = h.node.operation;
    const nodes = op instanceof Layer || op instanceof KerasOp ? op.inboundNodes : [h.node];
    let index = nodes.indexOf(h.node);
    // Keras counts only the producer's nodes that belong to this model. (Unlike the
    // input_layers / output_layers entries, no offset is added for a nested Functional.)
    for (let i = 0; i < index; i++) if (!own.has(nodes[i]!)) index--;
    return { class_name: "__keras_tensor__", config: { shape: [...x.shape], dtype: x.dtype, keras_history: [op.name, index, h.tensorIndex] } };
  };
  const kwargs: Record<string, unknown> = {};
  // A keyword tensor made outside this graph (a mask that Layer.apply derived from the inputs'
  // `_keras_mask`) is written as null: Keras then derives the mask again when it rebuilds.
  const ownTensor = (x: KerasTensor): unknown => (x.kerasHistory && own.has(x.kerasHistory.node) ? tensor(x) : null);
  for (const [k, v] of Object.entries(args ?? {})) if (v !== undefined) kwargs[k] = mapKerasTensors(v, ownTensor);
  // Keras fills in `mask` for layers whose call() takes one (models always do); masks are not
  // propagated symbolically here, so it is written as null.
  const op = node.operation as Layer;
  const takesMask = op instanceof Model || (op.constructor as { callHasMaskArg?: boolean }).callHasMaskArg === true;
  if (takesMask && !("mask" in kwargs)) kwargs.mask = null;
  // A Keras op records all its positional arguments; a layer call has one (the inputs).
  const positional = node.callArgs.positional === true ? (inputs as unknown[]) : [inputs];
  return { args: positional.map((a) => mapKerasTensors(a, tensor)), kwargs };
}

/**
 * `serialize_keras_object(layer)` as Keras writes it inside a model config: Functional models
 * under their Keras module with `registered_name: "Functional"`, and `build_config` only for
 * layers that define their own `build` (Keras marks other layers built at construction).
 * @example serializeLayerForModel(new keras.layers.Dropout(0.5)) // no build_config
 */
export function serializeLayerForModel(layer: Layer): Record<string, unknown> {
  const out = serializeKerasObject(layer) as Record<string, unknown>;
  if (layer instanceof Functional && out.class_name === "Functional") {
    out.module = "keras.src.models.functional";
    out.registered_name = "Functional";
  }
  if (layer.build === Layer.prototype.build && !(layer instanceof Model)) delete out.build_config;
  // Keras' get_compile_config() returns {} for a model that was never compiled.
  if (layer instanceof Model && (out.compile_config === undefined || out.compile_config === null)) out.compile_config = {};
  return out;
}

function configError(what: string, received: unknown): InvalidConfigError {
  return new InvalidConfigError(`Cannot rebuild the Functional model from its config: ${what}. Received: ${fmt(received)}`);
}

/** Raised while replaying a call whose input tensors do not exist yet (Keras' IndexError). */
class NotYetCreated extends Error {}

/**
 * Keras `functional_from_config`.
 * @example const model = functionalFromConfig(JSON.parse(json).config);
 */
export function functionalFromConfig(config: Record<string, unknown>): Functional {
  if (config === null || typeof config !== "object") throw configError("the config is not an object", config);
  const layerConfigs = config.layers;
  if (!Array.isArray(layerConfigs)) throw configError("`layers` must be a list", layerConfigs);
  if (config.input_layers === undefined || config.output_layers === undefined)
    throw configError("`input_layers` and `output_layers` are required", Object.keys(config));
  const created = new Map<string, Layer | KerasOp>();
  const pending = new Map<Layer | KerasOp, unknown[]>();
  const order: (Layer | KerasOp)[] = [];
  for (const data of layerConfigs) {
    if (data === null || typeof data !== "object") throw configError("a layer entry is not an object", data);
    const d = data as Record<string, unknown>;
    const layer = deserializeKerasObject(d);
    if (!(layer instanceof Layer) && !(layer instanceof KerasOp)) throw configError(`the entry for '${String(d.name)}' is not a layer`, d.class_name);
    const name = typeof d.name === "string" ? d.name : layer.name;
    if (created.has(name)) throw configError(`two layers are named '${name}'`, name);
    created.set(name, layer);
    order.push(layer);
    const nodes = d.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) throw configError(`\`inbound_nodes\` of '${name}' must be a list`, nodes);
    pending.set(layer, [...nodes]);
  }
  // `modelRef`: an input_layers / output_layers entry, where Keras counts a nested Functional's
  // nodes from 1 (the node it is born with); keras_history entries count from 0.
  const nodeOf = (layerName: unknown, nodeIndex: unknown, modelRef: boolean): Node => {
    const layer = typeof layerName === "string" ? created.get(layerName) : undefined;
    if (!layer) throw configError(`a call refers to the unknown layer '${String(layerName)}'`, layerName);
    if (typeof nodeIndex !== "number" || !Number.isInteger(nodeIndex) || nodeIndex < 0) throw configError("a node index is not a non-negative integer", nodeIndex);
    const index = modelRef && layer instanceof Functional ? nodeIndex - 1 : nodeIndex;
    if (index < 0) throw configError(`node ${nodeIndex} of the model '${layer.name}' cannot be an input`, nodeIndex);
    if (index >= layer.inboundNodes.length) throw new NotYetCreated();
    return layer.inboundNodes[index]!;
  };
  const tensorOf = (ref: unknown, modelRef = false): KerasTensor => {
    if (!isTensorRef(ref)) throw configError("a tensor reference must be [layer_name, node_index, tensor_index]", ref);
    const node = nodeOf(ref[0], ref[1], modelRef);
    const t = node.outputs[ref[2]];
    if (!t) throw configError(`layer '${ref[0]}' has no output ${ref[2]}`, ref);
    return t;
  };
  const revive = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(revive);
    if (x !== null && typeof x === "object") {
      const o = x as Record<string, unknown>;
      if (o.class_name === "__keras_tensor__") {
        const c = o.config as { keras_history?: unknown } | undefined;
        return tensorOf(c?.keras_history);
      }
      if (typeof o.class_name === "string") return deserializeKerasObject(o);
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
    }
    return x;
  };
  const callNode = (layer: Layer | KerasOp, data: unknown): void => {
    let args: unknown[];
    let kwargs: Record<string, unknown> = {};
    if (Array.isArray(data)) {
      // Keras 2 format: [[layer_name, node_index, tensor_index, kwargs?], ...]
      const ins = data.map((d) => {
        if (!Array.isArray(d) || d.length < 3) throw configError("a legacy node entry is malformed", d);
        if (d.length === 4 && d[3] && typeof d[3] === "object") kwargs = d[3] as Record<string, unknown>;
        return tensorOf(d.slice(0, 3));
      });
      args = [ins.length === 1 ? ins[0] : ins];
    } else if (data !== null && typeof data === "object") {
      const d = data as { args?: unknown; kwargs?: unknown };
      if (!Array.isArray(d.args)) throw configError(`a call of '${layer.name}' has no args list`, data);
      args = revive(d.args) as unknown[];
      kwargs = (revive(d.kwargs ?? {}) ?? {}) as Record<string, unknown>;
    } else throw configError(`a call of '${layer.name}' is malformed`, data);
    if (args.length === 0) throw configError(`a call of '${layer.name}' has no inputs`, data);
    if (layer instanceof KerasOp) layer.apply(args, kwargs);
    else layer.apply(args.length === 1 ? args[0] : args, kwargs);
  };
  // Replay calls layer by layer; a call whose inputs are not there yet waits for a later pass.
  while (pending.size > 0) {
    let progress = false;
    for (const layer of order) {
      const queue = pending.get(layer);
      if (!queue) continue;
      while (queue.length > 0) {
        try {
          callNode(layer, queue[0]);
        } catch (err) {
          if (err instanceof NotYetCreated) break;
          throw err;
        }
        queue.shift();
        progress = true;
      }
      if (queue.length === 0) pending.delete(layer);
    }
    if (!progress)
      throw configError(
        "some layer calls refer to nodes that are never created (the graph is disconnected or cyclic)",
        [...pending.keys()].map((l) => l.name),
      );
  }
  const mapRefs = (x: unknown): unknown => {
    if (isTensorRef(x)) {
      try {
        return tensorOf(x, true);
      } catch (err) {
        if (err instanceof NotYetCreated) throw configError(`the model input/output ${fmt(x)} does not exist`, x);
        throw err;
      }
    }
    if (Array.isArray(x)) return x.map(mapRefs);
    if (x !== null && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapRefs(v)]));
    throw configError("input_layers / output_layers must hold [layer_name, node_index, tensor_index] entries", x);
  };
  const inputs = mapRefs(config.input_layers);
  const outputs = mapRefs(config.output_layers);
  const options: Omit<ModelOptions, "inputs" | "outputs"> = {};
  if (typeof config.name === "string") options.name = config.name;
  if (typeof config.trainable === "boolean") options.trainable = config.trainable;
  return new Functional(inputs, outputs, options);
}

modelHooks.makeFunctional = (options: ModelOptions) => {
  const { inputs, outputs, ...rest } = options;
  return new Functional(inputs, outputs, rest);
};
