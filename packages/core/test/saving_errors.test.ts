/**
 * Bad files and mismatched weights: each is a typed error from keras.saving, and nothing is
 * assigned when the weights do not match.
 */
import { describe, expect, test, vi } from "vitest";
import { configOf, refBytes, rezip } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { Sequential } from "../src/models/sequential";
import { Input } from "../src/layers/core/input_layer";
import { Dense } from "../src/layers/core/dense";
import { Layer } from "../src/layers/layer";
import * as ops from "../src/ops/index";
import { KerasError } from "../src/errors";
import { writeHDF5, h5Group, h5EnsureGroup } from "../src/saving/hdf5_writer";

function mlp(units: number[], useBias = true): Sequential {
  return new Sequential([Input([5]), ...units.map((u) => new Dense(u, { useBias }))]);
}

async function rejects<E extends Error>(p: Promise<unknown> | (() => unknown), cls: abstract new (...a: never[]) => E): Promise<E> {
  let err: unknown = null;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, "expected an error").toBeInstanceOf(cls);
  return err as E;
}

describe("damaged .keras files", () => {
  test("bytes that are not a zip", async () => {
    const e = await rejects(saving.loadModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])), saving.CorruptedFileError);
    expect(e.message).toMatch(/not a zip archive.*Received: 23 bytes/);
    await rejects(saving.loadModel(new Uint8Array(0)), saving.CorruptedFileError);
  });

  test("a truncated file", async () => {
    const b = refBytes("a_mlp");
    for (const n of [10, 100, 3000, b.length - 30, b.length - 1]) {
      const e = await rejects(saving.loadModel(b.slice(0, n)), saving.CorruptedFileError);
      expect(e.message).toMatch(/truncated or corrupted/);
    }
  });

  test("a flipped byte is caught by the entry checksum", async () => {
    const b = refBytes("c_functional_dag");
    const flipped = b.slice();
    flipped[200] ^= 0x20; // inside config.json
    const e = await rejects(saving.loadModel(flipped), saving.CorruptedFileError);
    expect(e.message).toMatch(/checksum of 'config.json'/);
    const w = b.slice();
    w[b.length - 2000] ^= 1; // inside model.weights.h5
    expect((await rejects(saving.loadModel(w), saving.CorruptedFileError)).message).toMatch(/model.weights.h5/);
  });

  test("config.json that is not JSON, or not a model", async () => {
    const b = refBytes("a_mlp");
    await rejects(saving.loadModel(rezip(b, { replace: { "config.json": "{not json" } })), saving.CorruptedFileError);
    await rejects(saving.loadModel(rezip(b, { replace: { "config.json": "[1, 2]" } })), saving.InvalidConfigError);
    const layerOnly = JSON.stringify(configOf(b).config.layers[1]);
    await rejects(saving.loadModel(rezip(b, { replace: { "config.json": layerOnly } })), saving.InvalidConfigError);
    await rejects(saving.loadModel(rezip(b, { drop: ["config.json"] })), saving.CorruptedFileError);
    await rejects(saving.loadModel(rezip(b, { drop: ["model.weights.h5"] })), saving.CorruptedFileError);
  });

  test("model.weights.h5 that is not HDF5", async () => {
    const b = refBytes("b_cnn");
    const e = await rejects(saving.loadModel(rezip(b, { replace: { "model.weights.h5": "definitely not hdf5" } })), saving.HDF5FormatError);
    expect(e.message).toMatch(/not an HDF5 file.*Received: 19 bytes/);
    const model = await saving.loadModel(b);
    await rejects(saving.loadWeights(model, new Uint8Array(100)), saving.HDF5FormatError);
  });

  test("unsupported Keras features: npz and sharded weights, legacy .h5 models", async () => {
    const b = refBytes("a_mlp");
    const h5 = saving.loadModel(rezip(b, { drop: ["model.weights.h5"], add: { "model.weights.npz": new Uint8Array(10) } }));
    expect((await rejects(h5, saving.UnsupportedFeatureError)).feature).toBe("npz weights");
    const sharded = saving.loadModel(rezip(b, { drop: ["model.weights.h5"], add: { "model.weights.json": "{}" } }));
    expect((await rejects(sharded, saving.UnsupportedFeatureError)).feature).toBe("sharded weights");
    const legacy = await saving.saveWeights(mlp([2]));
    expect((await rejects(saving.loadModel(legacy), saving.UnsupportedFeatureError)).feature).toBe("legacy h5 model");
  });

  test("a missing file is ModelNotFoundError", async () => {
    await rejects(saving.loadModel("/nonexistent/dir/model.keras"), saving.ModelNotFoundError);
  });
});

