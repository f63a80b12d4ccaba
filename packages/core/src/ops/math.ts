/**
 * The `keras.ops` math family (Keras 3 `keras/src/ops/math.py`) composed from primitives:
 * `logsumexp`, `topK`, `inTopK`, `segmentSum`, `segmentMax`, `extractSequences`, `erf`, `erfinv`,
 * `rsqrt`. Not here (yet): FFTs / STFT (no complex dtype), `logdet`, `segmentMin/Prod`.
 */
import { ValueError, fmt } from "../errors";
import type { AnyTensor } from "../engine/bind";
import * as lax from "../primitives/lax";
import type { Tensor } from "../tensor/tensor";
import { normalizeAxes, type TensorLike } from "./convert";
import { oneHot } from "./nn/encoding";
import {
  expandDim,
  reduce,
  reshapeDims,
  shp,
  stopGrad,
  toFloat,
  toTensor,
  type DimRef,
} from "./nn/util";

type T_ = AnyTensor;

/**
 * `log(sum(exp(x), axis))`, computed stably by shifting by the max (a max of ±inf shifts by 0,
 * so all -inf gives -inf and any +inf gives +inf, as `jax.scipy.special.logsumexp`).
 * `axis` null reduces everything.
 * @example
 * keras.ops.logsumexp([1, 2, 3]); // 3.4076059
 */
export function logsumexp<T extends T_ = Tensor>(
  x: TensorLike,
  axis: number | readonly number[] | null = null,
  keepdims = false,
): T {
  const t = toFloat(x);
  const axes = normalizeAxes(axis, t.shape.length, "logsumexp");
  if (axes.length === 0) return t as T;
  const m = stopGrad(reduce("max", t, axes, true));
  const finite = lax.equal(lax.sub(m, m), lax.scalar(0, "float32"));
  const shift = lax.where(finite, m, lax.scalar(0, "float32"));
  const s = reduce("sum", lax.exp(lax.sub(t, shift)), axes, keepdims);
  const shiftOut = keepdims
    ? shift
    : reshapeDims(
        shift,
        t.shape.flatMap((_, i): DimRef[] => (axes.includes(i) ? [] : [{ axis: i }])),
      );
  return lax.add(lax.log(s), shiftOut) as T;
}

/**
 * The `k` largest values along the last axis and their int32 indices, sorted descending (ties:
 * lower index first). `sorted=false` is accepted (the output is sorted anyway, as in JAX).
 * @example
 * const [values, indices] = keras.ops.topK([5, 1, 4, 3], 2); // [5, 4], [0, 2]
 */
export function topK<T extends T_ = Tensor>(x: TensorLike, k: number, sorted = true): [T, T] {
  void sorted;
  const t = toTensor(x);
  if (t.shape.length < 1)
    throw new ValueError(`top_k: input must have rank >= 1. Received: x.shape=${shp(t)}`);
  const n = t.shape[t.shape.length - 1];
  if (!Number.isInteger(k) || k < 0 || (n !== null && n !== undefined && k > n))
    throw new ValueError(`top_k: k must be an int in [0, ${n}]. Received: k=${fmt(k)}`);
  const [v, i] = lax.topK(t, k);
  return [v as T, i as T];
}

/**
 * Whether each `targets[i]` is among the top `k` of `predictions[i]` (bool). Ties count in the
 * target's favour (rank = 1 + number of strictly larger predictions); a NaN prediction at the
 * target never is.
 * @example
 * keras.ops.inTopK([1, 2], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], 1); // [true, false]
 */
export function inTopK<T extends T_ = Tensor>(
  targets: TensorLike,
  predictions: TensorLike,
  k: number,
): T {
  const p = toFloat(predictions);
  let t = toTensor(targets);
  if (t.dtype !== "int32") t = lax.cast(t, "int32");
  if (p.shape.length !== t.shape.length + 1)
    throw new ValueError(
      `in_top_k: predictions must have rank targets' rank + 1. Received: targets.shape=${shp(t)}, predictions.shape=${shp(p)}`,
    );
  const c = p.shape[p.shape.length - 1];
  if (c === null || c === undefined)
    throw new ValueError(
      `in_top_k: the number of classes must be known. Received: predictions.shape=${shp(p)}`,
    );
  const r = p.shape.length;
  const hot = oneHot<T_>(t, c, -1, "bool");
  const atLabel = lax.sum(lax.where(hot, p, lax.scalar(0, "float32")), [r - 1]);
  const safe = lax.where(lax.equal(atLabel, atLabel), atLabel, lax.scalar(-Infinity, "float32"));
  const larger = lax.cast(lax.greater(p, expandDim(safe, r - 1)), "int32");
  const rank = lax.add(lax.sum(larger, [r - 1]), 1);
  return lax.lessEqual(rank, lax.scalar(k, "int32")) as T;
}

