/**
 * Activation layers: Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax. Values against float64
 * references, PReLU weights and gradients, Softmax masking, configs and argument errors.
 */
import { describe, expect, it } from "vitest";
import { ops } from "../../src/index";
import { Activation } from "../../src/layers/activations/activation";
import { ELU, LeakyReLU, ReLU } from "../../src/layers/activations/relu";
import { PReLU } from "../../src/layers/activations/prelu";
import { Softmax } from "../../src/layers/activations/softmax";
import { Input } from "../../src/layers/core/input_layer";
import { expectAllclose, randomValues } from "../utils";
import { checkLayerGradients, runLayerTest, tensor } from "./harness";

const X = [-3, -1.5, -0.5, 0, 0.25, 0.5, 1, 2, 4, 7];
const x = () => tensor(X, [2, 5]);

/** Keras relu(x, negative_slope, max_value, threshold), float64. */
function reluRef(v: number, slope = 0, maxValue: number | null = null, thr = 0): number {
  let y = v > thr || (thr === 0 && v > 0) ? v : 0;
  if (thr === 0 && v <= 0) y = 0;
  if (maxValue !== null) y = Math.min(Math.max(y, 0), maxValue);
  if (slope !== 0) y -= slope * Math.max(thr - v, 0);
  return y;
}

describe("Activation", () => {
  it("runLayerTest, values, config", () => {
    runLayerTest(Activation, {
      init: ["tanh"],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      supportsMasking: true,
    });
    expectAllclose(new Activation("tanh").apply(x()), X.map(Math.tanh));
    expect(new Activation("swish").getConfig().activation).toBe("silu");
    expect(() => new Activation("nope")).toThrow(/Received: activation=nope/);
  });
});

describe("ReLU", () => {
  it("runLayerTest", () => {
    runLayerTest(ReLU, {
      init: { maxValue: 6 },
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      supportsMasking: true,
    });
  });

  const variants: [string, { maxValue?: number; negativeSlope?: number; threshold?: number }][] = [
    ["plain", {}],
    ["max_value 6", { maxValue: 6 }],
    ["max_value 2.5", { maxValue: 2.5 }],
    ["negative_slope", { negativeSlope: 0.1 }],
    ["threshold", { threshold: 0.5 }],
    ["all three", { maxValue: 3, negativeSlope: 0.2, threshold: 0.5 }],
  ];
  for (const [name, o] of variants)
    it(`values: ${name}`, () => {
      const y = new ReLU(o).apply(x());
      expectAllclose(
        y,
        X.map((v) => reluRef(v, o.negativeSlope ?? 0, o.maxValue ?? null, o.threshold ?? 0)),
      );
    });

  it("config and errors", () => {
    expect(new ReLU({ name: "r" }).getConfig()).toEqual({
      name: "r",
      trainable: true,
      dtype: {
        module: "keras",
        class_name: "DTypePolicy",
        config: { name: "float32" },
        registered_name: null,
      },
      max_value: null,
      negative_slope: 0,
      threshold: 0,
    });
    expect(() => new ReLU({ maxValue: -1 })).toThrow(/Received: max_value=-1/);
    expect(() => new ReLU({ negativeSlope: -1 })).toThrow(/Received: negative_slope=-1/);
    expect(() => new ReLU({ threshold: -1 })).toThrow(/Received: threshold=-1/);
  });
});

describe("LeakyReLU", () => {
  it("runLayerTest, default slope 0.3, values, config", () => {
    runLayerTest(LeakyReLU, { inputShape: [2, 3], expectedOutputShape: [2, 3] });
    expectAllclose(
      new LeakyReLU().apply(x()),
      X.map((v) => (v >= 0 ? v : 0.3 * v)),
    );
    expectAllclose(
      new LeakyReLU({ negativeSlope: 0.1 }).apply(x()),
      X.map((v) => (v >= 0 ? v : 0.1 * v)),
    );
    expect(new LeakyReLU({ alpha: 0.2 }).negativeSlope).toBe(0.2);
    expect(Object.keys(new LeakyReLU().getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "negative_slope",
    ]);
    expect(() => new LeakyReLU({ negativeSlope: -0.5 })).toThrow(/Received: negative_slope=-0.5/);
  });
});

