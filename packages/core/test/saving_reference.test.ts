/**
 * The Keras 3.15.1 reference files: every case loads and predicts within 1e-5 of what Keras
 * computed, and a load-then-save writes the same config.json (up to shared_object_id) and the
 * same HDF5 datasets.
 */
import { describe, expect, test, vi } from "vitest";
import { CASES, entryText, outputsOf, refBytes, refInputs, refJson, refOutputs, stripSharedIds, worstViolation } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { readZip } from "../src/saving/zip";
import { readHDF5, walkH5, type H5Dataset } from "../src/saving/hdf5_reader";
import { Model } from "../src/models/model";

function datasets(zipBytes: Uint8Array): Map<string, H5Dataset> {
  const root = readHDF5(readZip(zipBytes).read("model.weights.h5"));
  const out = new Map<string, H5Dataset>();
  for (const o of walkH5(root)) if (o.kind === "dataset") out.set(o.path, o);
  return out;
}

function groupsWithNames(zipBytes: Uint8Array): [string, unknown][] {
  const root = readHDF5(readZip(zipBytes).read("model.weights.h5"));
  return walkH5(root).filter((o) => o.kind === "group").map((o) => [o.path, o.attrs.get("name") ?? null]);
}

describe.each(CASES)("reference case %s", (c) => {
  test("loads and predicts within 1e-5 of Keras", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const model = await saving.loadModel(refBytes(c));
    warn.mockRestore();
    expect(model).toBeInstanceOf(Model);
    const ins = refInputs(c);
    const outs = outputsOf(model.callEager(ins.length === 1 ? ins[0]! : ins));
    const expected = refOutputs(c);
    expect(outs.length).toBe(expected.length);
    outs.forEach((o, i) => {
      expect(o.length).toBe(expected[i]!.data.length);
      expect(worstViolation(o, expected[i]!.data)).toBeLessThanOrEqual(0);
    });
  });

  test("every Keras variable lands in the model (weights.json, params.json)", async () => {
    const model = await saving.loadModel(refBytes(c), { compile: false });
    const params = refJson<{ total?: number; total_params?: number }>(c, "params.json");
    const total = params.total ?? params.total_params;
    if (total !== undefined) expect(model.countParams()).toBe(total);
    const weights = refJson<{ weights: { h5_dataset: string; data: number[]; shape: number[] }[] }>(c, "weights.json").weights;
    // Every Keras variable landed in the model: compare through a fresh save.
    const saved = datasets(await saving.saveModel(model));
    for (const w of weights) {
      const ds = saved.get(w.h5_dataset);
      expect(ds, w.h5_dataset).toBeDefined();
      expect(ds!.shape).toEqual(w.shape);
      expect(Array.from(ds!.read() as Float32Array)).toEqual(w.data.map(Math.fround));
    }
  });

  test("load then save gives the same config.json, metadata and HDF5 datasets", async () => {
    const original = refBytes(c);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const model = await saving.loadModel(original);
    warn.mockRestore();
    const resaved = await saving.saveModel(model);
    // Zip: the same entries, in Keras' order, all STORED.
    const zip = readZip(resaved);
    expect(zip.entries.map((e) => e.name)).toEqual(["metadata.json", "config.json", "model.weights.h5"]);
    expect(zip.entries.every((e) => e.method === 0)).toBe(true);
    const meta = JSON.parse(entryText(resaved, "metadata.json"));
    expect(Object.keys(meta)).toEqual(["keras_version", "date_saved"]);
    expect(meta.keras_version).toBe("3.15.1");
    expect(meta.date_saved).toMatch(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
    expect(entryText(resaved, "metadata.json")).toMatch(/^\{"keras_version": "3\.15\.1", "date_saved": "[^"]+"\}$/);
    // config.json: JSON-equal, and even the same text once Keras' shared_object_id is removed.
    const a = JSON.parse(entryText(resaved, "config.json"));
    const b = JSON.parse(entryText(original, "config.json"));
    expect(stripSharedIds(a)).toEqual(stripSharedIds(b));
    expect(entryText(resaved, "config.json")).toBe(entryText(original, "config.json").replace(/, "shared_object_id": \d+/g, ""));
    // HDF5: the same groups with the same name attributes, and the same datasets and values.
    // A compiled model's optimizer is built on load (as in Keras), so it gains its slots.
    const ours = datasets(resaved);
    const theirs = datasets(original);
    for (const [p, ds] of theirs) {
      const mine = ours.get(p);
      expect(mine, p).toBeDefined();
      expect(mine!.shape).toEqual(ds.shape);
      expect(mine!.dtype).toBe(ds.dtype);
      expect(Array.from(mine!.read() as ArrayLike<number>)).toEqual(Array.from(ds.read() as ArrayLike<number>));
    }
    for (const p of ours.keys()) if (!theirs.has(p)) expect(p).toMatch(/^optimizer\/vars\/\d+$/);
    expect(groupsWithNames(resaved)).toEqual(groupsWithNames(original));
  });

  test("a saved and reloaded model predicts identically", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const model = await saving.loadModel(refBytes(c));
    const again = await saving.loadModel(await saving.saveModel(model));
    warn.mockRestore();
    const ins = refInputs(c);
    const x = ins.length === 1 ? ins[0]! : ins;
    expect(outputsOf(again.callEager(x))).toEqual(outputsOf(model.callEager(x)));
  });

  test("toJSON() is the text Keras' to_json() wrote, and getConfig() equals get_config()", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const model = await saving.loadModel(refBytes(c));
    warn.mockRestore();
    const keras = refJson(c, "model.to_json.json");
    expect(JSON.parse(model.toJSON())).toEqual(keras);
    expect(model.getConfig()).toEqual(refJson(c, "get_config.json"));
  });
});
