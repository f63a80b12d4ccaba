/**
 * Preprocessing layers: Rescaling and Normalization (adapt numbers, weights named as Keras
 * writes them, fixed statistics, inversion, configs, errors).
 */
import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/index";
import { Rescaling } from "../../src/layers/preprocessing/rescaling";
import { Normalization } from "../../src/layers/preprocessing/normalization";
import { Input } from "../../src/layers/core/input_layer";
import { expectAllclose, randomValues } from "../utils";
import { runLayerTest, tensor } from "./harness";

describe("Rescaling", () => {
  it("runLayerTest and values", () => {
    runLayerTest(Rescaling, {
      init: [1 / 255, { offset: -1 }],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      supportsMasking: true,
    });
    expectAllclose(new Rescaling(0.5, { offset: 1 }).apply(tensor([2, 4], [1, 2])), [2, 3]);
    expectAllclose(new Rescaling(2).apply(tensor([255, 0], [1, 2], "int32")), [510, 0]);
    const perChannel = new Rescaling([1, 10], { offset: [0, 1] }).apply(
      tensor([1, 1, 2, 2], [2, 2]),
    );
    expectAllclose(perChannel, [1, 11, 2, 21]);
  });

  it("config", () => {
    const c = new Rescaling(0.5, { name: "r" }).getConfig();
    expect(Object.keys(c)).toEqual(["name", "trainable", "dtype", "scale", "offset"]);
    expect([c.scale, c.offset]).toEqual([0.5, 0]);
    const fromNumpy = Rescaling.fromConfig({
      ...c,
      scale: { class_name: "__numpy__", config: { value: [1, 2], dtype: "float32" } },
    });
    expect(fromNumpy.scale).toEqual([1, 2]);
    expect(() => new Rescaling("a" as never)).toThrow(/Received: scale=a/);
  });
});

/** Population mean / variance over rows of a (n, d) array, float64. */
function colStats(x: ArrayLike<number>, n: number, d: number): [number[], number[]] {
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j]!;
    return s / n;
  });
  const variance = mean.map((m, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i * d + j]! - m) ** 2;
    return s / n;
  });
  return [mean, variance];
}

