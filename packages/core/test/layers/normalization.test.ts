/**
 * Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
 * UnitNormalization, RMSNormalization. Facets: the standard layer checks, values against float64
 * references of the Keras formulas (population variance), BatchNormalization's training vs
 * inference modes and moving-statistic updates (numbers, no leaks, `trainable = false`), configs
 * as Keras writes them, gradients against central differences, and errors.
 */
import { describe, expect, it } from "vitest";
import { KerasTensor, Tensor, memory, ops, tidy } from "../../src/index";
import { Input } from "../../src/layers/core/input_layer";
import {
  BatchNormalization,
  GroupNormalization,
  LayerNormalization,
  RMSNormalization,
  UnitNormalization,
} from "../../src/layers/normalization/index";
import type { Layer } from "../../src/layers/layer";
import { Functional } from "../../src/models/functional";
import { runLayerTest, tensor } from "./harness";
import { expectAllclose, numericGrad, randomValues } from "../utils";

type Arr = { data: Float64Array; shape: number[] };
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Random values rounded to float32 (what the layer sees), as float64. */
const rand = (shape: number[], seed: number, lo = -1, hi = 1): Arr => ({
  data: Float64Array.from(randomValues(size(shape), seed, lo, hi)),
  shape,
});
const t = (a: Arr): Tensor => tensor(a.data, a.shape);
const data = (x: Tensor): number[] => Array.from(x.dataSync());

function stridesOf(s: readonly number[]): number[] {
  const out = new Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) out[i] = out[i + 1]! * s[i + 1]!;
  return out;
}

/** Flat indices grouped by a key computed from the multi-index. */
function groupBy(shape: number[], key: (idx: number[]) => number, nGroups: number): number[][] {
  const groups: number[][] = Array.from({ length: nGroups }, () => []);
  const st = stridesOf(shape);
  for (let f = 0; f < size(shape); f++) {
    const idx = shape.map((d, i) => Math.floor(f / st[i]!) % d);
    groups[key(idx)]!.push(f);
  }
  return groups;
}

/** Mean and population variance of x over each group of flat indices (two-pass, float64). */
function stats(x: Float64Array, groups: number[][]): [number[], number[]] {
  const m = groups.map((g) => g.reduce((a, i) => a + x[i]!, 0) / g.length);
  const v = groups.map((g, j) => g.reduce((a, i) => a + (x[i]! - m[j]!) ** 2, 0) / g.length);
  return [m, v];
}

/** BatchNormalization along `axis` with the given statistics, float64. */
function bnRef(
  x: Arr,
  axis: number,
  mean: number[],
  variance: number[],
  gamma: number[] | null,
  beta: number[] | null,
  eps: number,
): Arr {
  const ax = axis < 0 ? x.shape.length + axis : axis;
  const st = stridesOf(x.shape);
  return {
    data: x.data.map((v, f) => {
      const c = Math.floor(f / st[ax]!) % x.shape[ax]!;
      return (
        ((v - mean[c]!) / Math.sqrt(variance[c]! + eps)) * (gamma ? gamma[c]! : 1) +
        (beta ? beta[c]! : 0)
      );
    }),
    shape: x.shape,
  };
}

function bnTrainRef(
  x: Arr,
  axis: number,
  gamma: number[] | null,
  beta: number[] | null,
  eps: number,
): Arr {
  const ax = axis < 0 ? x.shape.length + axis : axis;
  const [m, v] = stats(
    x.data,
    groupBy(x.shape, (idx) => idx[ax]!, x.shape[ax]!),
  );
  return bnRef(x, axis, m, v, gamma, beta, eps);
}

/** LayerNormalization over `axes` (non-negative), gamma / beta over those axes, float64. */
function lnRef(
  x: Arr,
  axes: number[],
  gamma: Float64Array | null,
  beta: Float64Array | null,
  eps: number,
  rms = false,
): Arr {
  const outer = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ost = stridesOf(outer);
  const inner = axes.map((a) => x.shape[a]!);
  const ist = stridesOf(inner);
  const key = (idx: number[]) =>
    idx.reduce((a, v, i) => a + (axes.includes(i) ? 0 : v * ost[i]!), 0);
  const [m, v] = stats(x.data, groupBy(x.shape, key, size(outer)));
  const st = stridesOf(x.shape);
  return {
    data: x.data.map((val, f) => {
      const idx = x.shape.map((d, i) => Math.floor(f / st[i]!) % d);
      const k = key(idx);
      const p = axes.reduce((a, ax, j) => a + idx[ax]! * ist[j]!, 0);
      const g = gamma ? gamma[p]! : 1;
      if (rms) return (val / Math.sqrt(v[k]! + eps)) * g;
      return ((val - m[k]!) / Math.sqrt(v[k]! + eps)) * g + (beta ? beta[p]! : 0);
    }),
    shape: x.shape,
  };
}

