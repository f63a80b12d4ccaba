/**
 * Threads in Node (`worker_threads` over a shared memory): a 2-thread backend whose every
 * splittable kernel splits (`minParallelWork: 1`) runs the shared parity suite against the cpu
 * oracle, and gives bit-identical results to a 1-thread backend on products, convolutions and
 * elementwise ops large and odd-shaped enough to split at every kind of edge (register-block
 * edges, k slices beyond KC, columns instead of rows, 3 threads on 2 cores). The same checks run
 * in Chromium (Web Workers) in `browser.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { registerBackend } from "@webkeras/core";
import { runParitySuite } from "@webkeras/parity";
import { availableParallelism } from "node:os";
import { createWasmBackend, defaultNumThreads } from "../src/index";
import type { Call } from "../src/threads";
import { THREAD_CASES, runThreadCase } from "./thread_cases";

registerBackend({
  name: "wasm-threads",
  priority: 0,
  create: () => createWasmBackend({ numThreads: 2, minParallelWork: 1 }),
});

runParitySuite({ backend: "wasm-threads", knownGaps: {} });

describe("threads (worker_threads)", () => {
  it("defaults to the cores there are, at most 4", async () => {
    expect(await defaultNumThreads()).toBe(Math.min(4, availableParallelism()));
    const b = await createWasmBackend();
    expect(b.info().numThreads).toBe(Math.min(4, availableParallelism()));
    b.dispose();
  });

  it("info() reports the thread count and shared memory", async () => {
    const b = await createWasmBackend({ numThreads: 2 });
    expect(b.info()).toMatchObject({
      name: "wasm",
      numThreads: 2,
      sharedMemory: true,
      warnings: [],
    });
    b.dispose();
    const one = await createWasmBackend({ numThreads: 1 });
    expect(one.info()).toMatchObject({ numThreads: 1, sharedMemory: false });
    one.dispose();
  });

  it("a task that traps throws, whichever thread ran it, and the threads keep working", async () => {
    const b = await createWasmBackend({ numThreads: 2, minParallelWork: 1 });
    const outOfBounds = 0x7ffffff0;
    const bad = Array.from({ length: 16 }, (): Call[] => [
      ["un_neg", outOfBounds, outOfBounds, 64],
    ]);
    expect(() => b.rt.parallel(bad)).toThrow(/out of bounds|out-of-bounds/);
    const single = await createWasmBackend({ numThreads: 1 });
    for (const c of THREAD_CASES.slice(0, 3))
      expect(Array.from(runThreadCase(b, c)), c.name).toEqual(Array.from(runThreadCase(single, c)));
    b.dispose();
    single.dispose();
  });

  it("split kernels give the same bits as one thread", async () => {
    const single = await createWasmBackend({ numThreads: 1 });
    for (const threads of [2, 3]) {
      const multi = await createWasmBackend({ numThreads: threads, minParallelWork: 1 });
      for (const c of THREAD_CASES) {
        const want = runThreadCase(single, c);
        const got = runThreadCase(multi, c);
        expect(got.length, c.name).toBe(want.length);
        let diff = 0;
        for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) diff++;
        expect(diff, `${c.name} on ${threads} threads: elements that differ`).toBe(0);
      }
      multi.dispose();
    }
    single.dispose();
  });
});
