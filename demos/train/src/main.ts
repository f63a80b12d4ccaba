/**
 * Train demo: an MLP learns MNIST digits in the page. Deterministic for a given `?seed=`
 * (digit split, weights, dropout, batch order); `?backend=` picks the backend; `?train=`,
 * `?test=`, `?epochs=` size the run; `?autorun=1` starts it without a click. Results land in
 * `data-*` attributes of `#app` (status, backend, final loss, accuracy, timings, saved model).
 */
import "@webkeras/demo-common/style.css";
import * as keras from "@webkeras/core";
import { LiveChartCallback, plotModel } from "@webkeras/viz";
import {
  MODEL_URL,
  PIXELS,
  ProgressCallback,
  Results,
  backendPicker,
  byId,
  loadBackends,
  loadDigits,
  readParams,
  splitDigits,
  useBackend,
  type DigitSet,
} from "@webkeras/demo-common";

const results = new Results(byId("app"));
const params = readParams();
const statusText = byId("status");

/** Keras' classic MNIST MLP: Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax). */
function buildModel(): keras.Sequential {
  const model = new keras.Sequential(
    [
      keras.Input([PIXELS], { name: "pixels" }),
      new keras.layers.Dense(128, { activation: "relu", name: "hidden" }),
      new keras.layers.Dropout(0.2, { name: "dropout" }),
      new keras.layers.Dense(10, { activation: "softmax", name: "digit" }),
    ],
    { name: "mnist_mlp" },
  );
  model.compile({
    optimizer: new keras.optimizers.Adam({ learningRate: 1e-3 }),
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
  });
  return model;
}

function showStats(rows: [string, string][]): void {
  byId("stats").replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}

/** Draws the first test digits with the model's guesses (wrong ones in red). */
function showSamples(test: DigitSet, predicted: Int32Array, count = 24): void {
  const figs: HTMLElement[] = [];
  for (let i = 0; i < Math.min(count, test.n); i++) {
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    const img = c.getContext("2d")!.createImageData(28, 28);
    for (let p = 0; p < PIXELS; p++) {
      const v = Math.round(test.x[i * PIXELS + p]! * 255);
      img.data.set([v, v, v, 255], p * 4);
    }
    c.getContext("2d")!.putImageData(img, 0, 0);
    const cap = document.createElement("figcaption");
    cap.textContent = String(predicted[i]);
    if (predicted[i] !== test.y[i]) cap.className = "wrong";
    const fig = document.createElement("figure");
    fig.append(c, cap);
    figs.push(fig);
  }
  byId("samples").replaceChildren(...figs);
}

async function argmax(probs: keras.Tensor): Promise<Int32Array> {
  const idx = keras.ops.argmax(probs, -1);
  const out = Int32Array.from((await idx.data()) as ArrayLike<number>);
  keras.dispose(idx);
  return out;
}

async function run(
  backend: string,
  train: DigitSet,
  test: DigitSet,
  epochs: number,
): Promise<void> {
  results.status("running");
  statusText.textContent = "Training…";
  keras.random.setRandomSeed(params.seed);
  const model = buildModel();
  byId("model").innerHTML = plotModel(model, {
    showShapes: true,
    showLayerNames: true,
    showLayerActivations: true,
  });
  const chart = new LiveChartCallback(byId("chart"), { width: 640, height: 260, updateEvery: 4 });
  const progress = new ProgressCallback(
    byId<HTMLProgressElement>("progress"),
    byId("progress-text"),
  );
  const batchSize = params.int("batch", 64);

  const t0 = performance.now();
  const history = await model.fit(train.x, train.y, {
    epochs,
    batchSize,
    validationData: [test.x, test.y],
    verbose: 0,
    callbacks: [chart, progress],
  });
  const trainMs = performance.now() - t0;
  const steps = epochs * Math.ceil(train.n / batchSize);

  const t1 = performance.now();
  const [testLoss, testAccuracy] = (await model.evaluate(test.x, test.y, {
    batchSize: 256,
    verbose: 0,
  })) as number[];
  const evalMs = performance.now() - t1;
  const probs = (await model.predict(test.x.subarray(0, 24 * PIXELS), {
    verbose: 0,
  })) as keras.Tensor;
  showSamples(test, await argmax(probs));
  keras.dispose(probs);

  const losses = history.history.loss ?? [];
  const finalLoss = losses[losses.length - 1] ?? NaN;
  results.set({
    backend,
    epochs,
    trainDigits: train.n,
    testDigits: test.n,
    finalLoss,
    testLoss,
    accuracy: testAccuracy,
    trainMs: Math.round(trainMs),
    msPerStep: trainMs / steps,
    evalMs: Math.round(evalMs),
  });
  showStats([
    ["Backend", backend],
    ["Final training loss", finalLoss.toFixed(4)],
    ["Test loss", testLoss!.toFixed(4)],
    ["Test accuracy", `${(testAccuracy! * 100).toFixed(2)}%`],
    ["Training time", `${(trainMs / 1000).toFixed(2)} s (${(trainMs / steps).toFixed(1)} ms/step)`],
    ["Evaluation time", `${evalMs.toFixed(0)} ms`],
  ]);

  statusText.textContent = "Saving…";
  try {
    await model.save(MODEL_URL);
    results.set({ saved: MODEL_URL });
    statusText.textContent = `Done. Saved to ${MODEL_URL}.`;
  } catch (err) {
    results.set({ saved: "", saveError: (err as Error).message });
    statusText.textContent = `Done, but saving failed: ${(err as Error).message}`;
  }
  results.status("done");
}

async function main(): Promise<void> {
  results.set({ seed: params.seed, crossOriginIsolated: globalThis.crossOriginIsolated === true });
  const { available, failed } = await loadBackends();
  results.set({
    backends: available.join(","),
    backendsFailed: Object.keys(failed).join(",") || null,
  });
  backendPicker(byId<HTMLSelectElement>("backend"), available, params.backend);
  const backend = await useBackend(params.backend);
  results.set({ backend });

  const nTrain = byId<HTMLInputElement>("n-train");
  const nEpochs = byId<HTMLInputElement>("epochs");
  nTrain.value = String(params.int("train", 2000));
  nEpochs.value = String(params.int("epochs", 3));
  const digits = await results.time("load", () => loadDigits());
  const trainButton = byId<HTMLButtonElement>("train");
  const start = async () => {
    trainButton.disabled = true;
    try {
      const { train, test } = splitDigits(digits, {
        seed: params.seed,
        train: Number(nTrain.value),
        test: params.int("test", 1000),
      });
      await run(backend, train, test, Number(nEpochs.value));
    } catch (err) {
      results.fail(err);
      statusText.textContent = "Failed.";
    } finally {
      trainButton.disabled = false;
    }
  };
  trainButton.addEventListener("click", () => void start());
  trainButton.disabled = false;
  results.status("ready");
  statusText.textContent = `Ready: ${digits.count} digits loaded, backend ${backend}.`;
  if (params.autorun) await start();
}

main().catch((err) => results.fail(err));
