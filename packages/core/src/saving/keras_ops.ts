/**
 * Keras ops recorded in Functional configs (`{"module": "keras.src.ops.numpy", "class_name":
 * "NotEqual", ...}`), as Keras writes them when a graph calls `keras.ops` on symbolic tensors,
 * most often the `NotEqual` of `Embedding(mask_zero=True)` feeding an RNN's `mask`.
 *
 * Loading such a config creates a `KerasOp`: a graph operation (not a layer, so it owns no
 * weights and is not in `model.layers`, as in Keras) that calls the matching `keras.ops`
 * function with the recorded positional arguments and its config (`Cast(dtype)`,
 * `Sum(axis, keepdims)`). Saving writes it back as Keras wrote it. Only the ops in the table
 * below are known; another op class is an `UnknownObjectError` naming it.
 *
 * Not here: saving graphs built in JavaScript that call `keras.ops` directly on symbolic
 * tensors (their primitive-level nodes have no Keras op class yet).
 */
import { ValueError } from "../errors";
import * as ops from "../ops/index";
import { KerasTensor } from "../symbolic/keras_tensor";
import { Node, type Operation } from "../symbolic/node";
import { flatten, packSequenceAs } from "../utils/nest";
import { uniqueName } from "../utils/naming";
import { registerBuiltin } from "./serialization";

/** Keras op class -> its Keras module, the ops function, and the config keys passed after the args. */
const TABLE: Record<string, { module: string; fn: string; config: string[] }> = {};
const numpy = "keras.src.ops.numpy";
for (const name of [
  "Add", "Subtract", "Multiply", "Divide", "TrueDivide", "Power", "Maximum", "Minimum",
  "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr",
  "Negative", "Abs", "Square", "Sqrt", "Exp", "Log", "LogicalNot", "Tanh",
])
  TABLE[name] = { module: numpy, fn: name[0]!.toLowerCase() + name.slice(1), config: [] };
for (const name of ["Sum", "Mean", "Max", "Min", "Prod", "All", "Any"])
  TABLE[name] = { module: numpy, fn: name.toLowerCase(), config: ["axis", "keepdims"] };
TABLE.ExpandDims = { module: numpy, fn: "expandDims", config: ["axis"] };
TABLE.Squeeze = { module: numpy, fn: "squeeze", config: ["axis"] };
TABLE.Cast = { module: "keras.src.ops.core", fn: "cast", config: ["dtype"] };
TABLE.Relu = { module: "keras.src.ops.nn", fn: "relu", config: [] };
TABLE.Sigmoid = { module: "keras.src.ops.nn", fn: "sigmoid", config: [] };

type OpFn = (...args: unknown[]) => unknown;

/**
 * One Keras op in a Functional graph.
 * @example const op = KerasOp.fromConfig("NotEqual", { name: "not_equal" }); op.apply([x, 0]);
 */
export class KerasOp implements Operation {
  readonly name: string;
  readonly inboundNodes: Node[] = [];
  private readonly fn: OpFn;

  constructor(
    readonly className: string,
    /** The op's config as Keras wrote it (`name` plus its constructor arguments). */
    readonly config: Record<string, unknown>,
  ) {
    const entry = TABLE[className];
    const fn = entry ? (ops as unknown as Record<string, OpFn | undefined>)[entry.fn] : undefined;
    if (!entry || typeof fn !== "function")
      throw new ValueError(`KerasOp: the Keras op '${className}' is not supported. Received: class_name=${className}`);
    this.fn = fn;
    this.name = typeof config.name === "string" ? config.name : uniqueName(entry.fn);
  }

  /** Builds the op from its Keras class name and config. */
  static fromConfig(className: string, config: Record<string, unknown>): KerasOp {
    return new KerasOp(className, config ?? {});
  }

  private compute(args: unknown[]): unknown {
    const extra = TABLE[this.className]!.config.map((k) => this.config[k] ?? undefined);
    return this.fn(...args, ...extra);
  }

  /**
   * Calls the op on its positional arguments: symbolic inputs record a graph node.
   * @example const mask = op.apply([ids, 0]);
   */
  apply(args: unknown[], kwargs: Record<string, unknown> = {}): unknown {
    const leaves = flatten(args);
    if (!leaves.some((t) => t instanceof KerasTensor)) return this.compute(args);
    const spec = this.compute(args);
    const outs = flatten(spec).map((t) => new KerasTensor(t.shape, t.dtype, uniqueName("keras_tensor")));
    const node = new Node(
      this,
      leaves.filter((t): t is KerasTensor => t instanceof KerasTensor),
      outs,
      { structure: { inputs: args, args: kwargs }, positional: true },
    );
    this.inboundNodes.push(node);
    return packSequenceAs(spec, outs);
  }

  private replay(inputs: unknown[], node: Node): unknown[] {
    const { inputs: recorded } = node.callArgs.structure as { inputs: unknown[] };
    let k = 0;
    const values = flatten(recorded).map((t) => (t instanceof KerasTensor ? inputs[k++] : t));
    return packSequenceAs<unknown[]>(recorded, values);
  }

  callNode(inputs: unknown[], node: Node): unknown[] {
    return flatten(this.compute(this.replay(inputs, node)));
  }

  specNode(inputs: unknown[], node: Node): unknown[] {
    return flatten(this.compute(this.replay(inputs, node)));
  }

  /** The op's entry as Keras writes it in a config. */
  serialize(): Record<string, unknown> {
    return { module: TABLE[this.className]!.module, class_name: this.className, config: { ...this.config }, registered_name: this.className };
  }
}

/** Whether `x` is a Keras op of a Functional graph. */
export function isKerasOp(x: unknown): x is KerasOp {
  return x instanceof KerasOp;
}

// Configs name ops by class and module; deserializeKerasObject calls `fromConfig(config)`.
for (const [name, { module }] of Object.entries(TABLE))
  registerBuiltin(module, name, { fromConfig: (config: Record<string, unknown>) => KerasOp.fromConfig(name, config) });
