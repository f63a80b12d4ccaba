/**
 * Page side of the webgl backend tests (run in Chromium by `backend.test.ts`): start-up and
 * `info()`, fusion, fenced readback, layouts beyond MAX_TEXTURE_SIZE, training parity with the
 * cpu backend (an MLP and the b_cnn architecture of ../shared/keras-format), a model trained on
 * webgl saved and reloaded on cpu, and live textures after a disposed training loop.
 * Written against vitest's API; the in-page shim runs it.
 */
import { runRegistered } from "@webkeras/browser-test/vitest-shim";
import * as keras from "@webkeras/core";
import { describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../../../core/src/saving/index";
import "../../src/index";
import type { WebGLBackend } from "../../src/index";

const { ops } = keras;
const L = keras.layers;

/** Deterministic inputs (mulberry32). */
function rand(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  let a = seed | 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  });
}

/** Largest |a - b| / (atol + |b|); NaN matches NaN, an infinity only itself. */
function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, atol: number): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const err = Number.isNaN(y) ? (Number.isNaN(x) ? 0 : Infinity) : !Number.isFinite(y) ? (x === y ? 0 : Infinity) : Math.abs(x - y) / (atol + Math.abs(y));
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

/** Activates webgl and returns the backend object (what a tensor made now lives on). */
async function webgl(): Promise<WebGLBackend> {
  await keras.setBackend("webgl");
  const t = ops.convertToTensor([0]);
  const b = t.backend as WebGLBackend;
  t.dispose();
  return b;
}

