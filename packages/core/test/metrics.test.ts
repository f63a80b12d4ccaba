/**
 * Metrics: accuracy family, confusion counts, precision / recall, AUC (against a float64
 * re-implementation of Keras' bucketed algorithm and analytic values), reduce metrics, state
 * handling (reset, no leaked tensors), configs, `get` / `resolveAccuracy`, and error messages.
 */
import { describe, expect, it } from "vitest";
import "../src/index";
import * as metrics from "../src/metrics/index";
import { Metric } from "../src/metrics/index";
import { memory } from "../src/engine/engine";
import * as lax from "../src/primitives/lax";
import { expectAllclose, randomValues } from "./utils";

describe("accuracy metrics (Keras docstring values)", () => {
  it("Accuracy", () => {
    const m = new metrics.Accuracy();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]]);
    expectAllclose(m.result(), 0.75);
    m.resetState();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0]);
    expectAllclose(m.result(), 0.5);
  });
  it("BinaryAccuracy", () => {
    const m = new metrics.BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    expectAllclose(m.result(), 0.75);
    m.resetState();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1]);
    expectAllclose(m.result(), 0.5);
    const t = new metrics.BinaryAccuracy({ threshold: 0.7 });
    t.updateState([1, 1, 0, 0], [0.65, 0.9, 0.1, 0.69]);
    expectAllclose(t.result(), 0.75);
  });
  it("CategoricalAccuracy", () => {
    const m = new metrics.CategoricalAccuracy();
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    expectAllclose(m.result(), 0.5);
    m.resetState();
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
      [0.7, 0.3],
    );
    expectAllclose(m.result(), 0.3);
  });
  it("SparseCategoricalAccuracy", () => {
    const m = new metrics.SparseCategoricalAccuracy();
    m.updateState(
      [[2], [1]],
      [
        [0.1, 0.6, 0.3],
        [0.05, 0.95, 0],
      ],
    );
    expectAllclose(m.result(), 0.5);
    m.resetState();
    m.updateState(
      [[2], [1]],
      [
        [0.1, 0.6, 0.3],
        [0.05, 0.95, 0],
      ],
      [0.7, 0.3],
    );
    expectAllclose(m.result(), 0.3);
    m.resetState();
    m.updateState(
      [2, 1, 0],
      [
        [0.1, 0.6, 0.3],
        [0.05, 0.95, 0],
        [0.5, 0.2, 0.3],
      ],
    );
    expectAllclose(m.result(), 2 / 3);
  });
  it("TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy", () => {
    const m = new metrics.TopKCategoricalAccuracy({ k: 1 });
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    expectAllclose(m.result(), 0.5);
    m.resetState();
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
      [0.7, 0.3],
    );
    expectAllclose(m.result(), 0.3);
    const k2 = new metrics.TopKCategoricalAccuracy({ k: 2 });
    k2.updateState(
      [
        [0, 0, 1],
        [1, 0, 0],
      ],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0.5],
      ],
    );
    expectAllclose(k2.result(), 0.5);
    const s = new metrics.SparseTopKCategoricalAccuracy({ k: 1 });
    s.updateState(
      [2, 1],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
    );
    expectAllclose(s.result(), 0.5);
    s.resetState();
    s.updateState(
      [2, 1],
      [
        [0.1, 0.9, 0.8],
        [0.05, 0.95, 0],
      ],
      [0.7, 0.3],
    );
    expectAllclose(s.result(), 0.3);
    const ids = new metrics.SparseTopKCategoricalAccuracy({ k: 2, fromSortedIds: true });
    ids.updateState(
      [2, 1, 5],
      [
        [1, 2, 0],
        [0, 2, 1],
        [5, 1, 0],
      ],
    );
    expectAllclose(ids.result(), 2 / 3);
    // ties with the k-th score count as in the top k (Keras in_top_k)
    expectAllclose(
      metrics.sparseTopKCategoricalAccuracy(
        [0, 1],
        [
          [0.5, 0.5, 0.1],
          [0.5, 0.5, 0.1],
        ],
        { k: 1 },
      ),
      [1, 1],
    );
  });
});

