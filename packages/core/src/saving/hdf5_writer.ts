/**
 * Writes Keras weight files (`model.weights.h5`, `.weights.h5`) with h5wasm, the HDF5 C
 * library compiled to WebAssembly.
 *
 * h5wasm is imported lazily (`await import("h5wasm")`) on the first save, so pages that only
 * load and run models never download it (reading is done by `hdf5_reader.ts`). Files are
 * created with library-version bounds ("earliest", "latest"), h5py's default, which gives the
 * same layout as the files Keras writes: superblock 0, old-style symbol-table groups,
 * contiguous little-endian datasets and a variable-length UTF-8 `name` attribute.
 */
import { KerasFileError } from "./errors";

/** A group to write: attributes (strings) and children, written in insertion order. */
export interface H5WriteGroup {
  kind: "group";
  attrs: Map<string, string>;
  children: Map<string, H5WriteGroup | H5WriteDataset>;
}

/** A dataset to write: row-major values and their shape ([] for a scalar). */
export interface H5WriteDataset {
  kind: "dataset";
  shape: readonly number[];
  data: Float32Array | Int32Array | Uint8Array;
}

/**
 * An empty group, to fill before `writeHDF5`.
 * @example const root = h5Group(); root.children.set("vars", h5Group({ name: "mlp" }));
 */
export function h5Group(attrs: Record<string, string> = {}): H5WriteGroup {
  return { kind: "group", attrs: new Map(Object.entries(attrs)), children: new Map() };
}

/**
 * The group at `path` under `root`, created (with its parents) when missing.
 * @example h5EnsureGroup(root, "layers/dense/vars").attrs.set("name", "dense");
 */
export function h5EnsureGroup(root: H5WriteGroup, path: string): H5WriteGroup {
  let cur = root;
  for (const part of path.split("/").filter((x) => x.length > 0)) {
    let next = cur.children.get(part);
    if (!next) cur.children.set(part, (next = h5Group()));
    if (next.kind !== "group")
      throw new KerasFileError(`Cannot create group '${path}': '${part}' is a dataset. Received: path=${path}`);
    cur = next;
  }
  return cur;
}

type H5wasm = typeof import("h5wasm");
type H5Module = Awaited<H5wasm["ready"]>;

let loading: Promise<{ h5: H5wasm; module: H5Module }> | null = null;
let fileCounter = 0;

/** Loads h5wasm once (a separate chunk in bundles). */
function loadH5wasm(): Promise<{ h5: H5wasm; module: H5Module }> {
  loading ??= (async () => {
    const h5 = await import("h5wasm");
    const module = await h5.ready;
    return { h5, module };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

const DTYPE_CODE = { float32: "<f", int32: "<i", uint8: "<B" } as const;

/**
 * Serializes a tree of groups and datasets into the bytes of an HDF5 file.
 * @example
 * const root = h5Group();
 * h5EnsureGroup(root, "layers/dense/vars").children.set("0", { kind: "dataset", shape: [2], data: new Float32Array([1, 2]) });
 * const bytes = await writeHDF5(root);
 */
export async function writeHDF5(root: H5WriteGroup): Promise<Uint8Array> {
  let lib: { h5: H5wasm; module: H5Module };
  try {
    lib = await loadH5wasm();
  } catch (err) {
    throw new KerasFileError(
      `Could not load h5wasm, which writes HDF5 files: ${(err as Error)?.message ?? String(err)}. Received: import("h5wasm") failed`,
      { cause: err },
    );
  }
  const { h5, module } = lib;
  const FS = module.FS as unknown as {
    readFile(path: string): Uint8Array;
    unlink(path: string): void;
  };
  const path = `/webkeras_write_${fileCounter++}.h5`;
  const file = new h5.File(path, "w", { libver: ["earliest", "latest"] });
  try {
    const fill = (src: H5WriteGroup, dst: InstanceType<H5wasm["Group"]>): void => {
      for (const [k, v] of src.attrs) dst.create_attribute(k, v);
      for (const [name, child] of src.children) {
        if (child.kind === "group") fill(child, dst.create_group(name));
        else {
          const code =
            child.data instanceof Float32Array
              ? DTYPE_CODE.float32
              : child.data instanceof Int32Array
                ? DTYPE_CODE.int32
                : DTYPE_CODE.uint8;
          dst.create_dataset({ name, data: child.data, shape: [...child.shape], dtype: code });
        }
      }
    };
    fill(root, file);
  } catch (err) {
    try {
      file.close();
      FS.unlink(path);
    } catch {
      // The original error matters more than a failed cleanup.
    }
    throw new KerasFileError(`Writing the HDF5 weights failed: ${(err as Error)?.message ?? String(err)}. Received: ${path}`, {
      cause: err,
    });
  }
  file.close();
  const bytes = FS.readFile(path);
  FS.unlink(path);
  // Copy out of the wasm file system's buffer.
  return new Uint8Array(bytes);
}