/** Runs `fn` on `backend` and returns the values of its result. */
async function on(backend: string, fn: () => keras.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
  await keras.setBackend(backend);
  const t = keras.tidy(fn);
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

describe("start-up", () => {
  it("registers as webgl, reports the device and a full-precision float32 probe", async () => {
    expect(keras.registeredBackends()).toContain("webgl");
    const b = await webgl();
    const info = b.info();
    expect(info.name).toBe("webgl");
    expect(info.float32Exact).toBe(true);
    expect(info.warnings).toEqual([]);
    expect(info.maxTextureSize).toBeGreaterThanOrEqual(4096);
  });

  it('"auto" picks webgl in a page without WebGPU', async () => {
    expect(await keras.setBackend("auto")).toBe("webgl");
  });
});

describe("fusion", () => {
  it("a chain of elementwise ops runs as one program", async () => {
    const b = await webgl();
    const x = ops.reshape(ops.convertToTensor(rand(4096, 1, -2, 2)), [64, 64]);
    const bias = ops.convertToTensor(rand(64, 2));
    await x.data();
    await bias.data();
    const before = b.gpgpu.stats.draws;
    const y = keras.tidy(() => ops.tanh(ops.add(ops.multiply(ops.relu(ops.add(x, bias)), 2), 1)));
    expect(b.gpgpu.stats.draws).toBe(before);
    expect(b.memory().lazyBuffers).toBeGreaterThan(0);
    const got = await y.data();
    expect(b.gpgpu.stats.draws - before).toBe(1);
    const xv = await x.data();
    const bv = await bias.data();
    for (let i = 0; i < 4096; i += 97) {
      const want = Math.tanh(Math.max(0, xv[i]! + bv[i % 64]!) * 2 + 1);
      expect(Math.abs(got[i]! - want)).toBeLessThan(2e-6);
    }
    keras.dispose([x, bias, y]);
  });

  it("every leaf read mode (same, texel, scalar, aligned row, column, general) matches cpu", async () => {
    const pairs: [number[], number[]][] = [
      [[8, 64], [64]], // aligned row: one texel per 4 elements
      [[8, 64], [8, 1]], // column: one element per 4
      [[2, 3, 16], [3, 1]], // column of a lower-rank operand
      [[2, 3, 16], [1, 16]], // aligned row with a leading 1
      [[6, 7], [7]], // unaligned row: general
      [[6, 7], [6, 1]], // unaligned column: general
      [[5, 8], []], // scalar
      [[4, 4, 4], [64]], // same size, other texture shape (reshape)
    ];
    for (const [sa, sb] of pairs) {
      const av = rand(sa.reduce((p, q) => p * q, 1), 41);
      const bv = rand(sb.reduce((p, q) => p * q, 1), 42, -1, 1);
      const f = () => {
        const a = ops.reshape(ops.convertToTensor(av), sa);
        const b = ops.reshape(ops.convertToTensor(bv), sb.length === 1 && sb[0] === 64 && sa.length === 3 ? sa : sb);
        return ops.add(ops.multiply(a, 3), ops.exp(b));
      };
      expect(maxRelErr(await on("webgl", f), await on("cpu", f), 1e-6), `${sa} with ${sb}`).toBeLessThan(1e-5);
    }
  });

  it("broadcast_to fuses as a broadcast read: one pass", async () => {
    const b = await webgl();
    const x = ops.reshape(ops.convertToTensor(rand(64, 5, -1, 1)), [8, 8]);
    const col = ops.reshape(ops.convertToTensor(rand(8, 6, -1, 1)), [8, 1]);
    await x.data();
    await col.data();
    const before = b.gpgpu.stats.draws;
    const y = keras.tidy(() => ops.multiply(x, ops.broadcastTo(ops.exp(col), [8, 8])));
    const got = await y.data();
    expect(b.gpgpu.stats.draws - before).toBe(1);
    const xv = await x.data();
    const cv = await col.data();
    for (let i = 0; i < 64; i++) expect(Math.abs(got[i]! - xv[i]! * Math.exp(cv[i >> 3]!))).toBeLessThan(1e-6);
    keras.dispose([x, col, y]);
  });

  it("an elementwise chain feeding a reduction fuses into it: one pass", async () => {
    const b = await webgl();
    const x = ops.reshape(ops.convertToTensor(rand(1000, 3, -1, 1)), [10, 100]);
    await x.data();
    const before = b.gpgpu.stats.draws;
    const s = keras.tidy(() => ops.sum(ops.exp(ops.multiply(x, 0.5)), 1));
    expect(b.gpgpu.stats.draws - before).toBe(1); // sum(exp(x * 0.5)) in one program
    const v = await s.data();
    const xv = await x.data();
    let want = 0;
    for (let j = 0; j < 100; j++) want += Math.exp(0.5 * xv[j]!);
    expect(Math.abs(v[0]! - want) / want).toBeLessThan(1e-5);
    keras.dispose([x, s]);
  });
});

/** Counts `gl.fenceSync` calls until `restore()`. */
function countFences(gl: WebGL2RenderingContext): { count: number; restore: () => void } {
  const fenceSync = gl.fenceSync.bind(gl);
  const counter = { count: 0, restore: () => void (gl.fenceSync = fenceSync) };
  gl.fenceSync = (...args) => {
    counter.count++;
    return fenceSync(...args);
  };
  return counter;
}

describe("readback", () => {
  it("data() resolves through a fence without blocking; dataSync() reads directly", async () => {
    const b = await webgl();
    const x = ops.convertToTensor(rand(10000, 4));
    await x.data();
    const gl = b.gpgpu.gl;
    const fences = countFences(gl);
    try {
      const y = keras.tidy(() => ops.multiply(x, 3));
      let resolved = false;
      const pending = y.data().then((v) => {
        resolved = true;
        return v;
      });
      await Promise.resolve();
      expect(resolved).toBe(false); // still waiting on the fence: the read did not block
      const v = await pending;
      expect(fences.count).toBe(1);
      const s = y.dataSync();
      const xv = await x.data();
      for (let i = 0; i < 10000; i += 101) {
        expect(v[i]).toBe(Math.fround(xv[i]! * 3));
        expect(s[i]).toBe(v[i]);
      }
      keras.dispose(y);
    } finally {
      fences.restore();
      x.dispose();
    }
  });

  it("data() waits on a fence for unfinished work; with nothing unfinished, or within an opt-in bound, it reads directly", async () => {
    const b = await webgl();
    const a = ops.reshape(ops.convertToTensor(rand(256 * 256, 8, -1, 1)), [256, 256]);
    await a.data();
    const gl = b.gpgpu.gl;
    const fences = countFences(gl);
    const saved = b.gpgpu.directRead;
    try {
      expect(saved).toEqual({ passes: 0, work: 0 }); // the default never waits on the GPU
      const big = keras.tidy(() => ops.matmul(a, a));
      const bv = await big.data();
      expect(fences.count).toBe(1);
      const again = await big.data(); // nothing unfinished: direct
      expect(fences.count).toBe(1);
      expect(again[123]).toBe(bv[123]);
      const small = keras.tidy(() => ops.add(big, 1)); // one unfinished pass: fenced by default
      const sv = await small.data();
      expect(fences.count).toBe(2);
      b.gpgpu.directRead = { passes: 4, work: 16384 };
      const small2 = keras.tidy(() => ops.add(small, 1)); // within the opt-in bound: direct
      const s2 = await small2.data();
      expect(fences.count).toBe(2);
      const big2 = keras.tidy(() => ops.matmul(a, a)); // 256^3 multiply-adds: past the bound
      await big2.data();
      expect(fences.count).toBe(3);
      for (let i = 0; i < 256 * 256; i += 997) {
        expect(sv[i]).toBe(Math.fround(bv[i]! + 1));
        expect(s2[i]).toBe(Math.fround(sv[i]! + 1));
      }
      keras.dispose([big, small, small2, big2]);
    } finally {
      b.gpgpu.directRead = saved;
      fences.restore();
      a.dispose();
    }
  });

  it("data() first runs the pending results the app holds (behind the same fence), so reading them next is direct", async () => {
    const b = await webgl();
    const a = ops.reshape(ops.convertToTensor(rand(64 * 64, 9, -1, 1)), [64, 64]);
    const av = (await a.data()) as Float32Array;
    const gl = b.gpgpu.gl;
    const fences = countFences(gl);
    try {
      // The passes of the loss alone.
      const ref = keras.tidy(() => ops.sum(ops.multiply(a, a)));
      let d0 = b.gpgpu.stats.draws;
      await ref.data();
      const lossDraws = b.gpgpu.stats.draws - d0;
      expect(fences.count).toBe(1);
      // Held: w1 = a * 0.5 and w2 = w1 + 1; `a - a * 0.25` whose product only w3's expression holds.
      const [w1, w2, w3] = keras.tidy(() => {
        const w1 = ops.multiply(a, 0.5);
        return [w1, ops.add(w1, 1), ops.subtract(a, ops.multiply(a, 0.25))];
      });
      expect(b.memory().lazyBuffers).toBe(4);
      const loss = keras.tidy(() => ops.sum(ops.multiply(a, a)));
      d0 = b.gpgpu.stats.draws;
      const lv = await loss.data();
      expect(fences.count).toBe(2);
      // One pass per held result; the product inside w3 fused into w3's pass.
      expect(b.gpgpu.stats.draws - d0).toBe(lossDraws + 3);
      expect(b.memory().lazyBuffers).toBe(0);
      const [v1, v2, v3] = [await w1!.data(), await w2!.data(), await w3!.data()];
      expect(fences.count).toBe(2); // all three were behind the loss's fence: direct reads
      expect(lv[0]).toBe((await ref.data())[0]);
      for (let i = 0; i < 64 * 64; i += 37) {
        expect(v1[i]).toBe(Math.fround(av[i]! * 0.5));
        expect(v2[i]).toBe(Math.fround(v1[i]! + 1));
        expect(v3[i]).toBe(Math.fround(av[i]! - Math.fround(av[i]! * 0.25)));
      }
      keras.dispose([ref, loss, w1!, w2!, w3!]);
    } finally {
      fences.restore();
      a.dispose();
    }
  });

  it("framebuffers: one per set of render targets, capped, dropped with deleted textures; results stay right", async () => {
    const b = await webgl();
    const x = ops.convertToTensor(rand(64, 10, -1, 1));
    const xv = (await x.data()) as Float32Array;
    // 300 live results: 300 distinct render targets, more than the cache keeps.
    const ys = Array.from({ length: 300 }, (_, i) => keras.tidy(() => ops.add(ops.multiply(x, 2), i)));
    await b.flush();
    expect(b.gpgpu.framebufferCount).toBeLessThanOrEqual(256);
    const check = async (ts: keras.Tensor[], f: (v: number, i: number) => number) => {
      for (let i = 0; i < ts.length; i += 7) {
        const v = await ts[i]!.data();
        for (let j = 0; j < 64; j += 5) expect(v[j]).toBe(Math.fround(f(xv[j]!, i)));
      }
    };
    await check(ys, (v, i) => Math.fround(v * 2) + i);
    // Freed: the pool keeps 16 per size and deletes the rest, with their framebuffers.
    keras.dispose(ys);
    const zs = Array.from({ length: 40 }, (_, i) => keras.tidy(() => ops.subtract(ops.multiply(x, 3), i)));
    await b.flush();
    expect(b.gpgpu.framebufferCount).toBeLessThanOrEqual(256);
    await check(zs, (v, i) => Math.fround(v * 3) - i);
    keras.dispose([x, ...zs]);
  });

  it("int32 and bool round-trip exactly, including the int32 extremes", async () => {
    await webgl();
    const i = new Int32Array([-2147483648, 2147483647, 0, -1, 123456789, 16777217]);
    expect(Array.from(await on("webgl", () => ops.add(ops.convertToTensor(i), 0)))).toEqual(Array.from(i));
    const b = await on("webgl", () => ops.logicalNot(ops.convertToTensor([true, false, true])));
    expect(Array.from(b)).toEqual([0, 1, 0]);
  });
});

describe("layouts beyond MAX_TEXTURE_SIZE", () => {
  it("a vector longer than a texture row and a matrix taller than a texture", async () => {
    const b = await webgl();
    const max = b.info().maxTextureSize;
    // (4 * max + 12) elements: more texels than one texture row holds.
    const n = 4 * max + 12;
    const xs = rand(n, 5, -1, 1);
    const f = (x: keras.Tensor) => [ops.sum(ops.multiply(x, x)), ops.slice(x, [n - 20], [16]), ops.cumsum(ops.slice(x, [max * 4 - 8], [16]))];
    const run = async (backend: string) => {
      await keras.setBackend(backend);
      const x = ops.convertToTensor(xs);
      const outs = keras.tidy(() => f(x));
      const vals = await Promise.all(outs.map((t) => t.data()));
      keras.dispose([x, ...outs]);
      return vals;
    };
    const [g, c] = [await run("webgl"), await run("cpu")];
    expect(maxRelErr(g[0]!, c[0]!, 1e-3)).toBeLessThan(1e-4);
    expect(Array.from(g[1]!)).toEqual(Array.from(c[1]!));
    expect(maxRelErr(g[2]!, c[2]!, 1e-6)).toBeLessThan(1e-5);
    // (rows, 4) with rows > MAX_TEXTURE_SIZE: several matrix rows per texture row.
    const rows = max + 37;
    const a = rand(rows * 4, 6, -1, 1);
    const w = rand(16, 7, -1, 1);
    const mm = async (backend: string) =>
      on(backend, () => ops.matmul(ops.transpose(ops.matmul(ops.reshape(ops.convertToTensor(a), [rows, 4]), ops.reshape(ops.convertToTensor(w), [4, 4]))), ops.reshape(ops.convertToTensor(a), [rows, 4])));
    expect(maxRelErr(await mm("webgl"), await mm("cpu"), 1e-2)).toBeLessThan(1e-4);
  });
});

describe("vectorized paths (the parity shapes do not reach them)", () => {
  /** Values and gradients of `f` on webgl against cpu. */
  async function check(name: string, shapes: number[][], f: (xs: keras.Tensor[]) => keras.Tensor, tol = 1e-4, gen?: (n: number, s: number) => Float32Array) {
    const data = shapes.map((s, i) => (gen ?? ((n: number, seed: number) => rand(n, seed, -2, 2)))(s.reduce((a, b) => a * b, 1), 60 + i));
    const run = async (backend: string) => {
      await keras.setBackend(backend);
      const xs = data.map((d, i) => keras.tidy(() => ops.reshape(ops.convertToTensor(d), shapes[i]!)));
      const [y, grads] = keras.valueAndGrad((...a: keras.Tensor[]) => ops.sum(ops.square(f(a))), { argnums: xs.map((_, i) => i) })(...xs) as [keras.Tensor, keras.Tensor[]];
      const out = [await y.data(), ...(await Promise.all(grads.map((g) => g.data())))];
      keras.dispose([xs, y, grads]);
      return out;
    };
    const [g, c] = [await run("webgl"), await run("cpu")];
    // Absolute slack relative to the output's scale: sums of many float32 terms cancel.
    const scale = (v: ArrayLike<number>) => Math.max(1e-6, ...Array.from(v, (x) => (Number.isFinite(x) ? Math.abs(x) : 0)));
    g.forEach((v, i) => expect(maxRelErr(v, c[i]!, 1e-3 * scale(c[i]!)), `${name}: output ${i}`).toBeLessThan(tol));
  }
  const ties = (n: number, s: number) => Float32Array.from(rand(n, s), (v) => Math.floor(v * 3));

  it("max and average pooling, 8 channels, overlapping and padded windows, ties", async () => {
    await check("maxPool 3x3 s2 same", [[2, 9, 11, 8]], ([x]) => ops.maxPool(x!, 3, 2, "same"));
    await check("maxPool 2x2 ties", [[2, 8, 8, 8]], ([x]) => ops.maxPool(x!, 2), 1e-4, ties);
    await check("avgPool 3x3 s2 same", [[2, 9, 11, 8]], ([x]) => ops.averagePool(x!, 3, 2, "same"));
    await check("avgPool 2x2 s1 valid", [[1, 7, 5, 12]], ([x]) => ops.averagePool(x!, 2, 1, "valid"));
  });

  it("convolution gradients with 8 channels (col2im and im2col by texel)", async () => {
    await check("conv 3x3 same", [[2, 9, 11, 8], [3, 3, 8, 4]], ([x, k]) => ops.conv(x!, k!, 1, "same"), 1e-3);
    await check("conv 3x3 stride 2 valid", [[2, 13, 11, 8], [3, 3, 8, 12]], ([x, k]) => ops.conv(x!, k!, 2, "valid"), 1e-3);
  });

  it("reductions over leading and trailing axes of 4k elements, one and two passes, NaN", async () => {
    for (const [shape, axes] of [
      [[700, 8], [0]],
      [[3, 600, 12], [0, 1]],
      [[8, 2000], [1]],
      [[6, 44], [1]],
    ] as [number[], number[]][]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = rand(n, 70, -1, 1);
      xs[5] = NaN;
      for (const op of ["sum", "max", "min"] as const) {
        const f = () => ops[op](ops.reshape(ops.convertToTensor(xs), shape), axes);
        expect(maxRelErr(await on("webgl", f), await on("cpu", f), 1e-5), `${op} ${shape} ${axes}`).toBeLessThanOrEqual(op === "sum" ? 1e-4 : 0);
      }
      const ints = Int32Array.from(xs, (v) => (v > 0 ? 1 : v < 0 ? -2 : 7));
      const fi = () => ops.sum(ops.reshape(ops.convertToTensor(ints), shape), axes);
      expect(Array.from(await on("webgl", fi)), `int sum ${shape}`).toEqual(Array.from(await on("cpu", fi)));
      const fb = () => ops.any(ops.greater(ops.reshape(ops.convertToTensor(xs), shape), 0.999), axes);
      expect(Array.from(await on("webgl", fb)), `any ${shape}`).toEqual(Array.from(await on("cpu", fb)));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Training parity

type Build = () => keras.Sequential;

const mlp: Build = () => new keras.Sequential([keras.Input([784]), new L.Dense(128, { activation: "relu" }), new L.Dense(10)]);

/** b_cnn of ../shared/keras-format: Conv2D(8, same, relu) -> BN -> MaxPool -> Conv2D(16, stride 2) -> GAP -> Dense(10). */
const bCnn: Build = () =>
  new keras.Sequential([
    keras.Input([28, 28, 1]),
    new L.Conv2D(8, 3, { padding: "same", activation: "relu" }),
    new L.BatchNormalization(),
    new L.MaxPooling2D(),
    new L.Conv2D(16, 3, { strides: 2 }),
    new L.GlobalAveragePooling2D(),
    new L.Dense(10),
  ]);

interface Trained {
  losses: number[];
  weights: Float32Array[];
  model: keras.Sequential;
}

async function train(backend: string, build: Build, x: Float32Array, xShape: number[], y: Int32Array, steps: number): Promise<Trained> {
  await keras.setBackend(backend);
  keras.random.setRandomSeed(1234);
  const model = build();
  model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 1e-3 }), loss: new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }) });
  const xt = keras.tidy(() => ops.reshape(ops.convertToTensor(x), xShape));
  const yt = ops.convertToTensor(y);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await model.trainOnBatch(xt, yt)) as number);
  keras.dispose([xt, yt]);
  const weights = (await model.getWeights()).map((w) => Float32Array.from(w));
  return { losses, weights, model };
}