/** GroupNormalization, float64: per sample and group of channels along `axis`. */
function gnRef(
  x: Arr,
  groups: number,
  axis: number,
  gamma: number[] | null,
  beta: number[] | null,
  eps: number,
): Arr {
  const ax = axis < 0 ? x.shape.length + axis : axis;
  const C = x.shape[ax]!;
  const per = C / groups;
  const key = (idx: number[]) => idx[0]! * groups + Math.floor(idx[ax]! / per);
  const [m, v] = stats(x.data, groupBy(x.shape, key, x.shape[0]! * groups));
  const st = stridesOf(x.shape);
  return {
    data: x.data.map((val, f) => {
      const idx = x.shape.map((d, i) => Math.floor(f / st[i]!) % d);
      const k = key(idx);
      const c = idx[ax]!;
      return (
        ((val - m[k]!) / Math.sqrt(v[k]! + eps)) * (gamma ? gamma[c]! : 1) + (beta ? beta[c]! : 0)
      );
    }),
    shape: x.shape,
  };
}

function setWeights(layer: Layer, arrays: ArrayLike<number>[]): void {
  layer.setWeights(arrays.map((a) => Float32Array.from(a)));
}

/** Autodiff of `sum(layer(x, training) * r)` w.r.t. x and the trainable weights vs central differences. */
function checkLayerGrads(
  layer: Layer,
  x: Arr,
  ref: (x: Arr, ws: Float64Array[]) => Arr,
  training: boolean,
  { atol = 2e-3, rtol = 2e-3 } = {},
): void {
  const ws = layer.trainableWeights;
  const wArrs = ws.map((w) => Float64Array.from(w.value.dataSync()));
  const r = rand(ref(x, wArrs).shape, 99);
  const loss64 = (xa: Arr, wa: Float64Array[]) =>
    ref(xa, wa).data.reduce((acc, v, i) => acc + v * r.data[i]!, 0);
  tidy(() => {
    const xt = t(x);
    const rt = t(r);
    const f = () => ops.sum(ops.multiply(layer.apply(xt, { training }) as Tensor, rt));
    const [value, gx] = ops.valueAndGrad((xx: Tensor) =>
      ops.sum(ops.multiply(layer.apply(xx, { training }) as Tensor, rt)),
    )(xt);
    expectAllclose(value, loss64(x, wArrs), { atol: 1e-4, rtol: 1e-4 });
    expectAllclose(
      gx as Tensor,
      numericGrad((xd) => loss64({ data: xd, shape: x.shape }, wArrs), x.data, 1e-3),
      { atol, rtol },
    );
    const [, wg] = ops.valueAndGrad((_vals: Tensor[]) => f())(ws.map((w) => w.value));
    (wg as Tensor[]).forEach((g, i) => {
      const num = numericGrad(
        (wd) =>
          loss64(
            x,
            wArrs.map((a, j) => (j === i ? wd : a)),
          ),
        wArrs[i]!,
        1e-3,
      );
      expectAllclose(g, num, { atol, rtol });
    });
  });
}

const POLICY = {
  module: "keras",
  class_name: "DTypePolicy",
  config: { name: "float32" },
  registered_name: null,
};
const init = (name: string) => ({
  module: "keras.initializers",
  class_name: name,
  config: {},
  registered_name: null,
});

// ---------------------------------------------------------------------------------------------

