/**
 * Convolutions of `keras.ops`: `conv`, `depthwiseConv`, `separableConv` and `convTranspose`, for
 * 1-D, 2-D and 3-D inputs (the input rank decides), channels-last or channels-first.
 *
 * Everything lowers to the Conv primitive (channels-last, kernel `(...K, C / groups, O)`,
 * explicit pads) or, for the transposed convolution, to ConvBackpropInput: a transposed
 * convolution *is* the gradient of a convolution with respect to its input, which is how
 * TensorFlow defines `conv2d_transpose` and what Keras' JAX backend computes with
 * `lax.conv_transpose(..., transpose_kernel=True)`.
 */
import { ValueError } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import type { TensorLike } from "../convert";
import {
  channelsLastShape,
  deferWindowed,
  explicitPadding,
  fromChannelsLast,
  inChannelsLast,
  isSymbolic,
  padsUnknown,
  reshapeDims,
  shp,
  spatialTuple,
  standardizeDataFormat,
  standardizePadding,
  toFloat,
  type DataFormat,
  type Dim,
  type Padding,
  type WindowArgs,
} from "./util";
import { deferredCall } from "../../symbolic/deferred_op";

type T_ = AnyTensor;

/** Checks ranks and returns the number of spatial dims. */
function spatialRank(x: T_, kernel: T_, op: string, what = "kernel"): number {
  const r = x.shape.length;
  if (r < 3)
    throw new ValueError(
      `${op}: inputs must have rank >= 3 (batch, ...spatial, channels). Received: inputs.shape=${shp(x)}`,
    );
  if (kernel.shape.length !== r)
    throw new ValueError(
      `${op}: ${what} must have the same rank as inputs (${r}). Received: inputs.shape=${shp(x)}, ${what}.shape=${shp(kernel)}`,
    );
  return r - 2;
}

/** Kernel window sizes (the leading spatial dims), which must be known. */
function kernelWindow(kernel: T_, n: number, op: string): number[] {
  const w = kernel.shape.slice(0, n);
  if (w.some((d) => d === null || d < 1))
    throw new ValueError(
      `${op}: kernel spatial dims must be known and positive. Received: kernel.shape=${shp(kernel)}`,
    );
  return w as number[];
}

/**
 * Converts and checks the arguments shared by the convolutions: data format, padding, strides,
 * dilation and the kernel window; `n` is the number of spatial dims.
 */
function convArgs(
  op: string,
  x: T_,
  k: T_,
  strides: number | readonly number[],
  padding: Padding | string,
  dataFormat: DataFormat | string | null,
  dilationRate: number | readonly number[],
): WindowArgs & { n: number } {
  const n = spatialRank(x, k, op);
  const df = standardizeDataFormat(dataFormat, op);
  const pad = standardizePadding(padding, op);
  const st = spatialTuple(strides, n, "strides", op);
  const dil = spatialTuple(dilationRate, n, "dilation_rate", op);
  const window = kernelWindow(k, n, op);
  return { n, df, pad, window, strides: st, dilation: dil, xs: channelsLastShape(x, df) };
}

/** Channels-last convolution on the Conv primitive; `xl` is channels-last. */
function convChannelsLast(xl: T_, kernel: T_, groups: number, a: WindowArgs): T_ {
  const { window, strides, dilation } = a;
  const pads = explicitPadding(a.pad, xl.shape.slice(1, -1), window, strides, dilation)!;
  return lax.conv(xl, kernel, { strides, padding: pads, dilation, groups });
}

/**
 * General N-D convolution (cross-correlation, as in every deep learning library).
 *
 * `inputs` is `(batch, ...spatial, channels)` (or channels-first), `kernel` is
 * `(...kernel_spatial, in_channels / groups, out_channels)`; the number of groups is inferred as
 * `channels / kernel.shape[-2]`, like Keras. `padding` "same" pads as TF does (the odd extra
 * after).
 * @example
 * const x = keras.random.normal([2, 28, 28, 3]);
 * const k = keras.random.normal([3, 3, 3, 8]);
 * keras.ops.conv(x, k, 1, "same").shape; // [2, 28, 28, 8]
 */
