/**
 * Random initializers (Keras 3 `keras/src/initializers/random_initializers.py`): RandomNormal,
 * TruncatedNormal, RandomUniform, VarianceScaling and its Glorot / He / Lecun presets, and
 * Orthogonal. Values come from `keras.random`, i.e. the counter-based RandomUniform primitive,
 * so a seed gives the same numbers on every backend.
 *
 * Seeds follow Keras: an integer seed gives the same values on every call; `seed: null` draws a
 * default integer seed once, at construction (deterministic after `keras.random.setRandomSeed`),
 * so one unseeded instance also repeats its values while two instances differ; a SeedGenerator
 * gives new values on each call.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/initializers/random_initializers.py
 */
import { ValueError, fmt } from "../errors";
import * as lax from "../primitives/lax";
import { normal, truncatedNormal, uniform, SeedGenerator, drawSeed } from "../random/index";
import { foldIn, type Key } from "../random/seed_generator";
import { threefry2x32, uniformFromBits } from "../random/threefry";
import { standardizeDType, type DType } from "../tensor/dtype";
import type { Tensor } from "../tensor/tensor";
import { deserializeKerasObject, serializeKerasObject } from "../saving/serialization";
import { Initializer } from "./initializer";

/** What random initializers accept as `seed` (a serialized SeedGenerator dict included). */
export type InitializerSeed = number | SeedGenerator | Record<string, unknown> | null | undefined;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;
}

function resolveSeed(seed: InitializerSeed, where: string): number | SeedGenerator {
  if (seed === null || seed === undefined) return new SeedGenerator().seed;
  if (isPlainObject(seed)) {
    const obj =
      seed.class_name === "SeedGenerator" && isPlainObject(seed.config)
        ? new SeedGenerator(seed.config.seed as number)
        : deserializeKerasObject(seed);
    if (obj instanceof SeedGenerator) return obj;
    throw new ValueError(
      `${where}: a serialized seed must describe a SeedGenerator. Received: seed=${fmt(seed)}`,
    );
  }
  if (seed instanceof SeedGenerator) return seed;
  if (typeof seed === "number" && Number.isSafeInteger(seed)) return seed;
  throw new ValueError(
    `${where}: \`seed\` argument should be an instance of \`keras.random.SeedGenerator()\` or an integer. Received: seed=${fmt(seed)}`,
  );
}

/** Base of the seeded initializers (Keras `RandomInitializer`). */
export abstract class RandomInitializer extends Initializer {
  static override className = "RandomInitializer";
  /** The seed used to draw: an integer or a SeedGenerator. */
  readonly seed: number | SeedGenerator;
  /** The seed as given (what `getConfig` writes; null when unseeded). */
  protected readonly initSeed: Exclude<InitializerSeed, undefined>;

  constructor(seed: InitializerSeed) {
    super();
    this.initSeed = seed ?? null;
    this.seed = resolveSeed(seed, (this.constructor as typeof Initializer).className);
  }

  override getConfig(): Record<string, unknown> {
    return { seed: serializeKerasObject(this.initSeed) };
  }
}

function floatDType(dtype: DType | string | undefined, where: string): DType {
  const dt = standardizeDType(dtype ?? "float32", where);
  if (dt !== "float32")
    throw new ValueError(
      `${where}: random initializers only produce floating-point tensors. Received: dtype=${String(dtype)}`,
    );
  return dt;
}

export interface RandomNormalOptions {
  /** Mean of the values (default 0). */
  mean?: number;
  /** Standard deviation (default 0.05). */
  stddev?: number;
  seed?: InitializerSeed;
}

/**
 * Draws from a normal distribution (Keras `RandomNormal`).
 * @example const w = new keras.initializers.RandomNormal({ mean: 0, stddev: 1, seed: 42 }).call([2, 2]);
 */
export class RandomNormal extends RandomInitializer {
  static override className = "RandomNormal";
  readonly mean: number;
  readonly stddev: number;

  constructor({ mean = 0.0, stddev = 0.05, seed = null }: RandomNormalOptions = {}) {
    super(seed);
    this.mean = mean;
    this.stddev = stddev;
  }