describe("confusion counts, precision and recall", () => {
  it("TP / FP / TN / FN with and without weights", () => {
    const cases: [Metric, number[], number[], number, number][] = [
      [new metrics.FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1], 2, 1],
      [new metrics.FalseNegatives(), [0, 1, 1, 1], [0, 1, 0, 0], 2, 1],
      [new metrics.TrueNegatives(), [0, 1, 0, 0], [1, 1, 0, 0], 2, 1],
      [new metrics.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1], 2, 1],
    ];
    for (const [m, yt, yp, plain, weighted] of cases) {
      m.updateState(yt, yp);
      expectAllclose(m.result(), plain);
      m.resetState();
      m.updateState(yt, yp, [0, 0, 1, 0]);
      expectAllclose(m.result(), weighted);
    }
  });
  it("several thresholds give one count each", () => {
    const m = new metrics.TruePositives({ thresholds: [0.15, 0.5, 0.85] });
    m.updateState([1, 1, 1, 0], [0.1, 0.6, 0.9, 0.95]);
    expectAllclose(m.result(), [2, 2, 1]);
    // evenly spaced thresholds take the bucketed path: predictions equal to a threshold are not above it
    const e = new metrics.TruePositives({ thresholds: [0, 0.5, 1] });
    e.updateState([1, 1, 1, 1], [0, 0.5, 0.75, 1]);
    expectAllclose(e.result(), [3, 2, 0]);
  });
  it("Precision and Recall (thresholds, top_k, class_id)", () => {
    const p = new metrics.Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectAllclose(p.result(), 2 / 3);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectAllclose(p.result(), 1);
    const top2 = new metrics.Precision({ topK: 2 });
    top2.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectAllclose(top2.result(), 0);
    const top4 = new metrics.Precision({ topK: 4 });
    top4.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectAllclose(top4.result(), 0.5);

    const r = new metrics.Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectAllclose(r.result(), 2 / 3);
    r.resetState();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectAllclose(r.result(), 1);

    // y_true [1, 1, 0, 1, 0], y_pred [0.9, 0.4, 0.6, 0.8, 0.2]
    // t=0.3: tp 3 fp 1 fn 0 -> P 0.75 R 1; t=0.7: tp 2 fp 0 fn 1 -> P 1 R 2/3
    const pt = new metrics.Precision({ thresholds: [0.3, 0.7] });
    const rt = new metrics.Recall({ thresholds: [0.3, 0.7] });
    pt.updateState([1, 1, 0, 1, 0], [0.9, 0.4, 0.6, 0.8, 0.2]);
    rt.updateState([1, 1, 0, 1, 0], [0.9, 0.4, 0.6, 0.8, 0.2]);
    expectAllclose(pt.result(), [0.75, 1]);
    expectAllclose(rt.result(), [1, 2 / 3]);

    const yt = [
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ];
    const yp = [
      [0.2, 0.7, 0.1],
      [0.1, 0.6, 0.3],
      [0.3, 0.6, 0.1],
      [0.6, 0.3, 0.1],
    ];
    const pc = new metrics.Precision({ classId: 1 });
    pc.updateState(yt, yp);
    expectAllclose(pc.result(), 1 / 3); // class 1 predicted in rows 0, 1, 2; right in row 0
    const rc = new metrics.Recall({ classId: 1 });
    rc.updateState(yt, yp);
    expectAllclose(rc.result(), 1 / 2); // class 1 true in rows 0, 3; found in row 0
    const pk = new metrics.Precision({ topK: 1, classId: 0 });
    pk.updateState(yt, yp);
    expectAllclose(pk.result(), 0); // class 0 is the top-1 only in row 3, where it is wrong
  });
});

/**
 * Keras' AUC in float64: thresholds [-eps, 1/(T-1), ..., (T-2)/(T-1), 1+eps], bucketed counts
 * (`_update_confusion_matrix_variables_optimized`) and `AUC.result` (ROC / PR, interpolation).
 */
