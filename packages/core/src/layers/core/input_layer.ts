/**
 * InputLayer and `keras.Input`: the entry points of a Functional graph. `Input` returns a
 * KerasTensor (batch dimension unknown by default) produced by an InputLayer node.
 */
import { ValueError, fmt } from "../../errors";
import { KerasTensor } from "../../symbolic/keras_tensor";
import { Node } from "../../symbolic/node";
import { standardizeDType, type DType } from "../../tensor/dtype";
import { Layer, type Shape } from "../layer";
import { registerBuiltin } from "../../saving/serialization";

export interface InputOptions {
  /** Shape without the batch dimension. */
  shape?: Shape;
  batchSize?: number | null;
  /** Full shape including the batch dimension (instead of shape + batchSize). */
  batchShape?: Shape;
  dtype?: DType | string;
  name?: string;
  sparse?: boolean;
  optional?: boolean;
}

export class InputLayer extends Layer {
  static override className = "InputLayer";
  readonly batchShape: Shape;
  readonly sparse: boolean;
  readonly optional: boolean;
  readonly output: KerasTensor;

  constructor(options: InputOptions = {}) {
    super({ name: options.name, dtype: options.dtype ?? "float32" });
    const { shape, batchShape } = options;
    if (shape !== undefined && batchShape !== undefined)
      throw new ValueError(`InputLayer "${this.name}": pass either shape or batchShape, not both. Received: shape=${fmt(shape)}, batchShape=${fmt(batchShape)}`);
    const full = batchShape ?? (shape !== undefined ? [options.batchSize ?? null, ...shape] : null);
    if (!full)
      throw new ValueError(`InputLayer "${this.name}": a shape is required. Received: shape=undefined`);
    if (full.some((d) => d !== null && (!Number.isInteger(d) || d < 0)))
      throw new ValueError(`InputLayer "${this.name}": dimensions must be non-negative integers or null. Received: shape=${fmt(full)}`);
    this.batchShape = [...full];
    this.sparse = options.sparse ?? false;
    this.optional = options.optional ?? false;
    this.built = true;
    this.output = new KerasTensor(this.batchShape, standardizeDType(options.dtype ?? "float32"), this.name);
    this.inboundNodes.push(new Node(this, [], [this.output], { structure: { inputs: [], args: {} } }));
  }

  call(inputs: unknown): unknown {
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return {
      batch_shape: this.batchShape,
      dtype: this.dtype,
      sparse: this.sparse,
      ragged: false,
      name: this.name,
      optional: this.optional,
    };
  }

  static fromConfig(config: Record<string, unknown>): InputLayer {
    return new InputLayer({
      batchShape: (config.batch_shape ?? config.batch_input_shape) as Shape,
      dtype: (config.dtype as string) ?? "float32",
      name: config.name as string,
      sparse: config.sparse as boolean,
      optional: config.optional as boolean,
    });
  }
}

/**
 * A symbolic input for Functional models (Keras `keras.Input`).
 * @example const x = keras.Input([28, 28, 1], { name: "image" }); // shape (None, 28, 28, 1)
 */
export function Input(shape?: Shape, options: Omit<InputOptions, "shape"> = {}): KerasTensor {
  return new InputLayer({ ...options, shape: options.batchShape ? undefined : shape }).output;
}

registerBuiltin("keras.layers", "InputLayer", InputLayer);
