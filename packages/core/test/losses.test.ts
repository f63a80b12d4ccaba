/**
 * Losses against Keras 3.15.1: every entry of shared/keras-format/numerics/losses.json (value,
 * per-sample, weighted and sum reductions, and get_config), gradients against central finite
 * differences, reductions, masks, get / serialize, and error messages.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import "../src/index";
import * as losses from "../src/losses/index";
import { Loss } from "../src/losses/index";
import { valueAndGrad } from "../src/autodiff/grad";
import { memory } from "../src/engine/engine";
import * as lax from "../src/primitives/lax";
import { configToOptions } from "../src/saving/serialization";
import type { DType } from "../src/tensor/dtype";
import { Tensor } from "../src/tensor/tensor";
import { expectAllclose, numericGrad, randomValues } from "./utils";

interface JsonArray {
  shape: number[];
  dtype: DType;
  data: number[];
}
interface LossEntry {
  class_name: string;
  kwargs: Record<string, unknown>;
  config: Record<string, unknown>;
  y_true: JsonArray;
  y_pred: JsonArray;
  value: number;
  per_sample: JsonArray;
  weighted: number;
  sum: number;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const jsonPath = path.resolve(repoRoot, "../shared/keras-format/numerics/losses.json");
const file = JSON.parse(readFileSync(jsonPath, "utf8")) as {
  sample_weight: JsonArray;
  losses: LossEntry[];
};

const tensor = (a: JsonArray): Tensor => lax.constant(a.data, a.shape, a.dtype);
const TOL = { atol: 1e-5, rtol: 1e-5 };
type LossCtor = new (options: Record<string, unknown>) => Loss;

describe("losses.json (Keras 3.15.1, numpy backend)", () => {
  const seen = new Map<string, number>();
  for (const e of file.losses) {
    const n = seen.get(e.class_name) ?? 0;
    seen.set(e.class_name, n + 1);
    it(`${e.class_name} #${n} ${JSON.stringify(e.kwargs)}`, () => {
      const Cls = (losses.LOSS_CLASSES as Record<string, unknown>)[e.class_name] as LossCtor;
      expect(Cls, e.class_name).toBeDefined();
      const opts = configToOptions(e.kwargs);
      const yTrue = tensor(e.y_true);
      const yPred = tensor(e.y_pred);
      const sw = tensor(file.sample_weight);
      const loss = new Cls(opts);
      expect(loss.getConfig()).toEqual(e.config);
      expectAllclose(loss.apply(yTrue, yPred), e.value, TOL);
      expectAllclose(loss.apply(yTrue, yPred, sw), e.weighted, TOL);
      const perSample = new Cls({ ...opts, reduction: null }).apply(yTrue, yPred);
      expect(perSample.shape).toEqual(e.per_sample.shape);
      expectAllclose(perSample, e.per_sample.data, TOL);
      expectAllclose(new Cls({ ...opts, reduction: "sum" }).apply(yTrue, yPred), e.sum, TOL);
      // The config round-trips through fromConfig and the serialization tables.
      const again = (Cls as unknown as { fromConfig(c: Record<string, unknown>): Loss }).fromConfig(
        e.config,
      );
      expect(again.getConfig()).toEqual(e.config);
      const restored = losses.deserialize(losses.serialize(loss)) as Loss;
      expect(restored).toBeInstanceOf(Cls);
      expect(restored.getConfig()).toEqual(e.config);
    });
  }
});

/** Gradient of `loss.apply(yTrue, yPred)` w.r.t. yPred vs central differences in float64. */
function checkGrad(
  loss: Loss,
  yTrue: number[][] | number[],
  yPred: Float32Array,
  shape: number[],
  ref: (p: Float64Array) => number,
) {
  const t = lax.constant(
    yTrue.flat(),
    [yTrue.length, ...(Array.isArray(yTrue[0]) ? [(yTrue[0] as number[]).length] : [])],
    "float32",
  );
  const p = lax.constant(yPred, shape, "float32");
  const [value, g] = valueAndGrad((x: Tensor) => loss.apply(t, x))(p);
  expectAllclose(value, ref(Float64Array.from(yPred)), { atol: 1e-5, rtol: 1e-4 });
  expectAllclose(g as Tensor, numericGrad(ref, yPred, 1e-4), { atol: 1e-4, rtol: 1e-3 });
}