export function conv<T extends T_ = Tensor>(
  inputs: TensorLike,
  kernel: TensorLike,
  strides: number | readonly number[] = 1,
  padding: Padding | string = "valid",
  dataFormat: DataFormat | string | null = null,
  dilationRate: number | readonly number[] = 1,
): T {
  const op = "conv";
  const x = toFloat(inputs);
  const k = toFloat(kernel);
  const a = convArgs(op, x, k, strides, padding, dataFormat, dilationRate);
  const n = a.n;
  const c = a.xs[n + 1]!;
  const kc = k.shape[n]!;
  const o = k.shape[n + 1]!;
  if (c !== null && kc !== null && (kc < 1 || c % kc !== 0))
    throw new ValueError(
      `${op}: the number of input channels must be evenly divisible by the kernel's in_channels. Received: input channels=${c}, kernel in_channels=${kc} (inputs.shape=${shp(x)}, kernel.shape=${shp(k)})`,
    );
  const groups = c !== null && kc !== null ? c / kc : 1;
  if (padsUnknown(a))
    return deferWindowed(op, [x, k], a, o, ([p, q]) =>
      conv(p!, q!, strides, padding, dataFormat, dilationRate),
    ) as T;
  return inChannelsLast(x, a.df, (xl) => convChannelsLast(xl, k, groups, a)) as T;
}

/**
 * General N-D depthwise convolution: each input channel is convolved with its own
 * `channel_multiplier` filters. `kernel` is `(...kernel_spatial, in_channels, multiplier)`;
 * output channel `c * multiplier + m` comes from input channel `c`.
 * @example
 * const x = keras.random.normal([2, 10, 10, 3]);
 * const k = keras.random.normal([3, 3, 3, 2]);
 * keras.ops.depthwiseConv(x, k).shape; // [2, 8, 8, 6]
 */
export function depthwiseConv<T extends T_ = Tensor>(
  inputs: TensorLike,
  kernel: TensorLike,
  strides: number | readonly number[] = 1,
  padding: Padding | string = "valid",
  dataFormat: DataFormat | string | null = null,
  dilationRate: number | readonly number[] = 1,
): T {
  const op = "depthwise_conv";
  const x = toFloat(inputs);
  const k = toFloat(kernel);
  const a = convArgs(op, x, k, strides, padding, dataFormat, dilationRate);
  const n = a.n;
  const c = a.xs[n + 1]!;
  const kc = k.shape[n]!;
  const m = k.shape[n + 1]!;
  if (c === null || kc === null || m === null || c !== kc)
    throw new ValueError(
      `${op}: the number of input channels must be known and match the kernel's input channels. Received: input channels=${c}, kernel input channels=${kc} (inputs.shape=${shp(x)}, kernel.shape=${shp(k)})`,
    );
  if (padsUnknown(a))
    return deferWindowed(op, [x, k], a, c * m, ([p, q]) =>
      depthwiseConv(p!, q!, strides, padding, dataFormat, dilationRate),
    ) as T;
  // (...K, C, M) -> (...K, 1, C * M): C groups of M filters over one channel each.
  const kg = reshapeDims(k, [...a.window, 1, c * m]);
  return inChannelsLast(x, a.df, (xl) => convChannelsLast(xl, kg, c, a)) as T;
}

/**
 * General N-D separable convolution: a depthwise convolution followed by a pointwise (1x1)
 * convolution with `pointwiseKernel` of shape `(1, ..., 1, in_channels * multiplier, filters)`.
 * @example
 * const x = keras.random.normal([2, 10, 10, 3]);
 * const dk = keras.random.normal([3, 3, 3, 2]);
 * const pk = keras.random.normal([1, 1, 6, 4]);
 * keras.ops.separableConv(x, dk, pk, 1, "same").shape; // [2, 10, 10, 4]
 */
export function separableConv<T extends T_ = Tensor>(
  inputs: TensorLike,
  depthwiseKernel: TensorLike,
  pointwiseKernel: TensorLike,
  strides: number | readonly number[] = 1,
  padding: Padding | string = "valid",
  dataFormat: DataFormat | string | null = null,
  dilationRate: number | readonly number[] = 1,
): T {
  const d = depthwiseConv<T_>(inputs, depthwiseKernel, strides, padding, dataFormat, dilationRate);
  return conv<T_>(d, pointwiseKernel, 1, "valid", dataFormat, dilationRate) as T;
}

/**
 * Keras' transposed-convolution padding for one spatial dim, as JAX pads the stride-dilated
 * input (`_convert_conv_transpose_padding_args_from_keras_to_jax` in Keras'
 * `backend/common/backend_utils.py`).
 */
function transposePads(
  k: number,
  s: number,
  d: number,
  padding: Padding,
  outputPadding: number | null,
): [number, number] {
  const eff = (k - 1) * d + 1;
  if (padding === "valid") {
    const op = outputPadding ?? Math.max(eff, s) - eff;
    return [eff - 1, eff - 1 + op];
  }
  const padLen = outputPadding === null ? s + eff - 2 : eff + (eff % 2) - 2 + outputPadding;
  const left = Math.min(Math.floor(padLen / 2) + (padLen % 2), eff - 1);
  return [left, padLen - left];
}

