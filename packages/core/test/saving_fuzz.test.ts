/**
 * Fuzzing loadModel / loadWeights with 1,000 damaged copies of the reference files: byte flips,
 * truncations, insertions, and re-zipped entries (valid checksums) whose config.json or
 * model.weights.h5 was damaged, so the JSON and HDF5 parsers see the damage too. Every outcome
 * must be a model or a typed KerasError; never another exception, a crash or a hang.
 */
import { expect, test, vi } from "vitest";
import { CASES, configOf, prng, refBytes, rezip } from "./saving_fixtures";
import * as saving from "../src/saving/index";
import { KerasError } from "../src/errors";
import { Model } from "../src/models/model";
import { readZip } from "../src/saving/zip";

const N = Number(process.env.WEBKERAS_FUZZ_N ?? 1000);
const SEED = Number(process.env.WEBKERAS_FUZZ_SEED ?? 20261125);

function mutateBytes(b: Uint8Array, rnd: () => number, count: number, limit = b.length): Uint8Array {
  const out = b.slice();
  for (let i = 0; i < count; i++) {
    const at = Math.floor(rnd() * Math.min(limit, out.length));
    const r = rnd();
    out[at] = r < 0.4 ? Math.floor(rnd() * 256) : r < 0.7 ? out[at]! ^ (1 << Math.floor(rnd() * 8)) : r < 0.85 ? 0 : 0xff;
  }
  return out;
}

/** Replaces one random value of a JSON tree with a small odd value. */
function mutateJson(x: unknown, rnd: () => number): unknown {
  const odd = [null, 0, 1, -1, 2, 3, 64, 0.5, "", "x", "Dense", "relu", true, false, [], {}, [null, 3], { class_name: "Dense" }];
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v))
      v.forEach((c, i) => {
        nodes.push({ parent: v, key: i });
        walk(c);
      });
    else if (v && typeof v === "object")
      for (const [k, c] of Object.entries(v)) {
        nodes.push({ parent: v as Record<string, unknown>, key: k });
        walk(c);
      }
  };
  walk(x);
  const n = nodes[Math.floor(rnd() * nodes.length)]!;
  const r = rnd();
  if (r < 0.15 && !Array.isArray(n.parent)) delete (n.parent as Record<string, unknown>)[n.key as string];
  else (n.parent as Record<string | number, unknown>)[n.key] = odd[Math.floor(rnd() * odd.length)];
  return x;
}

test(`loadModel survives ${N} damaged reference files with typed errors only`, async () => {
  const rnd = prng(SEED);
  const originals = CASES.map(refBytes);
  const unexpected: string[] = [];
  const outcomes = new Map<string, number>();
  let slowest = 0;
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const src = originals[i % originals.length]!;
    const kind = i % 10;
    let bytes: Uint8Array;
    let label: string;
    if (kind < 3) {
      bytes = mutateBytes(src, rnd, 1 + Math.floor(rnd() * 8));
      label = "bytes";
    } else if (kind === 3) {
      bytes = src.slice(0, Math.floor(rnd() * src.length));
      label = "truncated";
    } else if (kind === 4) {
      const at = Math.floor(rnd() * src.length);
      const ins = Math.floor(rnd() * 16) + 1;
      bytes = new Uint8Array(src.length + ins);
      bytes.set(src.subarray(0, at));
      bytes.set(src.subarray(at), at + ins);
      label = "inserted";
    } else if (kind < 7) {
      const cfg = configOf(src);
      const text = kind === 5 ? JSON.stringify(mutateJson(cfg, rnd)) : new TextDecoder().decode(mutateBytes(new TextEncoder().encode(JSON.stringify(cfg)), rnd, 1 + Math.floor(rnd() * 4)));
      bytes = rezip(src, { replace: { "config.json": text } });
      label = "config";
    } else {
      const h5 = readZip(src).read("model.weights.h5");
      const damaged = kind === 9 ? h5.slice(0, Math.floor(rnd() * h5.length)) : mutateBytes(h5, rnd, 1 + Math.floor(rnd() * 8), kind === 7 ? 8192 : h5.length);
      bytes = rezip(src, { replace: { "model.weights.h5": damaged } });
      label = "weights";
    }
    const t0 = performance.now();
    let outcome: string;
    try {
      const m = i % 7 === 0 ? await loadWeightsInto(src, bytes) : await saving.loadModel(bytes);
      outcome = m instanceof Model || m === "ok" ? "loaded" : "other";
    } catch (err) {
      outcome = err instanceof KerasError ? (err as Error).name : "UNTYPED";
      if (!(err instanceof KerasError)) unexpected.push(`#${i} (${label}): ${(err as Error)?.name}: ${(err as Error)?.message?.slice(0, 200)}`);
    }
    slowest = Math.max(slowest, performance.now() - t0);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  warn.mockRestore();
  const elapsed = performance.now() - start;
  console.log(`fuzz: ${N} cases in ${(elapsed / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms`, Object.fromEntries(outcomes));
  expect(unexpected).toEqual([]);
  if (N <= 1000) expect(elapsed).toBeLessThan(60_000);
  // The damage really reached the parsers: several error kinds, and some damaged files still load.
  expect(outcomes.size).toBeGreaterThan(4);
}, 600_000);

/** loadWeights of a damaged file into the undamaged model (the other entry point). */
async function loadWeightsInto(original: Uint8Array, damaged: Uint8Array): Promise<"ok"> {
  const model = await saving.loadModel(original, { compile: false });
  await saving.loadWeights(model, damaged);
  return "ok";
}