/** Converts and checks the arguments of the segment ops: `[data, int32 ids, numSegments]`. */
function segmentArgs(
  data: TensorLike,
  segmentIds: TensorLike,
  numSegments: number | null,
  op: string,
): [T_, T_, number] {
  const d = toTensor(data);
  let ids = toTensor(segmentIds);
  if (ids.dtype !== "int32") ids = lax.cast(ids, "int32");
  if (numSegments === null || numSegments === undefined)
    throw new ValueError(
      `${op}: argument \`num_segments\` must be set. Received: num_segments=None`,
    );
  if (!Number.isInteger(numSegments) || numSegments < 0)
    throw new ValueError(
      `${op}: \`num_segments\` must be a non-negative int. Received: num_segments=${fmt(numSegments)}`,
    );
  if (
    ids.shape.length !== 1 ||
    d.shape.length < 1 ||
    (ids.shape[0] !== null && d.shape[0] !== null && ids.shape[0] !== d.shape[0])
  )
    throw new ValueError(
      `${op}: \`segment_ids\` must be a vector as long as data's first dim. Received: data.shape=${shp(d)}, segment_ids.shape=${shp(ids)}`,
    );
  if (d.shape.slice(1).some((n) => n === null))
    throw new ValueError(
      `${op}: data's trailing dims must be known. Received: data.shape=${shp(d)}`,
    );
  return [d, ids, numSegments];
}

/**
 * Sums rows of `data` that share a segment id: `out[s] = sum(data[i] for i with ids[i] = s)`,
 * shape `(numSegments, ...data.shape[1:])`. Ids outside [0, numSegments) are dropped.
 * `numSegments` is required (as with Keras' JAX backend); `sorted` is a hint.
 * @example
 * keras.ops.segmentSum([1, 2, 3, 4], [0, 0, 1, 1], 2); // [3, 7]
 */
export function segmentSum<T extends T_ = Tensor>(
  data: TensorLike,
  segmentIds: TensorLike,
  numSegments: number | null = null,
  sorted = false,
): T {
  void sorted;
  const [d, ids, s] = segmentArgs(data, segmentIds, numSegments, "segment_sum");
  const idx = reshapeDims(ids, [{ axis: 0 }, 1]); // (N, 1)
  return lax.scatterNd(idx, d, [s, ...(d.shape.slice(1) as number[])]) as T;
}

/**
 * Max of the rows of `data` that share a segment id; empty segments get -inf (int: the int32
 * minimum). Computed densely (an `(N, numSegments, ...)` intermediate), which suits the
 * moderate sizes of Keras models. `numSegments` is required.
 * @example
 * keras.ops.segmentMax([1, 5, 3, 4], [0, 0, 1, 1], 2); // [5, 4]
 */
export function segmentMax<T extends T_ = Tensor>(
  data: TensorLike,
  segmentIds: TensorLike,
  numSegments: number | null = null,
  sorted = false,
): T {
  void sorted;
  const [d, ids, s] = segmentArgs(data, segmentIds, numSegments, "segment_max");
  const rest = d.shape.length - 1;
  // (N, S, 1, ..., 1): row i belongs to segment s.
  const member = reshapeDims(oneHot<T_>(ids, s, -1, "bool"), [
    { axis: 0 },
    s,
    ...new Array<number>(rest).fill(1),
  ]);
  const lowest = d.dtype === "float32" ? -Infinity : -2147483648;
  const spread = lax.where(member, expandDim(d, 1), lax.scalar(lowest, d.dtype)); // (N, S, ...)
  return lax.max(spread, [0]) as T;
}

/**
 * Frames of length `sequenceLength` taken every `sequenceStride` along the last axis:
 * `(..., L)` -> `(..., 1 + floor((L - sequenceLength) / sequenceStride), sequenceLength)`.
 * @example
 * keras.ops.extractSequences([1, 2, 3, 4, 5, 6], 3, 2); // [[1, 2, 3], [3, 4, 5]]
 */
