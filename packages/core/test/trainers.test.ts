/**
 * The training loop: compile / fit / evaluate / predict / *OnBatch against Keras 3 semantics:
 * a hand-computed SGD step, history keys, validation split, sample / class weights, data
 * formats (typed arrays, nested arrays, dicts, generators, Dataset), multi-output naming,
 * compile_config, and the errors Keras raises for bad input.
 */
import { describe, expect, it } from "vitest";
import "../src/index";
import { ValueError } from "../src/errors";
import { Tensor } from "../src/tensor/tensor";
import { memory, tidy } from "../src/engine/engine";
import * as lax from "../src/primitives/lax";
import { Dense } from "../src/layers/core/dense";
import { Dropout } from "../src/layers/regularization/dropout";
import { Add } from "../src/layers/merging/elementwise";
import { Input } from "../src/layers/core/input_layer";
import { Model } from "../src/models/model";
import { Functional } from "../src/models/functional";
import { Sequential } from "../src/models/sequential";
import { SGD } from "../src/optimizers/sgd";
import { setRandomSeed } from "../src/random/seed_generator";
import type { CallArgs } from "../src/layers/layer";
import { Dataset, trainValidationSplit, HostArray, EpochIterator, ArrayDataAdapter } from "../src/trainers/index";
import { expectAllclose } from "./utils";

/** y = 2 x0 - 3 x1 + 0.5 (+ no noise), n samples. */
function regressionData(n: number, seed = 1): { x: Float32Array; y: Float32Array } {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const x = new Float32Array(n * 2).map(() => rand());
  const y = new Float32Array(n).map((_, i) => 2 * x[2 * i]! - 3 * x[2 * i + 1]! + 0.5);
  return { x, y };
}

/** Three Gaussian-ish blobs in 2-D; labels 0..2. */
function blobs(n: number, seed = 3): { x: Float32Array; y: Int32Array } {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const centers = [
    [2, 0],
    [-2, 1.5],
    [0, -2.5],
  ];
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    x[2 * i] = centers[c]![0]! + 0.6 * rand();
    x[2 * i + 1] = centers[c]![1]! + 0.6 * rand();
  }
  return { x, y };
}

const noWeightsModel = (units = 1, activation: string | null = null) =>
  new Sequential([Input([1]), new Dense(units, { useBias: false, kernelInitializer: "zeros", activation })]);

describe("fit learns", () => {
  it("reduces the loss on a regression problem", async () => {
    setRandomSeed(1);
    const { x, y } = regressionData(256);
    const model = new Sequential([Input([2]), new Dense(1)]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "mse" });
    const history = await model.fit(x, y, { epochs: 20, batchSize: 32, verbose: 0 });
    const loss = history.history.loss!;
    expect(loss.length).toBe(20);
    expect(loss[19]!).toBeLessThan(loss[0]! / 20);
    expect(loss[19]!).toBeLessThan(1e-3);
  });

  it("reaches high accuracy on a classification problem", async () => {
    setRandomSeed(2);
    const { x, y } = blobs(300);
    const model = new Sequential([Input([2]), new Dense(16, { activation: "relu" }), new Dense(3, { activation: "softmax" })]);
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    const h = await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    expect(h.history.loss![29]!).toBeLessThan(h.history.loss![0]!);
    expect(h.history.accuracy![29]!).toBeGreaterThan(0.95);
    const [loss, acc] = (await model.evaluate(x, y, { verbose: 0 })) as number[];
    expect(loss).toBeLessThan(0.2);
    expect(acc).toBeGreaterThan(0.95);
  });
});

