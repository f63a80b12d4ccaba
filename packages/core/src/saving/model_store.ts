/**
 * A model store in IndexedDB (through idb-keyval): `.keras` bytes under a name, with an index
 * entry per name for `listModels()`.
 *
 * Layout: one object store, two kinds of keys. `index:<name>` holds the entry shown by
 * `listModels()` and the key of the bytes; `data:<name>:<nonce>` holds the bytes. A save
 * writes the bytes under a fresh key first, then swaps the index entry and deletes the old
 * bytes in one readwrite transaction. So an interrupted or failing save (a closed tab, a full
 * quota) leaves the previous version indexed and loadable; bytes that no index entry points to
 * are collected on the next save of that name.
 *
 * Node has no IndexedDB: tests install `fake-indexeddb/auto` first. Real browsers are covered
 * by the e2e suite.
 */
import { createStore, promisifyRequest, type UseStore } from "idb-keyval";
import { KerasFileError, ModelNotFoundError, StorageQuotaError } from "./errors";

/** One stored model, as `listModels()` shows it. */
export interface StoredModelInfo {
  name: string;
  /** ISO 8601 time of the save. */
  dateSaved: string;
  /** Size of the stored file in bytes. */
  size: number;
  /** `keras_version` from the file's metadata.json (null for weights-only entries). */
  kerasVersion: string | null;
  /** "model" for a `.keras` file, "weights" for a `.weights.h5` file, "backup" for BackupAndRestore. */
  kind: "model" | "weights" | "backup";
}

interface IndexEntry extends StoredModelInfo {
  dataKey: string;
}

// Minimal IndexedDB shapes (core compiles without DOM types).
interface Req<T> {
  result: T;
  onsuccess: ((this: unknown, ev: unknown) => unknown) | null;
}
interface ObjectStore {
  get<T>(key: string): Req<T | undefined>;
  getAll<T>(range: unknown): Req<T[]>;
  getAllKeys(range: unknown): Req<string[]>;
  put(value: unknown, key: string): Req<unknown>;
  delete(key: string): Req<unknown>;
  transaction: unknown;
}

const DB_NAME = "webkeras";
const STORE_NAME = "models";
let storeFn: UseStore | null = null;

/**
 * Test hooks: throw from one to simulate a failure at that point of a save.
 * @example storeTestHooks.beforeSwap = () => { throw new Error("tab closed"); };
 */
export const storeTestHooks: {
  /** Before the bytes are written. */
  beforeWriteData: (() => void) | null;
  /** After the bytes are written, before the index is swapped (an interrupted save). */
  beforeSwap: (() => void) | null;
} = { beforeWriteData: null, beforeSwap: null };

function store(): UseStore {
  if (!(globalThis as { indexedDB?: unknown }).indexedDB)
    throw new KerasFileError('IndexedDB is not available here (in Node, install "fake-indexeddb/auto" first). Received: indexeddb://');
  storeFn ??= createStore(DB_NAME, STORE_NAME);
  return storeFn;
}

function keyRange(prefix: string): unknown {
  const R = (globalThis as { IDBKeyRange?: { bound(a: string, b: string): unknown } }).IDBKeyRange;
  if (!R) throw new KerasFileError("IDBKeyRange is not available here. Received: no IDBKeyRange");
  return R.bound(prefix, `${prefix}\uffff`);
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0)
    throw new KerasFileError(`A stored model needs a non-empty name. Received: name=${String(name)}`);
}

/** Maps IndexedDB failures to typed errors (a full quota to StorageQuotaError). */
function storageError(err: unknown, what: string, name: string): Error {
  if (err instanceof KerasFileError) return err;
  const e = err as { name?: string; message?: string } | null;
  if (e?.name === "QuotaExceededError")
    return new StorageQuotaError(
      `Not enough browser storage to ${what} '${name}'; the previous version (if any) is still stored. Free space with removeModel() or ask for persistent storage (navigator.storage.persist()). Received: QuotaExceededError`,
      { cause: err },
    );
  return new KerasFileError(`IndexedDB failed to ${what} '${name}': ${e?.message ?? String(err)}. Received: ${e?.name ?? "error"}`, { cause: err });
}

function tx<T>(mode: "readonly" | "readwrite", body: (os: ObjectStore) => Promise<T> | T): Promise<T> {
  return store()(mode, (s) => body(s as unknown as ObjectStore));
}

/**
 * Stores bytes under `name`, replacing any previous version atomically.
 * @example await writeModelBytes("mnist", bytes, { kind: "model", kerasVersion: "3.15.1" });
 */
