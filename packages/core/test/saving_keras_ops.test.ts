/**
 * Files in which Keras recorded ops called on symbolic tensors (saving_keras_files/, written by
 * Keras 3.15.1): the NotEqual of Embedding(mask_zero=True) feeding an LSTM's mask, and a graph of
 * Greater / Cast / Multiply / Sum. They load, predict as Keras did, and save back unchanged.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { entryText, outputsOf, stripSharedIds, worstViolation } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import * as ops from "../src/ops/index";
import type { Tensor } from "../src/tensor/tensor";

const here = new URL("./saving_keras_files/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", here), "utf8")) as Record<
  string,
  { inputs: { shape: number[]; dtype: string; data: number[] }[]; outputs: number[][] }
>;

describe.each(Object.keys(expected))("Keras file with ops: %s", (name) => {
  const bytes = new Uint8Array(readFileSync(new URL(`${name}.keras`, here)));
  const inputs = (): Tensor[] => expected[name]!.inputs.map((a) => ops.reshape(ops.convertToTensor(a.data, a.dtype), a.shape) as Tensor);

  test("loads and predicts within 1e-5 of Keras", async () => {
    const model = await saving.loadModel(bytes);
    const ins = inputs();
    const outs = outputsOf(model.callEager(ins.length === 1 ? ins[0]! : ins));
    outs.forEach((o, i) => expect(worstViolation(o, expected[name]!.outputs[i]!)).toBeLessThanOrEqual(0));
    // Ops are graph operations, not layers (as in Keras): they own no weights.
    expect(model.layers.map((l) => l.className)).not.toContain("NotEqual");
  });

  test("saves back the same config.json and weights", async () => {
    const model = await saving.loadModel(bytes);
    const resaved = await saving.saveModel(model);
    const ours = entryText(resaved, "config.json");
    expect(JSON.parse(ours)).toEqual(stripSharedIds(JSON.parse(entryText(bytes, "config.json"))));
    const again = await saving.loadModel(resaved);
    const ins = inputs();
    const x = ins.length === 1 ? ins[0]! : ins;
    expect(outputsOf(again.callEager(x))).toEqual(outputsOf(model.callEager(x)));
  });
});