describe("loss gradients vs finite differences", () => {
  const probs = (n: number, c: number, seed: number): Float32Array => {
    const r = randomValues(n * c, seed, 0.1, 1);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += r[i * c + j]!;
      for (let j = 0; j < c; j++) r[i * c + j]! /= s;
    }
    return r;
  };

  it("mean_squared_error", () => {
    const yt = [
      [0.5, -1, 2],
      [1, 0, 0.25],
    ];
    const yp = randomValues(6, 3);
    checkGrad(new losses.MeanSquaredError(), yt, yp, [2, 3], (p) => {
      let s = 0;
      yt.flat().forEach((t, i) => (s += (t - p[i]!) ** 2));
      return s / 6;
    });
  });

  it("categorical_crossentropy (probabilities)", () => {
    const yt = [
      [0, 1, 0],
      [0, 0, 1],
    ];
    const yp = probs(2, 3, 7);
    checkGrad(new losses.CategoricalCrossentropy(), yt, yp, [2, 3], (p) => {
      let s = 0;
      for (let i = 0; i < 2; i++) {
        const row = [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!];
        const tot = row[0]! + row[1]! + row[2]!;
        row.forEach((v, j) => (s -= yt[i]![j]! * Math.log(v / tot)));
      }
      return s / 2;
    });
  });

  it("categorical_crossentropy (logits, label smoothing)", () => {
    const yt = [
      [0, 1, 0],
      [1, 0, 0],
    ];
    const yp = randomValues(6, 11, -2, 2);
    const ls = 0.1;
    checkGrad(
      new losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: ls }),
      yt,
      yp,
      [2, 3],
      (p) => {
        let s = 0;
        for (let i = 0; i < 2; i++) {
          const row = [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!];
          const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
          row.forEach((v, j) => (s -= (yt[i]![j]! * (1 - ls) + ls / 3) * (v - lse)));
        }
        return s / 2;
      },
    );
  });

  it("binary_crossentropy (logits)", () => {
    const yt = [
      [0, 1],
      [1, 1],
    ];
    const yp = randomValues(4, 5, -3, 3);
    checkGrad(new losses.BinaryCrossentropy({ fromLogits: true }), yt, yp, [2, 2], (p) => {
      let s = 0;
      yt.flat().forEach((t, i) => {
        const x = p[i]!;
        s += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
      });
      return s / 4;
    });
  });

  it("sparse_categorical_crossentropy (logits)", () => {
    const labels = [2, 0, 1];
    const yp = randomValues(9, 13, -2, 2);
    const t = lax.constant(labels, [3], "int32");
    const p = lax.constant(yp, [3, 3], "float32");
    const ref = (q: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < 3; i++) {
        const row = [q[3 * i]!, q[3 * i + 1]!, q[3 * i + 2]!];
        const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
        s -= row[labels[i]!]! - lse;
      }
      return s / 3;
    };
    const [value, g] = valueAndGrad((x: Tensor) =>
      new losses.SparseCategoricalCrossentropy({ fromLogits: true }).apply(t, x),
    )(p);
    expectAllclose(value, ref(Float64Array.from(yp)), { atol: 1e-5, rtol: 1e-4 });
    expectAllclose(g as Tensor, numericGrad(ref, yp, 1e-4), { atol: 1e-4, rtol: 1e-3 });
  });

  it("huber (delta 0.5) and log_cosh", () => {
    const yt = [
      [0, 1, 2],
      [1, -1, 0.3],
    ];
    const yp = randomValues(6, 17, -2, 3);
    checkGrad(new losses.Huber({ delta: 0.5 }), yt, yp, [2, 3], (p) => {
      let s = 0;
      yt.flat().forEach((t, i) => {
        const e = Math.abs(p[i]! - t);
        s += e <= 0.5 ? 0.5 * e * e : 0.5 * e - 0.125;
      });
      return s / 6;
    });
    checkGrad(new losses.LogCosh(), yt, yp, [2, 3], (p) => {
      let s = 0;
      yt.flat().forEach((t, i) => (s += Math.log(Math.cosh(p[i]! - t))));
      return s / 6;
    });
  });
});

