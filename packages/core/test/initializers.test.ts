/**
 * keras.initializers: values (limits and variances of the variance-scaling family on large
 * shapes, orthogonality, exact constants), Keras seed semantics, `get` identifiers, and configs
 * (round trip and the exact dicts of Keras 3.15.1 files).
 */
import { describe, expect, it } from "vitest";
import { Tensor, random } from "../src/index";
import * as initializers from "../src/initializers/index";
import {
  Constant,
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  Identity,
  Initializer,
  LecunNormal,
  LecunUniform,
  Ones,
  Orthogonal,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  VarianceScaling,
  Zeros,
  computeFans,
} from "../src/initializers/index";
import {
  serializeKerasObject,
  deserializeKerasObject,
  UnknownObjectError,
} from "../src/saving/serialization";
import { ValueError } from "../src/errors";
import { expectAllclose } from "./utils";

function stats(t: Tensor): { mean: number; variance: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    s += x;
    s2 += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = s / v.length;
  return { mean, variance: s2 / v.length - mean * mean, min, max };
}

/** Relative closeness for statistics of ~60k samples. */
function expectNear(actual: number, expected: number, rel: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    rel * Math.abs(expected),
  );
}

function matmulTN(w: Float32Array, rows: number, cols: number): Float64Array {
  // wᵀw, (cols, cols)
  const out = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < rows; k++) s += w[k * cols + i]! * w[k * cols + j]!;
      out[i * cols + j] = s;
    }
  return out;
}

function eye(n: number, gain = 1): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = gain;
  return out;
}

describe("computeFans", () => {
  it("follows Keras' rules for vectors, matrices and conv kernels", () => {
    expect(computeFans([])).toEqual([1, 1]);
    expect(computeFans([7])).toEqual([7, 7]);
    expect(computeFans([20, 30])).toEqual([20, 30]);
    expect(computeFans([3, 3, 16, 32])).toEqual([144, 288]);
    expect(computeFans([5, 4, 8])).toEqual([20, 40]);
  });
  it("uses explicit input / output axes (EinsumDense kernels)", () => {
    expect(computeFans([8, 4, 16], [0], [1, 2])).toEqual([8, 64]);
    expect(computeFans([8, 4, 16], [0, 1], null)).toEqual([32, 16]);
    expect(computeFans([8, 4, 16], [0], [2])).toEqual([32, 64]); // axis 1 is a receptive field
  });
});

describe("variance-scaling initializers: values", () => {
  const shape = [200, 300]; // fan_in 200, fan_out 300, 60k samples
  it("GlorotUniform: uniform in ±sqrt(6 / (fan_in + fan_out))", () => {
    const limit = Math.sqrt(6 / 500);
    const s = stats(new GlorotUniform({ seed: 1 }).call(shape));
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeGreaterThan(0.99 * limit);
    expectNear(s.variance, (limit * limit) / 3, 0.03, "variance");
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
  });
  it("GlorotNormal: truncated normal with variance 2 / (fan_in + fan_out)", () => {
    const s = stats(new GlorotNormal({ seed: 2 }).call(shape));
    const preStd = Math.sqrt(2 / 500) / 0.87962566103423978;
    expect(s.max).toBeLessThanOrEqual(2 * preStd + 1e-6);
    expect(s.min).toBeGreaterThanOrEqual(-2 * preStd - 1e-6);
    expectNear(s.variance, 2 / 500, 0.03, "variance");
  });
  it("HeNormal / HeUniform on a conv kernel use fan_in = receptive field * in", () => {
    const conv = [3, 3, 32, 64]; // fan_in 288
    expectNear(
      stats(new HeNormal({ seed: 3 }).call(conv)).variance,
      2 / 288,
      0.03,
      "HeNormal variance",
    );
    const s = stats(new HeUniform({ seed: 4 }).call(conv));
    const limit = Math.sqrt(6 / 288);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expectNear(s.variance, (limit * limit) / 3, 0.03, "HeUniform variance");
  });
  it("LecunNormal / LecunUniform use 1 / fan_in", () => {
    expectNear(
      stats(new LecunNormal({ seed: 5 }).call(shape)).variance,
      1 / 200,
      0.03,
      "LecunNormal variance",
    );
    const s = stats(new LecunUniform({ seed: 6 }).call(shape));
    const limit = Math.sqrt(3 / 200);
    expect(s.max).toBeLessThanOrEqual(limit);
    expectNear(s.variance, 1 / 200, 0.03, "LecunUniform variance");
  });
  it("VarianceScaling: untruncated normal, fan_out", () => {
    const init = new VarianceScaling({
      scale: 3,
      mode: "fan_out",
      distribution: "untruncated_normal",
      seed: 7,
    });
    const s = stats(init.call(shape));
    expectNear(s.variance, 3 / 300, 0.03, "variance");
    expect(s.max).toBeGreaterThan(3 * Math.sqrt(3 / 300)); // tails are not truncated
  });
  it("VarianceScaling: 'normal' means truncated_normal; bad arguments throw", () => {
    expect(new VarianceScaling({ distribution: "normal" }).distribution).toBe("truncated_normal");
    expect(() => new VarianceScaling({ scale: 0 })).toThrow(
      /scale must be positive|`scale` must be positive/,
    );
    expect(() => new VarianceScaling({ mode: "fan_x" as never })).toThrow(ValueError);
    expect(() => new VarianceScaling({ distribution: "poisson" as never })).toThrow(/distribution/);
  });
});