describe("train step numbers", () => {
  it("one trainOnBatch SGD step of a Dense model equals the hand-computed update", async () => {
    const K = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]; // (3, 2) row-major
    const b = [0.05, -0.05];
    const x = [
      [1, 2, 3],
      [-1, 0.5, 2],
    ];
    const y = [
      [1, 0],
      [0, 1],
    ];
    const model = new Sequential([Input([3]), new Dense(2)]);
    model.setWeights([new Float32Array(K), new Float32Array(b)]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "mse" });
    const loss = await model.trainOnBatch(x, y);

    // float64 reference: p = xK + b; L = mean((p - y)^2); dL/dp = 2 (p - y) / (N U)
    const N = 2;
    const U = 2;
    const p = x.map((row) => [0, 1].map((j) => row.reduce((acc, v, i) => acc + v * K[i * 2 + j]!, 0) + b[j]!));
    const d = p.map((row, n) => row.map((v, j) => (2 * (v - y[n]![j]!)) / (N * U)));
    const L = p.flat().reduce((acc, v, i) => acc + (v - y.flat()[i]!) ** 2, 0) / (N * U);
    const dK = K.map((_, idx) => {
      const i = Math.floor(idx / 2);
      const j = idx % 2;
      return x.reduce((acc, row, n) => acc + row[i]! * d[n]![j]!, 0);
    });
    const db = [0, 1].map((j) => d.reduce((acc, row) => acc + row[j]!, 0));
    const [newK, newB] = await model.getWeights();
    expectAllclose(newK!, K.map((v, i) => v - 0.1 * dK[i]!), { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(newB!, b.map((v, i) => v - 0.1 * db[i]!), { rtol: 1e-5, atol: 1e-6 });
    // The logged loss is the one computed before the update.
    expect(loss as number).toBeCloseTo(L, 5);
  });

  it("adds the weight regularization penalty to the loss", async () => {
    const model = new Sequential([Input([1]), new Dense(1, { useBias: false, kernelInitializer: "ones", kernelRegularizer: { class_name: "L2", config: { l2: 0.5 } } })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mse" });
    // prediction 1 * 1 = 1 = target: the compiled loss is 0, the penalty 0.5 * 1^2.
    const loss = await model.testOnBatch([[1]], [[1]]);
    expect(loss as number).toBeCloseTo(0.5, 6);
  });
});

describe("history, evaluate and predict", () => {
  it("history keys are sorted as in Keras 3, one value per epoch", async () => {
    setRandomSeed(3);
    const { x, y } = blobs(60);
    const model = new Sequential([Input([2]), new Dense(3, { activation: "softmax" })]);
    model.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    const h = await model.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(h.history)).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    for (const v of Object.values(h.history)) expect(v.length).toBe(3);
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(model.history).toBe(h);
    expect(model.metricsNames).toEqual(["loss", "accuracy"]);
  });

  it("initialEpoch and validationFreq", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: "sgd", loss: "mse" });
    const h = await model.fit([[1], [2], [3], [4]], [1, 2, 3, 4], { epochs: 5, initialEpoch: 1, validationSplit: 0.25, validationFreq: 2, verbose: 0 });
    expect(h.epoch).toEqual([1, 2, 3, 4]);
    expect(h.history.loss!.length).toBe(4);
    // Validation at 1-based epochs 2 and 4, i.e. epoch indices 1 and 3.
    expect(h.history.val_loss!.length).toBe(2);
  });

  it("validationSplit takes the LAST fraction of the samples", async () => {
    // lr 0 keeps the zero kernel: predictions are 0 and the MAE is the mean |y|.
    const model = noWeightsModel();
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mae" });
    const h = await model.fit([[1], [1], [1], [1]], [0, 0, 0, 10], { epochs: 1, validationSplit: 0.25, verbose: 0 });
    expect(h.history.loss![0]).toBeCloseTo(0, 6);
    expect(h.history.val_loss![0]).toBeCloseTo(10, 6);
    const a = new HostArray(new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [10], "float32");
    const [train, val] = trainValidationSplit([a], 0.3);
    expect(Array.from((train[0] as HostArray).data)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from((val[0] as HostArray).data)).toEqual([7, 8, 9]);
  });

  it("evaluate returns a scalar, a list or a dict like Keras", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: "sgd", loss: "mae" });
    expect(await model.evaluate([[1], [2]], [1, 3], { verbose: 0 })).toBeCloseTo(2, 6);
    model.compile({ optimizer: "sgd", loss: "mae", metrics: ["mse"] });
    const list = (await model.evaluate([[1], [2]], [1, 3], { verbose: 0 })) as number[];
    expect(list.length).toBe(2);
    expect(list[0]).toBeCloseTo(2, 6);
    expect(list[1]).toBeCloseTo(5, 6);
    const dict = await model.evaluate([[1], [2]], [1, 3], { verbose: 0, returnDict: true });
    expect(Object.keys(dict)).toEqual(["loss", "mse"]);
  });

  it("predict concatenates batches (last one partial) and leaks nothing", async () => {
    const model = new Sequential([Input([3]), new Dense(4)]);
    const x = new Float32Array(10 * 3).map((_, i) => i / 10);
    const before = memory().numTensors;
    const y = (await model.predict(x, { batchSize: 4, verbose: 0 })) as Tensor;
    expect(y.shape).toEqual([10, 4]);
    tidy(() => expectAllclose(y, model.callEager(lax.constant(x, [10, 3], "float32")) as Tensor));
    y.dispose();
    expect(memory().numTensors).toBe(before);
    const one = (await model.predictOnBatch([[1, 2, 3]])) as Tensor;
    expect(one.shape).toEqual([1, 4]);
    one.dispose();
  });

  it("predict does not need compile", async () => {
    const model = new Sequential([Input([2]), new Dense(1)]);
    const y = (await model.predict([[1, 2]], { verbose: 0 })) as Tensor;
    expect(y.shape).toEqual([1, 1]);
    y.dispose();
  });
});

