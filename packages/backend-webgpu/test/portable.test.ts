/**
 * The portable paths of the webgpu backend, which devices without `subgroups` take (and which
 * fusion replaces for elementwise ops): the forward parity cases on a backend created with
 * `{ fusion: false, subgroups: false }`, and one reduction checked on both paths with the
 * generated source inspected, so each test knows which path it ran. Skips where WebGPU is
 * unavailable (see dawn.ts).
 */
import { describe, expect, it } from "vitest";
import { dispose, lax, registerBackend, setBackend, tidy } from "@webkeras/core";
import { runParitySuite } from "@webkeras/parity";
import { installDawn } from "./dawn";
import { createWebGPUBackend, type WebGPUBackend } from "../src/index";

registerBackend({ name: "webgpu-portable", priority: 0, create: () => createWebGPUBackend({ fusion: false, subgroups: false }) });

runParitySuite({
  backend: "webgpu-portable",
  setup: installDawn,
  knownGaps: {},
  // Forward cases, and the gradients of reductions and convolutions (the other gradient cases
  // run the same kernels as the forward ones).
  filter: (id) => !id.endsWith("(grad)") || /conv|sum|max|min|mean|prod/i.test(id),
});

describe("webgpu subgroups", () => {
  it("a workgroup reduction gives the same sums, maxima and NaNs with and without subgroups", async (ctx) => {
    await installDawn();
    let withSg: WebGPUBackend;
    try {
      withSg = await createWebGPUBackend();
    } catch (err) {
      ctx.skip((err as Error).message);
    }
    if (!withSg!.features.subgroups) {
      withSg!.dispose();
      ctx.skip("this adapter has no subgroups");
    }
    const sources: string[] = [];
    const create = withSg!.device.createShaderModule.bind(withSg!.device);
    withSg!.device.createShaderModule = (d) => (sources.push(d.code), create(d));
    registerBackend({ name: "webgpu-sg", priority: 0, create: async () => withSg });
    // 3 outputs of 5000 elements each: one workgroup per output (see reduce.ts).
    const xs = Float32Array.from({ length: 15000 }, (_, i) => Math.sin(i * 0.731) * 3);
    xs[7777] = NaN;
    const results: Record<string, number[][]> = {};
    for (const backend of ["webgpu-sg", "webgpu-portable", "cpu"]) {
      await setBackend(backend);
      const outs = tidy(() => {
        const x = lax.constant(xs, [3, 5000], "float32");
        return [lax.sum(x, [1]), lax.max(x, [1]), lax.min(x, [1])];
      });
      results[backend] = await Promise.all(outs.map(async (t) => Array.from(await t.data())));
      dispose(outs);
    }
    expect(sources.some((s) => s.includes("subgroupAdd")), "the sum ran on the subgroup path").toBe(true);
    for (const backend of ["webgpu-sg", "webgpu-portable"]) {
      const [sum, max, min] = results[backend]!;
      const [csum, cmax, cmin] = results.cpu!;
      expect(max).toEqual(cmax);
      expect(min).toEqual(cmin);
      expect(Number.isNaN(max![1]!)).toBe(true);
      sum!.forEach((v, i) => (Number.isNaN(csum![i]!) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(csum![i]!, 2)));
    }
  });
});