describe("RandomNormal / TruncatedNormal / RandomUniform", () => {
  it("RandomNormal has the given mean and stddev and equals keras.random.normal", () => {
    const s = stats(new RandomNormal({ mean: 1, stddev: 2, seed: 11 }).call([60000]));
    expectNear(s.mean, 1, 0.03, "mean");
    expectNear(s.variance, 4, 0.03, "variance");
    expectAllclose(
      new RandomNormal({ seed: 9 }).call([10]),
      random.normal([10], { stddev: 0.05, seed: 9 }),
    );
  });
  it("TruncatedNormal stays within mean ± 2 stddev", () => {
    const s = stats(new TruncatedNormal({ mean: 0.5, stddev: 0.1, seed: 12 }).call([60000]));
    expect(s.max).toBeLessThanOrEqual(0.7 + 1e-6);
    expect(s.min).toBeGreaterThanOrEqual(0.3 - 1e-6);
    expectNear(s.mean, 0.5, 0.01, "mean");
  });
  it("RandomUniform draws in [minval, maxval) with Keras' defaults ±0.05", () => {
    const s = stats(new RandomUniform({ seed: 13 }).call([60000]));
    expect(s.min).toBeGreaterThanOrEqual(-0.05);
    expect(s.max).toBeLessThan(0.05);
    const t = stats(new RandomUniform({ minval: 2, maxval: 3, seed: 13 }).call([1000]));
    expect(t.min).toBeGreaterThanOrEqual(2);
    expect(t.max).toBeLessThan(3);
  });
  it("rejects integer dtypes", () => {
    expect(() => new RandomUniform({ seed: 1 }).call([2], "int32")).toThrow(ValueError);
  });
});

describe("seeds (Keras semantics)", () => {
  it("an integer seed gives the same values on every call and every instance", () => {
    const a = new GlorotUniform({ seed: 42 });
    const v1 = a.call([4, 5]).dataSync();
    expectAllclose(a.call([4, 5]), v1, { rtol: 0, atol: 0 });
    expectAllclose(new GlorotUniform({ seed: 42 }).call([4, 5]), v1, { rtol: 0, atol: 0 });
    expect(Array.from(new GlorotUniform({ seed: 43 }).call([4, 5]).dataSync())).not.toEqual(
      Array.from(v1),
    );
  });
  it("an unseeded instance repeats its values; two unseeded instances differ", () => {
    const a = new RandomNormal();
    const v1 = Array.from(a.call([8]).dataSync());
    expect(Array.from(a.call([8]).dataSync())).toEqual(v1);
    expect(Array.from(new RandomNormal().call([8]).dataSync())).not.toEqual(v1);
  });
  it("a SeedGenerator gives new values on each call, reproducibly", () => {
    const a = new RandomUniform({ seed: new random.SeedGenerator(5) });
    const b = new RandomUniform({ seed: new random.SeedGenerator(5) });
    const a1 = Array.from(a.call([6]).dataSync());
    const a2 = Array.from(a.call([6]).dataSync());
    expect(a2).not.toEqual(a1);
    expect(Array.from(b.call([6]).dataSync())).toEqual(a1);
  });
  it("setRandomSeed makes unseeded initializers reproducible", () => {
    random.setRandomSeed(123);
    const v1 = Array.from(new HeNormal().call([5]).dataSync());
    random.setRandomSeed(123);
    expect(Array.from(new HeNormal().call([5]).dataSync())).toEqual(v1);
  });
  it("rejects a non-integer seed", () => {
    expect(() => new RandomNormal({ seed: 1.5 })).toThrow(/seed/);
  });
});

