/**
 * Infer demo: loads a digit classifier and classifies what you draw. `?model=` is where the
 * model comes from (default `indexeddb://mnist-mlp`, saved by the train demo; or a `.keras`
 * URL), `?backend=` and `?seed=` as in every demo, `?eval=` how many test digits of the `mnist`
 * package to score on load. Results in `#app`'s `data-*`: status, backend, model, accuracy,
 * and after each drawing prediction, confidence, infer-ms and prediction-count.
 */
import "@webkeras/demo-common/style.css";
import * as keras from "@webkeras/core";
import { plotModelElement } from "@webkeras/viz";
import {
  DrawPad,
  MODEL_URL,
  PIXELS,
  Results,
  backendPicker,
  byId,
  loadBackends,
  loadDigits,
  loadModelFrom,
  readParams,
  splitDigits,
  useBackend,
  withParam,
  type DigitSet,
} from "@webkeras/demo-common";

const results = new Results(byId("app"));
const params = readParams();
const statusText = byId("status");
let model: keras.Model | null = null;
let predictions = 0;

/** Class probabilities for a batch `(n, 784)`. */
async function probabilities(x: Float32Array, n: number): Promise<Float32Array> {
  const out = (await model!.predict(x, { batchSize: 256, verbose: 0 })) as keras.Tensor;
  const data = Float32Array.from((await out.data()) as ArrayLike<number>);
  keras.dispose(out);
  if (data.length !== n * 10)
    throw new Error(
      `The model should output 10 class probabilities per digit. Received: output shape ${JSON.stringify(out.shape)}`,
    );
  return data;
}

const argmax = (p: ArrayLike<number>, off = 0) => {
  let best = 0;
  for (let k = 1; k < 10; k++) if (p[off + k]! > p[off + best]!) best = k;
  return best;
};

function showBars(p: Float32Array): void {
  const top = argmax(p);
  byId("bars").replaceChildren(
    ...Array.from({ length: 10 }, (_v, k) => {
      const label = document.createElement("span");
      label.textContent = String(k);
      const track = document.createElement("div");
      const bar = document.createElement("div");
      bar.className = k === top ? "bar top" : "bar";
      bar.style.width = `${Math.max(1, p[k]! * 100)}%`;
      track.append(bar);
      const pct = document.createElement("span");
      pct.textContent = `${(p[k]! * 100).toFixed(1)}%`;
      return [label, track, pct];
    }).flat(),
  );
}

async function classify(pad: DrawPad): Promise<void> {
  if (!model || pad.isEmpty) return;
  const t0 = performance.now();
  const p = await probabilities(pad.toInput(), 1);
  const ms = performance.now() - t0;
  const digit = argmax(p);
  showBars(p);
  byId("prediction").textContent = String(digit);
  byId("timing").textContent = `${ms.toFixed(1)} ms on ${keras.getBackend()}`;
  results.set({
    prediction: digit,
    confidence: p[digit],
    inferMs: ms,
    predictionCount: ++predictions,
  });
}

function showSamples(test: DigitSet, p: Float32Array, count = 30): void {
  const figs: HTMLElement[] = [];
  for (let i = 0; i < Math.min(count, test.n); i++) {
    const c = document.createElement("canvas");
    c.width = c.height = 28;
    const ctx = c.getContext("2d")!;
    const img = ctx.createImageData(28, 28);
    for (let q = 0; q < PIXELS; q++) {
      const v = Math.round(test.x[i * PIXELS + q]! * 255);
      img.data.set([v, v, v, 255], q * 4);
    }
    ctx.putImageData(img, 0, 0);
    const cap = document.createElement("figcaption");
    const guess = argmax(p, i * 10);
    cap.textContent = String(guess);
    if (guess !== test.y[i]) cap.className = "wrong";
    const fig = document.createElement("figure");
    fig.append(c, cap);
    figs.push(fig);
  }
  byId("samples").replaceChildren(...figs);
}

async function main(): Promise<void> {
  results.set({ seed: params.seed, crossOriginIsolated: globalThis.crossOriginIsolated === true });
  const { available } = await loadBackends();
  results.set({ backends: available.join(",") });
  backendPicker(byId<HTMLSelectElement>("backend"), available, params.backend);
  const backend = await useBackend(params.backend);
  results.set({ backend });

  const source = params.str("model", MODEL_URL);
  const urlInput = byId<HTMLInputElement>("model-url");
  urlInput.value = source;
  byId("load").addEventListener("click", () => location.assign(withParam("model", urlInput.value)));
  const pad = new DrawPad(byId<HTMLCanvasElement>("pad"), {
    onStroke: () => void classify(pad).catch((e) => results.fail(e)),
  });
  byId("clear").addEventListener("click", () => {
    pad.clear();
    byId("prediction").textContent = "–";
    byId("bars").replaceChildren();
  });

  statusText.textContent = `Loading the model from ${source}…`;
  try {
    model = await results.time("load", () => loadModelFrom(source));
  } catch (err) {
    const hint = source.startsWith("indexeddb://")
      ? ` Train one in the train demo first (it saves to ${MODEL_URL}).`
      : "";
    throw new Error(`Could not load a model from ${source}: ${(err as Error).message}.${hint}`);
  }
  results.set({ model: source });
  byId("model").replaceChildren(plotModelElement(model, { showShapes: true, showLayerNames: true }));

  // Score the model on seeded test digits of the package, as a check that it loaded right.
  const digits = await loadDigits();
  const { test } = splitDigits(digits, {
    seed: params.seed,
    train: 0,
    test: params.int("eval", 500),
  });
  const t0 = performance.now();
  const p = await probabilities(test.x, test.n);
  const evalMs = performance.now() - t0;
  let correct = 0;
  for (let i = 0; i < test.n; i++) if (argmax(p, i * 10) === test.y[i]) correct++;
  const accuracy = correct / test.n;
  showSamples(test, p);
  results.set({ accuracy, evalDigits: test.n, evalMs: Math.round(evalMs) });
  const stats = byId("stats");
  stats.innerHTML = "";
  for (const [k, v] of [
    ["Model", source],
    ["Backend", backend],
    ["Accuracy", `${(accuracy * 100).toFixed(1)}% of ${test.n} digits`],
    ["Time", `${evalMs.toFixed(0)} ms (${(evalMs / test.n).toFixed(2)} ms/digit)`],
  ]) {
    const dt = document.createElement("dt");
    dt.textContent = k!;
    const dd = document.createElement("dd");
    dd.textContent = v!;
    stats.append(dt, dd);
  }
  byId("example").addEventListener("click", () => {
    const i = Math.floor(Math.random() * test.n);
    pad.clear();
    pad.showDigit(test.x.subarray(i * PIXELS, (i + 1) * PIXELS));
    void classify(pad).catch((e) => results.fail(e));
  });
  statusText.textContent = "Ready: draw a digit.";
  results.status("done");
}

main().catch((err) => {
  results.fail(err);
  statusText.textContent = "Failed.";
});