export async function writeModelBytes(
  name: string,
  bytes: Uint8Array,
  info: { kind: StoredModelInfo["kind"]; kerasVersion: string | null },
): Promise<StoredModelInfo> {
  checkName(name);
  const dataKey = `data:${name}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const entry: IndexEntry = {
    name,
    dateSaved: new Date().toISOString(),
    size: bytes.length,
    kerasVersion: info.kerasVersion,
    kind: info.kind,
    dataKey,
  };
  try {
    storeTestHooks.beforeWriteData?.();
    // A copy: the caller may reuse its buffer, and IndexedDB clones the whole ArrayBuffer.
    const copy = bytes.slice();
    await tx("readwrite", (os) => {
      os.put(copy, dataKey);
      return promisifyRequest(os.transaction as never);
    });
  } catch (err) {
    throw storageError(err, "save", name);
  }
  try {
    storeTestHooks.beforeSwap?.();
    await tx("readwrite", (os) => {
      // Swap the index entry and drop every other version of this name, in one transaction.
      const keys = os.getAllKeys(keyRange(`data:${name}:`));
      keys.onsuccess = () => {
        for (const k of keys.result) if (k !== dataKey) os.delete(k);
        os.put(entry, `index:${name}`);
      };
      return promisifyRequest(os.transaction as never);
    });
  } catch (err) {
    // The new bytes are orphaned; the old index entry and bytes are untouched.
    await tx("readwrite", (os) => {
      os.delete(dataKey);
      return promisifyRequest(os.transaction as never);
    }).catch(() => undefined);
    throw storageError(err, "save", name);
  }
  const { dataKey: _k, ...publicInfo } = entry;
  return publicInfo;
}

/**
 * The bytes stored under `name`; throws `ModelNotFoundError` when there are none.
 * @example const bytes = await readModelBytes("mnist");
 */
export async function readModelBytes(name: string): Promise<Uint8Array> {
  checkName(name);
  let bytes: unknown;
  try {
    bytes = await tx("readonly", (os) => {
      const idx = os.get<IndexEntry>(`index:${name}`);
      let data: Req<unknown> | null = null;
      idx.onsuccess = () => {
        if (idx.result) data = os.get(idx.result.dataKey);
      };
      return promisifyRequest(os.transaction as never).then(() => (data ? data.result : undefined));
    });
  } catch (err) {
    throw storageError(err, "read", name);
  }
  if (bytes === undefined) throw new ModelNotFoundError(`No model named '${name}' in IndexedDB. Received: indexeddb://${name}`);
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new KerasFileError(`The IndexedDB entry '${name}' does not hold bytes. Received: ${Object.prototype.toString.call(bytes)}`);
}

/**
 * Every stored model: name, save time, size and Keras version, sorted by name.
 * @example for (const m of await keras.saving.listModels()) console.log(m.name, m.size);
 */
export async function listModels(): Promise<StoredModelInfo[]> {
  let entries: IndexEntry[];
  try {
    entries = await tx("readonly", (os) => promisifyRequest(os.getAll<IndexEntry>(keyRange("index:")) as never) as Promise<IndexEntry[]>);
  } catch (err) {
    throw storageError(err, "list", "*");
  }
  return entries
    .map(({ name, dateSaved, size, kerasVersion, kind }) => ({ name, dateSaved, size, kerasVersion, kind }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Deletes a stored model (its index entry and bytes, in one transaction).
 * @example await keras.saving.removeModel("old-model");
 */
export async function removeModel(name: string): Promise<void> {
  checkName(name);
  let found = false;
  try {
    await tx("readwrite", (os) => {
      const idx = os.get<IndexEntry>(`index:${name}`);
      idx.onsuccess = () => {
        if (!idx.result) return;
        found = true;
        os.delete(`index:${name}`);
        const keys = os.getAllKeys(keyRange(`data:${name}:`));
        keys.onsuccess = () => {
          for (const k of keys.result) os.delete(k);
        };
      };
      return promisifyRequest(os.transaction as never);
    });
  } catch (err) {
    throw storageError(err, "remove", name);
  }
  if (!found) throw new ModelNotFoundError(`No model named '${name}' in IndexedDB. Received: indexeddb://${name}`);
}

/**
 * Copies a stored model to a new name (replacing what is stored there, atomically).
 * @example await keras.saving.copyModel("mnist", "mnist-backup");
 */
export async function copyModel(from: string, to: string): Promise<StoredModelInfo> {
  checkName(from);
  checkName(to);
  const bytes = await readModelBytes(from);
  const info = (await listModels()).find((m) => m.name === from);
  return writeModelBytes(to, bytes, { kind: info?.kind ?? "model", kerasVersion: info?.kerasVersion ?? null });
}

/**
 * Information about one stored model, or null.
 * @example (await getModelInfo("mnist"))?.size
 */
export async function getModelInfo(name: string): Promise<StoredModelInfo | null> {
  checkName(name);
  let entry: IndexEntry | undefined;
  try {
    entry = await tx("readonly", (os) => promisifyRequest(os.get<IndexEntry>(`index:${name}`) as never) as Promise<IndexEntry | undefined>);
  } catch (err) {
    throw storageError(err, "read", name);
  }
  if (!entry) return null;
  const { dataKey: _k, ...info } = entry;
  return info;
}