describe("Orthogonal", () => {
  it("gives orthonormal columns for tall matrices (WᵀW = I)", () => {
    const w = new Orthogonal({ seed: 1 }).call([64, 32]).dataSync() as Float32Array;
    expectAllclose(matmulTN(w, 64, 32), eye(32), { atol: 1e-5 });
  });
  it("gives orthonormal rows for wide matrices and applies the gain", () => {
    const w = new Orthogonal({ gain: 2, seed: 2 }).call([16, 48]).dataSync() as Float32Array;
    // W Wᵀ = 4 I: transpose to reuse matmulTN.
    const wt = new Float32Array(48 * 16);
    for (let i = 0; i < 16; i++) for (let j = 0; j < 48; j++) wt[j * 16 + i] = w[i * 48 + j]!;
    expectAllclose(matmulTN(wt, 48, 16), eye(16, 4), { atol: 2e-5 });
  });
  it("treats a conv kernel as a (prod(shape[:-1]), shape[-1]) matrix", () => {
    const t = new Orthogonal({ seed: 3 }).call([3, 3, 4, 8]);
    expect(t.shape).toEqual([3, 3, 4, 8]);
    expectAllclose(matmulTN(t.dataSync() as Float32Array, 36, 8), eye(8), { atol: 1e-5 });
  });
  it("is deterministic for a seed, and its columns follow the sign of diag(R)", () => {
    const a = new Orthogonal({ seed: 4 }).call([5, 5]).dataSync();
    expect(Array.from(new Orthogonal({ seed: 4 }).call([5, 5]).dataSync())).toEqual(Array.from(a));
    // Q = A R⁻¹ with diag(R) > 0, A = keras.random.normal(seed): Q's first column is A's
    // first column normalized, with the same sign.
    const A = random.normal([5, 5], { seed: 4 }).dataSync();
    const col = [0, 1, 2, 3, 4].map((i) => A[i * 5]!);
    const norm = Math.hypot(...col);
    expectAllclose(
      [0, 1, 2, 3, 4].map((i) => a[i * 5]!),
      col.map((v) => v / norm),
      { atol: 1e-5 },
    );
  });
  it("rejects rank < 2", () => {
    expect(() => new Orthogonal().call([4])).toThrow(/at least two-dimensional/);
  });
});

describe("constant initializers", () => {
  it("Zeros and Ones, in any dtype", () => {
    expectAllclose(new Zeros().call([2, 2]), [0, 0, 0, 0]);
    expectAllclose(new Ones().call([3]), [1, 1, 1]);
    const t = new Ones().call([2], "int32");
    expect(t.dtype).toBe("int32");
  });
  it("Constant fills a value exactly and broadcasts arrays", () => {
    const t = new Constant({ value: 0.1 }).call([2, 3]);
    expect(Array.from(t.dataSync())).toEqual(new Array(6).fill(Math.fround(0.1)));
    expectAllclose(new Constant(3).call([2]), [3, 3]);
    expectAllclose(new Constant({ value: [1, 2, 3] }).call([2, 3]), [1, 2, 3, 1, 2, 3]);
    expect(() => new Constant({ value: [1, 2] }).call([2, 3])).toThrow(/broadcast/);
  });
  it("Identity is gain · eye, square or not; only 2D", () => {
    expect(Array.from(new Identity().call([3, 3]).dataSync())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(new Identity({ gain: 2 }).call([2, 3]).dataSync())).toEqual([
      2, 0, 0, 0, 2, 0,
    ]);
    expect(() => new Identity().call([2, 2, 2])).toThrow(/2D matrices/);
  });
});