function kerasAuc(
  yTrue: number[],
  yPred: number[],
  T: number,
  curve: "ROC" | "PR",
  w?: number[],
): number {
  const tpB = new Float64Array(T);
  const fpB = new Float64Array(T);
  let totT = 0;
  let totF = 0;
  yPred.forEach((p0, i) => {
    const p = Math.min(Math.max(p0, 0), 1);
    const b = Math.max(Math.ceil(p * (T - 1)) - 1, 0);
    const wi = w ? w[i]! : 1;
    const y = yTrue[i] ? 1 : 0;
    tpB[b] += y * wi;
    fpB[b] += (1 - y) * wi;
    totT += y * wi;
    totF += (1 - y) * wi;
  });
  const tp = new Float64Array(T);
  const fp = new Float64Array(T);
  for (let i = T - 1, a = 0, c = 0; i >= 0; i--) {
    a += tpB[i]!;
    c += fpB[i]!;
    tp[i] = a;
    fp[i] = c;
  }
  const fn = tp.map((v) => totT - v);
  const tn = fp.map((v) => totF - v);
  const dnn = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  let auc = 0;
  if (curve === "PR") {
    for (let i = 0; i < T - 1; i++) {
      const dtp = tp[i]! - tp[i + 1]!;
      const pA = tp[i]! + fp[i]!;
      const pB = tp[i + 1]! + fp[i + 1]!;
      const slope = dnn(dtp, Math.max(pA - pB, 0));
      const intercept = tp[i + 1]! - slope * pB;
      const ratio = pA > 0 && pB > 0 ? dnn(pA, Math.max(pB, 0)) : 1;
      auc += dnn(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1]! + fn[i + 1]!, 0));
    }
    return auc;
  }
  const x = Array.from(fp, (v, i) => dnn(v, v + tn[i]!));
  const y = Array.from(tp, (v, i) => dnn(v, v + fn[i]!));
  for (let i = 0; i < T - 1; i++) auc += (x[i]! - x[i + 1]!) * ((y[i]! + y[i + 1]!) / 2);
  return auc;
}

