/**
 * UpSampling2D (Keras 3 `keras/src/layers/reshaping/up_sampling2d.py`): repeats rows and columns
 * ("nearest") or resizes bilinearly ("bilinear", as `keras.ops.image.resize` with half-pixel
 * centres and no antialiasing; antialiasing does not change upsampling).
 *
 * Bilinear is computed with two gathers and a lerp per spatial axis: output pixel `o` samples
 * the input at `(o + 0.5) / factor - 0.5`, clamped to the edge pixels, as TF / JAX / PyTorch
 * (`align_corners=False`) do.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/up_sampling2d.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";
import { standardizeDataFormat, standardizeTuple, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";

export type UpSamplingInterpolation = "nearest" | "bilinear";

export interface UpSampling2DOptions extends LayerOptions {
  /** Upsampling factors for rows and columns (default [2, 2]). */
  size?: number | readonly number[];
  dataFormat?: DataFormat | null;
  /** "nearest" (default) or "bilinear". */
  interpolation?: UpSamplingInterpolation;
}

/** `x` resized by an integer factor along `axis` with half-pixel-centre linear interpolation. */
function linearUpsampleAxis(x: AnyTensor, axis: number, factor: number): AnyTensor {
  const n = x.shape[axis];
  if (n === null || n === undefined)
    throw new ValueError(
      `UpSampling2D: bilinear interpolation needs known spatial dims. Received: shape=${fmt(x.shape)}`,
    );
  const m = n * factor;
  const lo: number[] = [];
  const hi: number[] = [];
  const w: number[] = [];
  for (let o = 0; o < m; o++) {
    const src = Math.min(Math.max((o + 0.5) / factor - 0.5, 0), n - 1);
    const f = Math.floor(src);
    lo.push(f);
    hi.push(Math.min(f + 1, n - 1));
    w.push(src - f);
  }
  const a = ops.take<AnyTensor>(x, lax.constant(lo, [m], "int32"), axis);
  const b = ops.take<AnyTensor>(x, lax.constant(hi, [m], "int32"), axis);
  const wShape = x.shape.map((_, i) => (i === axis ? m : 1));
  const wt = lax.constant(w, wShape, "float32");
  // a + (b - a) * w
  return ops.add<AnyTensor>(a, ops.multiply(ops.subtract(b, a), wt));
}

/**
 * Upsampling layer for 2D inputs.
 * @example new keras.layers.UpSampling2D({ size: [2, 2] }).apply(keras.Input([4, 4, 3])); // (None, 8, 8, 3)
 */
export class UpSampling2D extends Layer {
  static override className = "UpSampling2D";
  readonly size: number[];
  readonly dataFormat: DataFormat;
  readonly interpolation: UpSamplingInterpolation;

  constructor(options: UpSampling2DOptions = {}) {
    super(options);
    const where = `UpSampling2D "${this.name}"`;
    this.size = standardizeTuple(options.size ?? [2, 2], 2, "size", where);
    this.dataFormat = standardizeDataFormat(options.dataFormat, where);
    const interp = options.interpolation ?? "nearest";
    if (interp !== "nearest" && interp !== "bilinear")
      throw new ValueError(
        `${where}: \`interpolation\` must be "nearest" or "bilinear" (others are not implemented). Received: interpolation=${fmt(interp)}`,
      );
    this.interpolation = interp;
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: 4 }, inputs.shape);
    const [fh, fw] = this.size as [number, number];
    let x = inputs;
    if (this.dataFormat === "channels_first") x = ops.transpose<AnyTensor>(x, [0, 2, 3, 1]);
    if (this.interpolation === "nearest") {
      x = ops.repeat<AnyTensor>(x, fh, 1);
      x = ops.repeat<AnyTensor>(x, fw, 2);
    } else {
      const xf = x.dtype === "float32" ? x : ops.cast<AnyTensor>(x, "float32");
      x = linearUpsampleAxis(linearUpsampleAxis(xf, 1, fh), 2, fw);
    }
    if (this.dataFormat === "channels_first") x = ops.transpose<AnyTensor>(x, [0, 3, 1, 2]);
    return x;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      size: [...this.size],
      data_format: this.dataFormat,
      interpolation: this.interpolation,
    };
  }

  static fromConfig(config: Record<string, unknown>): UpSampling2D {
    return new UpSampling2D(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "UpSampling2D", UpSampling2D);
