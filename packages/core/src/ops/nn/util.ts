/**
 * Helpers shared by the nn and math op families: float conversion, keepdims reshapes that work on
 * KerasTensors with unknown dims (through `symbolic/deferred_op`), and the spatial-argument
 * plumbing of convolution and pooling (strides / dilation tuples, TF "same" padding, data formats).
 *
 * Not public API: nothing here is re-exported from `keras.ops`.
 */
import { ValueError, fmt } from "../../errors";
import { stopGradient } from "../../autodiff/grad";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Dim } from "../../primitives/shape_rules";
import { deferredCall, staticOrDeferred } from "../../symbolic/deferred_op";
import { isKerasTensor, type KerasTensor } from "../../symbolic/keras_tensor";
import type { DType } from "../../tensor/dtype";
import { Tensor } from "../../tensor/tensor";
import type { DataFormat } from "../../utils/argument_validation";
import { convertToTensor, type TensorLike } from "../convert";

export type { Dim };

/** A tensor of a float dtype: int and bool inputs become float32 (Keras computes these in floatx). */
export function toFloat(x: TensorLike): AnyTensor {
  const t = convertToTensor<AnyTensor>(x);
  return t.dtype === "float32" ? t : lax.cast(t, "float32");
}

/** `x` converted to a tensor, keeping its dtype. */
export function toTensor(x: TensorLike, dtype?: DType): AnyTensor {
  return convertToTensor<AnyTensor>(x, dtype);
}

export const isSymbolic: (x: unknown) => x is KerasTensor = isKerasTensor;

/** Gradient-free view of `x` (a KerasTensor passes through: graphs are differentiated on replay). */
export function stopGrad<T extends AnyTensor>(x: T): T {
  return x instanceof Tensor ? (stopGradient(x) as T) : x;
}

/**
 * A target dim for {@link reshapeDims}: a number, or `{ axis }` meaning "the size of `x` along
 * `axis`", which may be unknown while tracing and is read again when the graph is replayed.
 */
export type DimRef = number | { axis: number };

/**
 * Reshape whose target may copy dims of `x` by axis. The Reshape primitive needs a concrete
 * shape; when a copied dim is unknown (a KerasTensor's batch dim, say) this records one deferred
 * node that resolves the shape when replayed on concrete tensors.
 */
export function reshapeDims<T extends AnyTensor>(x: T, dims: readonly DimRef[]): T {
  const shape: Dim[] = dims.map((d) => (typeof d === "number" ? d : x.shape[d.axis]!));
  const recorded = [...dims];
  return staticOrDeferred("reshape", x, shape, lax.reshape, (u) => reshapeDims(u, recorded));
}

/** Reinserts reduced `axes` (of a rank-`rank` input) as size-1 dims into `y` (keepdims). */
export function keepDims<T extends AnyTensor>(y: T, rank: number, axes: readonly number[]): T {
  let j = 0;
  const dims: DimRef[] = [];
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : { axis: j++ });
  return reshapeDims(y, dims);
}

/** Removes size-1 `axes` from `x`. */
export function squeezeAxes<T extends AnyTensor>(x: T, axes: readonly number[]): T {
  const dims: DimRef[] = [];
  for (let i = 0; i < x.shape.length; i++) if (!axes.includes(i)) dims.push({ axis: i });
  return reshapeDims(x, dims);
}

/** Inserts a size-1 dim at `axis` (0 <= axis <= rank). */
export function expandDim<T extends AnyTensor>(x: T, axis: number): T {
  const dims: DimRef[] = x.shape.map((_, i) => ({ axis: i }));
  dims.splice(axis, 0, 1);
  return reshapeDims(x, dims);
}

/** Sum / max / min over `axes`, optionally keeping them as size-1 dims. */
export function reduce<T extends AnyTensor>(
  kind: "sum" | "max" | "min",
  x: T,
  axes: number[],
  keepdims: boolean,
): T {
  const y =
    kind === "sum" ? lax.sum(x, axes) : kind === "max" ? lax.max(x, axes) : lax.min(x, axes);
  return keepdims ? keepDims(y, x.shape.length, axes) : y;
}

/**
 * Number of elements reduced over `axes`: a plain number when those dims are known, else a float
 * tensor (a sum of ones shaped like `x`) so graphs with an unknown batch dim still replay.
 */
export function countOver(x: AnyTensor, axes: number[], keepdims: boolean): number | AnyTensor {
  let n = 1;
  for (const a of axes) {
    const d = x.shape[a]!;
    if (d === null) {
      const ones = lax.where(lax.equal(x, x), lax.scalar(1, x.dtype), lax.scalar(1, x.dtype));
      return reduce("sum", ones, axes, keepdims);
    }
    n *= d;
  }
  return n;
}

/** Mean over `axes`. */
export function mean<T extends AnyTensor>(x: T, axes: number[], keepdims: boolean): T {
  const s = reduce("sum", x, axes, keepdims);
  const n = countOver(x, axes, keepdims);
  return typeof n === "number" ? lax.div(s, n) : lax.div(s, n as T);
}

// ---------------------------------------------------------------------------------------------
// Spatial arguments (convolution and pooling)

export type Padding = "valid" | "same";
export type { DataFormat };

export function standardizePadding(padding: string, op: string): Padding {
  const p = typeof padding === "string" ? padding.toLowerCase() : padding;
  if (p !== "valid" && p !== "same")
    throw new ValueError(
      `${op}: \`padding\` must be "valid" or "same". Received: padding=${fmt(padding)}`,
    );
  return p;
}