describe("sample and class weights", () => {
  // Sigmoid of a zero kernel is 0.5 for every sample: each binary crossentropy is ln 2.
  const LN2 = Math.log(2);

  it("sampleWeight scales each sample's loss (sum over batch size)", async () => {
    const model = noWeightsModel(1, "sigmoid");
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "binary_crossentropy" });
    const h = await model.fit([[1], [1]], [0, 1], { sampleWeight: [1, 3], epochs: 1, verbose: 0, shuffle: false });
    expect(h.history.loss![0]).toBeCloseTo(((1 + 3) * LN2) / 2, 5);
  });

  it("classWeight weighs each sample by its class", async () => {
    const model = noWeightsModel(1, "sigmoid");
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "binary_crossentropy" });
    const h = await model.fit([[1], [1], [1]], [0, 1, 1], { classWeight: { 0: 1, 1: 4 }, epochs: 1, verbose: 0 });
    expect(h.history.loss![0]).toBeCloseTo(((1 + 4 + 4) * LN2) / 3, 5);
  });

  it("classWeight with one-hot targets uses the argmax", async () => {
    const model = new Sequential([Input([1]), new Dense(2, { useBias: false, kernelInitializer: "zeros", activation: "softmax" })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "categorical_crossentropy" });
    const h = await model.fit([[1], [1]], [[1, 0], [0, 1]], { classWeight: { 1: 3 }, epochs: 1, verbose: 0 });
    expect(h.history.loss![0]).toBeCloseTo(((1 + 3) * LN2) / 2, 5);
  });

  it("weightedMetrics see the sample weights, metrics do not", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mae", metrics: ["mae"], weightedMetrics: ["mae"] });
    const logs = await model.evaluate([[1], [1]], [1, 3], { sampleWeight: [1, 0], verbose: 0, returnDict: true });
    expect(logs.mae).toBeCloseTo(2, 6);
    expect(logs.weighted_mae).toBeCloseTo(1, 6);
  });

  it("classWeight together with sampleWeight is an error", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: "sgd", loss: "mae" });
    await expect(model.fit([[1]], [1], { classWeight: { 0: 1 }, sampleWeight: [1], verbose: 0 })).rejects.toThrow(/class_weight.*sample_weight/);
  });
});