describe("AUC", () => {
  // 40 fixed samples, predictions kept away from the bucket edges of a 50-threshold grid.
  const n = 40;
  const raw = randomValues(n, 42, 0, 1);
  const yPred = Array.from(raw, (v) => Math.round(v * 49 * 1000) / 1000 / 49 + 0.0031);
  const yTrue = Array.from(randomValues(n, 7, 0, 1), (v, i) => (v + 0.5 * yPred[i]! > 0.6 ? 1 : 0));
  const weights = Array.from(randomValues(n, 9, 0, 2));

  it("ROC and PR match a float64 re-implementation of Keras' algorithm", () => {
    for (const curve of ["ROC", "PR"] as const) {
      for (const T of [50, 200]) {
        const m = new metrics.AUC({ numThresholds: T, curve });
        m.updateState(yTrue.slice(0, 25), yPred.slice(0, 25));
        m.updateState(yTrue.slice(25), yPred.slice(25));
        expectAllclose(m.result(), kerasAuc(yTrue, yPred, T, curve), { atol: 1e-5, rtol: 1e-5 });
        const mw = new metrics.AUC({ numThresholds: T, curve });
        mw.updateState(yTrue, yPred, weights);
        expectAllclose(mw.result(), kerasAuc(yTrue, yPred, T, curve, weights), {
          atol: 1e-5,
          rtol: 1e-5,
        });
      }
    }
  });
  it("Keras docstring example: 0.75, and 1.0 with weights", () => {
    const m = new metrics.AUC({ numThresholds: 3 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expectAllclose(m.result(), 0.75);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    expectAllclose(m.result(), 1);
  });
  it("analytic values: perfect ranking 1, reversed 0, constant 0.5", () => {
    const perfect = new metrics.AUC();
    perfect.updateState([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.8, 0.9, 0.3, 0.7]);
    expectAllclose(perfect.result(), 1);
    const pr = new metrics.AUC({ curve: "PR" });
    pr.updateState([0, 0, 1, 1, 0, 1], [0.1, 0.2, 0.8, 0.9, 0.3, 0.7]);
    expectAllclose(pr.result(), 1, { atol: 1e-6 });
    const reversed = new metrics.AUC();
    reversed.updateState([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]);
    expectAllclose(reversed.result(), 0);
    const constant = new metrics.AUC();
    constant.updateState([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]);
    expectAllclose(constant.result(), 0.5);
  });
  it("minoring / majoring bound interpolation; logits; explicit thresholds; multi-label", () => {
    const get = (o: metrics.AUCOptions): number => {
      const m = new metrics.AUC(o);
      m.updateState(yTrue, yPred);
      return m.result().dataSync()[0]!;
    };
    const mid = get({ numThresholds: 20 });
    expect(get({ numThresholds: 20, summationMethod: "minoring" })).toBeLessThanOrEqual(mid + 1e-7);
    expect(get({ numThresholds: 20, summationMethod: "majoring" })).toBeGreaterThanOrEqual(
      mid - 1e-7,
    );
    const logits = yPred.map((p) => Math.log(p / (1 - p)));
    const ml = new metrics.AUC({ numThresholds: 50, fromLogits: true });
    ml.updateState(yTrue, logits);
    expectAllclose(ml.result(), kerasAuc(yTrue, yPred, 50, "ROC"), { atol: 1e-5 });
    // thresholds [0.25, 0.5, 0.75] plus the endpoints are the evenly spaced grid of 5
    const explicit = new metrics.AUC({ thresholds: [0.75, 0.25, 0.5] });
    explicit.updateState(yTrue, yPred);
    expectAllclose(explicit.result(), get({ numThresholds: 5 }), { atol: 1e-6 });
    expect(explicit.getConfig().thresholds).toEqual([0.25, 0.5, 0.75]);
    // multi-label: the mean of the per-column AUCs
    const col2 = yPred.map((p) => 1 - p);
    const two = (i: number): number[] => [yPred[i]!, col2[i]!];
    const multi = new metrics.AUC({ numThresholds: 50, multiLabel: true });
    multi.updateState(
      yTrue.map((y) => [y, 1 - y]),
      yPred.map((_, i) => two(i)),
    );
    const expected =
      (kerasAuc(yTrue, yPred, 50, "ROC") +
        kerasAuc(
          yTrue.map((y) => 1 - y),
          col2,
          50,
          "ROC",
        )) /
      2;
    expectAllclose(multi.result(), expected, { atol: 1e-5 });
  });
  it("config", () => {
    expect(new metrics.AUC({ name: "auc" }).getConfig()).toEqual({
      name: "auc",
      dtype: "float32",
      num_thresholds: 200,
      curve: "ROC",
      summation_method: "interpolation",
      multi_label: false,
      num_labels: null,
      label_weights: null,
      from_logits: false,
    });
    expect(new metrics.AUC().name).toMatch(/^auc(_\d+)?$/);
    expect(new metrics.AUC().thresholds.length).toBe(200);
    expect(new metrics.AUC().thresholds[0]).toBeCloseTo(-1e-7, 12);
  });
});

describe("reduce and regression metrics", () => {
  it("Sum and Mean", () => {
    const s = new metrics.Sum();
    s.updateState([1, 3, 5, 7]);
    expectAllclose(s.result(), 16);
    s.resetState();
    s.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectAllclose(s.result(), 4);
    const m = new metrics.Mean();
    m.updateState([1, 3, 5, 7]);
    expectAllclose(m.result(), 4);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectAllclose(m.result(), 2);
    m.resetState();
    expectAllclose(m.result(), 0);
  });
  it("regression and probabilistic metrics (Keras docstring values)", () => {
    const yt = [
      [0, 1],
      [0, 0],
    ];
    const yp = [
      [1, 1],
      [0, 0],
    ];
    const check = (m: Metric, plain: number, weighted?: number, t = yt, p = yp): void => {
      m.updateState(t, p);
      expectAllclose(m.result(), plain, { atol: 1e-6, rtol: 1e-5 });
      if (weighted !== undefined) {
        m.resetState();
        m.updateState(t, p, [1, 0]);
        expectAllclose(m.result(), weighted, { atol: 1e-6, rtol: 1e-5 });
      }
    };
    check(new metrics.MeanSquaredError(), 0.25);
    check(new metrics.MeanAbsoluteError(), 0.25, 0.5);
    check(new metrics.MeanAbsolutePercentageError(), 250000000.0, 500000000.0);
    check(new metrics.MeanSquaredLogarithmicError(), 0.12011322, 0.24022643);
    check(new metrics.RootMeanSquaredError(), 0.5, 0.70710677);
    check(new metrics.LogCoshError(), 0.10844523, 0.21689045);
    check(new metrics.Poisson(), 0.49999997, 0.99999994);
    const probs = [
      [0.6, 0.4],
      [0.4, 0.6],
    ];
    check(new metrics.KLDivergence(), 0.45814306, 0.9162892, yt, probs);
    check(new metrics.BinaryCrossentropy(), 0.81492424, 0.9162905, yt, probs);
    const cos = new metrics.CosineSimilarity({ axis: 1 });
    cos.updateState(
      [
        [0, 1],
        [1, 1],
      ],
      [
        [1, 0],
        [1, 1],
      ],
    );
    expectAllclose(cos.result(), 0.5, { atol: 1e-6 });
    cos.resetState();
    cos.updateState(
      [
        [0, 1],
        [1, 1],
      ],
      [
        [1, 0],
        [1, 1],
      ],
      [0.3, 0.7],
    );
    expectAllclose(cos.result(), 0.7, { atol: 1e-6 });
    const cce = new metrics.CategoricalCrossentropy();
    cce.updateState(
      [
        [0, 1, 0],
        [0, 0, 1],
      ],
      [
        [0.05, 0.95, 0],
        [0.1, 0.8, 0.1],
      ],
    );
    expectAllclose(cce.result(), 1.1769392, { atol: 1e-6 });
    cce.resetState();
    cce.updateState(
      [
        [0, 1, 0],
        [0, 0, 1],
      ],
      [
        [0.05, 0.95, 0],
        [0.1, 0.8, 0.1],
      ],
      [0.3, 0.7],
    );
    expectAllclose(cce.result(), 1.6271976, { atol: 1e-6 });
    const scce = new metrics.SparseCategoricalCrossentropy();
    scce.updateState(
      [1, 2],
      [
        [0.05, 0.95, 0],
        [0.1, 0.8, 0.1],
      ],
    );
    expectAllclose(scce.result(), 1.1769392, { atol: 1e-6 });
    const h = new metrics.Hinge();
    h.updateState(
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0.6, 0.4],
        [0.4, 0.6],
      ],
    );
    expectAllclose(h.result(), 1.3, { atol: 1e-6 });
    const sh = new metrics.SquaredHinge();
    sh.updateState(
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0.6, 0.4],
        [0.4, 0.6],
      ],
    );
    expectAllclose(sh.result(), 1.86, { atol: 1e-6 });
    const ch = new metrics.CategoricalHinge();
    ch.updateState(
      [
        [0, 1],
        [0, 0],
      ],
      [
        [0.6, 0.4],
        [0.4, 0.6],
      ],
    );
    expectAllclose(ch.result(), 1.4, { atol: 1e-6 });
  });
  it("MeanMetricWrapper of a custom function", () => {
    const m = new metrics.MeanMetricWrapper((t, p) => lax.abs(lax.sub(t, p)), { name: "abs_err" });
    m.updateState([1, 2, 3], [1, 1, 1]);
    expectAllclose(m.result(), 1);
    expect(m.name).toBe("abs_err");
  });
});