describe("unknown classes, custom objects and safe mode", () => {
  test("an unknown layer class fails naming it", async () => {
    const b = refBytes("a_mlp");
    const text = JSON.stringify(configOf(b)).replace('"class_name":"Dropout"', '"class_name":"FancyDropout"');
    const e = await rejects(saving.loadModel(rezip(b, { replace: { "config.json": text } })), saving.UnknownObjectError);
    expect(e.className).toBe("FancyDropout");
    expect(e.message).toMatch(/FancyDropout/);
  });

  test("customObjects and registered classes resolve custom layers", async () => {
    class Scale extends Layer {
      static override className = "Scale";
      readonly factor: number;
      constructor(options: { factor?: number; name?: string } = {}) {
        super({ name: options.name });
        this.factor = options.factor ?? 2;
      }
      call(x: never): never {
        return ops.multiply(x, this.factor) as never;
      }
      override getConfig(): Record<string, unknown> {
        return { ...super.getConfig(), factor: this.factor };
      }
      static fromConfig(c: Record<string, unknown>): Scale {
        return new Scale({ factor: c.factor as number, name: c.name as string });
      }
    }
    const model = new Sequential([Input([3]), new Scale({ factor: 3 }), new Dense(2)]);
    const bytes = await saving.saveModel(model);
    const cfg = configOf(bytes);
    expect(cfg.config.layers[1]).toMatchObject({ module: null, class_name: "Scale", registered_name: "Scale" });
    await rejects(saving.loadModel(bytes), saving.UnknownObjectError);
    const loaded = await saving.loadModel(bytes, { customObjects: { Scale } });
    const x = ops.convertToTensor([[1, 2, 3]]);
    expect(Array.from((loaded.callEager(x) as never as { dataSync(): Float32Array }).dataSync())).toEqual(
      Array.from((model.callEager(x) as never as { dataSync(): Float32Array }).dataSync()),
    );
    saving.registerKerasSerializable(Scale, { package: "Test" });
    try {
      const b2 = await saving.saveModel(model);
      expect(configOf(b2).config.layers[1].registered_name).toBe("Test>Scale");
      expect((await saving.loadModel(b2)).layers[0]).toBeInstanceOf(Scale);
    } finally {
      saving.unregisterKerasSerializable("Test>Scale");
    }
  });

  test("safe mode refuses lambdas stored in the file", async () => {
    const b = refBytes("a_mlp");
    const cfg = configOf(b);
    cfg.config.layers[2] = {
      module: "keras.layers",
      class_name: "Lambda",
      config: {
        name: "my_lambda",
        trainable: true,
        dtype: "float32",
        function: { class_name: "__lambda__", config: { code: "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA+gg8c3RkaW4+2gg8bGFtYmRhPgEAAABzAAAAAA==", defaults: null, closure: null } },
        function_type: "lambda",
        module: "__main__",
        output_shape: null,
        arguments: {},
      },
      registered_name: null,
    };
    const bad = rezip(b, { replace: { "config.json": JSON.stringify(cfg) } });
    const e = await rejects(saving.loadModel(bad), saving.SafeModeError);
    expect(e.message).toMatch(/my_lambda.*safeMode: false/);
    // With safe mode off, the Python bytecode still cannot run here: a typed error, no crash.
    await rejects(saving.loadModel(bad, { safeMode: false }), KerasError);
  });
});

