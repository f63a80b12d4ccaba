/**
 * The Keras 3 reference models (`../shared/keras-format/models/{a_mlp,b_cnn,c_functional_dag}`,
 * written by Keras 3.15.1): each architecture is rebuilt here with webkeras layers, every
 * variable is set from weights.json (matched by Keras variable path: `<...>/<layer>/<weight>`),
 * and inference on inputs.json must match expected.json and, layer by layer, intermediates.json
 * (the first diverging layer is named) within atol 1e-5 + rtol 1e-5. `model.summary()` must
 * return the text of summary.txt exactly, and the parameter counts must match params.json.
 *
 * The fixtures live beside the repository (CI checks `../shared` out next to its clone).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Tensor, lax, tidy } from "../src/index";
import { Input } from "../src/layers/core/input_layer";
import { Dense } from "../src/layers/core/index";
import { Dropout } from "../src/layers/regularization/index";
import { Add, Concatenate } from "../src/layers/merging/index";
import { Conv2D } from "../src/layers/convolutional/index";
import { GlobalAveragePooling2D, MaxPooling2D } from "../src/layers/pooling/index";
import { BatchNormalization, LayerNormalization } from "../src/layers/normalization/index";
import type { Layer } from "../src/layers/layer";
import { Functional } from "../src/models/functional";
import { Sequential } from "../src/models/sequential";
import type { Model } from "../src/models/model";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const MODELS = path.resolve(ROOT, "../shared/keras-format/models");
const ATOL = 1e-5;
const RTOL = 1e-5;

interface JsonArray {
  name?: string;
  shape: number[];
  dtype: string;
  data: number[];
}
interface JsonWeight extends JsonArray {
  path: string;
  trainable: boolean;
}

function read<T>(kase: string, file: string): T {
  const p = path.join(MODELS, kase, file);
  if (!existsSync(p))
    throw new Error(
      `Keras reference file missing: ${p} (the fixtures are expected in ../shared beside the repository)`,
    );
  return JSON.parse(readFileSync(p, "utf8")) as T;
}

const toTensor = (a: JsonArray): Tensor =>
  lax.constant(a.data.map(Math.fround), a.shape, "float32") as Tensor;

/** Largest |actual - expected| and whether every element is within atol + rtol * |expected|. */
function compare(
  actual: Tensor,
  expected: JsonArray,
): { maxAbs: number; ok: boolean; shapeOk: boolean } {
  const shapeOk =
    actual.shape.length === expected.shape.length &&
    actual.shape.every((d, i) => d === expected.shape[i]);
  if (!shapeOk) return { maxAbs: Infinity, ok: false, shapeOk };
  const a = actual.dataSync();
  let maxAbs = 0;
  let ok = true;
  expected.data.forEach((e0, i) => {
    const e = Math.fround(e0);
    const d = Math.abs(a[i]! - e);
    maxAbs = Math.max(maxAbs, d);
    if (!(d <= ATOL + RTOL * Math.abs(e))) ok = false;
  });
  return { maxAbs, ok, shapeOk };
}

/** Sets every variable of weights.json on the layer named by the second-to-last path part. */
function loadWeights(model: Model, kase: string): void {
  const { weights } = read<{ weights: JsonWeight[] }>(kase, "weights.json");
  const assigned = new Set<unknown>();
  for (const w of weights) {
    const parts = w.path.split("/");
    const layer = model.getLayer(parts[parts.length - 2]!);
    const v = layer.weights.find((x) => x.name === parts[parts.length - 1]);
    if (!v)
      throw new Error(
        `${kase}: layer "${layer.name}" has no weight "${parts[parts.length - 1]}" (weights: ${layer.weights.map((x) => x.name).join(", ")})`,
      );
    expect(v.shape, `${w.path} shape`).toEqual(w.shape);
    expect(v.trainable, `${w.path} trainable`).toBe(w.trainable);
    const t = toTensor(w);
    v.assign(t);
    t.dispose();
    assigned.add(v);
  }
  expect(assigned.size, `${kase}: every model variable is in weights.json`).toBe(
    model.weights.length,
  );
}