function compareTraining(g: Trained, c: Trained, tol: number): void {
  expect(g.losses.length).toBe(c.losses.length);
  expect(maxRelErr(g.losses, c.losses, 1e-4), `losses webgl ${g.losses.slice(-3)} vs cpu ${c.losses.slice(-3)}`).toBeLessThan(tol);
  expect(g.weights.length).toBe(c.weights.length);
  g.weights.forEach((w, i) => expect(maxRelErr(w, c.weights[i]!, 1e-3), `weight ${i}`).toBeLessThan(tol));
  expect(c.losses[c.losses.length - 1]!).toBeLessThan(c.losses[0]!);
}

describe("training parity with cpu", () => {
  it("20 Adam steps of a 784-128-10 MLP, batch 64", async () => {
    const x = rand(64 * 784, 11);
    const y = Int32Array.from(rand(64, 12), (v) => Math.floor(v * 10));
    const g = await train("webgl", mlp, x, [64, 784], y, 20);
    const c = await train("cpu", mlp, x, [64, 784], y, 20);
    compareTraining(g, c, 1e-3);
    g.model.dispose();
    c.model.dispose();
  });

  it("20 Adam steps of b_cnn, batch 8", async () => {
    const x = rand(8 * 28 * 28, 13);
    const y = Int32Array.from(rand(8, 14), (v) => Math.floor(v * 10));
    const g = await train("webgl", bCnn, x, [8, 28, 28, 1], y, 20);
    const c = await train("cpu", bCnn, x, [8, 28, 28, 1], y, 20);
    compareTraining(g, c, 1e-3);
    g.model.dispose();
    c.model.dispose();
  });
});