describe("metric state", () => {
  it("resetState zeroes every variable", () => {
    const m = new metrics.AUC({ numThresholds: 10 });
    m.updateState([0, 1, 1], [0.2, 0.6, 0.9]);
    expect(m.variables.length).toBe(4);
    expect(m.variables.some((v) => Array.from(v.value.dataSync()).some((x) => x !== 0))).toBe(true);
    m.resetState();
    for (const v of m.variables)
      expect(Array.from(v.value.dataSync()).every((x) => x === 0)).toBe(true);
    expect(m.variables.map((v) => v.path)).toEqual(
      [
        "auc_1/true_positives",
        "auc_1/false_positives",
        "auc_1/true_negatives",
        "auc_1/false_negatives",
      ].map((p) => p.replace("auc_1", m.name)),
    );
    expect(m.variables.every((v) => !v.trainable)).toBe(true);
  });
  it("100 updateState calls leave the live-tensor count unchanged", () => {
    const yt = lax.constant([0, 1, 1, 0, 1, 0], [3, 2], "float32");
    const yp = lax.constant([0.2, 0.7, 0.6, 0.4, 0.9, 0.1], [3, 2], "float32");
    const labels = lax.constant([1, 0, 1], [3], "int32");
    const ms: Metric[] = [
      new metrics.Mean(),
      new metrics.BinaryAccuracy(),
      new metrics.CategoricalAccuracy(),
      new metrics.AUC(),
      new metrics.AUC({ curve: "PR", multiLabel: true }),
      new metrics.Precision({ thresholds: [0.3, 0.6] }),
      new metrics.Recall({ topK: 1 }),
      new metrics.TruePositives(),
      new metrics.RootMeanSquaredError(),
      new metrics.BinaryCrossentropy(),
    ];
    const sparse = new metrics.SparseCategoricalAccuracy();
    const run = (): void => {
      for (const m of ms) m.updateState(yt, yp, [1, 0.5, 2]);
      sparse.updateState(labels, yp);
      ms[0]!.updateState([1, 2, 3]);
    };
    run(); // lazily built state (multi-label AUC) exists from here on
    const before = memory().numTensors;
    for (let i = 0; i < 100; i++) run();
    expect(memory().numTensors).toBe(before);
    for (const m of ms) m.result().dispose();
    m0ResultsAreStable(ms[0]!);
    expect(memory().numTensors).toBe(before);
  });
});

