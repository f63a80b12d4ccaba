/**
 * Pooling of `keras.ops`: `maxPool` and `averagePool` over 1-D, 2-D or 3-D inputs, on the Pool
 * primitive. "same" pads as TF / Keras do; padded positions never win a max and are not counted
 * in an average (Keras divides by the number of real elements in each window).
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
  inChannelsLast,
  padsUnknown,
  shp,
  spatialTuple,
  standardizeDataFormat,
  standardizePadding,
  toFloat,
  type DataFormat,
  type Padding,
  type WindowArgs,
} from "./util";

type T_ = AnyTensor;

function pool(
  kind: "max" | "avg",
  op: string,
  inputs: TensorLike,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | null,
  padding: Padding | string,
  dataFormat: DataFormat | string | null,
): T_ {
  const x = toFloat(inputs);
  const r = x.shape.length;
  if (r < 3)
    throw new ValueError(
      `${op}: inputs must have rank >= 3 (batch, ...spatial, channels). Received: inputs.shape=${shp(x)}`,
    );
  const n = r - 2;
  const df = standardizeDataFormat(dataFormat, op);
  const pad = standardizePadding(padding, op);
  const window = spatialTuple(poolSize, n, "pool_size", op);
  const st =
    strides === null || strides === undefined ? window : spatialTuple(strides, n, "strides", op);
  const a: WindowArgs = {
    df,
    pad,
    window,
    strides: st,
    dilation: window.map(() => 1),
    xs: channelsLastShape(x, df),
  };
  if (padsUnknown(a))
    return deferWindowed(op, [x], a, a.xs[r - 1]!, ([u]) =>
      pool(kind, op, u!, poolSize, strides, padding, dataFormat),
    );
  return inChannelsLast(x, df, (xl) =>
    lax.pool(xl, {
      kind,
      window,
      strides: st,
      padding: explicitPadding(pad, xl.shape.slice(1, -1), window, st, a.dilation)!,
      dilation: a.dilation,
      countIncludePad: false,
    }),
  );
}

/**
 * Max pooling over the spatial dims of `inputs` (`(batch, ...spatial, channels)`, or
 * channels-first). `strides` defaults to `poolSize`.
 * @example
 * const x = keras.random.normal([2, 28, 28, 3]);
 * keras.ops.maxPool(x, 2).shape; // [2, 14, 14, 3]
 */
export function maxPool<T extends T_ = Tensor>(
  inputs: TensorLike,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | null = null,
  padding: Padding | string = "valid",
  dataFormat: DataFormat | string | null = null,
): T {
  return pool("max", "max_pool", inputs, poolSize, strides, padding, dataFormat) as T;
}

/**
 * Average pooling over the spatial dims of `inputs`. `strides` defaults to `poolSize`. With
 * "same" padding, each window is averaged over its real (unpadded) elements, as in Keras.
 * @example
 * const x = keras.random.normal([2, 5, 5, 3]);
 * keras.ops.averagePool(x, 2, 2, "same").shape; // [2, 3, 3, 3]
 */
export function averagePool<T extends T_ = Tensor>(
  inputs: TensorLike,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | null = null,
  padding: Padding | string = "valid",
  dataFormat: DataFormat | string | null = null,
): T {
  return pool("avg", "average_pool", inputs, poolSize, strides, padding, dataFormat) as T;
}