/** Checks intermediates in order; fails naming the first layer whose output diverges. */
function checkIntermediates(kase: string, computed: Map<string, Tensor>): number {
  const { intermediates } = read<{ intermediates: JsonArray[] }>(kase, "intermediates.json");
  let worst = 0;
  for (const ref of intermediates) {
    const got = computed.get(ref.name!);
    if (!got) throw new Error(`${kase}: no computed output for intermediate "${ref.name}"`);
    const r = compare(got, ref);
    if (!r.ok)
      throw new Error(
        `${kase}: first diverging layer is "${ref.name}": ${r.shapeOk ? `max abs diff ${r.maxAbs}` : `shape ${JSON.stringify(got.shape)} vs ${JSON.stringify(ref.shape)}`}`,
      );
    worst = Math.max(worst, r.maxAbs);
  }
  return worst;
}

function checkOutputs(kase: string, outputs: Tensor[]): number {
  const { outputs: expected } = read<{ outputs: JsonArray[] }>(kase, "expected.json");
  expect(outputs.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((e, i) => {
    const r = compare(outputs[i]!, e);
    expect(r.shapeOk, `${kase} output ${e.name} shape`).toBe(true);
    expect(r.ok, `${kase} output ${e.name}: max abs diff ${r.maxAbs}`).toBe(true);
    worst = Math.max(worst, r.maxAbs);
  });
  return worst;
}

interface Params {
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  layers: {
    name: string;
    class_name: string;
    params: number;
    trainable_params: number;
    non_trainable_params: number;
    output_shape: (number | null)[][];
  }[];
}

function checkParams(kase: string, model: Model): void {
  const p = read<Params>(kase, "params.json");
  const count = (ws: { size: number }[]) => ws.reduce((n, w) => n + w.size, 0);
  expect(model.countParams()).toBe(p.total_params);
  expect(count(model.trainableWeights)).toBe(p.trainable_params);
  expect(count(model.nonTrainableWeights)).toBe(p.non_trainable_params);
  const layers: Layer[] = (model as Functional).operations
    ? ((model as Functional).operations.filter(
        (o) => (o as Layer).weights !== undefined,
      ) as Layer[])
    : model.layers;
  expect(layers.map((l) => l.name)).toEqual(p.layers.map((l) => l.name));
  for (const ref of p.layers) {
    const l = layers.find((x) => x.name === ref.name)!;
    expect(l.className, `${ref.name} class`).toBe(ref.class_name);
    expect(l.countParams(), `${ref.name} params`).toBe(ref.params);
    expect(count(l.trainableWeights), `${ref.name} trainable params`).toBe(ref.trainable_params);
    expect(count(l.nonTrainableWeights), `${ref.name} non-trainable params`).toBe(
      ref.non_trainable_params,
    );
    const node = l.inboundNodes[l.inboundNodes.length - 1]!;
    expect(
      node.outputs.map((o) => [...o.shape]),
      `${ref.name} output shape`,
    ).toEqual(ref.output_shape);
  }
}

function checkSummary(kase: string, model: Model): void {
  const want = readFileSync(path.join(MODELS, kase, "summary.txt"), "utf8");
  let printed: string | null = null;
  const text = model.summary({ printFn: (s) => (printed = s) });
  expect(printed).toBe(text);
  expect(text).toBe(want);
}

function inputsOf(kase: string): Tensor[] {
  return read<{ inputs: JsonArray[] }>(kase, "inputs.json").inputs.map(toTensor);
}

/** Runs a Sequential model layer by layer (inference), recording each layer's output by name. */
function sequentialIntermediates(model: Sequential, x: Tensor): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let h = x;
  for (const l of model.layers) {
    h = l.apply(h, { training: false }) as Tensor;
    out.set(l.name, h);
  }
  return out;
}

