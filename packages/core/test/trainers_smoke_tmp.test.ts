import { it, expect } from "vitest";
import "../src/index";
import { Dense } from "../src/layers/core/dense";
import { Dropout } from "../src/layers/regularization/dropout";
import { Input } from "../src/layers/core/input_layer";
import { Sequential } from "../src/models/sequential";
import { memory } from "../src/engine/engine";
import { setRandomSeed } from "../src/random/seed_generator";

it("smoke", async () => {
  setRandomSeed(1);
  const n = 256;
  const x = new Float32Array(n * 4).map(() => Math.random() * 2 - 1);
  const y = new Int32Array(n).map((_, i) => (x[i * 4]! + x[i * 4 + 1]! > 0 ? 1 : 0));
  const model = new Sequential([Input([4]), new Dense(16, { activation: "relu" }), new Dropout(0.1), new Dense(2, { activation: "softmax" })]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const out: string[] = [];
  const h = await model.fit(x, y, { epochs: 5, batchSize: 32, validationSplit: 0.2, verbose: 1 });
  console.log(h.history);
  console.log(await model.evaluate(x, y, { verbose: 0 }));
  const p = await model.predict(x, { verbose: 0 });
  console.log(p.shape, memory().numTensors);
  console.log(JSON.stringify(model.getCompileConfig()));
  expect(h.history.loss.length).toBe(5);
});
