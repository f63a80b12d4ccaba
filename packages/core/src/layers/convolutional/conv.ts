/**
 * Conv1D, Conv2D and Conv3D (Keras `conv1d.py`, `conv2d.py`, `conv3d.py`): BaseConv with the
 * rank fixed. Conv1D also accepts `padding: "causal"` (left padding by `dilation * (k - 1)`, so
 * output step t only sees inputs up to t).
 */
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import { BaseConv, type ConvOptions } from "./base_conv";

/**
 * 1D convolution layer (temporal convolution): input `(batch, steps, channels)`, kernel
 * `(kernelSize, channels / groups, filters)`.
 * @example
 * const y = new keras.layers.Conv1D(32, 3, { activation: "relu" }).apply(keras.Input([100, 8])); // (None, 98, 32)
 */
export class Conv1D extends BaseConv {
  static override className = "Conv1D";

  constructor(filters: number, kernelSize: number | number[], options: ConvOptions = {}) {
    super(1, filters, kernelSize, options);
  }

  protected override convolutionOp(inputs: AnyTensor, kernel: AnyTensor): AnyTensor {
    if (this.padding !== "causal") return super.convolutionOp(inputs, kernel);
    // Causal: pad the steps axis on the left only, then a "valid" convolution.
    const left = this.dilationRate[0]! * (this.kernelSize[0]! - 1);
    const widths: [number, number][] =
      this.dataFormat === "channels_last"
        ? [
            [0, 0],
            [left, 0],
            [0, 0],
          ]
        : [
            [0, 0],
            [0, 0],
            [left, 0],
          ];
    const padded = ops.pad(inputs, widths);
    return ops.conv(padded, kernel, this.strides, "valid", this.dataFormat, this.dilationRate);
  }
}

/**
 * 2D convolution layer: input `(batch, height, width, channels)` (or channels-first), kernel
 * `(kh, kw, channels / groups, filters)`.
 * @example
 * const y = new keras.layers.Conv2D(8, 3, { padding: "same", activation: "relu" }).apply(keras.Input([28, 28, 1])); // (None, 28, 28, 8)
 */
export class Conv2D extends BaseConv {
  static override className = "Conv2D";

  constructor(filters: number, kernelSize: number | number[], options: ConvOptions = {}) {
    super(2, filters, kernelSize, options);
  }
}

/**
 * 3D convolution layer (spatial convolution over volumes): input
 * `(batch, d1, d2, d3, channels)`, kernel `(k1, k2, k3, channels / groups, filters)`.
 * @example
 * const y = new keras.layers.Conv3D(4, 3).apply(keras.Input([8, 8, 8, 2])); // (None, 6, 6, 6, 4)
 */
export class Conv3D extends BaseConv {
  static override className = "Conv3D";

  constructor(filters: number, kernelSize: number | number[], options: ConvOptions = {}) {
    super(3, filters, kernelSize, options);
  }
}

registerBuiltin("keras.layers", "Conv1D", Conv1D, ["Convolution1D"]);
registerBuiltin("keras.layers", "Conv2D", Conv2D, ["Convolution2D"]);
registerBuiltin("keras.layers", "Conv3D", Conv3D, ["Convolution3D"]);
