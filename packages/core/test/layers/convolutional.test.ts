/**
 * Convolution layers: Conv1D/2D/3D, Conv1D/2D/3DTranspose, DepthwiseConv1D/2D,
 * SeparableConv1D/2D. Facets: the standard layer checks (runLayerTest), values against float64
 * loop references written here from the definitions (cross-correlation; JAX's
 * `conv_transpose(transpose_kernel=True)` for transposed convolutions, with Keras' padding
 * conversion), gradients against central differences, configs as Keras writes them, and errors.
 */
import { describe, expect, it } from "vitest";
import { KerasTensor, Tensor, ops, tidy } from "../../src/index";
import { Input } from "../../src/layers/core/input_layer";
import {
  Conv1D,
  Conv1DTranspose,
  Conv2D,
  Conv2DTranspose,
  Conv3D,
  Conv3DTranspose,
  DepthwiseConv1D,
  DepthwiseConv2D,
  SeparableConv1D,
  SeparableConv2D,
} from "../../src/layers/convolutional/index";
import type { Layer } from "../../src/layers/layer";
import { Functional } from "../../src/models/functional";
import { runLayerTest, tensor } from "./harness";
import { expectAllclose, numericGrad, randomValues } from "../utils";

// ---------------------------------------------------------------------------------------------
// float64 references

type Arr = { data: Float64Array; shape: number[] };

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number): Arr => ({
  data: Float64Array.from(randomValues(size(shape), seed)),
  shape,
});

function stridesOf(s: readonly number[]): number[] {
  const out = new Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) out[i] = out[i + 1]! * s[i + 1]!;
  return out;
}