export function extractSequences<T extends T_ = Tensor>(
  x: TensorLike,
  sequenceLength: number,
  sequenceStride: number,
): T {
  const op = "extract_sequences";
  const t = toTensor(x);
  const r = t.shape.length;
  const len = t.shape[r - 1];
  if (r < 1 || len === null || len === undefined)
    throw new ValueError(`${op}: the last dim of x must be known. Received: x.shape=${shp(t)}`);
  if (!Number.isInteger(sequenceLength) || sequenceLength < 1 || sequenceLength > len)
    throw new ValueError(
      `${op}: sequence_length must be an int in [1, ${len}]. Received: sequence_length=${fmt(sequenceLength)}`,
    );
  if (!Number.isInteger(sequenceStride) || sequenceStride < 1)
    throw new ValueError(
      `${op}: sequence_stride must be a positive int. Received: sequence_stride=${fmt(sequenceStride)}`,
    );
  const frames = 1 + Math.floor((len - sequenceLength) / sequenceStride);
  const idx = new Int32Array(frames * sequenceLength);
  for (let f = 0; f < frames; f++)
    for (let j = 0; j < sequenceLength; j++) idx[f * sequenceLength + j] = f * sequenceStride + j;
  // Gather along the signal axis (moved first), then move (frames, length) back to the end.
  const moved = lax.transpose(t, [r - 1, ...Array.from({ length: r - 1 }, (_, i) => i)]); // (L, ...)
  const g = lax.gatherNd(moved, lax.constant(idx, [frames, sequenceLength, 1], "int32")); // (F, W, ...)
  return lax.transpose(g, [...Array.from({ length: r - 1 }, (_, i) => i + 2), 0, 1]) as T;
}

/**
 * The error function, elementwise.
 * @example
 * keras.ops.erf([-1, 0, 1]); // [-0.8427008, 0, 0.8427008]
 */
export function erf<T extends T_ = Tensor>(x: TensorLike): T {
  return lax.erf(toFloat(x)) as T;
}

// Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), single precision;
// the same polynomials as XLA's ErfInv32.
const ERFINV_LT = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503,
  -0.00417768164, 0.246640727, 1.50140941,
];
const ERFINV_GT = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
  0.00943887047, 1.00167406, 2.83297682,
];

function horner(coeffs: number[], w: T_): T_ {
  let p: T_ = lax.scalar(coeffs[0]!, "float32");
  for (let i = 1; i < coeffs.length; i++) p = lax.add(lax.mul(p, w), coeffs[i]!);
  return p;
}

/**
 * Inverse error function on (-1, 1) (±inf at ±1, NaN outside), float32-accurate.
 * @example
 * keras.ops.erfinv([-0.5, 0, 0.5]); // [-0.4769363, 0, 0.4769363]
 */
export function erfinv<T extends T_ = Tensor>(x: TensorLike): T {
  const t = toFloat(x);
  const w = lax.neg(lax.log1p(lax.neg(lax.mul(t, t))));
  const small = lax.less(w, 5);
  // Clamp each branch's input to its own range so the untaken one stays finite (gradients).
  const wl = lax.sub(lax.minimum(w, lax.scalar(5, "float32")), 2.5);
  const wg = lax.sub(lax.sqrt(lax.maximum(w, lax.scalar(5, "float32"))), 3);
  const p = lax.where(small, horner(ERFINV_LT, wl), horner(ERFINV_GT, wg));
  const atOne = lax.equal(lax.abs(t), lax.scalar(1, "float32"));
  // ±inf from constants: a product with t would make 0 * inf = NaN in the untaken gradient.
  const inf = lax.where(
    lax.greater(t, 0),
    lax.scalar(Infinity, "float32"),
    lax.scalar(-Infinity, "float32"),
  );
  return lax.where(atOne, inf, lax.mul(p, t)) as T;
}

/**
 * Reciprocal square root `1 / sqrt(x)`, elementwise.
 * @example
 * keras.ops.rsqrt([1, 4, 16]); // [1, 0.5, 0.25]
 */
export function rsqrt<T extends T_ = Tensor>(x: TensorLike): T {
  return lax.reciprocal(lax.sqrt(toFloat(x))) as T;
}