describe("Keras 3 reference models", () => {
  it("the fixtures are present", () => {
    expect(existsSync(MODELS), `missing ${MODELS}`).toBe(true);
  });

  it("a_mlp: Sequential MLP (Dense, Dropout, Dense softmax)", () => {
    const kase = "a_mlp";
    const model = new Sequential(
      [
        Input([20], { name: "features" }),
        new Dense(32, { activation: "relu", name: "dense" }),
        new Dropout(0.2, { name: "dropout" }),
        new Dense(10, { activation: "softmax", name: "dense_1" }),
      ],
      { name: "mlp" },
    );
    loadWeights(model, kase);
    checkParams(kase, model);
    checkSummary(kase, model);
    tidy(() => {
      const [x] = inputsOf(kase);
      const inter = checkIntermediates(kase, sequentialIntermediates(model, x!));
      const out = checkOutputs(kase, [model.apply(x!, { training: false }) as Tensor]);
      expect(Math.max(out, inter)).toBeLessThan(1e-5);
    });
  });

  it("b_cnn: Sequential CNN (Conv2D, BatchNormalization, MaxPooling2D, GlobalAveragePooling2D)", () => {
    const kase = "b_cnn";
    const model = new Sequential(
      [
        Input([28, 28, 1], { name: "image" }),
        new Conv2D(8, 3, { padding: "same", activation: "relu", name: "conv2d" }),
        new BatchNormalization({ name: "batch_normalization" }),
        new MaxPooling2D(undefined, { name: "max_pooling2d" }),
        new Conv2D(16, 3, { strides: 2, name: "conv2d_1" }),
        new GlobalAveragePooling2D({ name: "global_average_pooling2d" }),
        new Dense(10, { name: "dense" }),
      ],
      { name: "cnn" },
    );
    loadWeights(model, kase);
    checkParams(kase, model);
    checkSummary(kase, model);
    tidy(() => {
      const [x] = inputsOf(kase);
      const inter = checkIntermediates(kase, sequentialIntermediates(model, x!));
      const out = checkOutputs(kase, [model.apply(x!, { training: false }) as Tensor]);
      expect(Math.max(out, inter)).toBeLessThan(1e-5);
    });
  });

  it("c_functional_dag: two inputs, a shared Dense, Add, Concatenate, LayerNormalization, two outputs", () => {
    const kase = "c_functional_dag";
    const a = Input([6], { name: "input_a" });
    const b = Input([6], { name: "input_b" });
    const shared = new Dense(6, { activation: "tanh", name: "shared_dense" });
    const add = new Add({ name: "residual_add" });
    const concat = new Concatenate({ name: "concat" });
    const norm = new LayerNormalization({ epsilon: 1e-3, name: "layer_norm" });
    const classOut = new Dense(3, { activation: "softmax", name: "class_out" });
    const regOut = new Dense(1, { name: "reg_out" });
    const sa = shared.apply(a);
    const sb = shared.apply(b);
    const h = norm.apply(concat.apply([add.apply([a, sa]), sb]));
    const model = new Functional([a, b], [classOut.apply(h), regOut.apply(h)], { name: "dag" });
    loadWeights(model, kase);
    checkParams(kase, model);
    checkSummary(kase, model);
    tidy(() => {
      const [xa, xb] = inputsOf(kase);
      const probe = new Map<string, Tensor>();
      const run = (name: string, l: Layer, x: unknown) => {
        const y = l.apply(x, { training: false }) as Tensor;
        probe.set(name, y);
        return y;
      };
      const pa = run("shared_dense@input_a", shared, xa);
      const pb = run("shared_dense@input_b", shared, xb);
      const ph = run(
        "layer_norm",
        norm,
        run("concat", concat, [run("residual_add", add, [xa, pa]), pb]),
      );
      run("class_out", classOut, ph);
      run("reg_out", regOut, ph);
      const inter = checkIntermediates(kase, probe);
      const out = checkOutputs(kase, model.apply([xa, xb], { training: false }) as Tensor[]);
      expect(Math.max(out, inter)).toBeLessThan(1e-5);
    });
  });
});