function forEachIndex(shape: readonly number[], f: (idx: number[]) => void): void {
  const idx = new Array<number>(shape.length).fill(0);
  const n = size(shape);
  for (let c = 0; c < n; c++) {
    f(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** TF / Keras "same" pads for one dim. */
function samePads(n: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const total = Math.max((Math.ceil(n / s) - 1) * s + eff - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Channels-last grouped N-D cross-correlation: x (B, ...S, C), k (...K, C / groups, O),
 * explicit pads.
 */
function convRef(
  x: Arr,
  k: Arr,
  strides: number[],
  pads: [number, number][],
  dil: number[],
  groups = 1,
): Arr {
  const n = x.shape.length - 2;
  const B = x.shape[0]!;
  const C = x.shape[n + 1]!;
  const K = k.shape.slice(0, n);
  const cg = k.shape[n]!;
  const O = k.shape[n + 1]!;
  const og = O / groups;
  expect(cg * groups).toBe(C);
  const outS = x.shape
    .slice(1, n + 1)
    .map(
      (s, i) =>
        Math.floor((s + pads[i]![0] + pads[i]![1] - ((K[i]! - 1) * dil[i]! + 1)) / strides[i]!) + 1,
    );
  const outShape = [B, ...outS, O];
  const out = new Float64Array(size(outShape));
  const xs = stridesOf(x.shape);
  const ks = stridesOf(k.shape);
  const os = stridesOf(outShape);
  forEachIndex([B, ...outS], (bo) => {
    const b = bo[0]!;
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / og);
      let acc = 0;
      forEachIndex(K, (kk) => {
        let xoff = b * xs[0]!;
        for (let i = 0; i < n; i++) {
          const p = bo[i + 1]! * strides[i]! + kk[i]! * dil[i]! - pads[i]![0];
          if (p < 0 || p >= x.shape[i + 1]!) return;
          xoff += p * xs[i + 1]!;
        }
        let koff = 0;
        for (let i = 0; i < n; i++) koff += kk[i]! * ks[i]!;
        for (let c = 0; c < cg; c++)
          acc += x.data[xoff + g * cg + c]! * k.data[koff + c * ks[n]! + o]!;
      });
      let off = 0;
      for (let i = 0; i <= n; i++) off += bo[i]! * os[i]!;
      out[off + o] = acc;
    }
  });
  return { data: out, shape: outShape };
}

/** Channels-last depthwise conv, written directly: out channel c * M + m from input channel c. */
function depthwiseRef(
  x: Arr,
  k: Arr,
  strides: number[],
  pads: [number, number][],
  dil: number[],
): Arr {
  const n = x.shape.length - 2;
  const B = x.shape[0]!;
  const C = x.shape[n + 1]!;
  const K = k.shape.slice(0, n);
  const M = k.shape[n + 1]!;
  const outS = x.shape
    .slice(1, n + 1)
    .map(
      (s, i) =>
        Math.floor((s + pads[i]![0] + pads[i]![1] - ((K[i]! - 1) * dil[i]! + 1)) / strides[i]!) + 1,
    );
  const outShape = [B, ...outS, C * M];
  const out = new Float64Array(size(outShape));
  const xs = stridesOf(x.shape);
  const ks = stridesOf(k.shape);
  let w = 0;
  forEachIndex([B, ...outS, C, M], (idx) => {
    const c = idx[n + 1]!;
    const m = idx[n + 2]!;
    let acc = 0;
    forEachIndex(K, (kk) => {
      let xoff = idx[0]! * xs[0]!;
      for (let i = 0; i < n; i++) {
        const p = idx[i + 1]! * strides[i]! + kk[i]! * dil[i]! - pads[i]![0];
        if (p < 0 || p >= x.shape[i + 1]!) return;
        xoff += p * xs[i + 1]!;
      }
      let koff = 0;
      for (let i = 0; i < n; i++) koff += kk[i]! * ks[i]!;
      acc += x.data[xoff + c]! * k.data[koff + c * ks[n]! + m]!;
    });
    out[w++] = acc;
  });
  return { data: out, shape: outShape };
}

/**
 * Keras' transposed convolution, from its definition on the JAX backend: dilate the input by the
 * stride, pad it with Keras' (left, right) pads, correlate with the spatially flipped kernel whose
 * last two axes are swapped. Pads: keras/src/backend/common/backend_utils.py
 * (`_convert_conv_transpose_padding_args_from_keras_to_jax`).
 */
function convTransposeRef(
  x: Arr,
  k: Arr,
  strides: number[],
  padding: "valid" | "same",
  outputPadding: number[] | null,
  dil: number[],
): Arr {
  const n = x.shape.length - 2;
  const K = k.shape.slice(0, n);
  const F = k.shape[n]!;
  const C = k.shape[n + 1]!;
  // 1. Dilate x by the strides.
  const dShape = [
    x.shape[0]!,
    ...x.shape.slice(1, n + 1).map((s, i) => (s - 1) * strides[i]! + 1),
    C,
  ];
  const dx = new Float64Array(size(dShape));
  const dxs = stridesOf(dShape);
  forEachIndex(x.shape, (idx) => {
    let off = idx[0]! * dxs[0]! + idx[n + 1]!;
    for (let i = 0; i < n; i++) off += idx[i + 1]! * strides[i]! * dxs[i + 1]!;
    let src = 0;
    const xs = stridesOf(x.shape);
    idx.forEach((v, j) => (src += v * xs[j]!));
    dx[off] = x.data[src]!;
  });
  // 2. Keras' pads.
  const pads = K.map((kk, i): [number, number] => {
    const eff = (kk - 1) * dil[i]! + 1;
    const s = strides[i]!;
    const op = outputPadding ? outputPadding[i]! : null;
    if (padding === "valid") return [eff - 1, eff - 1 + (op ?? Math.max(eff, s) - eff)];
    const padLen = op === null ? s + eff - 2 : eff + (eff % 2) - 2 + op;
    const left = Math.min(Math.floor(padLen / 2) + (padLen % 2), eff - 1);
    return [left, padLen - left];
  });
  // 3. Flipped kernel with (F, C) swapped: (...K, C, F).
  const fk = new Float64Array(k.data.length);
  const fShape = [...K, C, F];
  const fs = stridesOf(fShape);
  const ks = stridesOf(k.shape);
  forEachIndex(k.shape, (idx) => {
    let src = 0;
    idx.forEach((v, j) => (src += v * ks[j]!));
    let dst = idx[n]! * fs[n + 1]! + idx[n + 1]! * fs[n]!;
    for (let i = 0; i < n; i++) dst += (K[i]! - 1 - idx[i]!) * fs[i]!;
    fk[dst] = k.data[src]!;
  });
  // Negative right pads crop: pad with max(0, .) then crop.
  const y = convRef(
    { data: dx, shape: dShape },
    { data: fk, shape: fShape },
    K.map(() => 1),
    pads.map(([a, b]) => [a, Math.max(b, 0)]),
    dil,
  );
  if (pads.every(([, b]) => b >= 0)) return y;
  const keep = y.shape.map((d, i) =>
    i >= 1 && i <= n && pads[i - 1]![1] < 0 ? d + pads[i - 1]![1] : d,
  );
  const out = new Float64Array(size(keep));
  const ys = stridesOf(y.shape);
  let w = 0;
  forEachIndex(keep, (idx) => {
    let off = 0;
    idx.forEach((v, j) => (off += v * ys[j]!));
    out[w++] = y.data[off]!;
  });
  return { data: out, shape: keep };
}

function addBiasRef(y: Arr, b: ArrayLike<number>): Arr {
  const C = y.shape[y.shape.length - 1]!;
  return { data: y.data.map((v, i) => v + b[i % C]!), shape: y.shape };
}

/** Permutes a channels-last array to channels-first and back. */
function permute(a: Arr, perm: number[]): Arr {
  const shape = perm.map((p) => a.shape[p]!);
  const as = stridesOf(a.shape);
  const out = new Float64Array(a.data.length);
  let w = 0;
  forEachIndex(shape, (idx) => {
    let off = 0;
    idx.forEach((v, j) => (off += v * as[perm[j]!]!));
    out[w++] = a.data[off]!;
  });
  return { data: out, shape };
}

const t = (a: Arr): Tensor => tensor(a.data, a.shape);

/** Sets a built layer's weights from float64 arrays (rounded to float32). */
function setWeights(layer: Layer, arrays: Arr[]): void {
  layer.setWeights(arrays.map((a) => Float32Array.from(a.data)));
}

/** Round-trips an array through float32 (the layer sees float32 values). */
const f32 = (a: Arr): Arr => ({
  data: Float64Array.from(Float32Array.from(a.data)),
  shape: a.shape,
});

// ---------------------------------------------------------------------------------------------

describe("Conv1D / Conv2D / Conv3D: layer checks", () => {
  it("Conv2D basic", () => {
    runLayerTest(Conv2D, {
      init: [4, 3, { padding: "same", activation: "relu" }],
      inputShape: [2, 5, 6, 3],
      expectedOutputShape: [2, 5, 6, 4],
      expectedNumTrainableWeights: 2,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: false,
    });
  });
  it("Conv2D strides, groups, no bias, channels_first", () => {
    const { layer } = runLayerTest(Conv2D, {
      init: [
        6,
        [3, 2],
        { strides: [2, 1], groups: 2, useBias: false, dataFormat: "channels_first" },
      ],
      inputShape: [2, 4, 7, 5],
      expectedOutputShape: [2, 6, 3, 4],
      expectedNumTrainableWeights: 1,
      expectedWeightNames: ["kernel"],
      runTrainingCheck: true,
    });
    expect(layer.weights[0]!.shape).toEqual([3, 2, 2, 6]);
  });
  it("Conv1D, causal and dilated", () => {
    runLayerTest(Conv1D, {
      init: [3, 3, { padding: "causal", dilationRate: 2 }],
      inputShape: [2, 9, 4],
      expectedOutputShape: [2, 9, 3],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
    });
  });
  it("Conv3D", () => {
    runLayerTest(Conv3D, {
      init: [2, [2, 3, 2], { strides: 2 }],
      inputShape: [1, 5, 6, 4, 3],
      expectedOutputShape: [1, 2, 2, 2, 2],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
    });
  });
  it("weight shapes and Keras config (the b_cnn Conv2D config)", () => {
    const layer = new Conv2D(8, 3, { padding: "same", activation: "relu", name: "conv2d_cfg" });
    layer.apply(Input([28, 28, 1]));
    expect(layer.kernel!.shape).toEqual([3, 3, 1, 8]);
    expect(layer.bias!.shape).toEqual([8]);
    expect(layer.getConfig()).toEqual({
      name: "conv2d_cfg",
      trainable: true,
      dtype: {
        module: "keras",
        class_name: "DTypePolicy",
        config: { name: "float32" },
        registered_name: null,
      },
      filters: 8,
      kernel_size: [3, 3],
      strides: [1, 1],
      padding: "same",
      data_format: "channels_last",
      dilation_rate: [1, 1],
      groups: 1,
      activation: "relu",
      use_bias: true,
      kernel_initializer: {
        module: "keras.initializers",
        class_name: "GlorotUniform",
        config: { seed: null, input_axes: null, output_axes: null },
        registered_name: null,
      },
      bias_initializer: {
        module: "keras.initializers",
        class_name: "Zeros",
        config: {},
        registered_name: null,
      },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    });
    expect(Object.keys(layer.getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "filters",
      "kernel_size",
      "strides",
      "padding",
      "data_format",
      "dilation_rate",
      "groups",
      "activation",
      "use_bias",
      "kernel_initializer",
      "bias_initializer",
      "kernel_regularizer",
      "bias_regularizer",
      "activity_regularizer",
      "kernel_constraint",
      "bias_constraint",
    ]);
    expect(layer.getBuildConfig()).toEqual({ input_shape: [null, 28, 28, 1] });
    expect(new Conv1D(2, 3).getConfig().activation).toBe("linear");
  });
  it("kernel regularizer adds a loss; activity regularizer too", () => {
    const layer = new Conv1D(2, 2, {
      kernelRegularizer: { class_name: "L2", config: { l2: 0.5 } },
      activityRegularizer: "l1",
    });
    tidy(() => {
      layer.apply(tensor(randomValues(12, 3), [1, 4, 3]));
      expect(layer.losses.length).toBe(2);
      const k = Array.from(layer.kernel!.value.dataSync());
      expectAllclose(layer.losses[1]!, 0.5 * k.reduce((a, v) => a + v * v, 0));
    });
    expect(layer.getConfig().kernel_regularizer).toEqual({
      module: "keras.regularizers",
      class_name: "L2",
      config: { l2: 0.5 },
      registered_name: null,
    });
  });
});

describe("Conv values vs float64 references", () => {
  const cases: {
    name: string;
    rank: number;
    x: number[];
    filters: number;
    k: number[];
    strides: number[];
    padding: "valid" | "same";
    dil: number[];
    groups: number;
  }[] = [
    {
      name: "2D valid",
      rank: 2,
      x: [2, 6, 5, 3],
      filters: 4,
      k: [3, 2],
      strides: [1, 1],
      padding: "valid",
      dil: [1, 1],
      groups: 1,
    },
    {
      name: "2D same stride 2 (odd pads)",
      rank: 2,
      x: [2, 7, 6, 2],
      filters: 3,
      k: [3, 4],
      strides: [2, 2],
      padding: "same",
      dil: [1, 1],
      groups: 1,
    },
    {
      name: "2D same dilation 2",
      rank: 2,
      x: [1, 7, 7, 2],
      filters: 2,
      k: [3, 3],
      strides: [1, 1],
      padding: "same",
      dil: [2, 2],
      groups: 1,
    },
    {
      name: "2D groups 3",
      rank: 2,
      x: [2, 5, 5, 6],
      filters: 9,
      k: [2, 2],
      strides: [1, 2],
      padding: "same",
      dil: [1, 1],
      groups: 3,
    },
    {
      name: "1D same stride 3",
      rank: 1,
      x: [2, 10, 3],
      filters: 2,
      k: [4],
      strides: [3],
      padding: "same",
      dil: [1],
      groups: 1,
    },
    {
      name: "3D valid",
      rank: 3,
      x: [1, 4, 5, 3, 2],
      filters: 3,
      k: [2, 3, 2],
      strides: [1, 1, 1],
      padding: "valid",
      dil: [1, 1, 1],
      groups: 1,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const Cls = [Conv1D, Conv2D, Conv3D][c.rank - 1]!;
      const layer = new Cls(c.filters, c.k, {
        strides: c.strides,
        padding: c.padding,
        dilationRate: c.dil,
        groups: c.groups,
      });
      const x = f32(rand(c.x, 11));
      layer.apply(Input(c.x.slice(1)));
      const k = f32(rand([...c.k, c.x[c.x.length - 1]! / c.groups, c.filters], 12));
      const b = f32(rand([c.filters], 13));
      setWeights(layer, [k, b]);
      const pads = c.k.map((kk, i) =>
        c.padding === "same"
          ? samePads(c.x[i + 1]!, kk, c.strides[i]!, c.dil[i]!)
          : ([0, 0] as [number, number]),
      );
      const want = addBiasRef(convRef(x, k, c.strides, pads, c.dil, c.groups), b.data);
      tidy(() => {
        const y = layer.apply(t(x)) as Tensor;
        expect(y.shape).toEqual(want.shape);
        expectAllclose(y, want.data, { atol: 1e-5, rtol: 1e-5 });
      });
    });

  it("channels_first gives the channels_last result transposed", () => {
    const x = f32(rand([2, 6, 5, 3], 21));
    const k = f32(rand([3, 3, 3, 4], 22));
    const b = f32(rand([4], 23));
    const layer = new Conv2D(4, 3, { dataFormat: "channels_first", padding: "same", strides: 2 });
    const xcf = permute(x, [0, 3, 1, 2]);
    layer.apply(Input(xcf.shape.slice(1)));
    setWeights(layer, [k, b]);
    const want = permute(
      addBiasRef(
        convRef(x, k, [2, 2], [samePads(6, 3, 2, 1), samePads(5, 3, 2, 1)], [1, 1]),
        b.data,
      ),
      [0, 3, 1, 2],
    );
    tidy(() => expectAllclose(layer.apply(t(xcf)) as Tensor, want.data, { atol: 1e-5 }));
  });

  it("Conv1D causal: output t only sees inputs <= t", () => {
    const x = f32(rand([2, 8, 3], 31));
    const k = f32(rand([3, 3, 2], 32));
    const layer = new Conv1D(2, 3, { padding: "causal", dilationRate: 2, useBias: false });
    layer.apply(Input([8, 3]));
    setWeights(layer, [k]);
    const want = convRef(x, k, [1], [[4, 0]], [2]);
    tidy(() => {
      const y = layer.apply(t(x)) as Tensor;
      expect(y.shape).toEqual([2, 8, 2]);
      expectAllclose(y, want.data, { atol: 1e-5 });
    });
  });

  it("activation is applied after the bias", () => {
    const x = f32(rand([1, 4, 2], 41));
    const k = f32(rand([2, 2, 3], 42));
    const b = f32(rand([3], 43));
    const layer = new Conv1D(3, 2, { activation: "tanh" });
    layer.apply(Input([4, 2]));
    setWeights(layer, [k, b]);
    const want = addBiasRef(convRef(x, k, [1], [[0, 0]], [1]), b.data).data.map(Math.tanh);
    tidy(() => expectAllclose(layer.apply(t(x)) as Tensor, want, { atol: 1e-5 }));
  });
});

describe("Conv1D/2D/3DTranspose", () => {
  it("layer checks", () => {
    const { layer } = runLayerTest(Conv2DTranspose, {
      init: [5, 3, { strides: 2, padding: "same" }],
      inputShape: [2, 4, 3, 2],
      expectedOutputShape: [2, 8, 6, 5],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
    });
    expect(layer.weights[0]!.shape).toEqual([3, 3, 5, 2]);
    runLayerTest(Conv1DTranspose, {
      init: [3, 3, { strides: 2, outputPadding: 1 }],
      inputShape: [2, 5, 4],
      expectedOutputShape: [2, 12, 3],
      expectedNumTrainableWeights: 2,
      runTrainingCheck: true,
    });
    runLayerTest(Conv3DTranspose, {
      init: [2, 2, { strides: 2 }],
      inputShape: [1, 2, 3, 2, 3],
      expectedOutputShape: [1, 4, 6, 4, 2],
      expectedNumTrainableWeights: 2,
      runTrainingCheck: true,
    });
  });

  const cases: {
    name: string;
    x: number[];
    filters: number;
    k: number[];
    s: number[];
    padding: "valid" | "same";
    op: number[] | null;
    dil: number[];
  }[] = [
    {
      name: "2D valid stride 2",
      x: [2, 3, 4, 2],
      filters: 3,
      k: [3, 2],
      s: [2, 2],
      padding: "valid",
      op: null,
      dil: [1, 1],
    },
    {
      name: "2D same stride 2",
      x: [2, 3, 4, 2],
      filters: 3,
      k: [3, 3],
      s: [2, 2],
      padding: "same",
      op: null,
      dil: [1, 1],
    },
    {
      name: "2D same stride 3, kernel 2 (stride > kernel)",
      x: [1, 3, 3, 2],
      filters: 2,
      k: [2, 2],
      s: [3, 3],
      padding: "same",
      op: null,
      dil: [1, 1],
    },
    {
      name: "2D valid stride 3 > kernel 2",
      x: [1, 3, 2, 2],
      filters: 2,
      k: [2, 2],
      s: [3, 3],
      padding: "valid",
      op: null,
      dil: [1, 1],
    },
    {
      name: "2D same, output padding 1",
      x: [2, 3, 3, 2],
      filters: 2,
      k: [3, 3],
      s: [2, 2],
      padding: "same",
      op: [1, 1],
      dil: [1, 1],
    },
    {
      name: "2D valid, output padding (1, 0)",
      x: [1, 3, 3, 2],
      filters: 2,
      k: [3, 2],
      s: [2, 2],
      padding: "valid",
      op: [1, 0],
      dil: [1, 1],
    },
    {
      name: "2D same, dilation 2",
      x: [1, 4, 4, 2],
      filters: 2,
      k: [3, 3],
      s: [1, 1],
      padding: "same",
      op: null,
      dil: [2, 2],
    },
    {
      name: "1D same stride 2, output padding 0",
      x: [2, 5, 3],
      filters: 2,
      k: [4],
      s: [2],
      padding: "same",
      op: [0],
      dil: [1],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const n = c.k.length;
      const Cls = [Conv1DTranspose, Conv2DTranspose, Conv3DTranspose][n - 1]!;
      const layer = new Cls(c.filters, c.k, {
        strides: c.s,
        padding: c.padding,
        outputPadding: c.op,
        dilationRate: c.dil,
      });
      layer.apply(Input(c.x.slice(1)));
      const x = f32(rand(c.x, 51));
      const k = f32(rand([...c.k, c.filters, c.x[n + 1]!], 52));
      const b = f32(rand([c.filters], 53));
      setWeights(layer, [k, b]);
      const want = addBiasRef(convTransposeRef(x, k, c.s, c.padding, c.op, c.dil), b.data);
      tidy(() => {
        const sym = layer.apply(new KerasTensor([null, ...c.x.slice(1)])) as KerasTensor;
        expect(sym.shape).toEqual([null, ...want.shape.slice(1)]);
        const y = layer.apply(t(x)) as Tensor;
        expect(y.shape).toEqual(want.shape);
        expectAllclose(y, want.data, { atol: 1e-5, rtol: 1e-5 });
      });
    });

  it("same padding without output padding gives in * stride (TF rule)", () => {
    for (const [k, s] of [
      [3, 2],
      [4, 2],
      [5, 3],
      [2, 3],
      [1, 2],
    ] as const) {
      const layer = new Conv1DTranspose(1, k, { strides: s, padding: "same" });
      expect((layer.apply(Input([7, 1])) as KerasTensor).shape).toEqual([null, 7 * s, 1]);
    }
  });

  it("config writes output_padding only when given", () => {
    const plain = new Conv2DTranspose(3, 2).getConfig();
    expect("output_padding" in plain).toBe(false);
    expect(Object.keys(plain)).not.toContain("groups");
    const cfg = new Conv2DTranspose(3, 2, { strides: 2, outputPadding: 1 }).getConfig();
    expect(cfg.output_padding).toEqual([1, 1]);
    expect(Conv2DTranspose.fromConfig(cfg).outputPadding).toEqual([1, 1]);
  });
});

describe("DepthwiseConv1D/2D and SeparableConv1D/2D", () => {
  it("layer checks and Keras weight names", () => {
    const { layer } = runLayerTest(DepthwiseConv2D, {
      init: [3, { depthMultiplier: 2, padding: "same" }],
      inputShape: [2, 5, 5, 3],
      expectedOutputShape: [2, 5, 5, 6],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
    });
    expect(layer.weights.map((w) => w.shape)).toEqual([[3, 3, 3, 2], [6]]);
    runLayerTest(DepthwiseConv1D, {
      init: [2, { strides: 2 }],
      inputShape: [2, 7, 3],
      expectedOutputShape: [2, 3, 3],
      expectedNumTrainableWeights: 2,
      runTrainingCheck: true,
    });
    const sep = runLayerTest(SeparableConv2D, {
      init: [4, 3, { depthMultiplier: 2 }],
      inputShape: [2, 6, 5, 3],
      expectedOutputShape: [2, 4, 3, 4],
      expectedNumTrainableWeights: 3,
      expectedWeightNames: ["depthwise_kernel", "pointwise_kernel", "bias"],
      runTrainingCheck: true,
    });
    expect(sep.layer.weights.map((w) => w.shape)).toEqual([[3, 3, 3, 2], [1, 1, 6, 4], [4]]);
    runLayerTest(SeparableConv1D, {
      init: [4, 3, { padding: "same", dataFormat: "channels_first" }],
      inputShape: [2, 3, 6],
      expectedOutputShape: [2, 4, 6],
      expectedWeightNames: ["depthwise_kernel", "pointwise_kernel", "bias"],
      runTrainingCheck: true,
    });
    expect(Object.keys(new SeparableConv2D(2, 3).getConfig()).slice(3)).toEqual([
      "depth_multiplier",
      "filters",
      "kernel_size",
      "strides",
      "padding",
      "data_format",
      "dilation_rate",
      "activation",
      "use_bias",
      "depthwise_initializer",
      "pointwise_initializer",
      "bias_initializer",
      "depthwise_regularizer",
      "pointwise_regularizer",
      "bias_regularizer",
      "activity_regularizer",
      "depthwise_constraint",
      "pointwise_constraint",
      "bias_constraint",
    ]);
    expect(Object.keys(new DepthwiseConv2D(3).getConfig()).slice(3)).toEqual([
      "depth_multiplier",
      "kernel_size",
      "strides",
      "padding",
      "data_format",
      "dilation_rate",
      "activation",
      "use_bias",
      "depthwise_initializer",
      "bias_initializer",
      "depthwise_regularizer",
      "bias_regularizer",
      "activity_regularizer",
      "depthwise_constraint",
      "bias_constraint",
    ]);
  });

  it("depthwise values (same, stride 2, multiplier 3)", () => {
    const x = f32(rand([2, 7, 6, 2], 61));
    const k = f32(rand([3, 2, 2, 3], 62));
    const b = f32(rand([6], 63));
    const layer = new DepthwiseConv2D([3, 2], { depthMultiplier: 3, strides: 2, padding: "same" });
    layer.apply(Input([7, 6, 2]));
    setWeights(layer, [k, b]);
    const want = addBiasRef(
      depthwiseRef(x, k, [2, 2], [samePads(7, 3, 2, 1), samePads(6, 2, 2, 1)], [1, 1]),
      b.data,
    );
    tidy(() => {
      const y = layer.apply(t(x)) as Tensor;
      expect(y.shape).toEqual(want.shape);
      expectAllclose(y, want.data, { atol: 1e-5 });
    });
  });

  it("depthwise 1D dilated values", () => {
    const x = f32(rand([1, 9, 3], 64));
    const k = f32(rand([3, 3, 1], 65));
    const layer = new DepthwiseConv1D(3, { dilationRate: 2, useBias: false });
    layer.apply(Input([9, 3]));
    setWeights(layer, [k]);
    const want = depthwiseRef(x, k, [1], [[0, 0]], [2]);
    tidy(() => expectAllclose(layer.apply(t(x)) as Tensor, want.data, { atol: 1e-5 }));
  });

  it("separable values = depthwise then pointwise", () => {
    const x = f32(rand([2, 6, 6, 3], 71));
    const dk = f32(rand([3, 3, 3, 2], 72));
    const pk = f32(rand([1, 1, 6, 4], 73));
    const b = f32(rand([4], 74));
    const layer = new SeparableConv2D(4, 3, { depthMultiplier: 2, padding: "same", strides: 2 });
    layer.apply(Input([6, 6, 3]));
    setWeights(layer, [dk, pk, b]);
    const d = depthwiseRef(x, dk, [2, 2], [samePads(6, 3, 2, 1), samePads(6, 3, 2, 1)], [1, 1]);
    const want = addBiasRef(
      convRef(
        d,
        pk,
        [1, 1],
        [
          [0, 0],
          [0, 0],
        ],
        [1, 1],
      ),
      b.data,
    );
    tidy(() => {
      const y = layer.apply(t(x)) as Tensor;
      expect(y.shape).toEqual([2, 3, 3, 4]);
      expectAllclose(y, want.data, { atol: 1e-5 });
    });
  });
});

/** Autodiff of `sum(layer(x) * r)` w.r.t. x and every trainable weight vs central differences of `ref`. */
function checkLayerGrads(
  layer: Layer,
  x: Arr,
  ref: (x: Arr, ws: Arr[]) => Arr,
  { atol = 2e-3, rtol = 2e-3 } = {},
): void {
  const ws = layer.trainableWeights;
  const wArrs: Arr[] = ws.map((w) => ({
    data: Float64Array.from(w.value.dataSync()),
    shape: [...w.shape],
  }));
  const yShape = ref(x, wArrs).shape;
  const r = f32(rand(yShape, 99));
  const loss64 = (xa: Arr, wa: Arr[]) =>
    ref(xa, wa).data.reduce((acc, v, i) => acc + v * r.data[i]!, 0);
  tidy(() => {
    const xt = t(x);
    const rt = t(r);
    const [value, grads] = ops.valueAndGrad(
      (xx: Tensor) => ops.sum(ops.multiply(layer.apply(xx, { training: true }) as Tensor, rt)),
      { argnums: 0 },
    )(xt);
    expectAllclose(value, loss64(x, wArrs), { atol: 1e-4, rtol: 1e-4 });
    expectAllclose(
      grads as Tensor,
      numericGrad((xd) => loss64({ data: xd, shape: x.shape }, wArrs), x.data, 1e-4),
      { atol, rtol },
    );
    const [, wg] = ops.valueAndGrad((vals: Tensor[]) => {
      void vals;
      return ops.sum(ops.multiply(layer.apply(xt, { training: true }) as Tensor, rt));
    })(ws.map((w) => w.value));
    (wg as Tensor[]).forEach((g, i) => {
      const num = numericGrad(
        (wd) =>
          loss64(
            x,
            wArrs.map((a, j) => (j === i ? { data: wd, shape: a.shape } : a)),
          ),
        wArrs[i]!.data,
        1e-4,
      );
      expectAllclose(g, num, { atol, rtol });
    });
  });
}

describe("gradients vs central differences", () => {
  it("Conv2D (same, stride 2, groups 2)", () => {
    const layer = new Conv2D(4, 3, { strides: 2, padding: "same", groups: 2 });
    layer.apply(Input([5, 4, 4]));
    setWeights(layer, [f32(rand([3, 3, 2, 4], 81)), f32(rand([4], 82))]);
    const pads = [samePads(5, 3, 2, 1), samePads(4, 3, 2, 1)];
    checkLayerGrads(layer, f32(rand([2, 5, 4, 4], 83)), (x, [k, b]) =>
      addBiasRef(convRef(x, k!, [2, 2], pads, [1, 1], 2), b!.data),
    );
  });
  it("Conv2DTranspose (same, stride 2, output padding 1)", () => {
    const layer = new Conv2DTranspose(3, 3, { strides: 2, padding: "same", outputPadding: 1 });
    layer.apply(Input([3, 4, 2]));
    setWeights(layer, [f32(rand([3, 3, 3, 2], 84)), f32(rand([3], 85))]);
    checkLayerGrads(layer, f32(rand([2, 3, 4, 2], 86)), (x, [k, b]) =>
      addBiasRef(convTransposeRef(x, k!, [2, 2], "same", [1, 1], [1, 1]), b!.data),
    );
  });
});

describe("unknown spatial dims", () => {
  it("Conv2D same/stride 2 and Conv2DTranspose on (None, None, None, C) replay in a model", () => {
    const x = Input([null, null, 3]);
    const conv = new Conv2D(4, 3, { strides: 2, padding: "same" });
    const up = new Conv2DTranspose(2, 3, { strides: 2, padding: "same" });
    const h = conv.apply(x) as KerasTensor;
    const y = up.apply(h) as KerasTensor;
    expect(h.shape).toEqual([null, null, null, 4]);
    expect(y.shape).toEqual([null, null, null, 2]);
    const model = new Functional(x, y);
    tidy(() => {
      const out = model.apply(tensor(randomValues(2 * 7 * 5 * 3, 5), [2, 7, 5, 3])) as Tensor;
      expect(out.shape).toEqual([2, 8, 6, 2]);
    });
  });
});

describe("errors", () => {
  it("constructor arguments", () => {
    expect(() => new Conv2D(-3, 3)).toThrow(/filters.*Received: filters=-3/);
    expect(() => new Conv2D(4, 3, { groups: 3 })).toThrow(
      /evenly divisible by the number of groups\. Received: groups=3, filters=4/,
    );
    expect(() => new Conv2D(4, [3, 0])).toThrow(/kernel_size.*Received: kernel_size=\(3, 0\)/);
    expect(() => new Conv2D(4, [3, 3, 3])).toThrow(
      /kernel_size.*Received: kernel_size=\(3, 3, 3\)/,
    );
    expect(() => new Conv2D(4, 3, { strides: 2, dilationRate: 2 })).toThrow(
      /strides > 1.*dilation_rate > 1.*Received: strides=\(2, 2\)/,
    );
    expect(() => new Conv2D(4, 3, { padding: "causal" })).toThrow(
      /padding.*Received: padding=causal/,
    );
    expect(() => new Conv2D(4, 3, { dataFormat: "nhwc" })).toThrow(
      /data_format.*Received: data_format=nhwc/,
    );
    expect(() => new DepthwiseConv2D(3, { depthMultiplier: 0 })).toThrow(
      /depth_multiplier.*Received: depth_multiplier=0/,
    );
    expect(() => new Conv1D(2, 3, { padding: "causal" })).not.toThrow();
  });
  it("Conv2D on a rank-3 input fails at the symbolic call, naming the layer", () => {
    const layer = new Conv2D(4, 3, { name: "conv_rank" });
    expect(() => layer.apply(Input([28, 28]))).toThrow(
      /conv_rank.*min_ndim=4, found ndim=3.*Received: input\.shape=\(None, 28, 28\)/,
    );
  });
  it("channel mismatch after build fails, symbolic and eager", () => {
    const layer = new Conv2D(4, 3, { name: "conv_ch" });
    layer.apply(Input([8, 8, 3]));
    expect(() => layer.apply(Input([8, 8, 5]))).toThrow(
      /conv_ch.*axis -1 .*value 3.*Received: input\.shape=\(None, 8, 8, 5\)/,
    );
    tidy(() => {
      expect(() => layer.apply(tensor(new Float32Array(2 * 8 * 8 * 5), [2, 8, 8, 5]))).toThrow(
        /conv_ch.*axis -1.*Received: input\.shape=\(2, 8, 8, 5\)/,
      );
    });
  });
  it("groups that do not divide the input channels; inputs too small", () => {
    expect(() => new Conv2D(4, 3, { groups: 2, name: "conv_g" }).apply(Input([8, 8, 3]))).toThrow(
      /conv_g.*groups=2, but the input has 3 channels/,
    );
    expect(() => new Conv2D(4, 5, { name: "conv_small" }).apply(Input([3, 3, 1]))).toThrow(
      /conv_small.*negative.*Received: inputs\.shape=\(None, 3, 3, 1\)/,
    );
  });
});