describe("Loss reductions and weighting", () => {
  const yt = [
    [0, 1],
    [0, 0],
    [1, 1],
  ];
  const yp = [
    [1, 1],
    [1, 0],
    [1, 0.5],
  ];
  // per-sample MSE: [0.5, 0.5, 0.125]
  it("sum_over_batch_size counts zero-weight samples", () => {
    expectAllclose(new losses.MeanSquaredError().apply(yt, yp), 1.125 / 3);
    expectAllclose(new losses.MeanSquaredError().apply(yt, yp, [1, 0, 2]), (0.5 + 0.25) / 3);
    expectAllclose(
      new losses.MeanSquaredError({ reduction: "mean" }).apply(yt, yp, [1, 0, 2]),
      (0.5 + 0.25) / 3,
    );
  });
  it("mean_with_sample_weight divides by the weight sum", () => {
    expectAllclose(
      new losses.MeanSquaredError({ reduction: "mean_with_sample_weight" }).apply(
        yt,
        yp,
        [1, 0, 2],
      ),
      0.75 / 3,
    );
  });
  it("none / null / sum", () => {
    expectAllclose(
      new losses.MeanSquaredError({ reduction: "none" }).apply(yt, yp),
      [0.5, 0.5, 0.125],
    );
    expectAllclose(
      new losses.MeanSquaredError({ reduction: null }).apply(yt, yp, [1, 0, 2]),
      [0.5, 0, 0.25],
    );
    expectAllclose(
      new losses.MeanSquaredError({ reduction: "sum" }).apply(yt, yp, [1, 0, 2]),
      0.75,
    );
  });
  it("rank matching: (N, 1) predictions against (N,) targets and (N, 1) weights", () => {
    const l = new losses.MeanAbsoluteError({ reduction: null });
    expectAllclose(l.apply([1, 2, 3], [[1.5], [2], [2]]), [0.5, 0, 1]);
    expectAllclose(
      new losses.MeanAbsoluteError().apply([1, 2, 3], [[1.5], [2], [2]], [[2], [1], [1]]),
      2 / 3,
    );
  });
  it("a mask restricts the mean to valid entries", () => {
    const mask = lax.constant([1, 0, 1], [3], "bool");
    expectAllclose(new losses.MeanSquaredError().apply(yt, yp, null, mask), (0.5 + 0.125) / 2);
  });
  it("sparse crossentropy with ignore_class averages over the other labels", () => {
    const p = [
      [0.05, 0.95, 0],
      [0.1, 0.8, 0.1],
      [0.3, 0.3, 0.4],
    ];
    const l = new losses.SparseCategoricalCrossentropy({ ignoreClass: -1 });
    const full = new losses.SparseCategoricalCrossentropy({ reduction: null })
      .apply([1, 2, 0], p)
      .dataSync();
    expectAllclose(l.apply([1, -1, 0], p), (full[0]! + full[2]!) / 2);
    expectAllclose(
      new losses.SparseCategoricalCrossentropy({ ignoreClass: -1, reduction: null }).apply(
        [1, -1, 0],
        p,
      ),
      [full[0]!, 0, full[2]!],
    );
  });
  it("hinge keeps -1/+1 labels and maps 0/1 labels", () => {
    expectAllclose(losses.hinge([[-1, 1]], [[0.5, 0.5]]), [(1.5 + 0.5) / 2]);
    expectAllclose(losses.hinge([[0, 1]], [[0.5, 0.5]]), [(1.5 + 0.5) / 2]);
  });
  it("binary crossentropy clips exact 0 and 1 probabilities at 1e-7", () => {
    const v = losses.binaryCrossentropy([[1, 0]], [[0, 1]]).dataSync()[0]!;
    expect(v).toBeCloseTo(-Math.log(1e-7), 0);
    expect(Number.isFinite(v)).toBe(true);
  });
  it("other losses: documented Keras values", () => {
    expectAllclose(
      new losses.CategoricalCrossentropy().apply(
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [0.05, 0.95, 0],
          [0.1, 0.8, 0.1],
        ],
      ),
      1.1769392,
      { atol: 1e-5 },
    );
    expectAllclose(
      new losses.BinaryCrossentropy({ fromLogits: true }).apply(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [-18.6, 0.51],
          [2.94, -12.8],
        ],
      ),
      0.8654,
      { atol: 1e-4 },
    );
    expectAllclose(
      new losses.BinaryFocalCrossentropy({ gamma: 2, fromLogits: true }).apply(
        [0, 1, 0, 0],
        [-18.6, 0.51, 2.94, -12.8],
      ),
      0.691,
      { atol: 1e-3 },
    );
    expectAllclose(
      new losses.BinaryFocalCrossentropy({
        applyClassBalancing: true,
        gamma: 2,
        fromLogits: true,
      }).apply([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]),
      0.51,
      { atol: 1e-2 },
    );
    expectAllclose(
      new losses.CategoricalFocalCrossentropy().apply(
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [0.05, 0.95, 0],
          [0.1, 0.8, 0.1],
        ],
      ),
      0.23315276,
      { atol: 1e-5 },
    );
    expectAllclose(
      losses.huber(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [0.6, 0.4],
          [0.4, 0.6],
        ],
      ),
      [0.18, 0.13],
      { atol: 1e-6 },
    );
    expectAllclose(
      losses.logCosh(
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ),
      [0.2168904, 0],
      { atol: 1e-6 },
    );
    expectAllclose(
      losses.cosineSimilarity(
        [
          [0, 1],
          [1, 1],
          [1, 1],
        ],
        [
          [1, 0],
          [1, 1],
          [-1, -1],
        ],
      ),
      [0, -1, 1],
      { atol: 1e-6 },
    );
    const yTrue = [
      [
        [[1.0], [1.0]],
        [[0.0], [0.0]],
      ],
      [
        [[1.0], [1.0]],
        [[0.0], [0.0]],
      ],
    ];
    const yPred = [
      [
        [[0.0], [1.0]],
        [[0.0], [1.0]],
      ],
      [
        [[0.4], [0.0]],
        [[0.0], [0.9]],
      ],
    ];
    expectAllclose(losses.dice(yTrue, yPred, { axis: [1, 2, 3] }), [0.5, 0.75757575], {
      atol: 1e-6,
    });
    expectAllclose(losses.dice(yTrue, yPred), 0.6164384, { atol: 1e-6 });
    expectAllclose(losses.tversky(yTrue, yPred, { axis: [1, 2, 3] }), [0.5, 0.75757575], {
      atol: 1e-6,
    });
  });
  it("apply leaves no temporaries behind", () => {
    const l = new losses.CategoricalCrossentropy({ labelSmoothing: 0.1 });
    const t = lax.constant([0, 1, 0, 1, 0, 0], [2, 3], "float32");
    const p = lax.constant([0.2, 0.7, 0.1, 0.5, 0.25, 0.25], [2, 3], "float32");
    l.apply(t, p).dispose();
    const before = memory().numTensors;
    for (let i = 0; i < 20; i++) l.apply(t, p).dispose();
    expect(memory().numTensors).toBe(before);
  });
});

