/**
 * ModelCheckpoint and BackupAndRestore, to Node files and to IndexedDB (fake-indexeddb).
 */
import "fake-indexeddb/auto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { outputsOf } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { ModelCheckpoint, formatPath } from "../src/callbacks/model_checkpoint";
import { BackupAndRestore } from "../src/callbacks/backup_and_restore";
import { Callback } from "../src/callbacks/callback";
import { Sequential } from "../src/models/sequential";
import { Input } from "../src/layers/core/input_layer";
import { Dense } from "../src/layers/core/dense";
import * as ops from "../src/ops/index";
import * as random from "../src/random/index";
import type { Tensor } from "../src/tensor/tensor";

const dir = mkdtempSync(path.join(tmpdir(), "webkeras-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const m of await saving.listModels()) await saving.removeModel(m.name);
});

const xs = random.normal([12, 4], { seed: 3 }) as Tensor;
const ys = ops.convertToTensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], "int32") as Tensor;

function model(): Sequential {
  // Softmax output: sparse_categorical_crossentropy takes probabilities by default, and a linear
  // output row of exact zeros (all ReLUs off) gives 0/0 = NaN, in Keras too.
  const m = new Sequential([Input([4]), new Dense(6, { activation: "relu" }), new Dense(3, { activation: "softmax" })]);
  m.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
  return m;
}

class StopAfter extends Callback {
  constructor(private readonly epoch: number) {
    super();
  }
  override onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) throw new Error("interrupted");
  }
}

describe("ModelCheckpoint", () => {
  test("formats file paths like Python str.format", () => {
    expect(formatPath("m-{epoch:02d}-{val_loss:.2f}.keras", { epoch: 3, val_loss: 0.12345 })).toBe("m-03-0.12.keras");
    expect(formatPath("{epoch}-{loss:.3e}", { epoch: 12, loss: 0.000123 })).toBe("12-1.230e-04");
    expect(() => formatPath("{nope}.keras", { epoch: 1 })).toThrow(/nope/);
  });

  test("saves every epoch to Node files, with placeholders", async () => {
    const m = model();
    await m.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [new ModelCheckpoint(path.join(dir, "e{epoch:02d}.keras"), { monitor: "loss" })] });
    expect(readdirSync(dir).filter((f) => /^e\d+\.keras$/.test(f)).sort()).toEqual(["e01.keras", "e02.keras", "e03.keras"]);
    const last = await saving.loadModel(path.join(dir, "e03.keras"));
    expect(outputsOf(last.callEager(xs))).toEqual(outputsOf(m.callEager(xs)));
  });

  test("saveBestOnly keeps the best model in IndexedDB", async () => {
    const m = model();
    const ckpt = new ModelCheckpoint("indexeddb://best", { monitor: "loss", saveBestOnly: true, mode: "min" });
    ckpt.setModel(m);
    const kernel = m.layers[0]!.weights[0]!;
    const snapshot = async (): Promise<number[]> => Array.from(await kernel.value.data());
    kernel.assign(ops.full([4, 6], 1));
    await ckpt.onEpochEnd(0, { loss: 1.0 });
    const best = await snapshot();
    kernel.assign(ops.full([4, 6], 2));
    await ckpt.onEpochEnd(1, { loss: 1.5 }); // worse: not saved
    const loaded = await saving.loadModel("indexeddb://best");
    expect(Array.from(loaded.layers[0]!.weights[0]!.value.dataSync())).toEqual(best);
    kernel.assign(ops.full([4, 6], 3));
    await ckpt.onEpochEnd(2, { loss: 0.5 }); // better: saved
    expect(Array.from((await saving.loadModel("indexeddb://best")).layers[0]!.weights[0]!.value.dataSync())).toEqual(await snapshot());
    expect(ckpt.best).toBe(0.5);
  });

  test("saveWeightsOnly and saveFreq in batches", async () => {
    const m = model();
    const ckpt = new ModelCheckpoint("indexeddb://w-{epoch}-{batch}", { saveWeightsOnly: true, saveFreq: 2 });
    await m.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [ckpt] });
    const names = (await saving.listModels()).map((x) => x.name);
    expect(names).toEqual(["w-1-2", "w-2-1", "w-2-3"]);
    const fresh = model();
    await fresh.loadWeights("indexeddb://w-2-3");
    expect(outputsOf(fresh.callEager(xs))).toEqual(outputsOf(m.callEager(xs)));
  });

  test("checks extensions and saveFreq like Keras", () => {
    expect(() => new ModelCheckpoint("m.h5")).toThrow(/must end in `\.keras`/);
    expect(() => new ModelCheckpoint("m.keras", { saveWeightsOnly: true })).toThrow(/\.weights\.h5/);
    expect(() => new ModelCheckpoint("m.keras", { saveFreq: 0 })).toThrow(/save_freq/);
  });
});

describe("BackupAndRestore", () => {
  for (const target of ["indexeddb://backup", "node"] as const) {
    test(`resumes interrupted training exactly (${target === "node" ? "Node directory" : "IndexedDB"})`, async () => {
      const backupDir = target === "node" ? path.join(dir, "backup") : target;
      const reference = model();
      const initial = await reference.getWeights();
      await reference.fit(xs, ys, { epochs: 4, batchSize: 4, verbose: 0, shuffle: false });

      const interrupted = model();
      interrupted.setWeights(initial.map((w) => Float32Array.from(w)));
      const crash = interrupted.fit(xs, ys, { epochs: 4, batchSize: 4, verbose: 0, shuffle: false, callbacks: [new BackupAndRestore(backupDir), new StopAfter(1)] });
      await expect(crash).rejects.toThrow("interrupted");
      if (target === "node") expect(readdirSync(backupDir).sort()).toEqual(["latest.weights.h5", "training_metadata.json"]);
      else expect((await saving.listModels()).map((m) => [m.name, m.kind])).toEqual([["backup", "backup"]]);

      // A new process: a fresh model (other initial weights) resumes from epoch 2.
      const resumed = model();
      const epochs: number[] = [];
      const spy = new (class extends Callback {
        override onEpochBegin(epoch: number): void {
          epochs.push(epoch);
        }
      })();
      await resumed.fit(xs, ys, { epochs: 4, batchSize: 4, verbose: 0, shuffle: false, callbacks: [new BackupAndRestore(backupDir), spy] });
      expect(epochs).toEqual([2, 3]);
      expect(Number(resumed.compiled!.optimizer.iterations.value.dataSync()[0])).toBe(12);
      const a = await reference.getWeights();
      const b = await resumed.getWeights();
      b.forEach((w, i) => Array.from(w).forEach((v, j) => expect(v).toBeCloseTo(a[i]![j]!, 6)));
      // The backup is deleted once training ends normally.
      if (target === "node") expect(existsSync(backupDir)).toBe(false);
      else expect(await saving.listModels()).toEqual([]);
    });
  }

  test("saveFreq in batches, deleteCheckpoint: false keeps the backup", async () => {
    const m = model();
    await m.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [new BackupAndRestore("indexeddb://b2", { saveFreq: 2, deleteCheckpoint: false })] });
    expect((await saving.listModels()).map((x) => x.name)).toEqual(["b2"]);
    expect(() => new BackupAndRestore("")).toThrow(/Empty `backup_dir`/);
  });
});