describe("data formats", () => {
  it("nested arrays, typed arrays, {data, shape} and Tensors give the same result", async () => {
    const model = noWeightsModel();
    model.setWeights([new Float32Array([2])]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mse" });
    const expected = ((2 - 1) ** 2 + (4 - 1) ** 2) / 2;
    const t = lax.constant([1, 2], [2, 1], "float32");
    for (const x of [[[1], [2]], new Float32Array([1, 2]), { data: [1, 2], shape: [2, 1] }, t, [1, 2]])
      expect(await model.evaluate(x, [1, 1], { verbose: 0 })).toBeCloseTo(expected, 6);
    t.dispose();
  });

  it("a flat Float32Array is reshaped to the input shape, a flat one-hot y to (n, k)", async () => {
    const model = new Sequential([Input([4]), new Dense(3, { useBias: false, kernelInitializer: "zeros", activation: "softmax" })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "categorical_crossentropy", metrics: ["accuracy"] });
    const x = new Float32Array(5 * 4);
    const y = new Float32Array(5 * 3);
    for (let i = 0; i < 5; i++) y[i * 3 + (i % 3)] = 1;
    const logs = await model.evaluate(x, y, { verbose: 0, returnDict: true });
    expect(logs.loss).toBeCloseTo(Math.log(3), 5);
    expect(model.metrics[1]!.className).toBe("CategoricalAccuracy");
    await expect(model.evaluate(new Float32Array(7), y, { verbose: 0 })).rejects.toThrow(/expects samples of shape \(4,\)/);
  });

  it("multi-input Functional models take a list or a dict by input name", async () => {
    const a = Input([2], { name: "a" });
    const b = Input([1], { name: "b" });
    const sa = new Dense(1, { useBias: false, kernelInitializer: "ones" }).apply(a);
    const sb = new Dense(1, { useBias: false, kernelInitializer: "ones" }).apply(b);
    const model = new Functional([a, b], new Add().apply([sa, sb]));
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: "mae" });
    const xa = [
      [1, 2],
      [3, 4],
    ];
    const xb = [[10], [20]];
    const y = [13, 27];
    expect(await model.evaluate([xa, xb], y, { verbose: 0 })).toBeCloseTo(0, 6);
    expect(await model.evaluate({ b: xb, a: xa }, y, { verbose: 0 })).toBeCloseTo(0, 6);
    const p = (await model.predict({ a: new Float32Array([1, 1]), b: new Float32Array([5]) }, { verbose: 0 })) as Tensor;
    expectAllclose(p, [[7]]);
    p.dispose();
  });

  it("a generator of [x, y] batches with stepsPerEpoch", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "mse" });
    function* gen() {
      for (;;) yield [[[1], [2]], [2, 4]];
    }
    const h = await model.fit(gen(), undefined, { epochs: 4, stepsPerEpoch: 5, verbose: 0 });
    expect(h.history.loss!.length).toBe(4);
    expect(h.history.loss![3]!).toBeLessThan(h.history.loss![0]!);
    const [k] = await model.getWeights();
    expect(k![0]!).toBeCloseTo(2, 2);
  });

  it("an async iterable without stepsPerEpoch runs until it ends", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: "sgd", loss: "mse" });
    const batches = {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 3; i++) yield [[[1]], [1]];
      },
    };
    let steps = 0;
    const h = await model.fit(batches, undefined, {
      epochs: 2,
      verbose: 0,
      callbacks: [
        new (class extends (await import("../src/callbacks/index")).Callback {
          override onTrainBatchEnd() {
            steps++;
          }
        })(),
      ],
    });
    expect(steps).toBe(6);
    expect(h.history.loss!.length).toBe(2);
  });

  it("Dataset: fromTensorSlices, shuffle, batch, map, take", async () => {
    setRandomSeed(5);
    const { x, y } = regressionData(64, 7);
    const xs = Array.from({ length: 64 }, (_, i) => [x[2 * i]!, x[2 * i + 1]!]);
    const ds = Dataset.fromTensorSlices(xs, Array.from(y))
      .shuffle(64, 1)
      .batch(16)
      .map((xb: Tensor, yb: Tensor) => [lax.mul(xb, 1), yb]);
    const batches = (await ds.take(2).toArray()) as Tensor[][];
    expect(batches.length).toBe(2);
    expect(batches[0]![0]!.shape).toEqual([16, 2]);
    expect(batches[0]![1]!.shape).toEqual([16]);
    for (const b of batches) for (const t of b) t.dispose();

    const model = new Sequential([Input([2]), new Dense(1)]);
    model.compile({ optimizer: new SGD({ learningRate: 0.2 }), loss: "mse" });
    const before = memory().numTensors;
    const h = await model.fit(ds, undefined, { epochs: 15, verbose: 0 });
    expect(h.history.loss![14]!).toBeLessThan(h.history.loss![0]! / 10);
    // A second fit over the dataset leaves the tensor count where the first one left it.
    const mid = memory().numTensors;
    await model.fit(ds, undefined, { epochs: 2, verbose: 0 });
    expect(memory().numTensors).toBe(mid);
    expect(mid - before).toBeLessThan(20);
    const p = (await model.predict(Dataset.fromTensorSlices(xs).batch(10), { verbose: 0 })) as Tensor;
    expect(p.shape).toEqual([64, 1]);
    p.dispose();
  });

  it("EpochIterator groups stepsPerExecution batches and restarts exhausted data", async () => {
    const h = new HostArray(new Float32Array(10), [10, 1], "float32");
    const it = new EpochIterator(new ArrayDataAdapter(h, null, null, { batchSize: 3 }), { stepsPerExecution: 2 });
    expect(it.numBatches).toBe(4);
    const groups = [];
    for await (const g of it.epoch()) groups.push([g.begin, g.end, g.batches.map((b) => (b.x as HostArray).length)]);
    expect(groups).toEqual([
      [0, 1, [3, 3]],
      [2, 3, [3, 1]],
    ]);
  });

  it("stepsPerExecution in compile", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: "sgd", loss: "mse", stepsPerExecution: 3 });
    const ends: number[] = [];
    const { Callback } = await import("../src/callbacks/index");
    await model.fit(new Float32Array(8), new Float32Array(8), {
      batchSize: 1,
      verbose: 0,
      callbacks: [
        new (class extends Callback {
          override onTrainBatchEnd(batch: number) {
            ends.push(batch);
          }
        })(),
      ],
    });
    expect(ends).toEqual([2, 5, 7]);
  });
});

