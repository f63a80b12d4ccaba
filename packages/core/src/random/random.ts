/**
 * `keras.random` (Keras 3 `keras/src/random/random.py`): distributions composed from the one
 * RandomUniform primitive (counter-based Threefry, so every backend draws the same numbers for a
 * seed) and ordinary `lax` ops.
 *
 * - normal: Box–Muller on two uniform draws.
 * - truncatedNormal: inverse CDF (one draw, exact truncated distribution, no re-draw loop), with
 *   Giles' single-precision erfinv.
 * - categorical: Gumbel-max. shuffle: argsort of uniform keys. dropout: Keras' inverted dropout.
 * gamma, binomial and beta are not provided yet.
 *
 * Random functions run eagerly: a random tensor has no inputs to take an unknown batch size from.
 */
import { ValueError, fmt } from "../errors";
import { tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import { standardizeDType, type DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { KerasTensor } from "../symbolic/keras_tensor";
import { convertToTensor, normalizeAxis, type TensorLike } from "../ops/convert";
import { drawSeed, foldIn, type Key, type Seed } from "./seed_generator";

/** Smallest float32 step below 1 that uniform draws have: they are multiples of 2^-23. */
const HALF_ULP = 2 ** -24;

function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(
      `${op}: shape must be a list of non-negative integers. Received: shape=${fmt(shape)}`,
    );
  return [...shape];
}

function floatDType(op: string, dtype: DType | string | undefined): DType {
  const dt = standardizeDType(dtype ?? "float32", op);
  if (dt !== "float32")
    throw new ValueError(
      `${op}: dtype must be a floating-point type. Received: dtype=${String(dtype)}`,
    );
  return dt;
}

function concreteInput(op: string, x: TensorLike): Tensor {
  if (x instanceof KerasTensor)
    throw new ValueError(
      `${op}: random ops run eagerly and cannot take a symbolic tensor; apply them to concrete tensors (layers skip them while building). Received: ${x.toString()}`,
    );
  return convertToTensor(x);
}

/** Uniform [0, 1) float32 of `shape` from `key`. */
const unit = (shape: number[], key: Key): Tensor => lax.randomUniform(shape, key);

export interface UniformOptions {
  /** Inclusive lower bound (default 0). */
  minval?: number | Tensor;
  /** Exclusive upper bound (default 1). */
  maxval?: number | Tensor;
  dtype?: DType | string;
  /** An integer (same numbers every call), a SeedGenerator (advances) or null (global). */
  seed?: Seed;
}

/**
 * Uniform random values in `[minval, maxval)` (Keras `keras.random.uniform`).
 * @example const x = keras.random.uniform([2, 3], { minval: -1, maxval: 1, seed: 42 });
 */
export function uniform(shape: readonly number[], options: UniformOptions = {}): Tensor {
  const s = checkShape("uniform", shape);
  floatDType("uniform", options.dtype);
  const { minval = 0, maxval = 1 } = options;
  const key = drawSeed(options.seed, "uniform");
  return tidy(() => {
    const u = unit(s, key);
    if (typeof minval === "number" && typeof maxval === "number")
      return minval === 0 && maxval === 1 ? u : lax.add(lax.mul(u, maxval - minval), minval);
    const lo = convertToTensor(minval, "float32");
    const hi = convertToTensor(maxval, "float32");
    return lax.add(lax.mul(u, lax.sub(hi, lo)), lo);
  });
}

export interface NormalOptions {
  mean?: number;
  stddev?: number;
  dtype?: DType | string;
  seed?: Seed;
}

/**
 * Normal (Gaussian) random values (Keras `keras.random.normal`), by Box–Muller:
 * `sqrt(-2 log(1 - u1)) * cos(2π u2)`. `1 - u1` lies in (0, 1], so the log is finite; the
 * 23-bit uniforms cap |z| at about 5.6.
 * @example const w = keras.random.normal([3, 4], { stddev: 0.05, seed: 1 });
 */
export function normal(shape: readonly number[], options: NormalOptions = {}): Tensor {
  const s = checkShape("normal", shape);
  floatDType("normal", options.dtype);
  const { mean = 0, stddev = 1 } = options;
  const key = drawSeed(options.seed, "normal");
  return tidy(() => {
    const u1 = unit(s, foldIn(key, 0));
    const u2 = unit(s, foldIn(key, 1));
    const r = lax.sqrt(lax.mul(lax.log(lax.sub(1, u1)), -2));
    const z = lax.mul(r, lax.cos(lax.mul(u2, 2 * Math.PI)));
    return lax.add(lax.mul(z, stddev), mean);
  });
}

/** erf(√2) = P(|Z| < 2) for a standard normal Z. */
const ERF_SQRT2 = 0.9544997361036416;

/**
 * Inverse error function on (-1, 1), float32 branch of Giles, "Approximating the erfinv
 * function" (GPU Computing Gems, 2011), valid while w = -log(1 - x²) < 5, i.e. |x| < 0.9966:
 * truncatedNormal only needs |x| <= erf(√2) ≈ 0.9545.
 */
function erfinvCentral(x: Tensor): Tensor {
  const w = lax.sub(lax.neg(lax.log(lax.mul(lax.sub(1, x), lax.add(x, 1)))), 2.5);
  const coeffs = [
    2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503,
    -0.00417768164, 0.246640727, 1.50140941,
  ];
  let p = lax.full([], coeffs[0]!, "float32");
  for (const c of coeffs.slice(1)) p = lax.add(lax.mul(p, w), c);
  return lax.mul(p, x);
}

/**
 * Normal values truncated to two standard deviations (Keras `keras.random.truncated_normal`:
 * values beyond 2 stddev are re-drawn). Implemented by the inverse CDF, as JAX does: a uniform
 * draw in (erf(-√2), erf(√2)) maps through `√2 · erfinv`, which gives exactly the truncated
 * distribution from one draw (no data-dependent re-draw loop). The variance is about 0.774·stddev².
 * @example const w = keras.random.truncatedNormal([3, 4], { stddev: 0.02, seed: 0 });
 */
export function truncatedNormal(shape: readonly number[], options: NormalOptions = {}): Tensor {
  const s = checkShape("truncatedNormal", shape);
  floatDType("truncatedNormal", options.dtype);
  const { mean = 0, stddev = 1 } = options;
  const key = drawSeed(options.seed, "truncatedNormal");
  return tidy(() => {
    // u + 2^-24 is symmetric in (0, 1), so x is symmetric in (-erf(√2), erf(√2)).
    const u = lax.add(unit(s, key), HALF_ULP);
    const x = lax.mul(lax.sub(lax.mul(u, 2), 1), ERF_SQRT2);
    const z = lax.minimum(lax.maximum(lax.mul(erfinvCentral(x), Math.SQRT2), -2), 2);
    return lax.add(lax.mul(z, stddev), mean);
  });
}

export interface RandintOptions {
  dtype?: DType | string;
  seed?: Seed;
}

/**
 * Random integers in `[minval, maxval)` (Keras `keras.random.randint`), int32 by default.
 * Computed as `floor(u · (maxval - minval))` from one 23-bit uniform draw, so ranges wider than
 * 2^23 only reach a subset of their values.
 * @example const labels = keras.random.randint([8], 0, 10, { seed: 3 });
 */
export function randint(
  shape: readonly number[],
  minval: number,
  maxval: number,
  options: RandintOptions = {},
): Tensor {
  const s = checkShape("randint", shape);
  const dt = standardizeDType(options.dtype ?? "int32", "randint");
  if (dt !== "int32")
    throw new ValueError(
      `randint: dtype must be an integer type. Received: dtype=${String(options.dtype)}`,
    );
  if (
    !Number.isInteger(minval) ||
    !Number.isInteger(maxval) ||
    maxval <= minval ||
    maxval - minval > 2 ** 31
  )
    throw new ValueError(
      `randint: minval and maxval must be integers with minval < maxval. Received: minval=${minval}, maxval=${maxval}`,
    );
  const key = drawSeed(options.seed, "randint");
  const range = maxval - minval;
  return tidy(() => {
    const r = lax.minimum(lax.floor(lax.mul(unit(s, key), range)), range - 1); // float rounding
    return lax.add(lax.cast(r, "int32"), minval);
  });
}

/**
 * Randomly zeroes entries of `inputs` with probability `rate` and scales the rest by
 * `1 / (1 - rate)` (Keras `keras.random.dropout`), so the expected value is unchanged.
 * `noiseShape` (null entries take the input's dims) shares one mask along broadcast axes.
 * @example const y = keras.random.dropout(x, 0.5, null, gen);
 */
export function dropout(
  inputs: TensorLike,
  rate: number,
  noiseShape?: readonly (number | null)[] | null,
  seed?: Seed,
): Tensor {
  const x = concreteInput("dropout", inputs);
  if (!(typeof rate === "number" && rate >= 0 && rate <= 1))
    throw new ValueError(`dropout: rate must be a number in [0, 1]. Received: rate=${rate}`);
  if (x.dtype !== "float32")
    throw new ValueError(`dropout: inputs must be float32. Received: dtype=${x.dtype}`);
  let ns = [...x.shape];
  if (noiseShape !== undefined && noiseShape !== null) {
    if (noiseShape.length !== x.rank)
      throw new ValueError(
        `dropout: noiseShape must have the rank of the inputs (${x.rank}). Received: noiseShape=${fmt(noiseShape)}`,
      );
    ns = noiseShape.map((d, i) => (d === null ? x.shape[i]! : d));
    if (ns.some((d, i) => d !== 1 && d !== x.shape[i]))
      throw new ValueError(
        `dropout: noiseShape must broadcast to the inputs' shape ${fmt(x.shape)} (each dim 1 or equal). Received: noiseShape=${fmt(noiseShape)}`,
      );
  }
  if (rate === 0) return x;
  const key = drawSeed(seed, "dropout");
  return tidy(() => {
    const keepMask = lax.greaterEqual(unit(ns, key), rate); // P(keep) = 1 - rate
    const scale = lax.mul(lax.cast(keepMask, "float32"), rate === 1 ? 0 : 1 / (1 - rate));
    return lax.mul(x, scale);
  });
}

/**
 * A random permutation of `x` along `axis` (Keras `keras.random.shuffle`): the argsort of uniform
 * keys, applied with a gather (differentiable in `x`).
 * @example const shuffled = keras.random.shuffle(keras.ops.arange(10), 0, 7);
 */
export function shuffle(x: TensorLike, axis = 0, seed?: Seed): Tensor {
  const t = concreteInput("shuffle", x);
  if (t.rank === 0)
    throw new ValueError(`shuffle: input must have rank >= 1. Received: shape=${fmt(t.shape)}`);
  const ax = normalizeAxis(axis, t.rank, "shuffle");
  const n = t.shape[ax]!;
  const key = drawSeed(seed, "shuffle");
  return tidy(() => {
    const perm = lax.argsort(unit([n], key)); // (n,) int32
    const order = [ax, ...t.shape.map((_, i) => i).filter((i) => i !== ax)];
    const moved = lax.transpose(t, order); // axis first
    const picked = lax.gatherNd(moved, lax.reshape(perm, [n, 1]));
    const inverse = order.map((_, i) => order.indexOf(i));
    return lax.transpose(picked, inverse);
  });
}

/**
 * Draws `numSamples` class indices per row of `logits` (shape `[batch, numClasses]`, unnormalized
 * log-probabilities) (Keras `keras.random.categorical`), by the Gumbel-max trick:
 * `argmax(logits + g)` with `g = -log(-log(v))`, `v` uniform in (0, 1).
 * @example const ids = keras.random.categorical(keras.ops.log(probs), 5, "int32", 0); // (batch, 5) int32
 */
export function categorical(
  logits: TensorLike,
  numSamples: number,
  dtype: DType | string = "int32",
  seed?: Seed,
): Tensor {
  const l = concreteInput("categorical", logits);
  if (l.rank !== 2)
    throw new ValueError(
      `categorical: logits must have shape (batch, numClasses). Received: shape=${fmt(l.shape)}`,
    );
  if (!Number.isInteger(numSamples) || numSamples < 0)
    throw new ValueError(
      `categorical: numSamples must be a non-negative integer. Received: numSamples=${numSamples}`,
    );
  const dt = standardizeDType(dtype, "categorical");
  if (dt !== "int32")
    throw new ValueError(
      `categorical: dtype must be an integer type. Received: dtype=${String(dtype)}`,
    );
  const [b, c] = l.shape as [number, number];
  const key = drawSeed(seed, "categorical");
  return tidy(() => {
    const v = lax.add(unit([b, numSamples, c], key), HALF_ULP); // in [2^-24, 1 - 2^-24]
    const gumbel = lax.neg(lax.log(lax.neg(lax.log(v))));
    const scores = lax.add(gumbel, lax.reshape(lax.cast(l, "float32"), [b, 1, c])); // (B, S, C)
    return lax.argmax(scores, 2); // (B, S)
  });
}
