/**
 * Shared setup of the saving tests: registers the backend and the layer families the files use,
 * and reads the Keras 3 reference cases in ../shared/keras-format/models.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import "../src/index";
import "../src/layers/index";
import "../src/saving/index";
import * as ops from "../src/ops/index";
import { Tensor } from "../src/tensor/tensor";
import { readZip } from "../src/saving/zip";
import { decodeUtf8 } from "../src/saving/text";

/** The repository root (packages/core/test -> ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const REF_DIR = path.resolve(REPO_ROOT, "../shared/keras-format/models");
export const CASES = readdirSync(REF_DIR).filter((d) => !d.startsWith(".")).sort();

interface JsonArray {
  name?: string;
  shape: number[];
  dtype: string;
  data: number[];
}

export function refBytes(c: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(REF_DIR, c, "model.keras")));
}

export function refJson<T = unknown>(c: string, file: string): T {
  return JSON.parse(readFileSync(path.join(REF_DIR, c, file), "utf8")) as T;
}

/** The case's inputs as tensors, in model input order. */
export function refInputs(c: string): Tensor[] {
  return refJson<{ inputs: JsonArray[] }>(c, "inputs.json").inputs.map((a) =>
    ops.reshape(ops.convertToTensor(a.data.map(Math.fround), "float32"), a.shape) as Tensor,
  );
}

export function refOutputs(c: string): JsonArray[] {
  return refJson<{ outputs: JsonArray[] }>(c, "expected.json").outputs;
}

/** max |a - e| - (atol + rtol |e|) <= 0 elementwise, as the reference README suggests. */
export function worstViolation(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): number {
  let worst = -Infinity;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!)));
  return worst;
}

/** Removes `shared_object_id` keys everywhere (they change on every Keras save). */
export function stripSharedIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSharedIds);
  if (x !== null && typeof x === "object")
    return Object.fromEntries(Object.entries(x).filter(([k]) => k !== "shared_object_id").map(([k, v]) => [k, stripSharedIds(v)]));
  return x;
}

/** The text of a zip entry. */
export function entryText(zipBytes: Uint8Array, name: string): string {
  return decodeUtf8(readZip(zipBytes).read(name));
}

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Model outputs as a list of flat arrays. */
export function outputsOf(y: unknown): Float32Array[] {
  const list = Array.isArray(y) ? y : [y];
  return list.map((t) => (t as Tensor).dataSync() as Float32Array);
}

import { writeZip } from "../src/saving/zip";
import { encodeUtf8 } from "../src/saving/text";

/** A copy of a .keras archive with entries replaced, removed or added (valid CRCs). */
export function rezip(
  original: Uint8Array,
  changes: { replace?: Record<string, Uint8Array | string>; drop?: string[]; add?: Record<string, Uint8Array | string> } = {},
): Uint8Array {
  const zip = readZip(original);
  const entries: { name: string; data: Uint8Array }[] = [];
  const asBytes = (v: Uint8Array | string): Uint8Array => (typeof v === "string" ? encodeUtf8(v) : v);
  for (const e of zip.entries) {
    if (changes.drop?.includes(e.name)) continue;
    const r = changes.replace?.[e.name];
    entries.push({ name: e.name, data: r !== undefined ? asBytes(r) : zip.read(e.name) });
  }
  for (const [k, v] of Object.entries(changes.add ?? {})) entries.push({ name: k, data: asBytes(v) });
  return writeZip(entries);
}

/** config.json of a .keras archive, parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into configs
export function configOf(zipBytes: Uint8Array): Record<string, any> {
  return JSON.parse(entryText(zipBytes, "config.json"));
}