/** `null` means Keras' default image data format, "channels_last". */
export function standardizeDataFormat(
  dataFormat: string | null | undefined,
  op: string,
): DataFormat {
  if (dataFormat === null || dataFormat === undefined) return "channels_last";
  const f = dataFormat.toLowerCase();
  if (f !== "channels_last" && f !== "channels_first")
    throw new ValueError(
      `${op}: \`data_format\` must be "channels_last" or "channels_first". Received: data_format=${fmt(dataFormat)}`,
    );
  return f;
}

/** An int or a list of `n` positive ints, as a list of `n`. */
export function spatialTuple(
  value: number | readonly number[],
  n: number,
  name: string,
  op: string,
  min = 1,
): number[] {
  const list = typeof value === "number" ? new Array<number>(n).fill(value) : [...value];
  if (list.length !== n || list.some((v) => !Number.isInteger(v) || v < min))
    throw new ValueError(
      `${op}: \`${name}\` must be an int or a list of ${n} ints >= ${min}. Received: ${name}=${fmt(value)}`,
    );
  return list;
}

/**
 * Explicit [before, after] pads per spatial dim. "same" follows TF/Keras: the output has
 * ceil(in / stride) positions, the total pad is what that needs, and the odd extra goes after.
 * Returns null when a pad depends on an unknown input size.
 */
export function explicitPadding(
  padding: Padding,
  inSizes: readonly Dim[],
  window: readonly number[],
  strides: readonly number[],
  dilation: readonly number[],
): [number, number][] | null {
  const pads: [number, number][] = [];
  for (let i = 0; i < window.length; i++) {
    if (padding === "valid") {
      pads.push([0, 0]);
      continue;
    }
    const eff = (window[i]! - 1) * dilation[i]! + 1;
    const s = strides[i]!;
    const n = inSizes[i]!;
    let total: number;
    if (n === null) {
      if (s !== 1) return null;
      total = eff - 1;
    } else {
      total = Math.max((Math.ceil(n / s) - 1) * s + eff - n, 0);
    }
    const before = Math.floor(total / 2);
    pads.push([before, total - before]);
  }
  return pads;
}

/** Output size of a window along one dim under Keras padding rules. */
export function windowOutSize(
  n: Dim,
  window: number,
  stride: number,
  dilation: number,
  padding: Padding,
): Dim {
  if (n === null) return null;
  if (padding === "same") return Math.ceil(n / stride);
  const eff = (window - 1) * dilation + 1;
  return Math.floor((n - eff) / stride) + 1;
}

/**
 * The standardized spatial arguments of a windowed op (convolution, pooling); `xs` is the input
 * shape in channels-last order.
 */
export interface WindowArgs {
  df: DataFormat;
  pad: Padding;
  window: number[];
  strides: number[];
  dilation: number[];
  xs: Dim[];
}

/** True when "same" pads depend on a spatial size that is unknown (symbolic). */
export function padsUnknown(a: WindowArgs): boolean {
  return explicitPadding(a.pad, a.xs.slice(1, -1), a.window, a.strides, a.dilation) === null;
}

/**
 * A windowed op whose pads depend on an unknown spatial size, recorded as one deferred node
 * (`again` is the op itself) with output `(batch, ...windowed spatial, channels)` in `a.df`.
 */
export function deferWindowed(
  op: string,
  inputs: AnyTensor[],
  a: WindowArgs,
  channels: Dim,
  again: (xs: AnyTensor[]) => AnyTensor,
): AnyTensor {
  const out: Dim[] = [
    a.xs[0]!,
    ...a.window.map((w, i) => windowOutSize(a.xs[i + 1]!, w, a.strides[i]!, a.dilation[i]!, a.pad)),
    channels,
  ];
  const spec = { shape: fromChannelsLast(out, a.df), dtype: inputs[0]!.dtype };
  return deferredCall(op, inputs, [spec], (xs) => [again(xs)])[0]!;
}

/** `f` applied to `x` in channels-last order (transposed in and back out for channels-first). */
export function inChannelsLast(
  x: AnyTensor,
  df: DataFormat,
  f: (xl: AnyTensor) => AnyTensor,
): AnyTensor {
  const r = x.shape.length;
  const y = f(df === "channels_first" ? lax.transpose(x, toChannelsLast(r)) : x);
  return df === "channels_first" ? lax.transpose(y, toChannelsFirst(r)) : y;
}

/** Shape in the given data format from a channels-last shape. */
export function fromChannelsLast(shape: Dim[], df: DataFormat): Dim[] {
  return df === "channels_last" ? shape : toChannelsFirst(shape.length).map((i) => shape[i]!);
}

/** The shape of `x` (in data format `df`) in channels-last order. */
export function channelsLastShape(x: AnyTensor, df: DataFormat): Dim[] {
  return df === "channels_last"
    ? [...x.shape]
    : toChannelsLast(x.shape.length).map((i) => x.shape[i]!);
}

/** Permutation that moves channels from axis 1 to the end (channels_first -> channels_last). */
export function toChannelsLast(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Inverse of {@link toChannelsLast}. */
export function toChannelsFirst(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** Shape as Keras prints it in error messages. */
export const shp = (x: { shape: readonly Dim[] }): string => fmt([...x.shape]);