/** Keras' `compute_conv_transpose_output_shape` for one spatial dim. */
function transposeOutSize(
  n: Dim,
  k: number,
  s: number,
  d: number,
  padding: Padding,
  outputPadding: number | null,
): Dim {
  if (n === null) return null;
  const eff = (k - 1) * d + 1;
  if (padding === "valid") return (n - 1) * s + eff + (outputPadding ?? Math.max(eff, s) - eff);
  return outputPadding === null ? n * s : (n - 1) * s + (eff % 2) + outputPadding;
}

/**
 * General N-D transposed convolution (sometimes called deconvolution), as Keras computes it.
 * `kernel` is `(...kernel_spatial, out_channels, in_channels)` (Keras' transposed layout).
 * Output spatial size: "valid": `(in - 1) * stride + k_eff + output_padding` (default
 * `output_padding = max(k_eff, stride) - k_eff`); "same": `in * stride`, or
 * `(in - 1) * stride + k_eff % 2 + output_padding` when `outputPadding` is given.
 * @example
 * const x = keras.random.normal([2, 8, 8, 4]);
 * const k = keras.random.normal([3, 3, 16, 4]);
 * keras.ops.convTranspose(x, k, 2, "same").shape; // [2, 16, 16, 16]
 */
export function convTranspose<T extends T_ = Tensor>(
  inputs: TensorLike,
  kernel: TensorLike,
  strides: number | readonly number[] = 1,
  padding: Padding | string = "valid",
  outputPadding: number | readonly number[] | null = null,
  dataFormat: DataFormat | string | null = null,
  dilationRate: number | readonly number[] = 1,
): T {
  const op = "conv_transpose";
  const x = toFloat(inputs);
  const k = toFloat(kernel);
  const {
    n,
    df,
    pad,
    window,
    strides: st,
    dilation: dil,
    xs,
  } = convArgs(op, x, k, strides, padding, dataFormat, dilationRate);
  const opad =
    outputPadding === null ? null : spatialTuple(outputPadding, n, "output_padding", op, 0);
  const c = xs[n + 1]!;
  const kc = k.shape[n + 1]!;
  const filters = k.shape[n]!;
  if (c !== null && kc !== null && c !== kc)
    throw new ValueError(
      `${op}: the number of input channels must match the kernel's input channels (kernel.shape[-1]). Received: input channels=${c}, kernel input channels=${kc} (inputs.shape=${shp(x)}, kernel.shape=${shp(k)})`,
    );
  const outSpatial = window.map((w, i) =>
    transposeOutSize(xs[i + 1]!, w, st[i]!, dil[i]!, pad, opad ? opad[i]! : null),
  );
  const outShape: Dim[] = [xs[0]!, ...outSpatial, filters];
  // ConvBackpropInput takes the full output shape as a parameter: unknown dims wait for replay.
  if (isSymbolic(x) && outShape.some((d) => d === null)) {
    return deferredCall(
      op,
      [x, k],
      [{ shape: fromChannelsLast(outShape, df), dtype: x.dtype }],
      ([a, b]) => [
        convTranspose(a!, b!, strides, padding, outputPadding, dataFormat, dilationRate),
      ],
    )[0] as T;
  }
  // Forward-conv pads whose input gradient is this transposed conv. JAX pads the dilated input
  // with (lo, hi); the matching forward conv pads its input with (eff-1-lo, eff-1-hi). A negative
  // `after` only appends positions no input reaches: computed as zeros, then padded on.
  const pads: [number, number][] = [];
  const tails: number[] = [];
  const computed: number[] = [];
  window.forEach((w, i) => {
    const eff = (w - 1) * dil[i]! + 1;
    const [lo, hi] = transposePads(w, st[i]!, dil[i]!, pad, opad ? opad[i]! : null);
    const before = eff - 1 - lo;
    let after = eff - 1 - hi;
    const full = outSpatial[i]!;
    let size = full;
    if (after < 0) {
      const extra = -after;
      after = 0;
      size = full - extra + Math.min(extra, st[i]! - 1);
    }
    pads.push([before, after]);
    computed.push(size);
    tails.push(full - size);
  });
  return inChannelsLast(x, df, (xl) => {
    const inputShape = [xl.shape[0] as number, ...computed, filters as number];
    const y = lax.convBackpropInput(
      xl,
      k,
      { strides: st, padding: pads, dilation: dil, groups: 1 },
      inputShape,
    );
    if (!tails.some((t) => t > 0)) return y;
    return lax.pad(y, [[0, 0], ...tails.map((t): [number, number] => [0, t]), [0, 0]]);
  }) as T;
}
