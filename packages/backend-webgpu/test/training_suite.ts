/**
 * Training parity, written once for Node (training.test.ts, Dawn) and Chromium
 * (browser/backend.page.ts): 20 SGD steps of an MLP and of the b_cnn architecture (see
 * shared/keras-format/README.md) on webgpu match the same steps on cpu (same initial weights,
 * same batches), and a disposed training loop returns the webgpu buffer count to where it began.
 * Skips where WebGPU is unavailable.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  Input,
  Sequential,
  dispose,
  layers,
  losses as kerasLosses,
  memory,
  optimizers,
  ops,
  setBackend,
  tidy,
} from "@webkeras/core";
import { expectAllclose } from "@webkeras/parity";

/** Deterministic values in [lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed | 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  });
}

type Build = () => Sequential;

const mlp: Build = () =>
  new Sequential([Input([32]), new layers.Dense(16, { activation: "relu" }), new layers.Dense(10)]);

const bCnn: Build = () =>
  new Sequential([
    Input([28, 28, 1], { name: "image" }),
    new layers.Conv2D(8, 3, { padding: "same", activation: "relu" }),
    new layers.BatchNormalization(),
    new layers.MaxPooling2D(),
    new layers.Conv2D(16, 3, { strides: 2 }),
    new layers.GlobalAveragePooling2D(),
    new layers.Dense(10),
  ]);

interface Run {
  losses: number[];
  weights: ArrayLike<number>[];
}

/** 20 plain SGD steps on `backend` from `init` weights; returns losses and final weights. */
async function train(backend: string, build: Build, init: ArrayLike<number>[], xShape: number[], steps = 20): Promise<Run> {
  await setBackend(backend);
  const model = build();
  model.setWeights(init);
  model.compile({
    optimizer: new optimizers.SGD({ learningRate: 0.05 }),
    // From logits: the last Dense is linear (probabilities would be clipped, which makes the
    // loss jump wherever a logit crosses the clip threshold).
    loss: new kerasLosses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const batch = xShape[0]!;
  const n = xShape.reduce((a, b) => a * b, 1);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const x = tidy(() => ops.reshape(ops.convertToTensor(values(n, 1000 + s, 0, 1)), xShape));
    const y = ops.convertToTensor(Int32Array.from({ length: batch }, (_, i) => (i * 7 + s) % 10), "int32");
    const loss = await model.trainOnBatch(x, y);
    losses.push(Array.isArray(loss) ? (loss[0] as number) : (loss as number));
    dispose([x, y]);
  }
  const weights = await model.getWeights();
  disposeModel(model);
  return { losses, weights };
}

/** Frees everything a compiled, trained model holds: weights, optimizer slots, metric state. */
function disposeModel(model: Sequential): void {
  const c = model.compiled;
  if (c) {
    c.optimizer.dispose();
    for (const m of c.allMetrics) m.dispose();
  }
  model.dispose();
}

async function initialWeights(build: Build): Promise<ArrayLike<number>[]> {
  await setBackend("cpu");
  const model = build();
  const w = (await model.getWeights()).map((a) => Float32Array.from(a));
  disposeModel(model);
  return w;
}

export interface TrainingSuiteOptions {
  /** Backend name to compare with cpu (default "webgpu"). */
  backend?: string;
  /** Runs before the backend is started (Node: install Dawn as navigator.gpu). */
  setup?: () => Promise<void>;
}

/**
 * Registers the training parity tests.
 * @example trainingSuite({ setup: installDawn });
 */
export function trainingSuite(opts: TrainingSuiteOptions = {}): void {
  const backend = opts.backend ?? "webgpu";
  let unavailable: string | null = null;
  beforeAll(async () => {
    await opts.setup?.();
    try {
      await setBackend(backend);
    } catch (err) {
      unavailable = (err as Error).message;
    }
  });

  describe(`training parity ${backend} vs cpu`, () => {
    for (const [name, build, xShape, tol] of [
      ["MLP 32-16-10", mlp, [16, 32], 2e-4],
      ["b_cnn", bCnn, [4, 28, 28, 1], 1e-3],
    ] as const) {
      it(`${name}: 20 SGD steps match`, async (ctx) => {
        if (unavailable) ctx.skip(unavailable);
        const init = await initialWeights(build);
        // Live buffers before and after the whole loop (build, compile, 20 steps, dispose). Core
        // itself keeps a few tensors per model today (activations' constants, the same on cpu), so
        // the webgpu figure must equal the cpu one: the backend adds no leak of its own.
        const buffers = (b: string) => memory().backends[b]?.numBuffers ?? 0;
        const cpu0 = buffers("cpu");
        const cpu = await train("cpu", build, init, [...xShape]);
        const cpuLeak = buffers("cpu") - cpu0;
        await setBackend(backend);
        const gpu0 = buffers(backend);
        const gpu = await train(backend, build, init, [...xShape]);
        const gpuLeak = buffers(backend) - gpu0;
        expectAllclose(gpu.losses, cpu.losses, { rtol: tol, atol: tol }, `${name}: losses per step`);
        gpu.weights.forEach((w, i) =>
          expectAllclose(w, cpu.weights[i]!, { rtol: 10 * tol, atol: 10 * tol }, `${name}: weight ${i} after 20 steps`),
        );
        // The loss must actually move, or the comparison proves little.
        expect(cpu.losses[19]).not.toBeCloseTo(cpu.losses[0]!, 3);
        expect(gpuLeak, `${name}: ${backend} buffers left after the disposed loop (cpu: ${cpuLeak})`).toBe(cpuLeak);
      }, 300_000);
    }
  });
}