describe("Normalization", () => {
  it("runLayerTest: adapt weights named mean, variance, count (non-trainable)", () => {
    const { layer } = runLayerTest(Normalization, {
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      expectedNumTrainableWeights: 0,
      expectedNumNonTrainableWeights: 3,
      expectedWeightNames: ["mean", "variance", "count"],
      supportsMasking: true,
    });
    expect(layer.weights.map((w) => [w.shape, w.dtype])).toEqual([
      [[3], "float32"],
      [[3], "float32"],
      [[], "int32"],
    ]);
    runLayerTest(Normalization, {
      init: { mean: [1, 2, 3], variance: [1, 4, 9] },
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      expectedNumNonTrainableWeights: 0,
    });
  });

  it("adapt computes the population mean / variance per feature (Keras docstring example)", async () => {
    const layer = new Normalization({ axis: -1 });
    await layer.adapt(tensor([0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6], [4, 3]));
    expectAllclose(layer.weights[0]!.value, [1, 8, 5]);
    expectAllclose(layer.weights[1]!.value, [1, 1, 1]);
    expectAllclose(layer.apply(tensor([0, 7, 4], [1, 3])), [-1, -1, -1]);
    const inv = new Normalization({ axis: -1, invert: true });
    await inv.adapt([
      [0, 7, 4],
      [2, 9, 6],
      [0, 7, 4],
      [2, 9, 6],
    ]);
    expectAllclose(inv.apply(tensor([1, 2, 3], [1, 3])), [2, 10, 8]);
  });

  it("axis null: one scalar mean and variance", async () => {
    const layer = new Normalization({ axis: null });
    await layer.adapt([1, 2, 3, 4, 5]);
    expect(layer.weights[0]!.shape).toEqual([]);
    expectAllclose(layer.apply(tensor([1, 2, 3], [3])), [-1.4142135, -0.70710677, 0], {
      rtol: 1e-6,
    });
  });

  it("adapt over batches equals adapt over all the data (and random data matches float64)", async () => {
    const data = randomValues(40 * 3, 5, -2, 3);
    const [mean, variance] = colStats(data, 40, 3);
    const whole = new Normalization();
    await whole.adapt(tensor(data, [40, 3]));
    expectAllclose(whole.weights[0]!.value, mean, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(whole.weights[1]!.value, variance, { rtol: 1e-5, atol: 1e-6 });
    const batched = new Normalization();
    const batches = [0, 16, 32].map((s, i) =>
      tensor(data.slice(s * 3, Math.min(40, s + 16) * 3), [i < 2 ? 16 : 8, 3]),
    );
    await batched.adapt(batches);
    expectAllclose(batched.weights[0]!.value, mean, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(batched.weights[1]!.value, variance, { rtol: 1e-5, atol: 1e-6 });
    async function* gen() {
      for (const b of batches) yield b;
    }
    const streamed = new Normalization();
    await streamed.adapt(gen());
    expectAllclose(streamed.weights[1]!.value, variance, { rtol: 1e-5, atol: 1e-6 });
    const x = randomValues(6, 8);
    const y = whole.apply(tensor(x, [2, 3]));
    expectAllclose(
      y,
      Array.from(x, (v, i) => (v - mean[i % 3]!) / Math.sqrt(variance[i % 3]!)),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });

  it("several kept axes; reduced axes include the batch", async () => {
    const layer = new Normalization({ axis: [1, 2] });
    const data = randomValues(5 * 2 * 3, 2);
    await layer.adapt(tensor(data, [5, 2, 3]));
    expect(layer.weights[0]!.shape).toEqual([2, 3]);
    const [mean] = colStats(data, 5, 6);
    expectAllclose(layer.weights[0]!.value, mean, { rtol: 1e-5, atol: 1e-6 });
  });

  it("fixed mean / variance broadcast to the kept axes; epsilon floor", () => {
    const layer = new Normalization({ mean: 3, variance: 2 });
    expectAllclose(layer.apply(tensor([1, 2, 3], [3, 1])), [-1.4142135, -0.70710677, 0], {
      rtol: 1e-6,
    });
    const perFeature = new Normalization({ axis: -1, mean: [1, 2], variance: [4, 0] });
    expectAllclose(perFeature.apply(tensor([3, 2, 5, 2], [2, 2])), [1, 0, 2, 0]);
    const tiny = new Normalization({ mean: 0, variance: 0 });
    expectAllclose(tiny.apply(tensor([1e-7], [1, 1])), [1], { rtol: 1e-5 });
  });

  it("config", async () => {
    const layer = new Normalization({ name: "norm" });
    expect(layer.getConfig()).toMatchObject({
      name: "norm",
      axis: [-1],
      invert: false,
      mean: null,
      variance: null,
    });
    expect(Object.keys(layer.getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "axis",
      "invert",
      "mean",
      "variance",
    ]);
    expect(new Normalization({ axis: null }).getConfig().axis).toEqual([]);
    await layer.adapt(tensor([1, 2, 3, 4], [2, 2]));
    expect(layer.getBuildConfig()).toEqual({ input_shape: [2, 2] });
    const copy = Normalization.fromConfig(layer.getConfig());
    copy.buildFromConfig(layer.getBuildConfig() as { input_shape: number[] });
    expect(copy.weights.map((w) => w.name)).toEqual(["mean", "variance", "count"]);
  });

  it("errors", async () => {
    expect(() => new Normalization({ mean: 1 })).toThrow(/both `mean` and `variance` must be set/);
    expect(() => new Normalization({ mean: [1, 2], variance: [1] })).toThrow(/same shape/);
    expect(() => new Normalization({ axis: null, mean: [1], variance: [1] })).toThrow(
      /rank of `mean`/,
    );
    expect(() => new Normalization({ axis: 3, name: "n" }).apply(Input([2]))).toThrow(
      /n[\s\S]*range \[-ndim, ndim\)/,
    );
    expect(() => new Normalization({ axis: 1 }).apply(Input([null]))).toThrow(/known shape/);
    const built = new Normalization();
    built.apply(Input([3]));
    await expect(built.adapt(tensor(randomValues(8), [2, 4]))).rejects.toThrow(ValueError);
    await expect(new Normalization({ mean: 0, variance: 1 }).adapt([1, 2])).rejects.toThrow(
      /fixed/,
    );
    await expect(new Normalization().adapt([] as never)).rejects.toThrow();
  });
});
