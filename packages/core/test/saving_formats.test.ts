/**
 * The containers under the saving API: Python-compatible JSON, the zip reader, and the HDF5
 * reader checked against h5wasm (the HDF5 C library) on the reference files and on the other
 * layouts HDF5 can produce.
 */
import { describe, expect, test } from "vitest";
import { zipSync } from "fflate";
import { CASES, refBytes } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { pythonJsonDumps, pythonJsonLoads } from "../src/saving/python_json";
import { crc32, readZip, writeZip } from "../src/saving/zip";
import { getH5Object, readHDF5, walkH5 } from "../src/saving/hdf5_reader";
import { h5EnsureGroup, h5Group, writeHDF5 } from "../src/saving/hdf5_writer";
import { encodeUtf8 } from "../src/saving/text";

async function h5wasmFile(build: (f: import("h5wasm").File) => void, libver: import("h5wasm").LIBVER_BOUNDS = ["earliest", "latest"]): Promise<Uint8Array> {
  const h5 = await import("h5wasm");
  const mod = await h5.ready;
  const path = `/fmt_test_${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5.File(path, "w", { libver });
  build(f);
  f.close();
  const bytes = new Uint8Array(mod.FS.readFile(path));
  mod.FS.unlink(path);
  return bytes;
}

describe("Python json.dumps", () => {
  test("separators, escapes and float reprs match Python", () => {
    expect(pythonJsonDumps({ a: 1, b: [true, null, "x"] })).toBe('{"a": 1, "b": [true, null, "x"]}');
    expect(pythonJsonDumps([1e-7, 0.001, 1e-5, 0.0001, 1.5, 0.0010000000474974513, 1e16, 123456.789, -2.5e-10])).toBe(
      "[1e-07, 0.001, 1e-05, 0.0001, 1.5, 0.0010000000474974513, 1e+16, 123456.789, -2.5e-10]",
    );
    expect(pythonJsonDumps([NaN, Infinity, -Infinity])).toBe("[NaN, Infinity, -Infinity]");
    expect(pythonJsonDumps("é\n\"\\")).toBe('"\\u00e9\\n\\"\\\\"');
    expect(pythonJsonLoads('{"x": NaN, "y": [-Infinity, Infinity], "s": "NaN"}')).toEqual({ x: NaN, y: [-Infinity, Infinity], s: "NaN" });
  });
});

describe("zip", () => {
  test("crc32 and a STORED round trip", () => {
    expect(crc32(encodeUtf8("abc"))).toBe(0x352441c2);
    const z = writeZip([{ name: "a.txt", data: encodeUtf8("hello") }, { name: "b/c.bin", data: new Uint8Array([1, 2, 3]) }]);
    const r = readZip(z);
    expect(r.entries.map((e) => [e.name, e.method])).toEqual([["a.txt", 0], ["b/c.bin", 0]]);
    expect(Array.from(r.read("b/c.bin"))).toEqual([1, 2, 3]);
  });

  test("a .keras file re-zipped with DEFLATE still loads", async () => {
    const r = readZip(refBytes("a_mlp"));
    const deflated = zipSync(Object.fromEntries(r.entries.map((e) => [e.name, [r.read(e.name), { level: 6 }]])) as never);
    expect(readZip(deflated).entries.every((e) => e.method === 8)).toBe(true);
    const model = await saving.loadModel(deflated, { compile: false });
    expect(model.name).toBe("mlp");
  });
});

describe("HDF5 reader", () => {
  test.each(CASES)("reads %s's weights exactly as h5wasm does", async (c) => {
    const bytes = readZip(refBytes(c)).read("model.weights.h5");
    const ours = readHDF5(bytes);
    const h5 = await import("h5wasm");
    const mod = await h5.ready;
    mod.FS.writeFile("/ref.h5", bytes);
    const f = new h5.File("/ref.h5", "r");
    try {
      const seen: string[] = [];
      const visit = (g: import("h5wasm").Group, prefix: string): void => {
        for (const k of g.keys()) {
          const p = prefix ? `${prefix}/${k}` : k;
          seen.push(p);
          const o = g.get(k) as import("h5wasm").Group | import("h5wasm").Dataset;
          const mine = getH5Object(ours, p)!;
          expect(mine, p).toBeDefined();
          for (const [name, attr] of Object.entries(o.attrs)) expect(mine.attrs.get(name)).toEqual((attr as { value: unknown }).value);
          if (o instanceof h5.Dataset) {
            expect(mine.kind).toBe("dataset");
            if (mine.kind !== "dataset") return;
            expect(mine.shape).toEqual(o.shape);
            const v = o.value as unknown;
            expect(Array.from(mine.read() as ArrayLike<number>)).toEqual(Array.from((typeof v === "number" ? [v] : v) as ArrayLike<number>));
          } else visit(o as import("h5wasm").Group, p);
        }
      };
      visit(f, "");
      expect(walkH5(ours).map((o) => o.path).sort()).toEqual(seen.sort());
    } finally {
      f.close();
      mod.FS.unlink("/ref.h5");
    }
  });

  test("new-style groups, many dtypes, strings and scalars", async () => {
    const bounds: import("h5wasm").LIBVER_BOUNDS[] = [["earliest", "latest"], "latest"];
    for (const libver of bounds) {
      const bytes = await h5wasmFile((f) => {
        const g = f.create_group("g").create_group("inner");
        g.create_attribute("name", "unicode é");
        g.create_attribute("fixed", "abc", null, "S3");
        g.create_attribute("nums", [1, 2, 3], [3], "<i");
        g.create_dataset({ name: "f64", data: new Float64Array([1.5, -2.25]), shape: [2], dtype: "<d" });
        g.create_dataset({ name: "f32", data: new Float32Array([3.5, 4]), shape: [2, 1], dtype: "<f" });
        g.create_dataset({ name: "i8", data: new Int8Array([-3, 7]), shape: [2], dtype: "<b" });
        g.create_dataset({ name: "u16", data: new Uint16Array([65535, 1]), shape: [2], dtype: "<H" });
        g.create_dataset({ name: "i64", data: new BigInt64Array([-5n, 1n << 40n]), shape: [2], dtype: "<q" });
        g.create_dataset({ name: "scalar", data: new Int32Array([42]), shape: [], dtype: "<i" });
        g.create_dataset({ name: "empty", data: new Float32Array(0), shape: [0, 3], dtype: "<f" });
        // Old-style groups hold any number of links; new-style ones switch to dense storage past 8.
        for (let i = 0; i < (libver === "latest" ? 6 : 40); i++) f.create_group(`many_${i}`);
      }, libver);
      const root = readHDF5(bytes);
      const inner = getH5Object(root, "g/inner")!;
      expect(inner.attrs.get("name")).toBe("unicode é");
      expect(inner.attrs.get("fixed")).toBe("abc");
      expect(inner.attrs.get("nums")).toEqual([1, 2, 3]);
      const read = (p: string): number[] => {
        const d = getH5Object(root, p)!;
        if (d.kind !== "dataset") throw new Error(p);
        return Array.from(d.read() as ArrayLike<number>);
      };
      expect(read("g/inner/f64")).toEqual([1.5, -2.25]);
      expect(read("g/inner/f32")).toEqual([3.5, 4]);
      expect(read("g/inner/i8")).toEqual([-3, 7]);
      expect(read("g/inner/u16")).toEqual([65535, 1]);
      expect(read("g/inner/i64")).toEqual([-5, 2 ** 40]);
      expect(read("g/inner/scalar")).toEqual([42]);
      expect(read("g/inner/empty")).toEqual([]);
      expect((getH5Object(root, "g/inner/scalar") as { shape: number[] }).shape).toEqual([]);
      expect(root.children.size).toBe(libver === "latest" ? 7 : 41);
    }
  });

  test("dense (fractal-heap) groups are an unsupported feature", async () => {
    const bytes = await h5wasmFile((f) => {
      for (let i = 0; i < 20; i++) f.create_group(`g${i}`);
    }, "latest");
    expect(() => readHDF5(bytes)).toThrow(/dense link storage/);
  });

  test("chunked datasets are an unsupported feature, garbage is HDF5FormatError", async () => {
    const bytes = await h5wasmFile((f) => {
      f.create_dataset({ name: "c", data: new Float32Array(16), shape: [4, 4], dtype: "<f", chunks: [2, 2] });
    });
    let err: unknown = null;
    try {
      readHDF5(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(saving.UnsupportedFeatureError);
    expect((err as saving.UnsupportedFeatureError).feature).toBe("chunked datasets");
    expect(() => readHDF5(encodeUtf8("hello, world"))).toThrow(saving.HDF5FormatError);
    expect(() => readHDF5(bytes.slice(0, 600))).toThrow(saving.HDF5FormatError);
  });

  test("what we write is what Keras writes: superblock 0, symbol-table groups, one global heap", async () => {
    const root = h5Group();
    const vars = h5EnsureGroup(root, "layers/dense/vars");
    vars.attrs.set("name", "dense");
    vars.children.set("0", { kind: "dataset", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    h5EnsureGroup(root, "vars").attrs.set("name", "model");
    const bytes = await writeHDF5(root);
    expect(bytes[8]).toBe(0);
    const text = String.fromCharCode(...bytes);
    const count = (s: string): number => text.split(s).length - 1;
    expect(count("OHDR")).toBe(0);
    expect(count("FRHP")).toBe(0);
    expect(count("TREE")).toBeGreaterThan(0);
    expect(count("GCOL")).toBe(1);
    const back = readHDF5(bytes);
    expect(getH5Object(back, "layers/dense/vars")!.attrs.get("name")).toBe("dense");
  });
});
