/**
 * Relaxed SIMD: in a child Node started with `--experimental-wasm-relaxed-simd` the backend
 * detects `f32x4.relaxed_madd` and builds its GEMM with it; the results must match the plain-SIMD
 * build (this process) within float32 tolerance. (Chromium has relaxed SIMD on by default; the
 * browser run of the parity suite covers it there.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, it } from "vitest";
import { Primitive } from "@webkeras/core";
import { createWasmBackend } from "../src/index";
import { CASES, makeInputs } from "./fixtures/relaxed_cases";

it("the relaxed-SIMD GEMM matches the plain-SIMD one", async () => {
  const dir = mkdtempSync(join(tmpdir(), "webkeras-relaxed-"));
  try {
    const out = join(dir, "entry.mjs");
    await build({
      entryPoints: [fileURLToPath(new URL("./fixtures/relaxed_entry.ts", import.meta.url))],
      outfile: out,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "es2022",
      alias: {
        "@webkeras/core": fileURLToPath(new URL("../../core/src/index.ts", import.meta.url)),
      },
      // h5wasm is imported lazily by core (on the first HDF5 save) and never here.
      external: ["h5wasm"],
      logLevel: "error",
    });
    const child = JSON.parse(
      execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", out], {
        encoding: "utf8",
      }),
    ) as { relaxed: boolean; results: number[][] };
    expect(child.relaxed).toBe(true);
    const backend = await createWasmBackend({ relaxedSimd: false });
    expect(backend.rt.features.relaxedSimd).toBe(false);
    CASES.forEach((c, k) => {
      const ids = makeInputs(c).map((x) => ({
        dataId: backend.write(x.values, x.shape, "float32"),
        shape: x.shape,
        dtype: "float32" as const,
      }));
      const [id] = backend.execute(c.prim as Primitive, ids, c.params as never, [
        { shape: c.outShape, dtype: "float32" },
      ]);
      const plain = backend.readSync(id!);
      const relaxed = child.results[k]!;
      expect(relaxed.length).toBe(plain.length);
      for (let i = 0; i < plain.length; i++)
        expect(Math.abs(relaxed[i]! - plain[i]!)).toBeLessThanOrEqual(
          1e-4 + 1e-4 * Math.abs(plain[i]!),
        );
    });
    backend.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
