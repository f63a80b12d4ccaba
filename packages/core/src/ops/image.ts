/**
 * The `keras.ops.image` family (Keras 3 `keras/src/ops/image.py`), composed from primitives.
 * So far: `resize`, with the numerics of `jax.image.resize`, which Keras' NumPy and JAX backends
 * call: half-pixel centres; "nearest" picks `floor((o + 0.5) * in / out)`; the other methods
 * contract each spatial axis with a normalized kernel-weight matrix (`scale_and_translate`).
 */
import { ValueError, fmt } from "../errors";
import type { AnyTensor } from "../engine/bind";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import type { TensorLike } from "./convert";
import { standardizeDataFormat, toFloat, type DataFormat, type Dim } from "./nn/util";
import { deferredCall } from "../symbolic/deferred_op";

type T_ = AnyTensor;

export type ResizeInterpolation = "bilinear" | "nearest" | "bicubic" | "lanczos3" | "lanczos5";
const INTERPOLATIONS: readonly string[] = [
  "bilinear",
  "nearest",
  "bicubic",
  "lanczos3",
  "lanczos5",
];

const triangle = (x: number): number => Math.max(0, 1 - Math.abs(x));
/** Keys cubic kernel with a = -0.5 (x >= 0). */
function keysCubic(x: number): number {
  if (x >= 2) return 0;
  if (x >= 1) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return (1.5 * x - 2.5) * x * x + 1;
}
function lanczos(radius: number, x: number): number {
  if (x > radius) return 0;
  if (x <= 1e-3) return 1;
  return (
    (radius * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / radius)) /
    (Math.PI * Math.PI * x * x)
  );
}
const KERNELS: Record<Exclude<ResizeInterpolation, "nearest">, (x: number) => number> = {
  bilinear: triangle,
  bicubic: keysCubic,
  lanczos3: (x) => lanczos(3, x),
  lanczos5: (x) => lanczos(5, x),
};

/**
 * `(in, out)` weights of one axis, as jax's `_compute_weight_mat` with translation 0: kernel
 * weights of each output's sample point, normalized to sum to 1, zero for samples outside the
 * input.
 */
function weightMatrix(
  n: number,
  m: number,
  kernel: (x: number) => number,
  antialias: boolean,
): Float32Array {
  const invScale = n / m;
  const kernelScale = antialias ? Math.max(invScale, 1) : 1;
  const w = new Float32Array(n * m);
  for (let o = 0; o < m; o++) {
    const sample = (o + 0.5) * invScale - 0.5;
    if (sample < -0.5 || sample > n - 0.5) continue;
    let total = 0;
    const col: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = kernel(Math.abs(sample - i) / kernelScale);
      col.push(v);
      total += v;
    }
    if (!(Math.abs(total) > 1000 * 1.1920928955078125e-7)) continue;
    for (let i = 0; i < n; i++) w[i * m + o] = col[i]! / total;
  }
  return w;
}

/** Moves `axis` of `x` to the end, applies `f`, moves the last axis back. */
function alongLastAxis(x: T_, axis: number, f: (y: T_) => T_): T_ {
  const r = x.shape.length;
  const perm = [...Array.from({ length: r }, (_, i) => i).filter((i) => i !== axis), axis];
  const inv = perm.map((_, i) => perm.indexOf(i));
  return lax.transpose(f(lax.transpose(x, perm)), inv);
}

function resizeAxis(
  x: T_,
  axis: number,
  m: number,
  interpolation: ResizeInterpolation,
  antialias: boolean,
): T_ {
  const n = x.shape[axis] as number;
  if (n === m) return x;
  if (interpolation === "nearest") {
    const idx = new Int32Array(m);
    for (let o = 0; o < m; o++)
      idx[o] = Math.min(Math.floor(Math.fround(Math.fround(Math.fround(o + 0.5) * n) / m)), n - 1);
    // Gather along `axis`, moved to the front.
    const r = x.shape.length;
    const perm = [axis, ...Array.from({ length: r }, (_, i) => i).filter((i) => i !== axis)];
    const inv = perm.map((_, i) => perm.indexOf(i));
    const g = lax.gatherNd(lax.transpose(x, perm), lax.constant(idx, [m, 1], "int32"));
    return lax.transpose(g, inv);
  }
  const w = lax.constant(weightMatrix(n, m, KERNELS[interpolation], antialias), [n, m], "float32");
  return alongLastAxis(x, axis, (y) => lax.matmul(y, w)); // (..., n) @ (n, m) -> (..., m)
}

