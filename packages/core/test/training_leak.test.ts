/**
 * Training must not leak: 500 fit steps (5 epochs x 100 batches) of a small MLP with Adam,
 * Dropout, an accuracy metric, validation and per-batch log reads leave the live tensor count and bytes unchanged from the start
 * of epoch 2 (weights, optimizer slots and metric variables exist after epoch 1) to the end.
 */
import { expect, it } from "vitest";
import "../src/index";
import { memory } from "../src/engine/engine";
import { LambdaCallback, TerminateOnNaN } from "../src/callbacks/index";
import { Dense } from "../src/layers/core/dense";
import { Dropout } from "../src/layers/regularization/dropout";
import { Input } from "../src/layers/core/input_layer";
import { Sequential } from "../src/models/sequential";
import { setRandomSeed } from "../src/random/seed_generator";

it("500 fit steps leave numTensors and numBytes unchanged after epoch 1", async () => {
  setRandomSeed(11);
  const n = 800;
  const x = new Float32Array(n * 8).map((_, i) => Math.sin(i * 0.37));
  const y = new Int32Array(n).map((_, i) => (x[i * 8]! + x[i * 8 + 1]! > 0 ? 1 : 0) + (x[i * 8 + 2]! > 0.5 ? 1 : 0));
  const model = new Sequential([
    Input([8]),
    new Dense(16, { activation: "relu" }),
    new Dropout(0.2),
    new Dense(3, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const snapshots: { epoch: number; at: string; numTensors: number; numBytes: number }[] = [];
  const snap = (epoch: number, at: string) => {
    const m = memory();
    snapshots.push({ epoch, at, numTensors: m.numTensors, numBytes: m.numBytes });
  };
  let steps = 0;
  const h = await model.fit(x, y, {
    epochs: 5,
    batchSize: 8,
    verbose: 0,
    // Validation, and a callback that reads the logs at every batch, run through the same scopes.
    validationData: [x.subarray(0, 80 * 8), y.subarray(0, 80)],
    callbacks: [
      new TerminateOnNaN(),
      new LambdaCallback({
        onEpochBegin: (e) => snap(e, "begin"),
        onEpochEnd: (e) => snap(e, "end"),
        onTrainBatchEnd: () => void steps++,
      }),
    ],
  });
  expect(steps).toBe(500);
  expect(h.history.loss![4]!).toBeLessThan(h.history.loss![0]!);
  const start = snapshots.find((s) => s.epoch === 1 && s.at === "begin")!;
  for (const s of snapshots.filter((s) => s.epoch >= 1)) {
    expect({ ...s, numTensors: s.numTensors - start.numTensors, numBytes: s.numBytes - start.numBytes }).toEqual({ ...s, numTensors: 0, numBytes: 0 });
  }
  const after = memory();
  expect(after.numTensors).toBe(start.numTensors);
  expect(after.numBytes).toBe(start.numBytes);
});