describe("initializers.get", () => {
  it("resolves Keras names, class names and aliases", () => {
    const cases: [string, string][] = [
      ["glorot_uniform", "GlorotUniform"],
      ["GlorotUniform", "GlorotUniform"],
      ["glorot_normal", "GlorotNormal"],
      ["he_normal", "HeNormal"],
      ["he_uniform", "HeUniform"],
      ["lecun_normal", "LecunNormal"],
      ["lecun_uniform", "LecunUniform"],
      ["zeros", "Zeros"],
      ["ones", "Ones"],
      ["zero", "Zeros"],
      ["one", "Ones"],
      ["constant", "Constant"],
      ["identity", "Identity"],
      ["Identity", "Identity"],
      ["IdentityInitializer", "Identity"],
      ["orthogonal", "Orthogonal"],
      ["Orthogonal", "Orthogonal"],
      ["OrthogonalInitializer", "Orthogonal"],
      ["truncated_normal", "TruncatedNormal"],
      ["random_normal", "RandomNormal"],
      ["normal", "RandomNormal"],
      ["random_uniform", "RandomUniform"],
      ["uniform", "RandomUniform"],
      ["variance_scaling", "VarianceScaling"],
    ];
    for (const [name, cls] of cases) expect(initializers.get(name).className, name).toBe(cls);
  });
  it("accepts instances, classes, dicts with and without module, plain functions and null", () => {
    const inst = new Zeros();
    expect(initializers.get(inst)).toBe(inst);
    expect(initializers.get(HeNormal)).toBeInstanceOf(HeNormal);
    const fromDict = initializers.get({
      class_name: "RandomNormal",
      config: { mean: 1, stddev: 0.5, seed: 3 },
    });
    expect(fromDict).toBeInstanceOf(RandomNormal);
    expect((fromDict as RandomNormal).stddev).toBe(0.5);
    const withModule = initializers.get({
      module: "keras.initializers",
      class_name: "GlorotUniform",
      config: { seed: null, input_axes: null, output_axes: null },
      registered_name: null,
    });
    expect(withModule).toBeInstanceOf(GlorotUniform);
    const fn = initializers.get((shape: number[]) => new Ones().call(shape));
    expect(Array.from(fn.call([2]).dataSync())).toEqual([1, 1]);
    expect(initializers.get(null)).toBeNull();
  });
  it("throws a typed error for unknown names", () => {
    expect(() => initializers.get("glorot_unifrom")).toThrow(UnknownObjectError);
    expect(() => initializers.get("glorot_unifrom")).toThrow(
      /Could not locate class 'glorot_unifrom'/,
    );
    expect(() => initializers.get(42)).toThrow(/Could not interpret initializer identifier/);
  });
});

