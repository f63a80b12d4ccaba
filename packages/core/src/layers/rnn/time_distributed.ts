/**
 * TimeDistributed: applies a layer to every temporal slice `inputs[:, t]` of its input
 * (Keras 3 `keras/src/layers/rnn/time_distributed.py`). The same weights serve every step. As in
 * Keras, the wrapped layer's `call` runs once per time step (so layers whose result depends on
 * the batch, like BatchNormalization in training, see one step's batch at a time) and the results
 * are stacked along axis 1.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/rnn/time_distributed.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import { tidy } from "../../engine/engine";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import { KerasTensor } from "../../symbolic/keras_tensor";
import { Tensor } from "../../tensor/tensor";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { buildNested, deserializeLayer } from "../sublayers";

/**
 * This wrapper applies a layer to every temporal slice of an input.
 * @example
 * const td = new keras.layers.TimeDistributed(new keras.layers.Dense(8));
 * td.apply(keras.Input([10, 16])); // shape (None, 10, 8)
 */
export class TimeDistributed extends Layer {
  static override className = "TimeDistributed";
  readonly layer: Layer;

  constructor(layer: Layer, options: LayerOptions = {}) {
    if (!(layer instanceof Layer))
      throw new ValueError(
        `TimeDistributed: please initialize \`TimeDistributed\` layer with a \`keras.layers.Layer\` instance. Received: layer=${fmt(layer)}`,
      );
    super(options);
    this.layer = layer;
    this.supportsMasking = true;
  }

  private childInputShape(inputShape: readonly (number | null)[]): Shape {
    if (!Array.isArray(inputShape) || inputShape.length < 3)
      throw new ValueError(
        `Layer "${this.name}" (TimeDistributed): \`TimeDistributed\` Layer should be passed an \`input_shape\` with at least 3 dimensions. Received: input_shape=${fmt(inputShape)}`,
      );
    return [inputShape[0] ?? null, ...inputShape.slice(2)];
  }

  override build(inputShape: Shape): void {
    buildNested(this.name, this.layer, this.childInputShape(inputShape));
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: unknown): unknown {
    const s = inputShape as Shape;
    const child = this.layer.computeOutputShape(this.childInputShape(s)) as Shape;
    return [child[0] ?? null, s[1] ?? null, ...child.slice(1)];
  }

  override computeOutputSpec(inputs: AnyTensor, _args: CallArgs = {}): KerasTensor {
    const childIn = new KerasTensor(this.childInputShape(inputs.shape), inputs.dtype);
    const spec = this.layer.computeOutputSpec(childIn) as unknown;
    if (!(spec instanceof KerasTensor))
      throw new ValueError(
        `Layer "${this.name}" (TimeDistributed): the wrapped layer must return a single tensor. Received: ${fmt(spec)}`,
      );
    return new KerasTensor(
      [spec.shape[0] ?? null, inputs.shape[1] ?? null, ...spec.shape.slice(1)],
      spec.dtype,
    );
  }

  call(inputs: Tensor, args: CallArgs = {}): Tensor {
    this.childInputShape(inputs.shape);
    const [batch, timesteps] = inputs.shape as number[];
    const mask = (args.mask ?? null) as Tensor | null;
    if (mask !== null && (mask.shape[0] !== batch || mask.shape[1] !== timesteps))
      throw new ValueError(
        `Layer "${this.name}" (TimeDistributed): \`TimeDistributed\` Layer should be passed a \`mask\` of shape (${batch}, ${timesteps}, ...). Received: mask.shape=${fmt(mask.shape)}`,
      );
    return tidy(() => {
      const steps = ops.unstack(inputs, timesteps, 1); // (B, T, ...) -> T x (B, ...)
      const maskSteps = mask ? ops.unstack(mask, timesteps, 1) : null;
      const outs = steps.map((x, t) => {
        const childArgs: CallArgs = { training: args.training };
        if (maskSteps) childArgs.mask = maskSteps[t];
        const y = this.layer.call(x, childArgs) as unknown;
        if (!(y instanceof Tensor))
          throw new ValueError(
            `Layer "${this.name}" (TimeDistributed): the wrapped layer must return a single tensor. Received: ${fmt(y)}`,
          );
        return y;
      });
      return ops.stack(outs, 1); // T x (B, ...) -> (B, T, ...)
    });
  }

  /** The mask passes through (Keras' default `compute_mask` for a masking-aware layer). */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeKerasObject(this.layer) };
  }

  static fromConfig(config: Record<string, unknown>): TimeDistributed {
    const layer = deserializeLayer(config.layer, "TimeDistributed.fromConfig");
    return new TimeDistributed(layer, optionsFromConfig(config, ["layer"]));
  }
}

registerBuiltin("keras.layers", "TimeDistributed", TimeDistributed);