describe("BatchNormalization", () => {
  it("layer checks", () => {
    runLayerTest(BatchNormalization, {
      init: {},
      inputShape: [4, 3, 5],
      expectedOutputShape: [4, 3, 5],
      expectedNumTrainableWeights: 2,
      expectedNumNonTrainableWeights: 2,
      expectedWeightNames: ["gamma", "beta", "moving_mean", "moving_variance"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
    runLayerTest(BatchNormalization, {
      init: { axis: 1, center: false, scale: false },
      inputShape: [4, 3, 5],
      callArgs: { training: true },
      expectedOutputShape: [4, 3, 5],
      expectedNumTrainableWeights: 0,
      expectedNumNonTrainableWeights: 2,
      expectedWeightNames: ["moving_mean", "moving_variance"],
    });
  });

  it("Keras config (the b_cnn BatchNormalization config)", () => {
    const bn = new BatchNormalization({ name: "bn_cfg" });
    bn.apply(Input([28, 28, 8]));
    expect(bn.getConfig()).toEqual({
      name: "bn_cfg",
      trainable: true,
      dtype: POLICY,
      axis: -1,
      momentum: 0.99,
      epsilon: 0.001,
      center: true,
      scale: true,
      beta_initializer: init("Zeros"),
      gamma_initializer: init("Ones"),
      moving_mean_initializer: init("Zeros"),
      moving_variance_initializer: init("Ones"),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
      synchronized: false,
      renorm: false,
      renorm_clipping: null,
      renorm_momentum: 0.99,
    });
    expect(Object.keys(bn.getConfig()).slice(3)).toEqual([
      "axis",
      "momentum",
      "epsilon",
      "center",
      "scale",
      "beta_initializer",
      "gamma_initializer",
      "moving_mean_initializer",
      "moving_variance_initializer",
      "beta_regularizer",
      "gamma_regularizer",
      "beta_constraint",
      "gamma_constraint",
      "synchronized",
      "renorm",
      "renorm_clipping",
      "renorm_momentum",
    ]);
    expect(bn.getBuildConfig()).toEqual({ input_shape: [null, 28, 28, 8] });
  });

  it("inference uses the moving statistics", () => {
    const bn = new BatchNormalization({ epsilon: 0.01 });
    bn.apply(Input([3, 4]));
    const g = rand([4], 1, 0.5, 1.5).data;
    const b = rand([4], 2).data;
    const mm = rand([4], 3).data;
    const mv = rand([4], 4, 0.5, 2).data;
    setWeights(bn, [g, b, mm, mv]);
    const x = rand([2, 3, 4], 5);
    const f = (a: Float64Array) => Array.from(Float32Array.from(a));
    const want = bnRef(x, -1, f(mm), f(mv), f(g), f(b), 0.01);
    tidy(() => {
      expectAllclose(bn.apply(t(x)) as Tensor, want.data, { atol: 1e-5 });
      expectAllclose(bn.apply(t(x), { training: false }) as Tensor, want.data, { atol: 1e-5 });
    });
  });

  it("training uses batch statistics (population variance) and updates the moving statistics", () => {
    const bn = new BatchNormalization({ axis: 1, momentum: 0.9 });
    const x = rand([4, 3, 2], 6, -2, 3);
    bn.apply(Input([3, 2]));
    const g = rand([3], 7, 0.5, 1.5).data;
    const b = rand([3], 8).data;
    setWeights(bn, [g, b, [0.1, 0.2, 0.3], [1, 2, 3]]);
    const gf = Array.from(Float32Array.from(g));
    const bf = Array.from(Float32Array.from(b));
    const [m, v] = stats(
      x.data,
      groupBy(x.shape, (idx) => idx[1]!, 3),
    );
    tidy(() => {
      const y = bn.apply(t(x), { training: true }) as Tensor;
      expectAllclose(y, bnTrainRef(x, 1, gf, bf, 1e-3).data, { atol: 1e-5 });
    });
    let wantMean = [0.1, 0.2, 0.3].map((mm, i) => mm * 0.9 + m[i]! * (1 - 0.9));
    let wantVar = [1, 2, 3].map((vv, i) => vv * 0.9 + v[i]! * (1 - 0.9));
    expectAllclose(bn.movingMean!.value, wantMean, { atol: 1e-6 });
    expectAllclose(bn.movingVariance!.value, wantVar, { atol: 1e-6 });
    // A second step moves them again; inference then uses them.
    tidy(() => void bn.apply(t(x), { training: true }));
    wantMean = wantMean.map((mm, i) => mm * 0.9 + m[i]! * 0.1);
    wantVar = wantVar.map((vv, i) => vv * 0.9 + v[i]! * 0.1);
    expectAllclose(bn.movingMean!.value, wantMean, { atol: 1e-6 });
    expectAllclose(bn.movingVariance!.value, wantVar, { atol: 1e-6 });
    tidy(() =>
      expectAllclose(bn.apply(t(x)) as Tensor, bnRef(x, 1, wantMean, wantVar, gf, bf, 1e-3).data, {
        atol: 1e-5,
      }),
    );
  });

  it("training steps do not leak; the update is not recorded by gradient tapes", () => {
    const bn = new BatchNormalization();
    const x = t(rand([5, 3], 9));
    bn.apply(x, { training: true });
    const before = memory().numTensors;
    tidy(() => void bn.apply(x, { training: true }));
    expect(memory().numTensors).toBe(before);
    tidy(() => {
      const [, grads] = ops.valueAndGrad((_w: Tensor[]) =>
        ops.sum(ops.square(bn.apply(x, { training: true }) as Tensor)),
      )(bn.trainableWeights.map((w) => w.value));
      expect((grads as Tensor[]).length).toBe(2);
    });
    expect(memory().numTensors).toBe(before);
    // The moving statistics are still usable, concrete and kept.
    expect(bn.movingMean!.value.isDisposed).toBe(false);
    expect(data(bn.movingMean!.value).every(Number.isFinite)).toBe(true);
  });

  it("trainable = false runs in inference mode and freezes the moving statistics", () => {
    const bn = new BatchNormalization();
    const x = rand([6, 2], 10, -3, 3);
    bn.apply(Input([2]));
    setWeights(bn, [
      [1.5, 0.5],
      [0.1, -0.2],
      [0.3, -0.4],
      [2, 0.5],
    ]);
    bn.trainable = false;
    expect(bn.trainableWeights.length).toBe(0);
    expect(bn.nonTrainableWeights.length).toBe(4);
    tidy(() => {
      const y = bn.apply(t(x), { training: true }) as Tensor;
      expectAllclose(y, bnRef(x, -1, [0.3, -0.4], [2, 0.5], [1.5, 0.5], [0.1, -0.2], 1e-3).data, {
        atol: 1e-5,
      });
    });
    expectAllclose(bn.movingMean!.value, [0.3, -0.4]);
  });

  it("masked batch statistics", () => {
    const bn = new BatchNormalization({ momentum: 0, center: false, scale: false });
    const x = rand([2, 3, 2], 11);
    const mask = [1, 0, 1, 1, 1, 0];
    tidy(() => void bn.apply(t(x), { training: true, mask: tensor(mask, [2, 3], "bool") }));
    const kept = [0, 2, 3, 4];
    const xf = Float32Array.from(x.data);
    for (let c = 0; c < 2; c++) {
      const vals = kept.map((p) => xf[p * 2 + c]!);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const v = vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length;
      expectAllclose(bn.movingMean!.value.dataSync()[c]!, m, { atol: 1e-5 });
      expectAllclose(bn.movingVariance!.value.dataSync()[c]!, v, { atol: 1e-5 });
    }
    expect(() =>
      tidy(() => bn.apply(t(x), { training: true, mask: tensor([1, 1], [2], "bool") })),
    ).toThrow(/one dimension less than the inputs.*Received: mask\.shape=\(2,\)/);
  });

  it("batch renormalization: extra weights, first step output, moving statistics", () => {
    const { layer } = runLayerTest(BatchNormalization, {
      init: { renorm: true, renormClipping: { rmax: 3 } },
      inputShape: [4, 3],
      expectedOutputShape: [4, 3],
      expectedNumTrainableWeights: 2,
      expectedNumNonTrainableWeights: 5,
      expectedWeightNames: [
        "gamma",
        "beta",
        "moving_mean",
        "moving_variance",
        "moving_stddev",
        "renorm_mean",
        "renorm_stddev",
      ],
      runTrainingCheck: true,
    });
    expect(layer.getConfig().renorm_clipping).toEqual({ rmax: 3 });
    const bn = new BatchNormalization({ renorm: true, momentum: 0.5, renormMomentum: 0.5 });
    const x = rand([8, 2], 12, -1, 2);
    // Initially renorm_mean = 0, renorm_stddev = 1: r = stddev, d = mean, so y = x * gamma + beta.
    tidy(() =>
      expectAllclose(bn.apply(t(x), { training: true }) as Tensor, Float32Array.from(x.data), {
        atol: 1e-5,
      }),
    );
    const [m, v] = stats(
      x.data,
      groupBy(x.shape, (idx) => idx[1]!, 2),
    );
    const sd = v.map((vv) => Math.sqrt(vv + 1e-3));
    expectAllclose(
      bn.movingMean!.value,
      m.map((mm) => mm * 0.5),
      { atol: 1e-5 },
    );
    expectAllclose(
      bn.renormStddev!.value,
      sd.map((s) => 0.5 + s * 0.5),
      { atol: 1e-5 },
    );
    expectAllclose(
      bn.movingVariance!.value,
      sd.map((s) => Math.max((0.5 + s * 0.5) ** 2 - 1e-3, 0)),
      { atol: 1e-5 },
    );
    expect(
      () => new BatchNormalization({ renorm: true, renormClipping: { rmax: 1, rmin: 2 } }),
    ).toThrow(/rmax should be greater than rmin.*Received: rmax=1, rmin=2/);
  });

  it("gradients in training mode vs central differences", () => {
    const bn = new BatchNormalization({ epsilon: 0.01 });
    bn.apply(Input([3]));
    setWeights(bn, [
      [1.2, 0.7, 0.9],
      [0.1, -0.3, 0.2],
      [0, 0, 0],
      [1, 1, 1],
    ]);
    checkLayerGrads(
      bn,
      rand([5, 3], 13, -2, 2),
      (x, [g, b]) => bnTrainRef(x, -1, Array.from(g!), Array.from(b!), 0.01),
      true,
    );
  });

  it("inside a model: model.apply(training: true) moves the statistics, inference does not", () => {
    const x = Input([3]);
    const bn = new BatchNormalization({ momentum: 0.5 });
    const model = new Functional(x, bn.apply(x));
    const data3 = rand([4, 3], 14);
    tidy(() => void model.apply(t(data3), { training: false }));
    expectAllclose(bn.movingMean!.value, [0, 0, 0]);
    tidy(() => void model.apply(t(data3), { training: true }));
    const [m] = stats(
      data3.data,
      groupBy(data3.shape, (idx) => idx[1]!, 3),
    );
    expectAllclose(
      bn.movingMean!.value,
      m.map((v) => v * 0.5),
      { atol: 1e-6 },
    );
  });

  it("errors", () => {
    expect(() => new BatchNormalization({ axis: 3, name: "bn_ax" }).apply(Input([4, 5]))).toThrow(
      /bn_ax.*axis 3 is out of bounds.*Received: input\.shape=\(None, 4, 5\)/,
    );
    const bn = new BatchNormalization({ name: "bn_ch" });
    bn.apply(Input([4]));
    expect(() => bn.apply(Input([5]))).toThrow(
      /bn_ch.*axis -1.*value 4.*Received: input\.shape=\(None, 5\)/,
    );
    expect(() => bn.apply(Input([3, 4]))).toThrow(/bn_ch.*expected ndim=2, found ndim=3/);
  });
});

describe("LayerNormalization", () => {
  it("layer checks", () => {
    runLayerTest(LayerNormalization, {
      init: {},
      inputShape: [3, 4, 5],
      expectedOutputShape: [3, 4, 5],
      expectedNumTrainableWeights: 2,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["gamma", "beta"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
    const { layer } = runLayerTest(LayerNormalization, {
      init: { axis: [1, 2] },
      inputShape: [3, 4, 5],
      expectedOutputShape: [3, 4, 5],
      expectedWeightNames: ["gamma", "beta"],
      runTrainingCheck: true,
    });
    expect(layer.weights[0]!.shape).toEqual([4, 5]);
    runLayerTest(LayerNormalization, {
      init: { rmsScaling: true },
      inputShape: [2, 3],
      expectedWeightNames: ["gamma"],
      runTrainingCheck: true,
    });
    runLayerTest(LayerNormalization, {
      init: { center: false, scale: false },
      inputShape: [2, 3],
      expectedNumTrainableWeights: 0,
    });
  });

  it("Keras config: an int axis becomes a list when built (as in c_functional_dag)", () => {
    const ln = new LayerNormalization({ epsilon: 1e-3, name: "layer_norm_cfg" });
    expect(ln.getConfig().axis).toBe(-1);
    ln.apply(Input([12]));
    expect(ln.getConfig()).toEqual({
      name: "layer_norm_cfg",
      trainable: true,
      dtype: POLICY,
      axis: [-1],
      epsilon: 0.001,
      center: true,
      scale: true,
      rms_scaling: false,
      beta_initializer: init("Zeros"),
      gamma_initializer: init("Ones"),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    });
  });

  const cases: {
    name: string;
    shape: number[];
    axis: number | number[];
    axes: number[];
    opts?: Record<string, unknown>;
  }[] = [
    { name: "last axis", shape: [3, 6], axis: -1, axes: [1] },
    { name: "axes [1, 2] of rank 3", shape: [2, 3, 4], axis: [1, 2], axes: [1, 2] },
    { name: "middle axis of rank 3", shape: [2, 3, 4], axis: 1, axes: [1] },
    { name: "rms scaling", shape: [3, 5], axis: -1, axes: [1], opts: { rmsScaling: true } },
    { name: "no center", shape: [3, 5], axis: -1, axes: [1], opts: { center: false } },
  ];
  for (const c of cases)
    it(`values: ${c.name}`, () => {
      const ln = new LayerNormalization({ axis: c.axis, epsilon: 0.01, ...c.opts });
      ln.apply(Input(c.shape.slice(1)));
      const wshape = c.axes.map((a) => c.shape[a]!);
      const g = rand(wshape, 21, 0.5, 1.5).data;
      const b = rand(wshape, 22).data;
      const rms = c.opts?.rmsScaling === true;
      const center = c.opts?.center !== false && !rms;
      setWeights(ln, center ? [g, b] : [g]);
      const x = rand(c.shape, 23, -2, 3);
      const want = lnRef(
        x,
        c.axes,
        Float64Array.from(Float32Array.from(g)),
        center ? Float64Array.from(Float32Array.from(b)) : null,
        0.01,
        rms,
      );
      tidy(() => expectAllclose(ln.apply(t(x)) as Tensor, want.data, { atol: 1e-5 }));
    });

  it("gradients vs central differences", () => {
    const ln = new LayerNormalization({ epsilon: 0.01 });
    ln.apply(Input([4]));
    setWeights(ln, [
      [1.2, 0.7, 0.9, 1.1],
      [0.1, -0.3, 0.2, 0],
    ]);
    checkLayerGrads(ln, rand([3, 4], 24, -2, 2), (x, [g, b]) => lnRef(x, [1], g!, b!, 0.01), false);
  });

  it("errors", () => {
    expect(() => new LayerNormalization({ axis: 2, name: "ln_ax" }).apply(Input([4]))).toThrow(
      /ln_ax.*axis 2 is out of bounds.*Received: axis=2/,
    );
    expect(() => new LayerNormalization({ axis: 1.5 as number })).toThrow(
      /axis.*Received: axis=1\.5/,
    );
  });
});

describe("GroupNormalization", () => {
  it("layer checks", () => {
    const { layer } = runLayerTest(GroupNormalization, {
      init: { groups: 2 },
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["gamma", "beta"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
    expect(layer.weights[0]!.shape).toEqual([4]);
    const inst = runLayerTest(GroupNormalization, {
      init: { groups: -1 },
      inputShape: [2, 5, 3],
      expectedOutputShape: [2, 5, 3],
    });
    expect(inst.layer.getConfig().groups).toBe(3);
  });

  it("Keras config keys", () => {
    expect(Object.keys(new GroupNormalization().getConfig()).slice(3)).toEqual([
      "groups",
      "axis",
      "epsilon",
      "center",
      "scale",
      "beta_initializer",
      "gamma_initializer",
      "beta_regularizer",
      "gamma_regularizer",
      "beta_constraint",
      "gamma_constraint",
    ]);
  });

  const cases = [
    { name: "channels last, 2 groups", shape: [2, 3, 4], groups: 2, axis: -1 },
    { name: "channels first (axis 1), 3 groups, rank 4", shape: [2, 6, 2, 3], groups: 3, axis: 1 },
    { name: "one group (layer-norm like)", shape: [2, 5, 4], groups: 1, axis: -1 },
    { name: "axis -2", shape: [2, 4, 3], groups: 2, axis: -2 },
  ];
  for (const c of cases)
    it(`values: ${c.name}`, () => {
      const gn = new GroupNormalization({ groups: c.groups, axis: c.axis, epsilon: 0.01 });
      gn.apply(Input(c.shape.slice(1)));
      const C = c.shape[c.axis < 0 ? c.shape.length + c.axis : c.axis]!;
      const g = Array.from(Float32Array.from(rand([C], 31, 0.5, 1.5).data));
      const b = Array.from(Float32Array.from(rand([C], 32).data));
      setWeights(gn, [g, b]);
      const x = rand(c.shape, 33, -2, 3);
      tidy(() =>
        expectAllclose(gn.apply(t(x)) as Tensor, gnRef(x, c.groups, c.axis, g, b, 0.01).data, {
          atol: 1e-5,
        }),
      );
    });

  it("errors", () => {
    expect(() => new GroupNormalization({ groups: 3, name: "gn_div" }).apply(Input([4]))).toThrow(
      /gn_div.*multiple of the number of groups.*Received: input\.shape=\(None, 4\)/,
    );
    expect(() => new GroupNormalization({ name: "gn_many" }).apply(Input([4]))).toThrow(
      /gn_many.*groups \(32\) cannot be more than the number of channels \(4\)/,
    );
    expect(() => new GroupNormalization({ groups: 0 })).toThrow(/groups.*Received: groups=0/);
  });
});

describe("UnitNormalization and RMSNormalization", () => {
  it("UnitNormalization layer checks and values", () => {
    const { outputs, inputs } = runLayerTest(UnitNormalization, {
      init: { axis: [1, 2] },
      inputShape: [2, 3, 2],
      expectedOutputShape: [2, 3, 2],
      expectedNumTrainableWeights: 0,
      supportsMasking: true,
    });
    const x = data(inputs[0]!);
    const want = x.map((v, i) => {
      const b = Math.floor(i / 6);
      const n = Math.sqrt(x.slice(b * 6, b * 6 + 6).reduce((a, u) => a + u * u, 0));
      return v / n;
    });
    expectAllclose(outputs[0]!, want, { atol: 1e-6 });
    tidy(() => {
      expectAllclose(new UnitNormalization().apply(tensor([3, 4], [1, 2])) as Tensor, [0.6, 0.8]);
      // Zero vectors stay zero (the norm is clamped at 1e-6).
      expectAllclose(new UnitNormalization().apply(tensor([0, 0], [1, 2])) as Tensor, [0, 0]);
    });
    expect(new UnitNormalization().getConfig().axis).toBe(-1);
  });

  it("RMSNormalization layer checks and values", () => {
    const { layer } = runLayerTest(RMSNormalization, {
      init: { epsilon: 1e-3 },
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumTrainableWeights: 1,
      expectedWeightNames: ["scale"],
      runTrainingCheck: true,
    });
    expect(layer.getConfig().axis).toEqual([-1]);
    expect(layer.getConfig().epsilon).toBe(1e-3);
    const rms = new RMSNormalization();
    rms.apply(Input([3]));
    setWeights(rms, [[0.5, 1, 2]]);
    const x = rand([2, 3], 41);
    const want = Array.from(x.data).map((v, i) => {
      const row = x.data.slice(Math.floor(i / 3) * 3, Math.floor(i / 3) * 3 + 3);
      const ms = row.reduce((a, u) => a + u * u, 0) / 3;
      return (v / Math.sqrt(ms + 1e-6)) * [0.5, 1, 2][i % 3]!;
    });
    tidy(() => expectAllclose(rms.apply(t(x)) as Tensor, want, { atol: 1e-5 }));
  });
});

describe("symbolic calls keep unknown dims", () => {
  it("every normalization layer", () => {
    for (const layer of [
      new BatchNormalization(),
      new LayerNormalization(),
      new GroupNormalization({ groups: 2 }),
      new UnitNormalization(),
      new RMSNormalization(),
    ]) {
      const y = layer.apply(new KerasTensor([null, 5, 4])) as KerasTensor;
      expect(y.shape).toEqual([null, 5, 4]);
    }
    const gn = new GroupNormalization({ groups: 2 });
    const x = Input([null, 4]);
    const model = new Functional(x, gn.apply(x));
    expect(model.outputs[0]!.shape).toEqual([null, null, 4]);
    tidy(() => expect((model.apply(t(rand([2, 3, 4], 51))) as Tensor).shape).toEqual([2, 3, 4]));
  });
});
