/**
 * Core layers: Dense, EinsumDense, Embedding, Identity, Lambda, Masking. Shapes, weights and
 * configs through the shared harness; values and gradients against float64 JS references.
 */
import { describe, expect, it } from "vitest";
import { KerasTensor, Tensor, ValueError, ops, tidy } from "../../src/index";
import { Dense } from "../../src/layers/core/dense";
import { EinsumDense, analyzeEinsumString } from "../../src/layers/core/einsum_dense";
import { Embedding } from "../../src/layers/core/embedding";
import { Identity } from "../../src/layers/core/identity";
import { Lambda } from "../../src/layers/core/lambda_layer";
import { Masking } from "../../src/layers/core/masking";
import { Input } from "../../src/layers/core/input_layer";
import { deserializeKerasObject, serializeKerasObject } from "../../src/saving/serialization";
import { registerKerasSerializable } from "../../src/saving/object_registration";
import { expectAllclose, randomValues } from "../utils";
import { checkLayerGradients, runLayerTest, tensor } from "./harness";
import { kerasLayerConfig } from "./fixtures";

/** (rows, in) @ (in, out) + bias, in float64. */
function denseRef(
  x: ArrayLike<number>,
  k: ArrayLike<number>,
  b: ArrayLike<number> | null,
  rows: number,
  nIn: number,
  nOut: number,
  act = (v: number) => v,
): Float64Array {
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o]! : 0;
      for (let i = 0; i < nIn; i++) s += x[r * nIn + i]! * k[i * nOut + o]!;
      out[r * nOut + o] = act(s);
    }
  return out;
}

