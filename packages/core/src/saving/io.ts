/**
 * Where model bytes come from and go to: bytes, Blobs, URLs (fetch), `indexeddb://` keys,
 * Node file paths (through a dynamic `import("node:fs/promises")`, so browser bundles never
 * see Node modules) and browser downloads (an `<a download>` click).
 *
 * Everything is found by feature checks on `globalThis`: core compiles without DOM or Node
 * types.
 */
import { KerasFileError, ModelNotFoundError } from "./errors";

/** Anything `loadModel` / `loadWeights` read from. */
export type ModelSource =
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | { arrayBuffer(): Promise<ArrayBuffer> }
  | string
  | { href: string };

const INDEXEDDB = "indexeddb://";
const DOWNLOADS = "downloads://";

interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  rm(path: string, options: { force: boolean; recursive?: boolean }): Promise<void>;
  stat(path: string): Promise<unknown>;
}

/**
 * Whether this runs in Node (or a Node-compatible runtime with `process.versions.node`).
 * @example if (isNode()) await writeNodeFile("m.keras", bytes);
 */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/**
 * Node's `fs/promises`, loaded on first use.
 * @example const bytes = await (await nodeFs()).readFile("m.keras");
 */
export async function nodeFs(): Promise<NodeFs> {
  // A variable specifier keeps bundlers from trying to resolve a Node module for browsers.
  const specifier = "node:fs/promises";
  return (await import(/* @vite-ignore */ specifier)) as NodeFs;
}

/**
 * The name stored under an `indexeddb://name` key, or null for other strings.
 * @example indexedDbName("indexeddb://mnist") // "mnist"
 */
export function indexedDbName(target: string): string | null {
  if (!target.startsWith(INDEXEDDB)) return null;
  const name = target.slice(INDEXEDDB.length);
  if (!name) throw new KerasFileError(`An IndexedDB key needs a model name after "indexeddb://". Received: ${target}`);
  return name;
}

function isUrl(s: string): boolean {
  return /^(https?:|blob:|data:)/i.test(s);
}

function fileUrlToPath(s: string): string {
  // file:///a/b%20c -> /a/b c (file://host/... and Windows drive letters are left to Node).
  const m = /^file:\/\/[^/]*(\/.*)$/i.exec(s);
  const path = decodeURIComponent(m ? m[1]! : s.slice(5));
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const f = (globalThis as { fetch?: (u: string) => Promise<{ ok: boolean; status: number; statusText?: string; arrayBuffer(): Promise<ArrayBuffer> }> }).fetch;
  if (typeof f !== "function") throw new KerasFileError(`Cannot load from a URL: fetch is not available here. Received: ${url}`);
  let res;
  try {
    res = await f(url);
  } catch (err) {
    throw new KerasFileError(`Could not fetch the model file: ${(err as Error)?.message ?? String(err)}. Received: ${url}`, { cause: err });
  }
  if (res.status === 404) throw new ModelNotFoundError(`No model file at this URL (HTTP 404). Received: ${url}`);
  if (!res.ok) throw new KerasFileError(`Fetching the model file failed with HTTP ${res.status} ${res.statusText ?? ""}. Received: ${url}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function readFile(path: string): Promise<Uint8Array> {
  const fs = await nodeFs();
  try {
    const b = await fs.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") throw new ModelNotFoundError(`No such file. Received: ${path}`);
    throw new KerasFileError(`Could not read the file: ${(err as Error).message}. Received: ${path}`, { cause: err });
  }
}

/**
 * The bytes of a model or weights file, and a short description of where they came from.
 * @example const { bytes } = await readSource("https://example.com/model.keras");
 */
export async function readSource(source: ModelSource): Promise<{ bytes: Uint8Array; label: string }> {
  if (source instanceof Uint8Array) return { bytes: source, label: "bytes" };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), label: "bytes" };
  if (ArrayBuffer.isView(source)) return { bytes: new Uint8Array(source.buffer, source.byteOffset, source.byteLength), label: "bytes" };
  if (typeof source === "string") {
    const idb = indexedDbName(source);
    if (idb !== null) {
      const store = await import("./model_store");
      return { bytes: await store.readModelBytes(idb), label: source };
    }
    if (isUrl(source)) return { bytes: await fetchBytes(source), label: source };
    if (source.startsWith("file:")) return { bytes: await readFile(fileUrlToPath(source)), label: source };
    if (isNode()) return { bytes: await readFile(source), label: source };
    return { bytes: await fetchBytes(source), label: source };
  }
  if (source && typeof source === "object") {
    const blob = source as { arrayBuffer?: unknown };
    if (typeof blob.arrayBuffer === "function") return { bytes: new Uint8Array(await (source as { arrayBuffer(): Promise<ArrayBuffer> }).arrayBuffer()), label: "a Blob" };
    const href = (source as { href?: unknown }).href;
    if (typeof href === "string") return readSource(href);
  }
  throw new KerasFileError(
    `Cannot read a model from this source; pass bytes, an ArrayBuffer, a Blob, a URL, "indexeddb://name" or a file path. Received: ${Object.prototype.toString.call(source)}`,
  );
}

/**
 * Writes a file in Node, atomically (a temporary file renamed over the target).
 * @example await writeNodeFile("out/model.keras", bytes);
 */
export async function writeNodeFile(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await nodeFs();
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (slash > 0) await fs.mkdir(path.slice(0, slash), { recursive: true });
  const tmp = `${path}.tmp-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new KerasFileError(`Could not write the file: ${(err as Error).message}. Received: ${path}`, { cause: err });
  }
}