describe("initializer configs", () => {
  const all: Initializer[] = [
    new Zeros(),
    new Ones(),
    new Constant({ value: 2.5 }),
    new RandomUniform({ minval: -1, maxval: 2, seed: 1 }),
    new RandomNormal({ mean: 0.5, stddev: 2, seed: 2 }),
    new TruncatedNormal({ mean: 0, stddev: 0.3, seed: null }),
    new VarianceScaling({ scale: 2, mode: "fan_out", distribution: "uniform", seed: 3 }),
    new VarianceScaling({ scale: 1, mode: "fan_avg", seed: 4, inputAxes: [0], outputAxes: [1, 2] }),
    new GlorotUniform(),
    new GlorotNormal({ seed: 5 }),
    new HeNormal(),
    new HeUniform({ seed: 6 }),
    new LecunNormal(),
    new LecunUniform({ seed: 7 }),
    new Orthogonal({ gain: 1.5, seed: 8 }),
    new Identity({ gain: 3 }),
  ];
  it("fromConfig(getConfig()) round-trips every built-in", () => {
    for (const init of all) {
      const cls = init.constructor as typeof Initializer & {
        fromConfig(c: Record<string, unknown>): Initializer;
      };
      const again = cls.fromConfig(init.getConfig());
      expect(again.constructor).toBe(init.constructor);
      expect(again.getConfig(), init.className).toEqual(init.getConfig());
    }
  });
  it("serializeKerasObject / deserializeKerasObject round-trip every built-in", () => {
    for (const init of all) {
      const ser = serializeKerasObject(init) as Record<string, unknown>;
      expect(ser.module).toBe("keras.initializers");
      expect(ser.registered_name).toBeNull();
      const back = deserializeKerasObject(JSON.parse(JSON.stringify(ser))) as Initializer;
      expect(back.constructor).toBe(init.constructor);
      expect(serializeKerasObject(back)).toEqual(ser);
    }
  });
  it("writes exactly the dicts found in Keras 3.15.1 .keras files", () => {
    // From /work/shared/keras-format/FORMAT_NOTES.md (a_mlp, b_cnn config.json), byte for byte.
    expect(JSON.stringify(serializeKerasObject(new GlorotUniform()))).toBe(
      '{"module":"keras.initializers","class_name":"GlorotUniform","config":{"seed":null,"input_axes":null,"output_axes":null},"registered_name":null}',
    );
    expect(JSON.stringify(serializeKerasObject(new Zeros()))).toBe(
      '{"module":"keras.initializers","class_name":"Zeros","config":{},"registered_name":null}',
    );
    expect(JSON.stringify(serializeKerasObject(new Ones()))).toBe(
      '{"module":"keras.initializers","class_name":"Ones","config":{},"registered_name":null}',
    );
  });
  it("uses Keras' config keys", () => {
    expect(new RandomUniform({ seed: 1 }).getConfig()).toEqual({
      seed: 1,
      minval: -0.05,
      maxval: 0.05,
    });
    expect(new RandomNormal().getConfig()).toEqual({ seed: null, mean: 0, stddev: 0.05 });
    expect(new VarianceScaling().getConfig()).toEqual({
      seed: null,
      scale: 1,
      mode: "fan_in",
      distribution: "truncated_normal",
      input_axes: null,
      output_axes: null,
    });
    expect(new Orthogonal().getConfig()).toEqual({ seed: null, gain: 1 });
    // As Keras 3.15.1 writes them (checked on a file it saved: test/saving_keras_files/mask_lstm.keras).
    expect(serializeKerasObject(new Orthogonal())).toMatchObject({
      class_name: "Orthogonal",
    });
    expect(serializeKerasObject(new Identity())).toMatchObject({
      class_name: "Identity",
      config: { gain: 1 },
    });
    expect(new Constant({ value: 2 }).getConfig()).toEqual({ value: 2 });
  });
  it("serializes a SeedGenerator seed and reads it back", () => {
    const init = new RandomNormal({ seed: new random.SeedGenerator(17) });
    const cfg = init.getConfig();
    expect((cfg.seed as Record<string, unknown>).config).toEqual({ seed: 17 });
    const back = RandomNormal.fromConfig(cfg);
    expect(back.seed).toBeInstanceOf(random.SeedGenerator);
    expect((back.seed as random.SeedGenerator).seed).toBe(17);
  });
});

describe("Layer.addWeight integration", () => {
  it("resolves initializer, regularizer and constraint identifiers", async () => {
    const { Layer } = await import("../src/layers/layer");
    class Probe extends Layer {
      static override className = "Probe";
      call(x: Tensor): Tensor {
        return x;
      }
    }
    const layer = new Probe();
    const k = layer.addWeight({
      shape: [4, 3],
      initializer: { class_name: "Constant", config: { value: 2 } },
      regularizer: "l2",
      constraint: "max_norm",
      name: "kernel",
    });
    expect(Array.from(k.value.dataSync())).toEqual(new Array(12).fill(2));
    expectAllclose(layer.losses[0]!, Math.fround(0.01) * 4 * 12, { rtol: 1e-6 });
    expect(k.constraint).toBeInstanceOf((await import("../src/constraints/index")).MaxNorm);
    const g = layer.addWeight({ shape: [20, 30], name: "default" }); // glorot_uniform by default
    const limit = Math.sqrt(6 / 50);
    const v = g.value.dataSync();
    expect(Math.max(...v)).toBeLessThanOrEqual(limit);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-limit);
  });
});