describe("Dense", () => {
  it("runLayerTest: 2-D input", () => {
    runLayerTest(Dense, {
      init: [4, { activation: "relu" }],
      inputShape: [2, 3],
      expectedOutputShape: [2, 4],
      expectedNumTrainableWeights: 2,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
  });

  it("runLayerTest: 3-D input contracts the last axis; no bias", () => {
    runLayerTest(Dense, {
      init: [5, { useBias: false }],
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 5],
      expectedNumTrainableWeights: 1,
      expectedWeightNames: ["kernel"],
      runTrainingCheck: true,
    });
  });

  it("values match a float64 reference (tanh, rank 3)", () => {
    const layer = new Dense(3, { activation: "tanh", biasInitializer: "random_normal" });
    const x = randomValues(2 * 4 * 5, 3);
    const y = layer.apply(tensor(x, [2, 4, 5]));
    const [k, b] = layer.weights.map((w) => w.value.dataSync());
    expect(y.shape).toEqual([2, 4, 3]);
    expectAllclose(y, denseRef(x, k!, b!, 8, 5, 3, Math.tanh), { rtol: 1e-5, atol: 1e-6 });
  });

  it("gradients w.r.t. inputs, kernel and bias match finite differences", () => {
    const layer = new Dense(3, { activation: "sigmoid", biasInitializer: "random_uniform" });
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    checkLayerGradients(layer, [{ shape: [4, 5], data: randomValues(20, 5) }], ([x], [k, b]) =>
      denseRef(x!, k!, b!, 4, 5, 3, sig),
    );
  });

  it("config equals Keras 3.15's (a_mlp reference)", () => {
    const ref = kerasLayerConfig("a_mlp", "dense");
    if (!ref) return;
    const layer = new Dense(32, { activation: "relu", name: "dense_ref_check" });
    expect({ ...layer.getConfig(), name: "dense" }).toEqual(ref.config);
    const again = Dense.fromConfig(ref.config);
    expect(again.getConfig()).toEqual(ref.config);
  });

  it("buildFromConfig (Keras build_from_config) builds from input_shape; deserializing applies build_config", () => {
    const layer = new Dense(2);
    layer.buildFromConfig(null);
    layer.buildFromConfig({});
    expect(layer.built).toBe(false);
    layer.buildFromConfig({ input_shape: [null, 3] });
    expect(layer.built).toBe(true);
    expect(layer.weights.map((w) => w.shape)).toEqual([[3, 2], [2]]);
    expect(layer.getBuildConfig()).toEqual({ input_shape: [null, 3] });
    const again = deserializeKerasObject(serializeKerasObject(layer)) as Dense;
    expect(again.built).toBe(true);
    expect(again.weights.map((w) => w.shape)).toEqual([[3, 2], [2]]);
  });

  it("rejects bad units", () => {
    expect(() => new Dense(-3)).toThrow(/Received: units=-3/);
    expect(() => new Dense(0)).toThrow(/Received: units=0/);
    expect(() => new Dense(2.5)).toThrow(/Received: units=2.5/);
  });

  it("fails at symbolic call time on a wrong input shape, naming the layer", () => {
    const layer = new Dense(4, { name: "proj" });
    layer.apply(Input([3]));
    expect(() => layer.apply(Input([5]))).toThrow(
      /proj[\s\S]*expected axis -1 of the input shape to have value 3[\s\S]*\(None, 5\)/,
    );
    expect(() => new Dense(2, { name: "flat" }).apply(new KerasTensor([3]))).toThrow(
      /flat[\s\S]*min_ndim=2/,
    );
  });

  it("activity regularizer adds a loss", () => {
    const layer = new Dense(2, {
      activityRegularizer: { class_name: "L2", config: { l2: 0.5 } },
      kernelInitializer: "ones",
    });
    const y = layer.apply(tensor([1, 2], [1, 2]));
    expect(layer.losses.length).toBe(1);
    const v = y.dataSync();
    expectAllclose(layer.losses[0]!, 0.5 * (v[0]! ** 2 + v[1]! ** 2));
  });
});

describe("EinsumDense", () => {
  const cases: [
    string,
    string,
    (number | null)[],
    string | null,
    (number | null)[],
    number[],
    number[] | null,
    (number | null)[],
  ][] = [
    // name, equation, output_shape, bias_axes, input_shape, kernel, bias, full output shape
    ["1d end weight", "ab,b->a", [], null, [null, 32], [32], null, [null]],
    ["2d middle weight", "ab,bc->ac", [64], "c", [null, 32], [32, 64], [64], [null, 64]],
    ["3d bert", "abc,cde->abde", [1, 3, 4], "de", [null, 1, 2], [2, 3, 4], [3, 4], [null, 1, 3, 4]],
    [
      "3d 3 bias",
      "abc,cde->abde",
      [1, 3, 4],
      "bde",
      [null, 1, 2],
      [2, 3, 4],
      [1, 3, 4],
      [null, 1, 3, 4],
    ],
    ["2d 1 bias", "abc,cd->abd", [1, 4], "d", [null, 1, 2], [2, 4], [4], [null, 1, 4]],
    ["3d 2 bias", "abc,cd->abd", [1, 4], "bd", [null, 1, 2], [2, 4], [1, 4], [null, 1, 4]],
    ["ellipsis 2d", "...b,bc->...c", [64], "c", [null, 5, 32], [32, 64], [64], [null, 5, 64]],
    [
      "right ellipsis",
      "ab...,bc->ac...",
      [64],
      "c",
      [null, 32, 5],
      [32, 64],
      [64, 1],
      [null, 64, 5],
    ],
  ];
  for (const [name, eq, outShape, bias, inShape, kernel, biasShape, full] of cases)
    it(`weight-shape analysis: ${name}`, () => {
      const r = analyzeEinsumString(eq, bias, inShape, outShape);
      expect(r.kernelShape).toEqual(kernel);
      expect(r.biasShape).toEqual(biasShape);
      expect(r.fullOutputShape).toEqual(full);
    });

  it("runLayerTest", () => {
    runLayerTest(EinsumDense, {
      init: ["abc,cde->abde", [1, 3, 4], { biasAxes: "de" }],
      inputShape: [2, 1, 2],
      expectedOutputShape: [2, 1, 3, 4],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
    });
    runLayerTest(EinsumDense, {
      init: ["...b,bc->...c", 6, { biasAxes: "c", activation: "relu" }],
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 6],
      expectedNumTrainableWeights: 2,
    });
  });

  it("values and gradients of abc,cd->abd (+ bias d) match a float64 reference", () => {
    const layer = new EinsumDense("abc,cd->abd", [null, 3], {
      biasAxes: "d",
      biasInitializer: "random_normal",
    });
    const x = randomValues(2 * 4 * 5, 11);
    const ref = ([xv]: Float64Array[], [k, b]: Float64Array[]) => denseRef(xv!, k!, b!, 8, 5, 3);
    const y = layer.apply(tensor(x, [2, 4, 5]));
    expect(y.shape).toEqual([2, 4, 3]);
    expect(layer.weights.map((w) => w.shape)).toEqual([[5, 3], [3]]);
    checkLayerGradients(layer, [{ shape: [2, 4, 5], data: x }], ref);
  });

  it("config keys and round trip", () => {
    const layer = new EinsumDense("ab,bc->ac", 8, { biasAxes: "c" });
    const c = layer.getConfig();
    expect(Object.keys(c)).toEqual([
      "name",
      "trainable",
      "dtype",
      "output_shape",
      "equation",
      "activation",
      "bias_axes",
      "kernel_initializer",
      "bias_initializer",
      "kernel_regularizer",
      "bias_regularizer",
      "activity_regularizer",
      "kernel_constraint",
      "bias_constraint",
      "quantization_config",
    ]);
    expect(c.output_shape).toEqual([8]);
  });

  it("errors", () => {
    expect(() => new EinsumDense("ab->b", 3).apply(Input([3]))).toThrow(
      /Invalid einsum equation 'ab->b'/,
    );
    expect(() => new EinsumDense("abc,cd->abd", [5, 4]).apply(Input([3, 2]))).toThrow(
      /do not match at shared dimension 'b'/,
    );
    expect(() => new EinsumDense("ab,bc->ac", 4, { biasAxes: "x" }).apply(Input([3]))).toThrow(
      /Bias dimension 'x'/,
    );
    expect(() => new EinsumDense("ab,bcd->ac", 4).apply(Input([3]))).toThrow(
      /Weight dimension 'd'/,
    );
  });
});