describe("save on webgl, load on cpu", () => {
  it("a b_cnn trained on webgl predicts the same after saveModel / loadModel on cpu", async () => {
    const x = rand(4 * 28 * 28, 21);
    const y = Int32Array.from(rand(4, 22), (v) => Math.floor(v * 10));
    const g = await train("webgl", bCnn, x, [4, 28, 28, 1], y, 5);
    const xt = keras.tidy(() => ops.reshape(ops.convertToTensor(x), [4, 28, 28, 1]));
    const pg = (await g.model.predict(xt)) as keras.Tensor;
    const want = Float32Array.from(await pg.data());
    const bytes = await saveModel(g.model);
    keras.dispose([xt, pg]);
    await keras.setBackend("cpu");
    const loaded = await loadModel(bytes);
    const xc = keras.tidy(() => ops.reshape(ops.convertToTensor(x), [4, 28, 28, 1]));
    const pc = (await loaded.predict(xc)) as keras.Tensor;
    expect(maxRelErr(await pc.data(), want, 1e-4)).toBeLessThan(1e-4);
    keras.dispose([xc, pc]);
    loaded.dispose();
    g.model.dispose();
  });
});

describe("memory", () => {
  it("live textures return to their start count after a disposed training loop", async () => {
    // Pending (lazy) elementwise results hold their inputs' textures until they run, so every
    // count is taken after flush(), which runs them all.
    const b = await webgl();
    await b.flush();
    const start = b.memory().numTextures;
    const startTensors = keras.memory().numTensors;
    const x = rand(32 * 784, 31);
    const y = Int32Array.from(rand(32, 32), (v) => Math.floor(v * 10));
    const t = await train("webgl", mlp, x, [32, 784], y, 3);
    await b.flush();
    const afterWarmup = b.memory().numTextures;
    const warm = JSON.stringify(b.memory());
    const warmTensors = keras.memory().numTensors;
    const xt = keras.tidy(() => ops.reshape(ops.convertToTensor(x), [32, 784]));
    const yt = ops.convertToTensor(y);
    for (let s = 0; s < 10; s++) await t.model.trainOnBatch(xt, yt);
    keras.dispose([xt, yt]);
    await b.flush();
    expect(b.memory().numTextures, `textures after 10 more steps ${JSON.stringify(b.memory())} vs ${warm}, tensors ${keras.memory().numTensors} vs ${warmTensors}`).toBe(afterWarmup);
    t.model.dispose();
    t.model.compiled!.optimizer.dispose();
    for (const v of t.model.compiled!.lossTracker.variables) v.dispose();
    await b.flush();
    // Every texture left belongs to a tensor still alive: core keeps one float32 scalar of a
    // compiled model beyond model.dispose() + optimizer.dispose() (reported to core).
    const leftTensors = keras.memory().numTensors - startTensors;
    expect(leftTensors, "tensors left").toBeLessThanOrEqual(1);
    expect(b.memory().numTextures - start, `textures: ${JSON.stringify(b.memory())}`).toBe(leftTensors);
    expect(b.memory().lazyBuffers).toBe(0);
  });
});

await runRegistered();