function m0ResultsAreStable(m: Metric): void {
  const a = m.result();
  const b = m.result();
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  a.dispose();
  b.dispose();
}

describe("metric configs, get and resolveAccuracy", () => {
  it("configs use Keras keys", () => {
    expect(new metrics.BinaryAccuracy().getConfig()).toEqual({
      name: "binary_accuracy",
      dtype: "float32",
      threshold: 0.5,
    });
    expect(new metrics.SparseTopKCategoricalAccuracy().getConfig()).toEqual({
      name: "sparse_top_k_categorical_accuracy",
      dtype: "float32",
      k: 5,
      from_sorted_ids: false,
    });
    expect(new metrics.Precision({ thresholds: [0.3, 0.6] }).getConfig()).toMatchObject({
      thresholds: [0.3, 0.6],
      top_k: null,
      class_id: null,
    });
    expect(new metrics.FalseNegatives({ name: "fn" }).getConfig()).toEqual({
      name: "fn",
      dtype: "float32",
      thresholds: null,
    });
    expect(new metrics.CategoricalCrossentropy().getConfig()).toEqual({
      name: "categorical_crossentropy",
      dtype: "float32",
      from_logits: false,
      label_smoothing: 0,
      axis: -1,
    });
    const p = metrics.Precision.fromConfig({
      name: "p",
      dtype: "float32",
      thresholds: 0.7,
      top_k: null,
      class_id: 1,
    }) as metrics.Precision;
    expect(p.thresholds).toEqual([0.7]);
    expect(p.classId).toBe(1);
    const back = metrics.deserialize(
      metrics.serialize(new metrics.AUC({ curve: "PR", numThresholds: 7 })),
    ) as metrics.AUC;
    expect(back).toBeInstanceOf(metrics.AUC);
    expect(back.curve).toBe("PR");
    expect(back.numThresholds).toBe(7);
  });
  it("get resolves class names, snake_case names and aliases", () => {
    expect(metrics.get("mse")).toBeInstanceOf(metrics.MeanSquaredError);
    expect(metrics.get("mean_squared_error")).toBeInstanceOf(metrics.MeanSquaredError);
    expect(metrics.get("AUC")).toBeInstanceOf(metrics.AUC);
    expect(metrics.get("auc")).toBeInstanceOf(metrics.AUC);
    expect(metrics.get("binary_accuracy")).toBeInstanceOf(metrics.BinaryAccuracy);
    expect(metrics.get("accuracy")).toBeInstanceOf(metrics.Accuracy);
    expect(metrics.get({ class_name: "Precision", config: { thresholds: 0.7 } })).toBeInstanceOf(
      metrics.Precision,
    );
    expect(() => metrics.get("nope")).toThrow(/Received: metric=nope$/);
  });
  it("resolveAccuracy follows Keras 3's compile rule", () => {
    expect(metrics.resolveAccuracy("accuracy", [null, 1], [null, 1])).toBeInstanceOf(
      metrics.BinaryAccuracy,
    );
    expect(metrics.resolveAccuracy("accuracy", [null], [null, 1])).toBeInstanceOf(
      metrics.BinaryAccuracy,
    );
    expect(metrics.resolveAccuracy("accuracy", [null], [null, 10])).toBeInstanceOf(
      metrics.SparseCategoricalAccuracy,
    );
    expect(metrics.resolveAccuracy("acc", [null, 1], [null, 10])).toBeInstanceOf(
      metrics.SparseCategoricalAccuracy,
    );
    const c = metrics.resolveAccuracy("acc", [null, 10], [null, 10]);
    expect(c).toBeInstanceOf(metrics.CategoricalAccuracy);
    expect(c.name).toBe("acc");
    const g = metrics.getMetric("accuracy", [null], [null, 3])!;
    expect(g).toBeInstanceOf(metrics.SparseCategoricalAccuracy);
    expect(g.name).toBe("accuracy");
    const mae = metrics.getMetric("mae", [null, 1], [null, 1])!;
    expect(mae).toBeInstanceOf(metrics.MeanAbsoluteError);
    expect(mae.name).toBe("mae");
    expect(mae.variables.map((v) => v.path)).toEqual(["mae/total", "mae/count"]);
    expect(metrics.getMetric(metrics.binaryAccuracy, [null, 1], [null, 1])).toBeInstanceOf(
      metrics.MeanMetricWrapper,
    );
  });
});