describe("Embedding", () => {
  it("runLayerTest", () => {
    runLayerTest(Embedding, {
      init: [10, 3],
      inputShape: [2, 4],
      inputDtype: "int32",
      expectedOutputShape: [2, 4, 3],
      expectedOutputDtype: "float32",
      expectedNumTrainableWeights: 1,
      expectedWeightNames: ["embeddings"],
      runTrainingCheck: true,
      supportsMasking: false,
    });
    runLayerTest(Embedding, {
      init: [5, 2, { maskZero: true }],
      inputShape: [3],
      inputDtype: "int32",
      expectedOutputShape: [3, 2],
      supportsMasking: true,
    });
  });

  it("looks up rows; float ids are cast; default init is uniform in [-0.05, 0.05)", () => {
    const layer = new Embedding(6, 4);
    const ids = [0, 5, 2, 2, 1, 3];
    const y = layer.apply(tensor(ids, [2, 3], "int32"));
    const e = layer.weights[0]!.value.dataSync();
    expect(Array.from(e).every((v) => v >= -0.05 && v < 0.05)).toBe(true);
    expect(new Set(Array.from(e)).size).toBeGreaterThan(20);
    const expected = ids.flatMap((i) => Array.from(e.slice(i * 4, i * 4 + 4)));
    expectAllclose(y, expected, { rtol: 0, atol: 0 });
    expectAllclose(layer.apply(tensor(ids, [2, 3], "float32")), expected, { rtol: 0, atol: 0 });
    expect(layer.getConfig().embeddings_initializer).toEqual({
      module: "keras.initializers",
      class_name: "RandomUniform",
      config: { minval: -0.05, maxval: 0.05, seed: null },
      registered_name: null,
    });
  });

  it("gradient w.r.t. embeddings accumulates per id", () => {
    const layer = new Embedding(4, 2, { weights: [1, 2, 3, 4, 5, 6, 7, 8] });
    expectAllclose(layer.weights[0]!.value, [1, 2, 3, 4, 5, 6, 7, 8]);
    const ids = tensor([1, 3, 1, 1], [4], "int32");
    const [, g] = ops.valueAndGrad((_e) => ops.sum(layer.apply(ids)))(layer.weights[0]!.value);
    expectAllclose(g, [0, 0, 3, 3, 0, 0, 1, 1]);
  });

  it("computes a mask with maskZero", () => {
    const layer = new Embedding(5, 2, { maskZero: true });
    const ids = tensor([1, 0, 3, 0, 0, 2], [2, 3], "int32");
    const m = layer.computeMask(ids)!;
    expect(m.dtype).toBe("bool");
    expect(Array.from((m as Tensor).dataSync() as ArrayLike<number>, Number)).toEqual([
      1, 0, 1, 0, 0, 1,
    ]);
    expect(new Embedding(5, 2).computeMask(ids)).toBe(null);
    const sym = layer.computeMask(new KerasTensor([null, 7], "int32"))!;
    expect(sym.shape).toEqual([null, 7]);
  });

  it("config and errors", () => {
    const c = new Embedding(7, 3, { maskZero: true }).getConfig();
    expect(Object.keys(c)).toEqual([
      "name",
      "trainable",
      "dtype",
      "input_dim",
      "output_dim",
      "embeddings_initializer",
      "embeddings_regularizer",
      "activity_regularizer",
      "embeddings_constraint",
      "mask_zero",
      "quantization_config",
    ]);
    expect(() => new Embedding(0, 3)).toThrow(/Received: input_dim=0/);
    expect(() => new Embedding(3, -1)).toThrow(/Received: output_dim=-1/);
  });
});

