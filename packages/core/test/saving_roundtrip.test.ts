/**
 * Models built here, saved and loaded back: same predictions, the same config.json on a second
 * save, optimizer state that resumes training exactly, and every source / target kind.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { configOf, entryText, outputsOf } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { Sequential } from "../src/models/sequential";
import { Functional } from "../src/models/functional";
import { Model } from "../src/models/model";
import { Input } from "../src/layers/core/input_layer";
import { Dense } from "../src/layers/core/dense";
import { Dropout } from "../src/layers/regularization/dropout";
import { BatchNormalization, LayerNormalization } from "../src/layers/normalization/index";
import { Add, Concatenate } from "../src/layers/merging/index";
import { Conv2D } from "../src/layers/convolutional/index";
import { MaxPooling2D, GlobalAveragePooling2D } from "../src/layers/pooling/index";
import * as ops from "../src/ops/index";
import * as random from "../src/random/index";
import type { Tensor } from "../src/tensor/tensor";

const dir = mkdtempSync(path.join(tmpdir(), "webkeras-saving-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dag(): Functional {
  const a = Input([6], { name: "in_a" });
  const b = Input([6], { name: "in_b" });
  const shared = new Dense(6, { activation: "tanh", name: "shared" });
  const sum = new Add().apply([a, shared.apply(a)]);
  const cat = new Concatenate().apply([sum, shared.apply(b)]);
  const h = new LayerNormalization({ epsilon: 1e-3 }).apply(cat);
  return new Functional([a, b], [new Dense(3, { activation: "softmax", name: "cls" }).apply(h), new Dense(1, { name: "reg" }).apply(h)], { name: "dag" });
}

function cnn(): Sequential {
  return new Sequential(
    [
      Input([8, 8, 2]),
      new Conv2D(4, 3, { padding: "same", activation: "relu" }),
      new BatchNormalization(),
      new MaxPooling2D(),
      new Conv2D(5, 3, { strides: 2 }),
      new GlobalAveragePooling2D(),
      new Dense(3),
    ],
    { name: "small_cnn" },
  );
}

const rand = (shape: number[], seed: number): Tensor => random.normal(shape, { seed }) as Tensor;

async function roundTrip(model: Model, x: Tensor | Tensor[]): Promise<Model> {
  const bytes = await saving.saveModel(model);
  const loaded = await saving.loadModel(bytes);
  expect(outputsOf(loaded.callEager(x))).toEqual(outputsOf(model.callEager(x)));
  // A second save writes the same config.json and weights.
  const again = await saving.saveModel(loaded);
  expect(entryText(again, "config.json")).toBe(entryText(bytes, "config.json"));
  return loaded;
}

describe("round trips", () => {
  test("a Functional DAG with a shared layer, two inputs and two outputs", async () => {
    const model = dag();
    const loaded = await roundTrip(model, [rand([4, 6], 1), rand([4, 6], 2)]);
    expect(loaded).toBeInstanceOf(Functional);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const cfg = configOf(await saving.saveModel(model));
    expect(cfg).toMatchObject({ module: "keras.src.models.functional", class_name: "Functional", registered_name: "Functional", build_config: { input_shape: null }, compile_config: {} });
    const shared = cfg.config.layers.find((l: { name: string }) => l.name === "shared");
    expect(shared.inbound_nodes).toHaveLength(2);
    const concat = cfg.config.layers.find((l: { class_name: string }) => l.class_name === "Concatenate");
    expect(concat.inbound_nodes[0].args[0][1].config.keras_history).toEqual(["shared", 1, 0]);
    expect(cfg.config.input_layers).toEqual([["in_a", 0, 0], ["in_b", 0, 0]]);
  });

  test("a Sequential CNN with BatchNormalization statistics", async () => {
    const model = cnn();
    const bn = model.layers[1] as BatchNormalization;
    bn.setWeights(bn.weights.map((w, i) => new Float32Array(w.size).fill(0.5 + i)));
    await roundTrip(model, rand([2, 8, 8, 2], 3));
    const cfg = configOf(await saving.saveModel(model));
    expect(cfg.config.layers[0].class_name).toBe("InputLayer");
    expect(cfg.config.build_input_shape).toEqual([null, 8, 8, 2]);
    expect(cfg.config.layers.map((l: { build_config?: unknown }) => "build_config" in l)).toEqual([false, true, true, false, true, false, true]);
  });

  test("a Sequential built on its first call, and one never built", async () => {
    const model = new Sequential([new Dense(3), new Dropout(0.3), new Dense(2)]);
    model.callEager(rand([2, 4], 4));
    await roundTrip(model, rand([2, 4], 5));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const unbuilt = new Sequential([new Dense(3)]);
    const bytes = await saving.saveModel(unbuilt);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/not yet been built/));
    warn.mockRestore();
    const loaded = await saving.loadModel(bytes);
    expect(loaded.built).toBe(false);
  });

  test("a model nested in a Functional model", async () => {
    const inner = new Sequential([Input([4]), new Dense(3, { activation: "relu" })], { name: "inner" });
    const x = Input([4], { name: "x" });
    const outer = new Functional(x, new Dense(2, { name: "head" }).apply(inner.apply(x)), { name: "outer" });
    await roundTrip(outer, rand([3, 4], 6));
    const cfg = configOf(await saving.saveModel(outer));
    expect(cfg.config.input_layers).toEqual(["x", 0, 0]);
  });

  test("toJSON / modelFromJSON", async () => {
    const model = dag();
    const copy = saving.modelFromJSON(model.toJSON());
    expect(copy.toJSON()).toBe(model.toJSON());
    expect(model.toJSON()).toMatch(/^\{"module": "keras\.src\.models\.functional", "class_name": "Functional", "config": \{"name": "dag", /);
  });
});

describe("optimizer state", () => {
  test("a trained model resumes training exactly after save and load", async () => {
    const make = (): Sequential => new Sequential([Input([4]), new Dense(8, { activation: "relu" }), new Dense(3)]);
    const model = make();
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    const xs = rand([16, 4], 7);
    const ys = ops.convertToTensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], "int32") as Tensor;
    await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
    const loaded = await saving.loadModel(await saving.saveModel(model));
    const o1 = model.compiled!.optimizer;
    const o2 = loaded.compiled!.optimizer;
    expect(o2.className).toBe("Adam");
    expect(o2.variables.length).toBe(o1.variables.length);
    expect(Number(o2.iterations.value.dataSync()[0])).toBe(4);
    for (let i = 0; i < o1.variables.length; i++) expect(Array.from(o2.variables[i]!.value.dataSync())).toEqual(Array.from(o1.variables[i]!.value.dataSync()));
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
    await loaded.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, shuffle: false });
    expect(await loaded.getWeights()).toEqual(await model.getWeights());
    // compile: false loads the architecture and weights only.
    const bare = await saving.loadModel(await saving.saveModel(model), { compile: false });
    expect(bare.compiled).toBeNull();
    expect(configOf(await saving.saveModel(bare)).compile_config).toEqual({});
  });
});

describe("sources and targets", () => {
  test("Node paths: model.save / loadModel, saveWeights / loadWeights, file:// URLs", async () => {
    const model = dag();
    const p = path.join(dir, "sub", "dag.keras");
    await model.save(p);
    const x = [rand([2, 6], 8), rand([2, 6], 9)];
    const loaded = await saving.loadModel(p);
    expect(outputsOf(loaded.callEager(x))).toEqual(outputsOf(model.callEager(x)));
    expect(outputsOf((await saving.loadModel(`file://${p}`)).callEager(x))).toEqual(outputsOf(model.callEager(x)));
    const wp = path.join(dir, "dag.weights.h5");
    await model.saveWeights(wp);
    expect(Array.from(readFileSync(wp).subarray(0, 4))).toEqual([0x89, 0x48, 0x44, 0x46]);
    const fresh = dag();
    await fresh.loadWeights(wp);
    expect(outputsOf(fresh.callEager(x))).toEqual(outputsOf(model.callEager(x)));
    // load_weights also takes a .keras file.
    const fresh2 = dag();
    await fresh2.loadWeights(p);
    expect(outputsOf(fresh2.callEager(x))).toEqual(outputsOf(model.callEager(x)));
    await expect(model.save(path.join(dir, "dag.h5"))).rejects.toThrow(/\.keras/);
    await expect(model.saveWeights(path.join(dir, "dag.h5"))).rejects.toThrow(/\.weights\.h5/);
  });

  test("ArrayBuffer, Blob-like and fetched URLs", async () => {
    const model = cnn();
    const bytes = await saving.saveModel(model);
    const x = rand([1, 8, 8, 2], 10);
    const want = outputsOf(model.callEager(x));
    const ab = bytes.slice().buffer;
    expect(outputsOf((await saving.loadModel(ab)).callEager(x))).toEqual(want);
    const blob = { arrayBuffer: async () => bytes.slice().buffer };
    expect(outputsOf((await saving.loadModel(blob)).callEager(x))).toEqual(want);
    const fetchMock = vi.fn(async (url: string) =>
      url.endsWith("missing.keras")
        ? { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) }
        : { ok: true, status: 200, arrayBuffer: async () => bytes.slice().buffer },
    );
    vi.stubGlobal("fetch", fetchMock);
    try {
      expect(outputsOf((await saving.loadModel("https://example.test/m.keras")).callEager(x))).toEqual(want);
      expect(outputsOf((await saving.loadModel({ href: "https://example.test/m.keras" })).callEager(x))).toEqual(want);
      await expect(saving.loadModel("https://example.test/missing.keras")).rejects.toBeInstanceOf(saving.ModelNotFoundError);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  test("a browser download through <a download>", async () => {
    const clicks: { href: string; download: string }[] = [];
    const anchor = { href: "", download: "", style: { display: "" }, click() { clicks.push({ href: this.href, download: this.download }); }, remove: vi.fn() };
    vi.stubGlobal("document", { createElement: () => anchor, body: { appendChild: vi.fn() } });
    const revoke = vi.fn();
    vi.stubGlobal("URL", Object.assign(function () {}, { createObjectURL: () => "blob:fake", revokeObjectURL: revoke }));
    const { downloadBytes } = await import("../src/saving/io");
    try {
      downloadBytes(await saving.saveModel(cnn()), "my_model.keras");
      expect(clicks).toEqual([{ href: "blob:fake", download: "my_model.keras" }]);
      expect(anchor.remove).toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
