/**
 * Thread tests for the wasm page (`parity.page.ts` imports this; Chromium runs it through
 * `browser.test.ts`): the default backend
 * in a cross-origin isolated page starts with workers and relaxed SIMD; kernels split over 2 and
 * 3 Web Workers give the same bits as one thread; so do 10 training steps of an MLP and of b_cnn;
 * a page that reports no cross-origin isolation runs single-threaded with a warning.
 * Written against vitest's API; the in-page shim runs it.
 */
import * as keras from "@webkeras/core";
import { describe, expect, it } from "vitest";
import { createWasmBackend, defaultNumThreads } from "../../src/index";
import { THREAD_CASES, runThreadCase } from "../thread_cases";

const { Sequential, Input, layers } = keras;

keras.registerBackend({
  name: "wasm-threads",
  priority: 0,
  create: () => createWasmBackend({ numThreads: 2, minParallelWork: 1 }),
});
keras.registerBackend({
  name: "wasm-1t",
  priority: 0,
  create: () => createWasmBackend({ numThreads: 1 }),
});

/** Deterministic values in [lo, hi) (mulberry32). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed | 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  });
}

/** `steps` trainOnBatch steps on `backend` from fixed weights and data: losses, final weights. */
async function train(backend: string, model: () => keras.Model, xShape: number[], steps: number) {
  await keras.setBackend(backend);
  const m = model();
  m.setWeights(
    m.weights.map((w, i) => {
      const n = w.shape.reduce((a, b) => a * b, 1);
      return w.path.endsWith("moving_variance")
        ? values(n, 100 + i, 0.5, 1.5)
        : values(n, 100 + i, -0.2, 0.2);
    }),
  );
  m.compile({
    optimizer: new keras.optimizers.SGD({ learningRate: 0.05, momentum: 0.9 }),
    loss: new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const n = xShape.reduce((a, b) => a * b, 1);
  const x = keras.lax.constant(values(n, 1000, 0, 1), xShape, "float32");
  const y = keras.lax.constant(
    Int32Array.from(values(xShape[0]!, 2000, 0, 10), Math.floor),
    [xShape[0]!],
    "int32",
  );
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push(Number(await m.trainOnBatch(x, y)));
  const weights = await Promise.all(
    m.weights.map(async (w) => Array.from((await w.value.data()) as Float32Array)),
  );
  keras.dispose([x, y]);
  return { losses, weights };
}

describe("start-up", () => {
  it("the page is cross-origin isolated and the default backend runs on workers", async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    const want = Math.min(4, navigator.hardwareConcurrency);
    expect(await defaultNumThreads()).toBe(want);
    const b = await createWasmBackend();
    expect(b.info()).toEqual({
      name: "wasm",
      relaxedSimd: true,
      sharedMemory: want > 1,
      numThreads: want,
      warnings: [],
    });
    b.dispose();
  });

  it('keras.getBackendInfo("wasm") reports the thread count', async () => {
    await keras.setBackend("wasm");
    const info = keras.getBackendInfo("wasm") as { numThreads?: number } | null;
    expect(info?.numThreads).toBe(await defaultNumThreads());
  });

  it("without cross-origin isolation it runs on one thread and says why", async () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, "crossOriginIsolated");
    Object.defineProperty(globalThis, "crossOriginIsolated", { value: false, configurable: true });
    try {
      expect(await defaultNumThreads()).toBe(1);
      const b = await createWasmBackend({ numThreads: 2 });
      const info = b.info();
      expect(info.numThreads).toBe(1);
      expect(info.warnings.join(" ")).toContain("crossOriginIsolated");
      b.dispose();
    } finally {
      if (own) Object.defineProperty(globalThis, "crossOriginIsolated", own);
      else delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
    expect(globalThis.crossOriginIsolated).toBe(true);
  });
});

describe("threaded results equal single-threaded ones bit for bit", () => {
  for (const threads of [2, 3])
    it(`kernels split over ${threads} threads`, async () => {
      const single = await createWasmBackend({ numThreads: 1 });
      const multi = await createWasmBackend({ numThreads: threads, minParallelWork: 1 });
      expect(multi.info().numThreads).toBe(threads);
      for (const c of THREAD_CASES) {
        const want = runThreadCase(single, c);
        const got = runThreadCase(multi, c);
        let diff = 0;
        for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) diff++;
        expect(diff, `${c.name}: elements that differ`).toBe(0);
      }
      single.dispose();
      multi.dispose();
    });

  const mlp = () =>
    new Sequential([
      Input([784]),
      new layers.Dense(128, { activation: "relu" }),
      new layers.Dense(10),
    ]);
  const bCnn = () =>
    new Sequential([
      Input([28, 28, 1]),
      new layers.Conv2D(8, 3, { padding: "same", activation: "relu" }),
      new layers.BatchNormalization(),
      new layers.MaxPooling2D(),
      new layers.Conv2D(16, 3, { strides: 2 }),
      new layers.GlobalAveragePooling2D(),
      new layers.Dense(10),
    ]);
  for (const [name, model, shape] of [
    ["mlp 784-128-10, batch 64", mlp, [64, 784]],
    ["b_cnn, batch 16", bCnn, [16, 28, 28, 1]],
  ] as const)
    it(`10 training steps of ${name}`, async () => {
      const one = await train("wasm-1t", model, [...shape], 10);
      const two = await train("wasm-threads", model, [...shape], 10);
      expect(two.losses).toEqual(one.losses);
      expect(one.losses[9]!).toBeLessThan(one.losses[0]!);
      two.weights.forEach((w, i) => expect(w, `weight ${i}`).toEqual(one.weights[i]));
    });
});
