/**
 * Interop with real Keras 3 (optional): files written here are loaded by Python Keras, which
 * must predict the same values and read the same optimizer state; Keras then saves them again
 * and we load its files. Runs when KERAS_PYTHON names a Python with keras 3.15 and h5py
 * (e.g. KERAS_PYTHON=/path/to/venv/bin/python); skipped otherwise (CI has no Keras).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { entryText, outputsOf, stripSharedIds } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { Sequential } from "../src/models/sequential";
import { Functional } from "../src/models/functional";
import type { Model } from "../src/models/model";
import { Input } from "../src/layers/core/input_layer";
import { Dense } from "../src/layers/core/dense";
import { Dropout } from "../src/layers/regularization/dropout";
import { BatchNormalization, LayerNormalization } from "../src/layers/normalization/index";
import { Add, Concatenate } from "../src/layers/merging/index";
import { Conv2D } from "../src/layers/convolutional/index";
import { MaxPooling2D, GlobalAveragePooling2D } from "../src/layers/pooling/index";
import * as ops from "../src/ops/index";
import { Embedding } from "../src/layers/core/embedding";
import { LSTM } from "../src/layers/rnn/index";
import * as random from "../src/random/index";
import type { Tensor } from "../src/tensor/tensor";

const PY = process.env.KERAS_PYTHON;
const dir = mkdtempSync(path.join(tmpdir(), "webkeras-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import json, os, sys, warnings
os.environ.setdefault("KERAS_BACKEND", "numpy")
import numpy as np, keras
d = sys.argv[1]
cases = json.load(open(os.path.join(d, "cases.json")))
report = {}
for c in cases:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m = keras.saving.load_model(os.path.join(d, c["name"] + ".keras"))
    xs = [np.array(a["data"], dtype=a["dtype"]).reshape(a["shape"]) for a in c["inputs"]]
    y = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    ys = y if isinstance(y, (list, tuple)) else [y]
    diff = max(float(np.max(np.abs(np.asarray(a).ravel() - np.array(b, dtype="float32")))) for a, b in zip(ys, c["outputs"]))
    opt = getattr(m, "optimizer", None)
    report[c["name"]] = {
        "max_diff": diff,
        "warnings": [str(x.message) for x in w],
        "optimizer_vars": [np.asarray(v).ravel().tolist() for v in opt.variables] if opt is not None and c.get("check_optimizer") else None,
    }
    m.save(os.path.join(d, c["name"] + ".py.keras"))
print(json.dumps(report))
`;

function dag(): Functional {
  const a = Input([6], { name: "in_a" });
  const b = Input([6], { name: "in_b" });
  const shared = new Dense(6, { activation: "tanh", name: "shared" });
  const sum = new Add().apply([a, shared.apply(a)]);
  const cat = new Concatenate().apply([sum, shared.apply(b)]);
  const h = new LayerNormalization({ epsilon: 1e-3 }).apply(cat);
  return new Functional([a, b], [new Dense(3, { activation: "softmax", name: "cls" }).apply(h), new Dense(1, { name: "reg" }).apply(h)], { name: "dag" });
}

const rand = (shape: number[], seed: number): Tensor => random.normal(shape, { seed }) as Tensor;

async function cases(): Promise<{ name: string; model: Model; inputs: Tensor[]; checkOptimizer?: boolean; configDiffers?: boolean }[]> {
  const cnn = new Sequential([Input([8, 8, 2]), new Conv2D(4, 3, { padding: "same", activation: "relu" }), new BatchNormalization(), new MaxPooling2D(), new Conv2D(5, 3, { strides: 2 }), new GlobalAveragePooling2D(), new Dense(3)], { name: "cnn" });
  const bn = cnn.layers[1]!;
  bn.setWeights(bn.weights.map((w, i) => new Float32Array(w.size).fill(0.3 + i)));
  const innerIn = Input([4], { name: "inner_in" });
  const innerF = new Functional(innerIn, new Dense(3, { activation: "relu", name: "inner_dense" }).apply(innerIn), { name: "inner_f" });
  const x = Input([4], { name: "x" });
  const y1 = innerF.apply(x);
  const y2 = innerF.apply(new Dense(4, { name: "pre" }).apply(x));
  const nested = new Functional(x, new Add({ name: "sum" }).apply([y1, y2]), { name: "nested" });
  const seqIn = new Sequential([Input([4]), new Dense(5), new Dropout(0.1), new Dense(2)], { name: "seq_inner" });
  const z = Input([4], { name: "z" });
  const seqNested = new Functional(z, new Dense(1, { name: "out" }).apply(seqIn.apply(z)), { name: "seq_nested" });
  const trained = new Sequential([Input([4]), new Dense(8, { activation: "relu" }), new Dense(3)], { name: "trained" });
  trained.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  await trained.fit(rand([16, 4], 1), ops.convertToTensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], "int32"), { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
  const ids = Input([5], { dtype: "int32", name: "ids" });
  const masked = new Functional(ids, new LSTM(3).apply(new Embedding(10, 4, { maskZero: true }).apply(ids)), { name: "masked" });
  const idValues = ops.convertToTensor([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8], [9, 0, 0, 0, 0]], "int32") as Tensor;
  return [
    { name: "masked", model: masked, inputs: [idValues], configDiffers: true },
    { name: "dag", model: dag(), inputs: [rand([4, 6], 2), rand([4, 6], 3)] },
    { name: "cnn", model: cnn, inputs: [rand([2, 8, 8, 2], 4)] },
    { name: "nested", model: nested, inputs: [rand([3, 4], 5)] },
    { name: "seq_nested", model: seqNested, inputs: [rand([3, 4], 6)] },
    { name: "trained", model: trained, inputs: [rand([3, 4], 7)], checkOptimizer: true },
  ];
}

describe.skipIf(!PY)("interop with Python Keras 3 (KERAS_PYTHON)", () => {
  test("Keras loads our files, predicts the same, and its re-saved files load here", async () => {
    const all = await cases();
    const meta = [];
    for (const c of all) {
      writeFileSync(path.join(dir, `${c.name}.keras`), await saving.saveModel(c.model));
      const y = outputsOf(c.model.callEager(c.inputs.length === 1 ? c.inputs[0]! : c.inputs));
      meta.push({
        name: c.name,
        check_optimizer: c.checkOptimizer ?? false,
        inputs: c.inputs.map((t) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.dataSync()) })),
        outputs: y.map((a) => Array.from(a)),
      });
    }
    writeFileSync(path.join(dir, "cases.json"), JSON.stringify(meta));
    writeFileSync(path.join(dir, "check.py"), SCRIPT);
    const out = execFileSync(PY!, [path.join(dir, "check.py"), dir], { encoding: "utf8", env: { ...process.env, KERAS_BACKEND: "numpy" }, maxBuffer: 64 << 20 });
    const report = JSON.parse(out.trim().split("\n").pop()!) as Record<string, { max_diff: number; warnings: string[]; optimizer_vars: number[][] | null }>;
    for (const c of all) {
      const r = report[c.name]!;
      expect(r.max_diff, c.name).toBeLessThan(1e-5);
      expect(r.warnings.filter((w) => /Skipping|could not|mismatch/i.test(w)), c.name).toEqual([]);
      if (c.checkOptimizer) {
        const ours = c.model.compiled!.optimizer.variables.map((v) => Array.from(v.value.dataSync()));
        expect(r.optimizer_vars!.length).toBe(ours.length);
        r.optimizer_vars!.forEach((v, i) => expect(v.map(Math.fround)).toEqual(ours[i]));
      }
      // Keras' own save of our model: the same config (up to shared ids) and predictions.
      // (A masked graph gains the NotEqual op Keras records when it rebuilds the mask.)
      const theirs = new Uint8Array((await import("node:fs")).readFileSync(path.join(dir, `${c.name}.py.keras`)));
      const mine = await saving.saveModel(c.model);
      if (!c.configDiffers)
        expect(stripSharedIds(JSON.parse(entryText(theirs, "config.json")))).toEqual(JSON.parse(entryText(mine, "config.json")));
      const back = await saving.loadModel(theirs);
      const x = c.inputs.length === 1 ? c.inputs[0]! : c.inputs;
      expect(outputsOf(back.callEager(x))).toEqual(outputsOf(c.model.callEager(x)));
    }
  }, 300_000);
});
