/**
 * Regularization layers: Dropout, SpatialDropout1D/2D, GaussianNoise, GaussianDropout,
 * ActivityRegularization. Identity at inference, statistics in training, seeded
 * reproducibility, configs and argument errors.
 */
import { describe, expect, it } from "vitest";
import { KerasTensor, ops } from "../../src/index";
import { Dropout } from "../../src/layers/regularization/dropout";
import {
  SpatialDropout1D,
  SpatialDropout2D,
} from "../../src/layers/regularization/spatial_dropout";
import { GaussianDropout, GaussianNoise } from "../../src/layers/regularization/gaussian";
import { ActivityRegularization } from "../../src/layers/regularization/activity_regularization";
import { Input } from "../../src/layers/core/input_layer";
import { expectAllclose, randomValues } from "../utils";
import { runLayerTest, tensor } from "./harness";
import { kerasLayerConfig } from "./fixtures";

const ones = (shape: number[]) =>
  tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);

function stats(v: ArrayLike<number>): { mean: number; std: number; zeros: number } {
  let s = 0;
  let z = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    if (v[i] === 0) z++;
  }
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / v.length), zeros: z / v.length };
}

describe("Dropout", () => {
  it("runLayerTest (inference and training calls)", () => {
    runLayerTest(Dropout, {
      init: [0.5],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      expectedNumTrainableWeights: 0,
      expectedNumNonTrainableWeights: 0,
      supportsMasking: true,
    });
    runLayerTest(Dropout, {
      init: [0.5, { seed: 1 }],
      inputShape: [2, 3],
      callArgs: { training: true },
      expectedOutputShape: [2, 3],
    });
  });

  it("is the identity when training is false or absent", () => {
    const layer = new Dropout(0.5);
    const x = tensor(randomValues(12), [3, 4]);
    expect(layer.apply(x)).toBe(x);
    expect(layer.apply(x, { training: false })).toBe(x);
    expect(new Dropout(0).apply(x, { training: true })).toBe(x);
  });

  it("drops about `rate` of the entries and scales the rest by 1/(1-rate)", () => {
    const layer = new Dropout(0.3, { seed: 42 });
    const y = layer.apply(ones([100, 100]), { training: true }).dataSync();
    const s = stats(y);
    expect(Math.abs(s.zeros - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.03);
    for (const v of y) if (v !== 0) expect(v).toBeCloseTo(1 / 0.7, 5);
  });

  it("a seed gives a reproducible sequence; successive calls differ", () => {
    const a = new Dropout(0.5, { seed: 7 });
    const b = new Dropout(0.5, { seed: 7 });
    const x = ones([8, 8]);
    const a1 = a.apply(x, { training: true }).dataSync();
    const a2 = a.apply(x, { training: true }).dataSync();
    expect(Array.from(b.apply(x, { training: true }).dataSync())).toEqual(Array.from(a1));
    expect(Array.from(a2)).not.toEqual(Array.from(a1));
  });

  it("noiseShape shares the mask along axes", () => {
    const layer = new Dropout(0.5, { noiseShape: [null, 1, 4], seed: 3 });
    const y = layer.apply(ones([2, 5, 4]), { training: true }).dataSync();
    for (let b = 0; b < 2; b++)
      for (let t = 1; t < 5; t++)
        for (let c = 0; c < 4; c++) expect(y[b * 20 + t * 4 + c]).toBe(y[b * 20 + c]);
  });

  it("symbolic calls (even in training) only propagate the shape", () => {
    const layer = new Dropout(0.5);
    const y = layer.apply(Input([3, 4]), { training: true });
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 3, 4]);
  });

  it("config equals Keras 3.15's (a_mlp reference)", () => {
    const ref = kerasLayerConfig("a_mlp", "dropout")!;
    expect(new Dropout(0.2, { name: "dropout" }).getConfig()).toEqual(ref.config);
    expect(Dropout.fromConfig(ref.config).getConfig()).toEqual(ref.config);
  });

  it("rejects bad arguments", () => {
    expect(() => new Dropout(1.5)).toThrow(/Received: rate=1.5/);
    expect(() => new Dropout(-0.1)).toThrow(/Received: rate=-0.1/);
    expect(() => new Dropout(0.5, { noiseShape: [2, 0] })).toThrow(/index 1: 0/);
    expect(() => new Dropout(0.5, { noiseShape: [2, 1.5] })).toThrow(/index 1: 1.5/);
  });

  it("gradient flows through kept units only", () => {
    const layer = new Dropout(0.5, { seed: 11 });
    const x = tensor(randomValues(16), [4, 4]);
    const [, g] = ops.valueAndGrad((xx) => ops.sum(layer.apply(xx, { training: true })))(x);
    for (const v of g.dataSync()) expect([0, 2]).toContain(Math.round(v * 1e5) / 1e5);
  });
});

