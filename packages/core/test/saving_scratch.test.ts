import { test } from "vitest";
import { readFileSync } from "node:fs";
import { readZip } from "../src/saving/zip";
import { readHDF5, walkH5 } from "../src/saving/hdf5_reader";
test("scratch", () => {
  for (const m of ["a_mlp", "b_cnn", "c_functional_dag"]) {
    const z = readZip(readFileSync(`/work/shared/keras-format/models/${m}/model.keras`));
    console.log(z.entries);
    const root = readHDF5(z.read("model.weights.h5"));
    for (const o of walkH5(root)) console.log(o.path, o.kind, [...o.attrs], o.kind === "dataset" ? [o.shape, o.dtype, Array.from(o.read() as ArrayLike<number>).slice(0, 3)] : "");
  }
  const root = readHDF5(readFileSync("/tmp/h5t/w.h5"));
  for (const o of walkH5(root)) console.log(o.path, o.kind, [...o.attrs], o.kind === "dataset" ? [o.shape, o.dtype, Array.from(o.read() as ArrayLike<number>).slice(0, 3)] : "");
});