describe("Identity", () => {
  it("runLayerTest and passes structures through", () => {
    runLayerTest(Identity, {
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      expectedNumTrainableWeights: 0,
      supportsMasking: true,
    });
    const a = tensor([1, 2], [1, 2]);
    expect(new Identity().apply(a)).toBe(a);
  });
});

describe("Masking", () => {
  it("runLayerTest", () => {
    runLayerTest(Masking, {
      init: { maskValue: 0 },
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      supportsMasking: true,
    });
  });

  it("zeroes masked steps and computes the (B, T) mask", () => {
    const layer = new Masking({ maskValue: -1 });
    const x = tensor([1, 2, -1, -1, 3, -1, -1, -1], [2, 2, 2]);
    expectAllclose(layer.apply(x), [1, 2, 0, 0, 3, -1, 0, 0]);
    expect(
      Array.from((layer.computeMask(x) as Tensor).dataSync() as ArrayLike<number>, Number),
    ).toEqual([1, 0, 1, 0]);
    expect(layer.getConfig().mask_value).toBe(-1);
  });
});

describe("Lambda", () => {
  function double(x: unknown) {
    return ops.multiply(x as never, 2);
  }
  registerKerasSerializable(double, { package: "LayerTests" });

  it("runLayerTest with a registered function", () => {
    runLayerTest(Lambda, {
      init: [double],
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      expectedNumTrainableWeights: 0,
    });
    const c = new Lambda(double).getConfig();
    expect(c.function).toEqual({
      module: null,
      class_name: "function",
      config: "double",
      registered_name: "LayerTests>double",
    });
    expect(c.arguments).toEqual({});
  });

  it("traces the output shape, or uses outputShape", () => {
    const sum = new Lambda((x) => ops.sum(x, -1));
    expect(sum.apply(Input([3, 4])).shape).toEqual([null, 3]);
    const fixed = new Lambda((x) => ops.reshape(x, [-1, 12]), { outputShape: [12] });
    expect(fixed.apply(Input([3, 4])).shape).toEqual([null, 12]);
    expectAllclose(fixed.apply(tensor(randomValues(24), [2, 3, 4])).shape, [2, 12]);
    const withArgs = new Lambda((x, a) => ops.add(x, (a as { k: number }).k), {
      arguments: { k: 5 },
    });
    expectAllclose(withArgs.apply(tensor([1], [1, 1])), [6]);
  });

  it("saves an anonymous function as source, which safe mode refuses to load", () => {
    const layer = new Lambda((x) => ops.add(x, 1), { name: "plus_one" });
    const config = JSON.parse(JSON.stringify(layer.getConfig())) as Record<string, unknown>;
    const fn = config.function as { class_name: string; config: { code: string } };
    expect(fn.class_name).toBe("__lambda__");
    expect(fn.config.code).toContain("ops.add(x, 1)");
    expect(() => Lambda.fromConfig(config)).toThrow(ValueError);
    expect(() => Lambda.fromConfig(config)).toThrow(/safeMode: false/);
    const ser = JSON.parse(JSON.stringify(serializeKerasObject(layer)));
    expect(() => deserializeKerasObject(ser)).toThrow(/safeMode: false/);
  });

  it("loads JavaScript source with safeMode false", () => {
    const config = {
      name: "sq",
      trainable: true,
      dtype: "float32",
      function: {
        class_name: "__lambda__",
        config: { code: "(x) => x", defaults: null, closure: null },
      },
      arguments: {},
    };
    const layer = Lambda.fromConfig(config, { safeMode: false });
    const x = tensor([3], [1, 1]);
    expect(layer.apply(x)).toBe(x);
    const viaScope = deserializeKerasObject(
      { module: "keras.layers", class_name: "Lambda", config, registered_name: null },
      { safeMode: false },
    ) as Lambda;
    expect(viaScope.apply(x)).toBe(x);
    expect(() =>
      Lambda.fromConfig(
        {
          ...config,
          function: {
            class_name: "__lambda__",
            config: { code: "4wEAAAAAAAAA", defaults: null, closure: null },
          },
        },
        { safeMode: false },
      ),
    ).toThrow(/Python lambda/);
  });

  it("an eager call leaks nothing inside tidy", () => {
    const layer = new Lambda((x) => ops.square(ops.add(x, 1)));
    const x = tensor([1, 2], [1, 2]);
    const out = tidy(() => layer.apply(x));
    expectAllclose(out, [4, 9]);
  });
});
