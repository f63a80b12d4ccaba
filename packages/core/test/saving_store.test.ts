/**
 * The IndexedDB model store in Node, on fake-indexeddb (the e2e suite runs the same API on
 * Chromium's real IndexedDB): save / list / load / copy / remove, atomic replacement with
 * injected failures, and a full quota.
 */
import "fake-indexeddb/auto";
import { afterEach, describe, expect, test } from "vitest";
import { outputsOf, refBytes, refInputs } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { storeTestHooks } from "../src/saving/model_store";
import { Sequential } from "../src/models/sequential";
import { Input } from "../src/layers/core/input_layer";
import { Dense } from "../src/layers/core/dense";
import * as ops from "../src/ops/index";
import type { Tensor } from "../src/tensor/tensor";

afterEach(async () => {
  storeTestHooks.beforeSwap = null;
  storeTestHooks.beforeWriteData = null;
  for (const m of await saving.listModels()) await saving.removeModel(m.name);
});

function smallModel(): Sequential {
  return new Sequential([Input([3]), new Dense(4, { activation: "relu" }), new Dense(2)]);
}

const x = (): Tensor => ops.convertToTensor([[0.5, -1, 2]]) as Tensor;

describe("model store", () => {
  test("model.save / loadModel round trip through indexeddb://", async () => {
    const model = smallModel();
    await model.save("indexeddb://small");
    const loaded = await saving.loadModel("indexeddb://small");
    expect(outputsOf(loaded.callEager(x()))).toEqual(outputsOf(model.callEager(x())));
    const list = await saving.listModels();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: "small", kerasVersion: "3.15.1", kind: "model" });
    expect(list[0]!.size).toBe((await saving.saveModel(model)).length);
    expect(Number.isNaN(Date.parse(list[0]!.dateSaved))).toBe(false);
  });

  test("a reference file stored and loaded back predicts the same", async () => {
    const { writeModelBytes } = await import("../src/saving/model_store");
    await writeModelBytes("cnn", refBytes("b_cnn"), { kind: "model", kerasVersion: "3.15.1" });
    const fromDb = await saving.loadModel("indexeddb://cnn");
    const fromBytes = await saving.loadModel(refBytes("b_cnn"));
    const input = refInputs("b_cnn")[0]!;
    expect(outputsOf(fromDb.callEager(input))).toEqual(outputsOf(fromBytes.callEager(input)));
  });

  test("listModels, copyModel and removeModel", async () => {
    await smallModel().save("indexeddb://b");
    await smallModel().save("indexeddb://a");
    await saving.copyModel("a", "c");
    expect((await saving.listModels()).map((m) => m.name)).toEqual(["a", "b", "c"]);
    await saving.removeModel("b");
    expect((await saving.listModels()).map((m) => m.name)).toEqual(["a", "c"]);
    await expect(saving.removeModel("b")).rejects.toBeInstanceOf(saving.ModelNotFoundError);
    await expect(saving.loadModel("indexeddb://b")).rejects.toBeInstanceOf(saving.ModelNotFoundError);
    await expect(saving.copyModel("nope", "d")).rejects.toBeInstanceOf(saving.ModelNotFoundError);
    expect(await saving.getModelInfo("c")).toMatchObject({ name: "c", kind: "model" });
    expect(await saving.getModelInfo("zz")).toBeNull();
  });

  test("saving again replaces the model and keeps one copy of the bytes", async () => {
    const first = smallModel();
    const second = smallModel();
    await first.save("indexeddb://m");
    await second.save("indexeddb://m");
    const loaded = await saving.loadModel("indexeddb://m");
    expect(outputsOf(loaded.callEager(x()))).toEqual(outputsOf(second.callEager(x())));
    const { createStore, keys } = await import("idb-keyval");
    const all = await keys(createStore("webkeras", "models"));
    expect(all.filter((k) => String(k).startsWith("data:m:"))).toHaveLength(1);
  });

  test("an interrupted save leaves the previous version loadable", async () => {
    const old = smallModel();
    await old.save("indexeddb://m");
    const before = (await saving.listModels())[0]!;
    storeTestHooks.beforeSwap = () => {
      throw new Error("tab closed");
    };
    await expect(smallModel().save("indexeddb://m")).rejects.toBeInstanceOf(saving.KerasFileError);
    storeTestHooks.beforeSwap = null;
    expect(await saving.listModels()).toEqual([before]);
    const loaded = await saving.loadModel("indexeddb://m");
    expect(outputsOf(loaded.callEager(x()))).toEqual(outputsOf(old.callEager(x())));
    // The orphaned bytes of the failed save were removed.
    const { createStore, keys } = await import("idb-keyval");
    expect((await keys(createStore("webkeras", "models"))).filter((k) => String(k).startsWith("data:m:"))).toHaveLength(1);
  });

  test("a full quota is a StorageQuotaError and the previous version stays", async () => {
    const old = smallModel();
    await old.save("indexeddb://q");
    storeTestHooks.beforeWriteData = () => {
      const e = new Error("The quota has been exceeded.");
      e.name = "QuotaExceededError";
      throw e;
    };
    const err = await smallModel().save("indexeddb://q").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(saving.StorageQuotaError);
    expect((err as Error).message).toMatch(/Not enough browser storage to save 'q'; the previous version/);
    storeTestHooks.beforeWriteData = null;
    const loaded = await saving.loadModel("indexeddb://q");
    expect(outputsOf(loaded.callEager(x()))).toEqual(outputsOf(old.callEager(x())));
  });

  test("weights in IndexedDB: saveWeights / loadWeights", async () => {
    const a = smallModel();
    const b = smallModel();
    await a.saveWeights("indexeddb://w");
    expect((await saving.listModels())[0]).toMatchObject({ name: "w", kind: "weights", kerasVersion: null });
    await b.loadWeights("indexeddb://w");
    expect(outputsOf(b.callEager(x()))).toEqual(outputsOf(a.callEager(x())));
  });

  test("an empty name is refused", async () => {
    await expect(saving.loadModel("indexeddb://")).rejects.toBeInstanceOf(saving.KerasFileError);
  });
});