describe("ELU", () => {
  it("runLayerTest, values, config", () => {
    runLayerTest(ELU, { init: { alpha: 0.5 }, inputShape: [2, 3], expectedOutputShape: [2, 3] });
    expectAllclose(
      new ELU({ alpha: 0.5 }).apply(x()),
      X.map((v) => (v > 0 ? v : 0.5 * Math.expm1(v))),
    );
    expect(new ELU().getConfig().alpha).toBe(1);
  });
});

describe("PReLU", () => {
  it("runLayerTest: alpha per element, and shared over spatial axes", () => {
    runLayerTest(PReLU, {
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumTrainableWeights: 1,
      expectedWeightNames: ["alpha"],
      runTrainingCheck: true,
    });
    const { layer } = runLayerTest(PReLU, {
      init: { sharedAxes: [1, 2] },
      inputShape: [2, 3, 3, 4],
      expectedOutputShape: [2, 3, 3, 4],
      expectedNumTrainableWeights: 1,
    });
    expect(layer.weights[0]!.shape).toEqual([1, 1, 4]);
    expect(new PReLU({ sharedAxes: 1 }).apply(Input([5, 2])).shape).toEqual([null, 5, 2]);
  });

  it("values and gradients (inputs and alpha)", () => {
    const layer = new PReLU({
      alphaInitializer: {
        class_name: "RandomUniform",
        config: { minval: 0.1, maxval: 0.5, seed: 1 },
      },
      sharedAxes: [1],
    });
    const data = randomValues(2 * 3 * 2, 6);
    const ref = ([xv]: Float64Array[], [a]: Float64Array[]) =>
      xv!.map((v, i) => (v > 0 ? v : a![i % 2]! * v));
    checkLayerGradients(layer, [{ shape: [2, 3, 2], data }], ref);
  });

  it("config and the build-time input check", () => {
    const c = new PReLU({ name: "p" }).getConfig();
    expect(Object.keys(c)).toEqual([
      "name",
      "trainable",
      "dtype",
      "alpha_initializer",
      "alpha_regularizer",
      "alpha_constraint",
      "shared_axes",
    ]);
    expect(c.alpha_initializer).toEqual({
      module: "keras.initializers",
      class_name: "Zeros",
      config: {},
      registered_name: null,
    });
    const layer = new PReLU({ name: "pr" });
    layer.apply(Input([3]));
    expect(() => layer.apply(Input([4]))).toThrow(
      /pr[\s\S]*expected axis 1 of the input shape to have value 3/,
    );
  });
});

describe("Softmax", () => {
  it("runLayerTest and values", () => {
    runLayerTest(Softmax, {
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      supportsMasking: true,
    });
    const y = new Softmax().apply(tensor([1, 2, 1], [1, 3]));
    expectAllclose(y, [0.21194157, 0.5761169, 0.21194157]);
    const z = new Softmax({ axis: 0 }).apply(tensor([0, 0, Math.log(3), 0], [2, 2]));
    expectAllclose(z, [0.25, 0.5, 0.75, 0.5]);
  });

  it("a mask adds -1e9 to masked logits", () => {
    const logits = tensor([1, 2, 3, 4, 1, 1], [2, 3]);
    const mask = tensor([1, 1, 0, 1, 0, 1], [2, 3], "bool");
    const y = new Softmax().apply(logits, { mask });
    const e1 = Math.exp(1);
    const e2 = Math.exp(2);
    expectAllclose(
      y,
      [
        e1 / (e1 + e2),
        e2 / (e1 + e2),
        0,
        Math.exp(3) / (Math.exp(3) + 1),
        0,
        1 / (Math.exp(3) + 1),
      ],
      { atol: 1e-7 },
    );
  });

  it("several axes", () => {
    const v = randomValues(12, 3);
    const y = new Softmax({ axis: [1, 2] }).apply(tensor(v, [2, 2, 3]));
    const ref: number[] = [];
    for (let b = 0; b < 2; b++) {
      const row = Array.from(v.slice(b * 6, b * 6 + 6));
      const s = row.reduce((a, q) => a + Math.exp(q), 0);
      ref.push(...row.map((q) => Math.exp(q) / s));
    }
    expectAllclose(y, ref);
    expect(new Softmax({ axis: [1, 2] }).getConfig().axis).toEqual([1, 2]);
    expectAllclose(ops.sum(y), 2, { rtol: 1e-6 });
  });
});