describe("SpatialDropout", () => {
  it("runLayerTest", () => {
    runLayerTest(SpatialDropout1D, {
      init: [0.5],
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      callArgs: { training: true },
    });
    runLayerTest(SpatialDropout2D, {
      init: [0.5, { dataFormat: "channels_first" }],
      inputShape: [2, 3, 4, 5],
      expectedOutputShape: [2, 3, 4, 5],
      callArgs: { training: true },
    });
  });

  it("1D drops whole channels", () => {
    const y = new SpatialDropout1D(0.5, { seed: 2 })
      .apply(ones([4, 6, 8]), { training: true })
      .dataSync();
    for (let b = 0; b < 4; b++)
      for (let t = 1; t < 6; t++)
        for (let c = 0; c < 8; c++) expect(y[b * 48 + t * 8 + c]).toBe(y[b * 48 + c]);
    expect(new Set(Array.from(y))).toEqual(new Set([0, 2]));
  });

  it("2D drops whole feature maps (channels_last and channels_first)", () => {
    const last = new SpatialDropout2D(0.5, { seed: 5 })
      .apply(ones([2, 3, 3, 4]), { training: true })
      .dataSync();
    for (let b = 0; b < 2; b++)
      for (let p = 1; p < 9; p++)
        for (let c = 0; c < 4; c++) expect(last[b * 36 + p * 4 + c]).toBe(last[b * 36 + c]);
    const first = new SpatialDropout2D(0.5, { seed: 5, dataFormat: "channels_first" })
      .apply(ones([2, 4, 3, 3]), { training: true })
      .dataSync();
    for (let b = 0; b < 2; b++)
      for (let c = 0; c < 4; c++)
        for (let p = 1; p < 9; p++) expect(first[b * 36 + c * 9 + p]).toBe(first[b * 36 + c * 9]);
  });

  it("configs have Keras' short form; wrong rank fails symbolically", () => {
    expect(new SpatialDropout1D(0.3, { name: "sd" }).getConfig()).toEqual({
      rate: 0.3,
      seed: null,
      name: "sd",
      dtype: "float32",
    });
    expect(new SpatialDropout2D(0.3, { name: "sd2", seed: 1 }).getConfig()).toEqual({
      rate: 0.3,
      seed: 1,
      name: "sd2",
      dtype: "float32",
      data_format: "channels_last",
    });
    expect(() => new SpatialDropout1D(0.3, { name: "sd1" }).apply(Input([4]))).toThrow(
      /sd1[\s\S]*expected ndim=3/,
    );
    expect(() => new SpatialDropout2D(2)).toThrow(/Received: rate=2/);
  });
});

describe("GaussianNoise / GaussianDropout", () => {
  it("runLayerTest", () => {
    runLayerTest(GaussianNoise, {
      init: [0.1],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      supportsMasking: true,
    });
    runLayerTest(GaussianNoise, {
      init: [0.1, { seed: 1 }],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      callArgs: { training: true },
    });
    runLayerTest(GaussianDropout, {
      init: [0.2],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      callArgs: { training: true },
    });
  });

  it("identity at inference", () => {
    const x = tensor(randomValues(6), [2, 3]);
    expect(new GaussianNoise(0.5).apply(x)).toBe(x);
    expect(new GaussianDropout(0.5).apply(x, { training: false })).toBe(x);
  });

  it("noise statistics in training", () => {
    const n = stats(
      new GaussianNoise(0.5, { seed: 1 }).apply(ones([100, 100]), { training: true }).dataSync(),
    );
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(n.std - 0.5)).toBeLessThan(0.02);
    const d = stats(
      new GaussianDropout(0.2, { seed: 1 }).apply(ones([100, 100]), { training: true }).dataSync(),
    );
    expect(Math.abs(d.mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(d.std - Math.sqrt(0.2 / 0.8))).toBeLessThan(0.02);
  });

  it("configs and errors", () => {
    expect(new GaussianNoise(0.1, { name: "gn", seed: 3 }).getConfig()).toMatchObject({
      name: "gn",
      stddev: 0.1,
      seed: 3,
    });
    expect(Object.keys(new GaussianDropout(0.1).getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "rate",
      "seed",
    ]);
    expect(() => new GaussianNoise(2)).toThrow(/Received: stddev=2/);
    expect(() => new GaussianDropout(-1)).toThrow(/Received: rate=-1/);
  });
});

describe("ActivityRegularization", () => {
  it("runLayerTest", () => {
    runLayerTest(ActivityRegularization, {
      init: { l1: 0.1, l2: 0.2 },
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      supportsMasking: true,
    });
  });

  it("adds l1 * sum|x| + l2 * sum x² to losses", () => {
    const layer = new ActivityRegularization({ l1: 0.1, l2: 0.2 });
    const x = tensor([1, -2, 3, 0.5], [2, 2]);
    expect(layer.apply(x)).toBe(x);
    expect(layer.losses.length).toBe(1);
    expectAllclose(layer.losses[0]!, 0.1 * 6.5 + 0.2 * (1 + 4 + 9 + 0.25), { rtol: 1e-6 });
    const c = layer.getConfig();
    expect(Object.keys(c)).toEqual(["name", "trainable", "dtype", "l1", "l2"]);
  });
});