describe("metric errors name the metric and end with Received", () => {
  it("mismatched shapes", () => {
    expect(() => new metrics.BinaryAccuracy().updateState([[1, 0, 1]], [[0.5, 0.5]])).toThrow(
      /^BinaryAccuracy "binary_accuracy": .*Received: .*$/,
    );
    expect(() => new metrics.MeanSquaredError().updateState([[1, 0, 1]], [[0.5, 0.5]])).toThrow(
      /^MeanSquaredError "mean_squared_error": .*Received: .*$/,
    );
    expect(() =>
      new metrics.CategoricalCrossentropy().updateState([[1, 0, 1]], [[0.5, 0.5]]),
    ).toThrow(
      /^CategoricalCrossentropy "categorical_crossentropy": .*Received: y_true\.shape=\(1, 3\), y_pred\.shape=\(1, 2\)$/,
    );
    expect(() => new metrics.AUC().updateState([1, 0, 1], [0.5, 0.5])).toThrow(
      /^AUC "auc.*": .*Received: .*$/,
    );
  });
  it("bad arguments", () => {
    expect(() => new metrics.BinaryAccuracy({ threshold: 1.5 })).toThrow(
      /Received: threshold=1.5$/,
    );
    expect(() => new metrics.Precision({ thresholds: [0.5, 2] })).toThrow(/Received: \(2,\)$/);
    expect(() => new metrics.AUC({ numThresholds: 1 })).toThrow(/Received: num_thresholds=1$/);
    expect(() => new metrics.AUC({ curve: "XY" as never })).toThrow(/Received: curve=XY$/);
    expect(() => new metrics.Precision({ classId: 0 }).updateState([1, 0], [0.4, 0.6])).toThrow(
      /Received: y_pred\.shape=\(2,\)$/,
    );
  });
});