describe("weights that do not match the model", () => {
  test("missing weights name the layer and the group", async () => {
    const small = await saving.saveWeights(mlp([4, 3]));
    const e = await rejects(saving.loadWeights(mlp([4, 3, 2]), small), saving.MissingWeightsError);
    expect(e.path).toBe("layers/dense_2/vars");
    expect(e.message).toMatch(/expected 2 variables \(kernel, bias\), but the weights file has 0/);
  });

  test("extra weights: a variable more, or a layer the model lacks", async () => {
    const withBias = await saving.saveWeights(mlp([4]));
    const e = await rejects(saving.loadWeights(mlp([4], false), withBias), saving.UnexpectedWeightsError);
    expect(e.message).toMatch(/expected 1 variables \(kernel\), but the weights file has 2/);
    const big = await saving.saveWeights(mlp([4, 3, 2]));
    const e2 = await rejects(saving.loadWeights(mlp([4, 3]), big), saving.UnexpectedWeightsError);
    expect(e2.path).toBe("layers/dense_2/vars");
  });

  test("a wrong shape names the layer and both shapes", async () => {
    const model = mlp([4, 3]);
    const other = await saving.saveWeights(mlp([6, 3]));
    const e = await rejects(saving.loadWeights(model, other), saving.WeightShapeError);
    expect(e.expectedShape).toEqual([5, 4]);
    expect(e.receivedShape).toEqual([5, 6]);
    expect(e.layerName).toBe(model.layers[0]!.name);
    expect(e.message).toContain(`layer '${model.layers[0]!.name}' (Dense)`);
    expect(e.message).toContain("(5, 4)");
    expect(e.message).toContain("(5, 6)");
  });

  test("nothing is assigned when any weight mismatches", async () => {
    const model = mlp([4, 3]);
    const before = await model.getWeights();
    // The first layer matches, the second does not.
    const other = new Sequential([Input([5]), new Dense(4), new Dense(7)]);
    const bytes = await saving.saveWeights(other);
    await rejects(saving.loadWeights(model, bytes), saving.WeightShapeError);
    expect(await model.getWeights()).toEqual(before);
  });

  test("loadModel checks the weights file against the config before returning", async () => {
    const b = refBytes("c_functional_dag");
    // Only the model's own group: every layer's weights are missing.
    const onlyRoot = h5Group();
    h5EnsureGroup(onlyRoot, "vars").attrs.set("name", "dag");
    const e = await rejects(saving.loadModel(rezip(b, { replace: { "model.weights.h5": await writeHDF5(onlyRoot) } })), saving.MissingWeightsError);
    expect(e.path).toBe("layers/dense/vars");
    expect(e.layerName).toBe("shared_dense");
    // One kernel of another shape.
    const model = await saving.loadModel(b);
    const tree = h5Group();
    const vars = h5EnsureGroup(tree, "layers/dense/vars");
    vars.children.set("0", { kind: "dataset", shape: [6, 5], data: new Float32Array(30) });
    vars.children.set("1", { kind: "dataset", shape: [6], data: new Float32Array(6) });
    const e2 = await rejects(saving.loadWeights(model, await writeHDF5(tree)), saving.WeightShapeError);
    expect(e2.message).toMatch(/layer 'shared_dense' \(Dense\) has shape \(6, 6\) in the model but shape \(6, 5\)/);
  });

  test("an optimizer saved before it was built is skipped with Keras' warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await saving.loadModel(refBytes("a_mlp"));
    expect(warn).toHaveBeenCalledWith(
      "Skipping variable loading for optimizer 'adam', because it has 10 variables whereas the saved optimizer has 2 variables. ",
    );
    warn.mockRestore();
  });
});

describe("invalid graphs in config.json", () => {
  test("a call that refers to an unknown layer, or a graph that never connects", async () => {
    const b = refBytes("c_functional_dag");
    const cfg = configOf(b);
    cfg.config.layers[3].inbound_nodes[0].args[0][1].config.keras_history = ["no_such_layer", 0, 0];
    const e = await rejects(saving.loadModel(rezip(b, { replace: { "config.json": JSON.stringify(cfg) } })), saving.InvalidConfigError);
    expect(e.message).toMatch(/no_such_layer/);
    const cfg2 = configOf(b);
    cfg2.config.layers[3].inbound_nodes[0].args[0][1].config.keras_history = ["shared_dense", 5, 0];
    await rejects(saving.loadModel(rezip(b, { replace: { "config.json": JSON.stringify(cfg2) } })), saving.InvalidConfigError);
    const cfg3 = configOf(b);
    cfg3.config.output_layers = [["class_out", 0, 7]];
    await rejects(saving.loadModel(rezip(b, { replace: { "config.json": JSON.stringify(cfg3) } })), saving.InvalidConfigError);
  });
});