describe("losses.get / serialize / resolveLoss", () => {
  it("resolves names, aliases and classes", () => {
    expect(losses.get("mse")).toBe(losses.meanSquaredError);
    expect(losses.get("mean_squared_error")).toBe(losses.meanSquaredError);
    expect(losses.get("mae")).toBe(losses.meanAbsoluteError);
    expect(losses.get("kld")).toBe(losses.klDivergence);
    expect(losses.get("kl_divergence")).toBe(losses.klDivergence);
    expect(losses.get("binary_crossentropy")).toBe(losses.binaryCrossentropy);
    expect(losses.get("categorical_crossentropy")).toBe(losses.categoricalCrossentropy);
    expect(losses.get("sparse_categorical_crossentropy")).toBe(
      losses.sparseCategoricalCrossentropy,
    );
    expect(losses.get("huber")).toBe(losses.huber);
    expect(losses.get("hinge")).toBe(losses.hinge);
    expect(losses.get("Huber")).toBeInstanceOf(losses.Huber);
    expect(losses.get(null)).toBeNull();
    const l = losses.get({
      class_name: "CategoricalCrossentropy",
      config: { from_logits: true },
    }) as losses.CategoricalCrossentropy;
    expect(l).toBeInstanceOf(losses.CategoricalCrossentropy);
    expect(l.fromLogits).toBe(true);
    const h = new losses.Huber();
    expect(losses.get(h)).toBe(h);
  });
  it("unknown identifiers end with Received: loss=...", () => {
    expect(() => losses.get("foo")).toThrow(/Received: loss=foo$/);
  });
  it("serializes functions and classes as Keras does", () => {
    expect(losses.serialize(losses.meanSquaredError)).toEqual({
      module: "keras.losses",
      class_name: "function",
      config: "mean_squared_error",
      registered_name: "mean_squared_error",
    });
    expect(losses.serialize(new losses.Huber())).toEqual({
      module: "keras.losses",
      class_name: "Huber",
      config: { name: "huber_loss", reduction: "sum_over_batch_size" },
      registered_name: null,
    });
    const w = new losses.LossFunctionWrapper(losses.huber, { fnOptions: { delta: 2 } });
    const back = losses.LossFunctionWrapper.fromConfig(w.getConfig()) as losses.LossFunctionWrapper;
    expect(back.fn).toBe(losses.huber);
    expect(back.fnOptions).toEqual({ delta: 2 });
    expect(back.name).toBe("huber");
  });
  it("resolveLoss picks the crossentropy for 'ce' from shapes", () => {
    expect((losses.resolveLoss("ce", [null, 1], [null, 1]) as losses.LossFunctionWrapper).fn).toBe(
      losses.binaryCrossentropy,
    );
    expect(
      (losses.resolveLoss("crossentropy", [null], [null, 10]) as losses.LossFunctionWrapper).fn,
    ).toBe(losses.sparseCategoricalCrossentropy);
    expect(
      (losses.resolveLoss("ce", [null, 10], [null, 10]) as losses.LossFunctionWrapper).fn,
    ).toBe(losses.categoricalCrossentropy);
    const mse = losses.resolveLoss("mse", [null, 1], [null, 1])!;
    expect(mse.name).toBe("mse");
    expect(losses.resolveLoss(new losses.Huber(), [2], [2])).toBeInstanceOf(losses.Huber);
  });
  it("invalid reduction names the argument", () => {
    expect(() => new losses.MeanSquaredError({ reduction: "avg" as never })).toThrow(
      /Received: reduction=avg$/,
    );
  });
});

describe("loss errors name the loss and end with Received", () => {
  it("categorical crossentropy with mismatched shapes", () => {
    const l = new losses.CategoricalCrossentropy();
    expect(() => l.apply([[0, 1, 0]], [[0.5, 0.5]])).toThrow(
      /^CategoricalCrossentropy "categorical_crossentropy": .*Received: y_true\.shape=\(1, 3\), y_pred\.shape=\(1, 2\)$/,
    );
  });
  it("mean squared error with unbroadcastable shapes", () => {
    const l = new losses.MeanSquaredError();
    expect(() => l.apply([[0, 1, 0]], [[0.5, 0.5]])).toThrow(
      /^MeanSquaredError "mean_squared_error": .*Received: .*$/,
    );
  });
  it("sparse crossentropy with the wrong label shape", () => {
    expect(() => new losses.SparseCategoricalCrossentropy().apply([[0, 1]], [[0.5, 0.5]])).toThrow(
      /SparseCategoricalCrossentropy .*Received: y_true\.shape=\(1, 2\), y_pred\.shape=\(1, 2\)$/,
    );
  });
});