describe("models", () => {
  it("a subclassed model is built by a dry run before its first step", async () => {
    setRandomSeed(6);
    class MLP extends Model {
      static override className = "MLP";
      d1 = new Dense(8, { activation: "tanh" });
      drop = new Dropout(0.1);
      d2 = new Dense(1);
      override call(x: Tensor, args: CallArgs) {
        return this.d2.apply(this.drop.apply(this.d1.apply(x), args));
      }
    }
    const model = new MLP();
    model.compile({ optimizer: "adam", loss: "mse" });
    const { x, y } = regressionData(64, 9);
    const first = await model.trainOnBatch(lax.constant(x, [64, 2], "float32"), y);
    expect(model.trainableWeights.length).toBe(4);
    const xs = Array.from({ length: 64 }, (_, i) => [x[2 * i]!, x[2 * i + 1]!]);
    const h = await model.fit(xs, y, { epochs: 20, batchSize: 16, verbose: 0 });
    expect(h.history.loss![19]!).toBeLessThan(first as number);
  });

  it("multi-output Functional: per-output losses, weights and metric names", async () => {
    setRandomSeed(7);
    const inp = Input([2]);
    const a = new Dense(1, { name: "out_a" }).apply(inp);
    const b = new Dense(3, { activation: "softmax", name: "out_b" }).apply(inp);
    const model = new Functional(inp, [a, b]);
    model.compile({
      optimizer: "adam",
      loss: { out_a: "mse", out_b: "sparse_categorical_crossentropy" },
      lossWeights: { out_a: 0.5, out_b: 1 },
      metrics: { out_b: ["accuracy"] },
    });
    const { x, y } = blobs(30);
    const ya = Array.from(y, (v) => v * 0.5);
    const h = await model.fit(x, { out_a: ya, out_b: y }, { epochs: 2, verbose: 0 });
    expect(Object.keys(h.history)).toEqual(["loss", "out_a_loss", "out_b_accuracy", "out_b_loss"]);
    expect(model.metricsNames).toEqual(["loss", "out_b_accuracy", "out_a_loss", "out_b_loss"]);
    // total = 0.5 * out_a_loss + out_b_loss (no regularization)
    const logs = await model.evaluate(x, [ya, y], { verbose: 0, returnDict: true });
    expect(logs.loss).toBeCloseTo(0.5 * logs.out_a_loss! + logs.out_b_loss!, 4);
    const list = (await model.evaluate(x, [ya, y], { verbose: 0 })) as number[];
    expect(list.length).toBe(4);
    expect(list[0]).toBeCloseTo(logs.loss!, 5);
    const preds = (await model.predict(x, { verbose: 0 })) as Tensor[];
    expect(preds.map((p) => p.shape)).toEqual([
      [30, 1],
      [30, 3],
    ]);
    for (const p of preds) p.dispose();
  });

  it("compile stores Keras' compile_config", () => {
    const model = new Sequential([Input([4]), new Dense(2, { activation: "softmax" })]);
    expect(model.getCompileConfig()).toBeNull();
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    const c = model.getCompileConfig()!;
    expect(Object.keys(c)).toEqual(["optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"]);
    // As a Keras 3 model compiled the same way saves it (shared/keras-format/models/a_mlp).
    expect(c).toEqual({
      optimizer: {
        module: "keras.optimizers",
        class_name: "Adam",
        config: {
          name: "adam",
          learning_rate: 0.0010000000474974513,
          weight_decay: null,
          clipnorm: null,
          global_clipnorm: null,
          clipvalue: null,
          use_ema: false,
          ema_momentum: 0.99,
          ema_overwrite_frequency: null,
          loss_scale_factor: null,
          gradient_accumulation_steps: null,
          beta_1: 0.9,
          beta_2: 0.999,
          epsilon: 1e-7,
          amsgrad: false,
        },
        registered_name: null,
      },
      loss: "sparse_categorical_crossentropy",
      loss_weights: null,
      metrics: ["accuracy"],
      weighted_metrics: null,
      run_eagerly: false,
      steps_per_execution: 1,
      jit_compile: true,
    });
    expect(model.optimizer!.className).toBe("Adam");
    expect(model.loss).toBe("sparse_categorical_crossentropy");
    model.compile({ loss: "mse", runEagerly: true });
    expect(model.optimizer!.className).toBe("RMSprop");
    expect(model.getCompileConfig()!.jit_compile).toBe(false);
  });

  it("'accuracy' resolves from the shapes, as Keras does", async () => {
    const binary = new Sequential([Input([2]), new Dense(1, { activation: "sigmoid" })]);
    binary.compile({ optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy"] });
    await binary.evaluate([[1, 2]], [1], { verbose: 0 });
    expect(binary.metrics.map((m) => m.className)).toEqual(["Mean", "BinaryAccuracy"]);
    const cat = new Sequential([Input([2]), new Dense(3, { activation: "softmax" })]);
    cat.compile({ optimizer: "sgd", loss: "categorical_crossentropy", metrics: ["acc"] });
    await cat.evaluate([[1, 2]], [[0, 1, 0]], { verbose: 0 });
    expect(cat.metrics.map((m) => m.className)).toEqual(["Mean", "CategoricalAccuracy"]);
    expect(cat.metricsNames).toEqual(["loss", "acc"]);
  });
});

describe("errors", () => {
  it("x and y of different lengths", async () => {
    const model = new Sequential([Input([2]), new Dense(1)]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    const x = new Float32Array(100 * 2);
    const y = new Float32Array(90);
    const err = await model.fit(x, y, { verbose: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toMatch(/'x' sizes: 100/);
    expect((err as Error).message).toMatch(/'y' sizes: 90/);
    expect((err as Error).message).toMatch(/Received: x sizes=100; y sizes=90$/);
  });

  it("wrong feature shape gives the model's input-shape error", async () => {
    const model = new Sequential([Input([3]), new Dense(1)]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    await expect(model.fit([[1, 2], [3, 4]], [1, 2], { verbose: 0 })).rejects.toThrow(/incompatible.*expected shape \(None, 3\).*Received: shape=\(2, 2\)/);
  });

  it("unknown loss and metric names fail at compile", () => {
    const model = new Sequential([Input([3]), new Dense(1)]);
    expect(() => model.compile({ loss: "not_a_loss" })).toThrow(/Could not interpret loss identifier/);
    expect(() => model.compile({ loss: "mse", metrics: ["not_a_metric"] })).toThrow(/Could not interpret metric identifier/);
    expect(() => model.compile({ loss: "mse", metrics: "accuracy" as never })).toThrow(/Expected `metrics` argument to be a list, tuple, or dict/);
    expect(() => model.compile({ optimizer: "nope", loss: "mse" })).toThrow(/Could not interpret optimizer identifier/);
  });

  it("fit before compile, and no loss at all", async () => {
    const model = new Sequential([Input([1]), new Dense(1)]);
    await expect(model.fit([[1]], [1], { verbose: 0 })).rejects.toThrow(/You must call `compile\(\)`/);
    model.compile({ optimizer: "sgd", metrics: ["mae"] });
    await expect(model.fit([[1]], [1], { verbose: 0 })).rejects.toThrow(/No loss to compute/);
  });

  it("validationSplit on too little data or on a generator", async () => {
    const model = noWeightsModel();
    model.compile({ optimizer: "sgd", loss: "mse" });
    await expect(model.fit([[1]], [1], { validationSplit: 0.5, verbose: 0 })).rejects.toThrow(/not sufficient to split/);
    function* gen() {
      yield [[[1]], [1]];
    }
    await expect(model.fit(gen(), undefined, { validationSplit: 0.5, verbose: 0 })).rejects.toThrow(/validation_split` is only supported/);
    await expect(model.fit(gen(), [1], { verbose: 0 })).rejects.toThrow(/`y` should not be passed/);
  });
});