interface DomLike {
  createElement(tag: "a"): { href: string; download: string; style: { display: string }; click(): void; remove(): void };
  body: { appendChild(el: unknown): unknown };
}

/**
 * Offers bytes as a download in a browser (an `<a download>` click).
 * @example downloadBytes(bytes, "model.keras");
 */
export function downloadBytes(bytes: Uint8Array, filename: string): void {
  const g = globalThis as unknown as {
    document?: DomLike;
    Blob?: new (parts: unknown[], opts: { type: string }) => unknown;
    URL?: { createObjectURL(b: unknown): string; revokeObjectURL(u: string): void };
    setTimeout?: (f: () => void, ms: number) => unknown;
  };
  if (!g.document || !g.Blob || !g.URL?.createObjectURL)
    throw new KerasFileError(`Cannot download here: there is no document (not a browser page). Received: ${filename}`);
  const url = g.URL.createObjectURL(new g.Blob([bytes], { type: "application/octet-stream" }));
  const a = g.document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  g.document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  (g.setTimeout ?? ((f: () => void) => f()))(() => g.URL!.revokeObjectURL(url), 10_000);
}

/** What a string target of `model.save` / `saveWeights` means. */
export type Target = { kind: "indexeddb"; name: string } | { kind: "download"; filename: string } | { kind: "file"; path: string };

/**
 * Resolves a save target: `indexeddb://name`, `downloads://name`, a file path in Node, or a
 * file name to download in a browser.
 * @example resolveTarget("indexeddb://my-model") // { kind: "indexeddb", name: "my-model" }
 */
export function resolveTarget(target: string): Target {
  const idb = indexedDbName(target);
  if (idb !== null) return { kind: "indexeddb", name: idb };
  if (target.startsWith(DOWNLOADS)) return { kind: "download", filename: target.slice(DOWNLOADS.length) || "model.keras" };
  if (target.startsWith("file:")) return { kind: "file", path: fileUrlToPath(target) };
  if (isNode()) return { kind: "file", path: target };
  const base = target.slice(Math.max(target.lastIndexOf("/"), target.lastIndexOf("\\")) + 1);
  return { kind: "download", filename: base || "model.keras" };
}