/**
 * Resizes images to `size = [height, width]`.
 *
 * `images` is `(height, width, channels)` or `(batch, height, width, channels)` (or
 * channels-first). `interpolation`: "bilinear" (default), "nearest", "bicubic", "lanczos3",
 * "lanczos5"; `antialias` widens the kernel when downsampling. `cropToAspectRatio` /
 * `padToAspectRatio` first crop (centred) or pad with `fillValue` to the target aspect ratio,
 * as Keras does. The result is float32.
 * @example
 * const x = keras.random.uniform([2, 32, 32, 3]);
 * keras.ops.image.resize(x, [64, 64]).shape; // [2, 64, 64, 3]
 */
export function resize<T extends T_ = Tensor>(
  images: TensorLike,
  size: readonly [number, number] | readonly number[],
  interpolation: ResizeInterpolation | string = "bilinear",
  antialias = false,
  cropToAspectRatio = false,
  padToAspectRatio = false,
  fillMode = "constant",
  fillValue = 0,
  dataFormat: DataFormat | string | null = null,
): T {
  const op = "resize";
  const x = toFloat(images);
  const df = standardizeDataFormat(dataFormat, op);
  if (!INTERPOLATIONS.includes(interpolation))
    throw new ValueError(
      `${op}: \`interpolation\` must be one of ${INTERPOLATIONS.join(", ")}. Received: interpolation=${fmt(interpolation)}`,
    );
  if (fillMode !== "constant")
    throw new ValueError(
      `${op}: only fill_mode="constant" is supported. Received: fill_mode=${fmt(fillMode)}`,
    );
  if (cropToAspectRatio && padToAspectRatio)
    throw new ValueError(
      `${op}: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be true. Received: both true`,
    );
  if (size.length !== 2 || size.some((s) => !Number.isInteger(s) || s < 1))
    throw new ValueError(
      `${op}: \`size\` must be two positive ints (height, width). Received: size=${fmt(size)}`,
    );
  const r = x.shape.length;
  if (r !== 3 && r !== 4)
    throw new ValueError(
      `${op}: expected rank 3 (single image) or rank 4 (batch of images). Received: images.shape=${fmt([...x.shape])}`,
    );
  const [th, tw] = size as [number, number];
  const hAxis = df === "channels_last" ? r - 3 : r - 2;
  const outShape: Dim[] = [...x.shape];
  outShape[hAxis] = th;
  outShape[hAxis + 1] = tw;
  if (x.shape.some((d) => d === null)) {
    return deferredCall(op, [x], [{ shape: outShape, dtype: "float32" }], ([a]) => [
      resize(
        a!,
        size,
        interpolation,
        antialias,
        cropToAspectRatio,
        padToAspectRatio,
        fillMode,
        fillValue,
        dataFormat,
      ),
    ])[0] as T;
  }
  let y = x;
  const shape = x.shape as number[];
  const h = shape[hAxis]!;
  const w = shape[hAxis + 1]!;
  if (cropToAspectRatio) {
    const ch = Math.max(Math.min(h, Math.trunc((w * th) / tw)), 1);
    const cw = Math.max(Math.min(w, Math.trunc((h * tw) / th)), 1);
    const hs = Math.trunc((h - ch) / 2);
    const ws = Math.trunc((w - cw) / 2);
    const start = shape.map((_, i) => (i === hAxis ? hs : i === hAxis + 1 ? ws : 0));
    const stop = shape.map((d, i) => (i === hAxis ? hs + ch : i === hAxis + 1 ? ws + cw : d));
    y = lax.slice(y, start, stop);
  } else if (padToAspectRatio) {
    const ph = Math.max(h, Math.trunc((w * th) / tw));
    const pw = Math.max(w, Math.trunc((h * tw) / th));
    const hs = Math.trunc((ph - h) / 2);
    const ws = Math.trunc((pw - w) / 2);
    // Keras pads one side only along one axis: height first if it needs padding, else width.
    const padding = shape.map((_, i): [number, number] =>
      hs > 0 ? (i === hAxis ? [hs, hs] : [0, 0]) : ws > 0 && i === hAxis + 1 ? [ws, ws] : [0, 0],
    );
    y = lax.pad(y, padding, fillValue);
  }
  const mode = interpolation as ResizeInterpolation;
  y = resizeAxis(y, hAxis, th, mode, antialias);
  y = resizeAxis(y, hAxis + 1, tw, mode, antialias);
  return y as T;
}
