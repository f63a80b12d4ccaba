/**
 * Flatten (Keras 3 `keras/src/layers/reshaping/flatten.py`): `(batch, ...)` -> `(batch, prod(...))`.
 * With `dataFormat: "channels_first"` the channels axis is moved last first, so the flattened
 * order matches a channels_last model.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/flatten.py
 */
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { KerasTensor } from "../../symbolic/keras_tensor";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { standardizeDataFormat, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";
import { prodOrNull } from "./utils";

export interface FlattenOptions extends LayerOptions {
  /** Default "channels_last". */
  dataFormat?: DataFormat | null;
}

/**
 * Flattens the input; does not affect the batch size.
 * @example new keras.layers.Flatten().apply(keras.Input([3, 4])); // shape (None, 12)
 */
export class Flatten extends Layer {
  static override className = "Flatten";
  readonly dataFormat: DataFormat;

  constructor(options: FlattenOptions = {}) {
    super(options);
    this.dataFormat = standardizeDataFormat(options.dataFormat, `Flatten "${this.name}"`);
    this.built = true;
  }

  /** Keras `compute_output_shape`: `(batch, prod(rest))`, 1 for rank-1 inputs. */
  override computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0] ?? null, prodOrNull(inputShape.slice(1))];
  }

  /** Symbolic calls use the static shape rule (a reshape cannot express two unknown dims). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override computeOutputSpec(inputs: any): any {
    const x = inputs as KerasTensor;
    if (x.shape.slice(1).every((d) => d !== null)) return this.call(x);
    assertInputCompatible(this, { minNdim: 1 }, x.shape);
    return new KerasTensor(this.computeOutputShape([...x.shape]), x.dtype);
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { minNdim: 1 }, inputs.shape);
    const r = inputs.shape.length;
    let x = inputs;
    if (this.dataFormat === "channels_first" && r > 2)
      x = ops.transpose<AnyTensor>(x, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
    const [b, n] = this.computeOutputShape([...x.shape]);
    return ops.reshape<AnyTensor>(x, [b ?? -1, n ?? -1]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }

  static fromConfig(config: Record<string, unknown>): Flatten {
    return new Flatten(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "Flatten", Flatten);
