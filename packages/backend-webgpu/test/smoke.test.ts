/**
 * Direct checks of the WebGPU backend that the parity suite does not make: buffer accounting and
 * reuse, batching, Reshape sharing, errors after dispose.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { lax, setBackend, tidy, dispose, memory, ops, type Tensor } from "@webkeras/core";
import { installDawn } from "./dawn";
import "../src/index";

let available = false;
beforeAll(async () => {
  await installDawn();
  try {
    await setBackend("webgpu");
    available = true;
  } catch (err) {
    console.warn(`webgpu unavailable: ${(err as Error).message}`);
  }
});

describe("webgpu backend", () => {
  it("adds, reads back asynchronously and frees", async (ctx) => {
    if (!available) ctx.skip();
    await setBackend("webgpu");
    const before = memory().backends["webgpu"]!.numBuffers;
    const y = tidy(() => {
      const a = lax.constant([1, 2, 3, 4], [2, 2], "float32");
      const b = lax.constant([10, 20], [2], "float32");
      return lax.add(a, b);
    });
    expect(Array.from(await y.data())).toEqual([11, 22, 13, 24]);
    dispose(y);
    expect(memory().backends["webgpu"]!.numBuffers).toBe(before);
  });

  it("matmul matches a JS loop", async (ctx) => {
    if (!available) ctx.skip();
    await setBackend("webgpu");
    const M = 37, K = 19, N = 23;
    const a = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
    const want = new Float32Array(M * N);
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) want[i * N + j]! += a[i * K + k]! * b[k * N + j]!;
    const y = tidy(() => lax.matmul(lax.constant(a, [M, K], "float32"), lax.constant(b, [K, N], "float32")));
    const got = await y.data();
    dispose(y);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
  });

  it("shares the buffer for reshape and reports pool figures", async (ctx) => {
    if (!available) ctx.skip();
    await setBackend("webgpu");
    const x = ops.convertToTensor([[1, 2, 3], [4, 5, 6]]);
    const m0 = memory().backends["webgpu"]!;
    const y = ops.reshape(x, [3, 2]);
    expect(memory().backends["webgpu"]!.numBuffers).toBe(m0.numBuffers);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    dispose([x, y]);
    expect(memory().backends["webgpu"]!.pooledBytes).toBeGreaterThanOrEqual(0);
  });
});

describe("webgpu convolution input gradient by stride phase", () => {
  it("matches cpu where the stride exceeds the window (phases with no taps) and with padding", async (ctx) => {
    if (!available) ctx.skip();
    for (const [xShape, kShape, strides, padding] of [
      [[2, 10, 9, 3], [2, 2, 3, 4], [3, 3], [[0, 0], [0, 0]]],
      [[1, 11, 12, 2], [3, 3, 2, 5], [2, 3], [[1, 1], [2, 0]]],
      [[2, 13, 4], [5, 4, 3], [2], [[2, 2]]],
    ] as [number[], number[], number[], [number, number][]][]) {
      const nsp = xShape.length - 2;
      const p = { strides, padding, dilation: strides.map(() => 1), groups: 1 };
      const outSp = xShape.slice(1, -1).map((d, i) => Math.floor((d + padding[i]![0]! + padding[i]![1]! - kShape[i]!) / strides[i]!) + 1);
      const dyShape = [xShape[0]!, ...outSp, kShape[nsp + 1]!];
      const dyv = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
      const kv = Float32Array.from({ length: kShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 0.61));
      const run = async (backend: string) => {
        await setBackend(backend);
        const y = tidy(() =>
          lax.convBackpropInput(lax.constant(dyv, dyShape, "float32"), lax.constant(kv, kShape, "float32"), p, xShape),
        );
        const v = await y.data();
        dispose(y);
        return v;
      };
      const [gpu, cpu] = [await run("webgpu"), await run("cpu")];
      expect(gpu.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 4);
    }
  });
});

describe("webgpu forward convolution, vec4 path", () => {
  it("matches cpu with groups, dilation, stride and padding, 4-channel and 1-channel inputs", async (ctx) => {
    if (!available) ctx.skip();
    for (const [xShape, kShape, p] of [
      [[2, 9, 10, 8], [3, 3, 4, 8], { strides: [2, 1], padding: [[1, 2], [0, 1]], dilation: [1, 2], groups: 2 }],
      [[3, 7, 6, 1], [3, 2, 1, 4], { strides: [1, 2], padding: [[1, 1], [0, 0]], dilation: [1, 1], groups: 1 }],
      // Scalar input channels with 8 outputs per group: 2 pixels x 8 channels a thread.
      [[2, 9, 7, 1], [3, 3, 1, 8], { strides: [1, 1], padding: [[1, 1], [1, 1]], dilation: [1, 1], groups: 1 }],
      [[3, 6, 5, 2], [2, 3, 1, 16], { strides: [2, 1], padding: [[0, 1], [1, 1]], dilation: [1, 2], groups: 2 }],
      [[1, 4, 5, 6, 4], [2, 3, 2, 4, 4], { strides: [1, 1, 2], padding: [[0, 1], [1, 1], [0, 0]], dilation: [2, 1, 1], groups: 1 }],
    ] as [number[], number[], { strides: number[]; padding: [number, number][]; dilation: number[]; groups: number }][]) {
      const xv = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
      const kv = Float32Array.from({ length: kShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 0.61));
      const run = async (backend: string) => {
        await setBackend(backend);
        const y = tidy(() => lax.conv(lax.constant(xv, xShape, "float32"), lax.constant(kv, kShape, "float32"), p));
        const v = await y.data();
        dispose(y);
        return v;
      };
      const [gpu, cpu] = [await run("webgpu"), await run("cpu")];
      expect(gpu.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 4);
    }
  });
});

describe("webgpu elementwise fusion", () => {
  it("a chain of elementwise ops stays lazy and runs as one new kernel", async (ctx) => {
    if (!available) ctx.skip();
    await setBackend("webgpu");
    const xv = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i * 0.1) * 2);
    const bv = Float32Array.from({ length: 64 }, (_, i) => i / 64);
    const x = ops.reshape(ops.convertToTensor(xv), [64, 64]);
    const bias = ops.convertToTensor(bv);
    await x.data();
    await bias.data();
    const m0 = memory().backends["webgpu"]!;
    // An expression no other test builds, so its fused kernel is one new pipeline.
    const y = tidy(() => ops.tanh(ops.add(ops.multiply(ops.relu(ops.add(x, bias)), 2.5), 1.25)));
    expect(memory().backends["webgpu"]!.lazyBuffers).toBeGreaterThan(0);
    const got = await y.data();
    const m1 = memory().backends["webgpu"]!;
    expect((m1.pipelines as number) - (m0.pipelines as number)).toBe(1);
    expect(m1.lazyBuffers).toBe(0);
    for (let i = 0; i < 4096; i += 37) expect(got[i]).toBeCloseTo(Math.tanh(Math.max(0, xv[i]! + bv[i % 64]!) * 2.5 + 1.25), 5);
    dispose([x, bias, y]);
  });
});

describe("webgpu reductions over pending elementwise results", () => {
  it("evaluate the fused expression inside the reduction (one kernel), for every leaf layout", async (ctx) => {
    if (!available) ctx.skip();
    const av = Float32Array.from({ length: 6 * 70 }, (_, i) => Math.sin(i * 0.3));
    const bv = Float32Array.from({ length: 70 }, (_, i) => Math.cos(i * 0.7));
    const cv = Float32Array.from({ length: 6 }, (_, i) => i - 2.5);
    const cases: [string, (a: Tensor, b: Tensor, c: Tensor) => Tensor][] = [
      ["same, suffix and scalar leaves", (a, b) => ops.sum(ops.exp(ops.multiply(ops.add(a, b), 0.5)), [1])],
      ["a column leaf (general broadcast)", (a, _b, c) => ops.max(ops.multiply(a, ops.reshape(c, [6, 1])), [0])],
      ["a reshaped view", (a) => ops.min(ops.reshape(ops.abs(a), [6, 7, 10]), [0, 2])],
    ];
    for (const [name, f] of cases) {
      const run = async (backend: string) => {
        await setBackend(backend);
        const [a, b, c] = [
          ops.reshape(ops.convertToTensor(av), [6, 70]),
          ops.convertToTensor(bv),
          ops.convertToTensor(cv),
        ];
        await Promise.all([a.data(), b.data(), c.data()]);
        const p0 = memory().backends[backend]?.pipelines as number;
        const y = tidy(() => f(a, b, c));
        const v = Array.from(await y.data());
        const p1 = memory().backends[backend]?.pipelines as number;
        dispose([a, b, c, y]);
        return { v, newPipelines: p1 - p0 };
      };
      const [gpu, cpu] = [await run("webgpu"), await run("cpu")];
      expect(gpu.newPipelines, `${name}: kernels`).toBe(1);
      expect(gpu.v.length).toBe(cpu.v.length);
      gpu.v.forEach((x, i) => expect(x, `${name} [${i}]`).toBeCloseTo(cpu.v[i]!, 4));
    }
  });
});

describe("webgpu column reductions (kept dims innermost, many rows)", () => {
  it("match cpu for sum, prod, max and min over float, int and bool, NaN, fused inputs and odd shapes", async (ctx) => {
    if (!available) ctx.skip();
    const cases: [string, number[], number[], (x: Tensor) => Tensor][] = [
      // (rows, C): 819 partial rows of 5 columns, the last ones short.
      ["sum (3001, 5)", [3001, 5], [0], (x) => ops.sum(x, [0])],
      ["max NHWC channels", [4, 9, 7, 8], [0, 1, 2], (x) => ops.max(x, [0, 1, 2])],
      ["min, fused input", [70, 3, 6], [0, 1], (x) => ops.min(ops.multiply(ops.add(x, 0.5), -2), [0, 1])],
      ["prod, 1500 columns (2 partial rows)", [100, 1500], [0], (x) => ops.prod(ops.add(ops.multiply(x, 0.01), 1), [0])],
      ["sum of squares, fused", [200, 12], [0], (x) => ops.sum(ops.square(ops.subtract(x, 0.25)), [0])],
      ["int32 sum", [500, 3], [0], (x) => ops.sum(ops.cast(ops.multiply(x, 10), "int32"), [0])],
      ["bool any / all", [300, 4], [0], (x) => ops.stack([ops.any(ops.greater(x, 0.99), [0]), ops.all(ops.greater(x, -0.999), [0])])],
    ];
    for (const [name, shape, , f] of cases) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xv = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + 0.1));
      if (name.startsWith("max")) xv[5 * 8 + 3] = NaN; // column 3 takes NaN
      const run = async (backend: string) => {
        await setBackend(backend);
        const x = ops.reshape(ops.convertToTensor(xv), shape);
        const y = tidy(() => f(x));
        const v = Array.from(await y.data(), Number);
        dispose([x, y]);
        return v;
      };
      const [gpu, cpu] = [await run("webgpu"), await run("cpu")];
      expect(gpu.length, name).toBe(cpu.length);
      gpu.forEach((v, i) => {
        if (Number.isNaN(cpu[i])) expect(v, `${name} [${i}]`).toBeNaN();
        else expect(v, `${name} [${i}]`).toBeCloseTo(cpu[i]!, 2);
      });
    }
  });
});

describe("webgpu filter gradients with few outputs and long reductions", () => {
  it("match cpu with padding, stride, dilation, several channels and 1 to 3 spatial dims", async (ctx) => {
    if (!available) ctx.skip();
    for (const [xShape, kShape, p] of [
      // The first layer of b_cnn: 3x3 x 1 channel x 8, "same" padding (taps read the border).
      [[4, 30, 25, 1], [3, 3, 1, 8], { strides: [1, 1], padding: [[1, 1], [1, 1]], dilation: [1, 1], groups: 1 }],
      [[6, 40, 22, 2], [3, 2, 2, 4], { strides: [2, 1], padding: [[1, 0], [0, 2]], dilation: [1, 2], groups: 1 }],
      [[8, 300, 3], [5, 3, 4], { strides: [1], padding: [[2, 1]], dilation: [1], groups: 1 }],
      [[2, 6, 18, 20, 1], [2, 2, 2, 1, 12], { strides: [1, 1, 1], padding: [[0, 1], [1, 0], [0, 0]], dilation: [1, 1, 1], groups: 1 }],
      // b_cnn's second layer: 72 x 16 outputs, K 1152 (one filter row per thread).
      [[32, 14, 14, 8], [3, 3, 8, 16], { strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], groups: 1 }],
    ] as [number[], number[], { strides: number[]; padding: [number, number][]; dilation: number[]; groups: number }][]) {
      const nsp = xShape.length - 2;
      const outSp = xShape.slice(1, -1).map((d, i) => {
        const span = (kShape[i]! - 1) * p.dilation[i]! + 1;
        return Math.floor((d + p.padding[i]![0] + p.padding[i]![1] - span) / p.strides[i]!) + 1;
      });
      const dyShape = [xShape[0]!, ...outSp, kShape[nsp + 1]!];
      const xv = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37));
      const dyv = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 0.61));
      const run = async (backend: string) => {
        await setBackend(backend);
        const y = tidy(() =>
          lax.convBackpropFilter(lax.constant(xv, xShape, "float32"), lax.constant(dyv, dyShape, "float32"), p, kShape),
        );
        const v = await y.data();
        dispose(y);
        return v;
      };
      const [gpu, cpu] = [await run("webgpu"), await run("cpu")];
      expect(gpu.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(gpu[i], `${xShape} [${i}]`).toBeCloseTo(cpu[i]!, 2);
    }
  });
});

describe("webgpu pooling gradient over tiling windows (one pass)", () => {
  it("matches cpu for max (ties, NaN) and avg, leftover rows, right padding, 1 to 3 spatial dims", async (ctx) => {
    if (!available) ctx.skip();
    const pp = (kind: "max" | "avg", window: number[], padding: [number, number][]) => ({
      kind,
      window,
      strides: window,
      padding,
      dilation: window.map(() => 1),
      countIncludePad: false,
    });
    for (const [xShape, p] of [
      [[2, 8, 6, 3], pp("max", [2, 2], [[0, 0], [0, 0]])],
      // 9 x 7: the last row and column belong to no window and get 0.
      [[1, 9, 7, 2], pp("max", [2, 2], [[0, 0], [0, 0]])],
      // "same": the last windows run past the input.
      [[2, 7, 5, 2], pp("max", [2, 2], [[0, 1], [0, 1]])],
      [[2, 9, 8, 3], pp("avg", [3, 2], [[0, 0], [0, 0]])],
      [[3, 10, 4], pp("max", [3], [[0, 2]])],
      [[1, 4, 6, 5, 2], pp("avg", [2, 3, 2], [[0, 0], [0, 0], [0, 1]])],
    ] as [number[], ReturnType<typeof pp>][]) {
      const nsp = xShape.length - 2;
      const outSp = xShape.slice(1, -1).map((d, i) => Math.floor((d + p.padding[i]![1] - p.window[i]!) / p.window[i]!) + 1);
      const dyShape = [xShape[0]!, ...outSp, xShape[nsp + 1]!];
      // Few levels, so windows hold ties (the first maximum takes the gradient); one NaN.
      const xv = Float32Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.round(Math.sin(i * 0.37) * 2));
      xv[7] = NaN;
      const dyv = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 0.61));
      const run = async (backend: string) => {
        await setBackend(backend);
        const y = tidy(() => lax.poolBackprop(lax.constant(dyv, dyShape, "float32"), lax.constant(xv, xShape, "float32"), p));
        const v = await y.data();
        dispose(y);
        return v;
      };
      const [gpu, cpu] = [await run("webgpu"), await run("cpu")];
      expect(gpu.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) {
        if (Number.isNaN(cpu[i])) expect(gpu[i], `${xShape} ${p.kind} [${i}]`).toBeNaN();
        else expect(gpu[i], `${xShape} ${p.kind} [${i}]`).toBeCloseTo(cpu[i]!, 5);
      }
    }
  });
});