  call(shape: number[], dtype?: DType): Tensor {
    const dt = floatDType(dtype, "RandomNormal");
    return normal(shape, { mean: this.mean, stddev: this.stddev, seed: this.seed, dtype: dt });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

/**
 * Normal values with those beyond two standard deviations re-drawn (Keras `TruncatedNormal`).
 * @example const w = new keras.initializers.TruncatedNormal({ stddev: 0.02, seed: 0 }).call([4, 4]);
 */
export class TruncatedNormal extends RandomInitializer {
  static override className = "TruncatedNormal";
  readonly mean: number;
  readonly stddev: number;

  constructor({ mean = 0.0, stddev = 0.05, seed = null }: RandomNormalOptions = {}) {
    super(seed);
    this.mean = mean;
    this.stddev = stddev;
  }

  call(shape: number[], dtype?: DType): Tensor {
    const dt = floatDType(dtype, "TruncatedNormal");
    return truncatedNormal(shape, {
      mean: this.mean,
      stddev: this.stddev,
      seed: this.seed,
      dtype: dt,
    });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

export interface RandomUniformOptions {
  /** Inclusive lower bound (default -0.05). */
  minval?: number;
  /** Exclusive upper bound (default 0.05). */
  maxval?: number;
  seed?: InitializerSeed;
}

/**
 * Draws uniformly from `[minval, maxval)` (Keras `RandomUniform`).
 * @example const w = new keras.initializers.RandomUniform({ minval: -1, maxval: 1, seed: 7 }).call([3]);
 */
export class RandomUniform extends RandomInitializer {
  static override className = "RandomUniform";
  readonly minval: number;
  readonly maxval: number;

  constructor({ minval = -0.05, maxval = 0.05, seed = null }: RandomUniformOptions = {}) {
    super(seed);
    this.minval = minval;
    this.maxval = maxval;
  }

  call(shape: number[], dtype?: DType): Tensor {
    const dt = floatDType(dtype, "RandomUniform");
    return uniform(shape, { minval: this.minval, maxval: this.maxval, seed: this.seed, dtype: dt });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), minval: this.minval, maxval: this.maxval };
  }
}

/**
 * Number of input and output units of a weight shape (Keras `compute_fans`): a vector has
 * fan_in = fan_out = its length, a matrix `(in, out)`, and a convolution kernel
 * `(...spatial, in, out)` multiplies both by the receptive field `prod(spatial)`.
 *
 * With `inputAxes` / `outputAxes` (Keras 3.15, used by EinsumDense kernels) the fans are the
 * products of those axes' sizes; an omitted list means "every other axis", and axes named in
 * neither act as a receptive field that multiplies both fans.
 * @example computeFans([3, 3, 16, 32]); // [144, 288]
 */
export function computeFans(
  shape: readonly number[],
  inputAxes?: readonly number[] | null,
  outputAxes?: readonly number[] | null,
): [number, number] {
  const rank = shape.length;
  const prod = (axes: Iterable<number>): number => {
    let p = 1;
    for (const a of axes) p *= shape[a]!;
    return p;
  };
  if (
    (inputAxes !== null && inputAxes !== undefined) ||
    (outputAxes !== null && outputAxes !== undefined)
  ) {
    const norm = (axes: readonly number[], name: string): number[] =>
      axes.map((a) => {
        if (!Number.isInteger(a) || a < -rank || a >= rank)
          throw new ValueError(
            `computeFans: ${name} ${fmt(axes)} is out of range for shape ${fmt(shape)}. Received: ${name}=${fmt(axes)}`,
          );
        return a < 0 ? a + rank : a;
      });
    const all = shape.map((_, i) => i);
    const ins = inputAxes ? norm(inputAxes, "input_axes") : null;
    const outs = outputAxes ? norm(outputAxes, "output_axes") : null;
    const inAxes = ins ?? all.filter((a) => !outs!.includes(a));
    const outAxes = outs ?? all.filter((a) => !ins!.includes(a));
    const rest = all.filter((a) => !inAxes.includes(a) && !outAxes.includes(a));
    const rf = prod(rest);
    return [prod(inAxes) * rf, prod(outAxes) * rf];
  }
  if (rank < 1) return [1, 1];
  if (rank === 1) return [shape[0]!, shape[0]!];
  if (rank === 2) return [shape[0]!, shape[1]!];
  const rf = prod(shape.slice(0, -2).map((_, i) => i));
  return [shape[rank - 2]! * rf, shape[rank - 1]! * rf];
}

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
export type VarianceDistribution = "truncated_normal" | "untruncated_normal" | "uniform";

export interface VarianceScalingOptions {
  /** Scaling factor, > 0 (default 1). */
  scale?: number;
  /** Which fan divides the scale (default "fan_in"). */
  mode?: FanMode;
  /** Default "truncated_normal"; "normal" is accepted as its alias. */
  distribution?: VarianceDistribution | "normal";
  seed?: InitializerSeed;
  /** Kernel axes that count as inputs for the fans (EinsumDense); default: Keras' heuristic. */
  inputAxes?: number[] | null;
  /** Kernel axes that count as outputs for the fans. */
  outputAxes?: number[] | null;
}

/** Standard deviation of a standard normal truncated to (-2, 2) (Keras' correction constant). */
const TRUNCATED_STDDEV = 0.87962566103423978;

/**
 * Scales the variance of the values to the weight's shape (Keras `VarianceScaling`): with
 * `n` the fan chosen by `mode`, a normal distribution has `stddev = sqrt(scale / n)` (after
 * truncation at 2 stddev for "truncated_normal") and "uniform" draws from `[-limit, limit]`,
 * `limit = sqrt(3 * scale / n)`.
 * @example
 * const init = new keras.initializers.VarianceScaling({ scale: 0.1, mode: "fan_in", distribution: "uniform" });
 */
export class VarianceScaling extends RandomInitializer {
  static override className = "VarianceScaling";
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: VarianceDistribution;
  readonly inputAxes: number[] | null;
  readonly outputAxes: number[] | null;

  constructor({
    scale = 1.0,
    mode = "fan_in",
    distribution = "truncated_normal",
    seed = null,
    inputAxes = null,
    outputAxes = null,
  }: VarianceScalingOptions = {}) {
    super(seed);
    const name = (this.constructor as typeof Initializer).className;
    if (!(typeof scale === "number" && scale > 0))
      throw new ValueError(
        `${name}: argument \`scale\` must be positive float. Received: scale=${fmt(scale)}`,
      );
    if (!["fan_in", "fan_out", "fan_avg"].includes(mode))
      throw new ValueError(
        `${name}: invalid \`mode\` argument; use one of fan_in, fan_out, fan_avg. Received: mode=${fmt(mode)}`,
      );
    let dist = String(distribution).toLowerCase();
    if (dist === "normal") dist = "truncated_normal";
    if (!["uniform", "truncated_normal", "untruncated_normal"].includes(dist))
      throw new ValueError(
        `${name}: invalid \`distribution\` argument; use one of uniform, truncated_normal, untruncated_normal. Received: distribution=${fmt(distribution)}`,
      );
    this.scale = scale;
    this.mode = mode;
    this.distribution = dist as VarianceDistribution;
    this.inputAxes = inputAxes ? [...inputAxes] : null;
    this.outputAxes = outputAxes ? [...outputAxes] : null;
  }

  call(shape: number[], dtype?: DType): Tensor {
    const dt = floatDType(dtype, (this.constructor as typeof Initializer).className);
    const [fanIn, fanOut] = computeFans(shape, this.inputAxes, this.outputAxes);
    let scale = this.scale;
    if (this.mode === "fan_in") scale /= Math.max(1, fanIn);
    else if (this.mode === "fan_out") scale /= Math.max(1, fanOut);
    else scale /= Math.max(1, (fanIn + fanOut) / 2);
    if (this.distribution === "truncated_normal")
      return truncatedNormal(shape, {
        mean: 0,
        stddev: Math.sqrt(scale) / TRUNCATED_STDDEV,
        seed: this.seed,
        dtype: dt,
      });
    if (this.distribution === "untruncated_normal")
      return normal(shape, { mean: 0, stddev: Math.sqrt(scale), seed: this.seed, dtype: dt });
    const limit = Math.sqrt(3 * scale);
    return uniform(shape, { minval: -limit, maxval: limit, seed: this.seed, dtype: dt });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      scale: this.scale,
      mode: this.mode,
      distribution: this.distribution,
      input_axes: this.inputAxes,
      output_axes: this.outputAxes,
    };
  }
}

export interface PresetOptions {
  seed?: InitializerSeed;
  inputAxes?: number[] | null;
  outputAxes?: number[] | null;
}

/** A fixed VarianceScaling preset; its config is only `{seed, input_axes, output_axes}`. */
abstract class VarianceScalingPreset extends VarianceScaling {
  override getConfig(): Record<string, unknown> {
    return {
      seed: serializeKerasObject(this.initSeed),
      input_axes: this.inputAxes,
      output_axes: this.outputAxes,
    };
  }
}

/**
 * Glorot (Xavier) uniform: `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))`.
 * The default kernel initializer of Dense and Conv layers.
 * @example const w = new keras.initializers.GlorotUniform({ seed: 1 }).call([20, 32]);
 */
export class GlorotUniform extends VarianceScalingPreset {
  static override className = "GlorotUniform";
  constructor({ seed = null, inputAxes = null, outputAxes = null }: PresetOptions = {}) {
    super({ scale: 1.0, mode: "fan_avg", distribution: "uniform", seed, inputAxes, outputAxes });
  }
}

/**
 * Glorot (Xavier) normal: truncated normal with `stddev = sqrt(2 / (fan_in + fan_out))`.
 * @example const w = new keras.initializers.GlorotNormal({ seed: 1 }).call([20, 32]);
 */
export class GlorotNormal extends VarianceScalingPreset {
  static override className = "GlorotNormal";
  constructor({ seed = null, inputAxes = null, outputAxes = null }: PresetOptions = {}) {
    super({
      scale: 1.0,
      mode: "fan_avg",
      distribution: "truncated_normal",
      seed,
      inputAxes,
      outputAxes,
    });
  }
}

/**
 * LeCun normal: truncated normal with `stddev = sqrt(1 / fan_in)` (for SELU networks).
 * @example const w = new keras.initializers.LecunNormal({ seed: 1 }).call([20, 32]);
 */
export class LecunNormal extends VarianceScalingPreset {
  static override className = "LecunNormal";
  constructor({ seed = null, inputAxes = null, outputAxes = null }: PresetOptions = {}) {
    super({
      scale: 1.0,
      mode: "fan_in",
      distribution: "truncated_normal",
      seed,
      inputAxes,
      outputAxes,
    });
  }
}

/**
 * LeCun uniform: `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.
 * @example const w = new keras.initializers.LecunUniform({ seed: 1 }).call([20, 32]);
 */
export class LecunUniform extends VarianceScalingPreset {
  static override className = "LecunUniform";
  constructor({ seed = null, inputAxes = null, outputAxes = null }: PresetOptions = {}) {
    super({ scale: 1.0, mode: "fan_in", distribution: "uniform", seed, inputAxes, outputAxes });
  }
}

/**
 * He normal: truncated normal with `stddev = sqrt(2 / fan_in)` (for ReLU networks).
 * @example const w = new keras.initializers.HeNormal({ seed: 1 }).call([3, 3, 16, 32]);
 */
export class HeNormal extends VarianceScalingPreset {
  static override className = "HeNormal";
  constructor({ seed = null, inputAxes = null, outputAxes = null }: PresetOptions = {}) {
    super({
      scale: 2.0,
      mode: "fan_in",
      distribution: "truncated_normal",
      seed,
      inputAxes,
      outputAxes,
    });
  }
}

/**
 * He uniform: `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.
 * @example const w = new keras.initializers.HeUniform({ seed: 1 }).call([3, 3, 16, 32]);
 */
export class HeUniform extends VarianceScalingPreset {
  static override className = "HeUniform";
  constructor({ seed = null, inputAxes = null, outputAxes = null }: PresetOptions = {}) {
    super({ scale: 2.0, mode: "fan_in", distribution: "uniform", seed, inputAxes, outputAxes });
  }
}

/**
 * The standard normal values `keras.random.normal(shape, {seed})` draws, computed in float64
 * JavaScript from the same Threefry bits (Box–Muller on sub-keys 0 and 1 of the key), so that
 * Orthogonal can factor them on the CPU whatever backend is active.
 */
function normalValuesJs(n: number, key: Key): Float64Array {
  const k1 = foldIn(key, 0);
  const k2 = foldIn(key, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u1 = uniformFromBits(threefry2x32(k1[0], k1[1], i, 0)[0]);
    const u2 = uniformFromBits(threefry2x32(k2[0], k2[1], i, 0)[0]);
    out[i] = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
  return out;
}

/**
 * Reduced QR of a row-major m x n matrix (m >= n) by Householder reflections, in float64.
 * Returns Q (m x n, row-major) and the diagonal of R. Works on columns stored contiguously
 * (column-major), so every inner loop is a unit-stride dot product or axpy.
 */
export function householderQR(
  a: Float64Array,
  m: number,
  n: number,
): { q: Float64Array; rDiag: Float64Array } {
  const A = new Float64Array(m * n); // column-major: column j at [j*m, (j+1)*m)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A[j * m + i] = a[i * n + j]!;
  const V = new Float64Array(m * n); // column k holds the reflector v_k in rows k..m-1
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ck = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += A[ck + i]! * A[ck + i]!;
    const norm = Math.sqrt(norm2);
    const alpha = A[ck + k]! >= 0 ? -norm : norm;
    let vn2 = 0;
    for (let i = k; i < m; i++) {
      const v = i === k ? A[ck + i]! - alpha : A[ck + i]!;
      V[ck + i] = v;
      vn2 += v * v;
    }
    if (vn2 > 0) {
      const inv = 1 / Math.sqrt(vn2);
      for (let i = k; i < m; i++) V[ck + i] = V[ck + i]! * inv;
      // A[k:, j] -= 2 v (v . A[k:, j]) for the remaining columns j >= k.
      for (let j = k; j < n; j++) {
        const cj = j * m;
        let dot = 0;
        for (let i = k; i < m; i++) dot += V[ck + i]! * A[cj + i]!;
        dot *= 2;
        for (let i = k; i < m; i++) A[cj + i] = A[cj + i]! - dot * V[ck + i]!;
      }
    }
    rDiag[k] = A[ck + k]!;
  }
  // Q = H_0 H_1 ... H_{n-1} [I_n; 0], applied right to left, column by column.
  const Q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) Q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const ck = k * m;
    // Columns j < k are still e_j here, which H_k (rows >= k) leaves unchanged.
    for (let j = k; j < n; j++) {
      const cj = j * m;
      let dot = 0;
      for (let i = k; i < m; i++) dot += V[ck + i]! * Q[cj + i]!;
      if (dot === 0) continue;
      dot *= 2;
      for (let i = k; i < m; i++) Q[cj + i] = Q[cj + i]! - dot * V[ck + i]!;
    }
  }
  const q = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] = Q[j * m + i]!;
  return { q, rDiag };
}

export interface OrthogonalOptions {
  /** Multiplicative factor (default 1). */
  gain?: number;
  seed?: InitializerSeed;
}

/**
 * An orthogonal matrix (Keras `OrthogonalInitializer`, also exported as `Orthogonal`): the Q
 * factor of the QR decomposition of a standard normal matrix, with its columns' signs fixed by
 * `sign(diag(R))` so the result is uniformly distributed. A shape `(...dims, cols)` is treated as
 * the matrix `(prod(dims), cols)`; with fewer rows than columns the rows are orthonormal,
 * otherwise the columns. The factorization runs in float64 JavaScript.
 * @example
 * const w = new keras.initializers.Orthogonal({ seed: 0 }).call([64, 64]); // wᵀw ≈ I
 */
export class Orthogonal extends RandomInitializer {
  static override className = "Orthogonal";
  readonly gain: number;

  constructor({ gain = 1.0, seed = null }: OrthogonalOptions = {}) {
    super(seed);
    this.gain = gain;
  }

  call(shape: number[], dtype?: DType): Tensor {
    const dt = floatDType(dtype, "OrthogonalInitializer");
    if (shape.length < 2)
      throw new ValueError(
        `OrthogonalInitializer: the tensor to initialize must be at least two-dimensional. Received: shape=${fmt(shape)} of rank ${shape.length}`,
      );
    let rows = 1;
    for (const d of shape.slice(0, -1)) rows *= d;
    const cols = shape[shape.length - 1]!;
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const a = normalValuesJs(m * n, drawSeed(this.seed, "OrthogonalInitializer"));
    for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]!); // the float32 draw
    const { q, rDiag } = householderQR(a, m, n);
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const v = this.gain * q[i * n + j]! * Math.sign(rDiag[j]!);
        // (m, n) -> (rows, cols): transposed when there are fewer rows than columns.
        if (rows < cols) out[j * cols + i] = v;
        else out[i * cols + j] = v;
      }
    return lax.constant(out, shape, dt);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), gain: this.gain };
  }
}

/** Keras' canonical class name for Orthogonal. */
export const OrthogonalInitializer = Orthogonal;
