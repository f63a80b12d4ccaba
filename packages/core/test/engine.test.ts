/**
 * Engine: memory scopes (tidy / keep / dispose) with leak checks on live tensors and bytes,
 * use-after-dispose errors, and backend selection (default, "auto", unregistered, KERAS_BACKEND,
 * a failing factory, the registry on globalThis).
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  BackendUnavailableError,
  DisposedTensorError,
  Tensor,
  ValueError,
  dispose,
  getBackend,
  grad,
  keep,
  lax,
  memory,
  registerBackend,
  registeredBackends,
  setBackend,
  tidy,
  valueAndGrad,
  ready,
} from "../src/index";
import { engine, preferredBackend } from "../src/engine/engine";
import { registry } from "../src/backend/registry";
import type { Backend, BackendFactory } from "../src/backend/backend";

const f32 = (values: number[], shape: number[]): Tensor => lax.constant(values, shape, "float32");

function live(): [number, number] {
  const m = memory();
  return [m.numTensors, m.numBytes];
}

describe("memory scopes", () => {
  it("1,000 op calls inside tidy leave tensors and bytes unchanged", () => {
    const x = f32([1, 2, 3, 4], [2, 2]);
    const before = live();
    tidy(() => {
      let y = x;
      for (let i = 0; i < 1000; i++) y = lax.add(lax.mul(y, 0.5), 1);
      return undefined;
    });
    expect(live()).toEqual(before);
  });

  it("100 valueAndGrad calls inside tidy leave tensors and bytes unchanged", () => {
    const w = f32([0.1, -0.2, 0.3, 0.4], [2, 2]);
    const x = f32([1, 2, 3, 4], [2, 2]);
    const loss = (p: Tensor) => lax.sum(lax.tanh(lax.matmul(x, p)), [0, 1]);
    const before = live();
    tidy(() => {
      for (let i = 0; i < 100; i++) valueAndGrad(loss)(w);
    });
    expect(live()).toEqual(before);
    // also without tidy, once the results are disposed
    for (let i = 0; i < 10; i++) dispose(valueAndGrad(loss)(w));
    for (let i = 0; i < 10; i++) dispose(grad((t: Tensor) => lax.sum(grad(loss)(t), [0, 1]))(w));
    expect(live()).toEqual(before);
  });

  it("tidy keeps what it returns (nested arrays and objects) and frees the rest", () => {
    const x = f32([1, 2], [2]);
    const before = live()[0];
    const out = tidy(() => {
      const a = lax.add(x, 1);
      const b = lax.mul(a, 2);
      return { list: [b], same: b, n: 3 };
    });
    expect(live()[0]).toBe(before + 1);
    expect(out.list[0]!.dataSync()).toEqual(new Float32Array([4, 6]));
    expect(out.n).toBe(3);
    out.same.dispose();
    expect(live()[0]).toBe(before);
  });

  it("nested tidy returns through both scopes", () => {
    const x = f32([1, 2], [2]);
    const before = live()[0];
    const y = tidy(() => {
      const inner = tidy(() => lax.exp(lax.add(x, 1)));
      lax.neg(inner); // dropped by the outer scope
      return inner;
    });
    expect(live()[0]).toBe(before + 1);
    expect(y.isDisposed).toBe(false);
    y.dispose();
  });

  it("keep survives tidy", () => {
    let kept: Tensor | undefined;
    let dropped: Tensor | undefined;
    tidy(() => {
      kept = keep(f32([1], [1]));
      dropped = f32([2], [1]);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(dropped!.isDisposed).toBe(true);
    kept!.dispose();
  });

  it("tidy rejects a Promise-returning function and frees its tensors", async () => {
    const before = live();
    const fn = async () => f32([1], [1]);
    expect(() => tidy(fn as unknown as () => Tensor)).toThrow(ValueError);
    expect(() => tidy(fn as unknown as () => Tensor)).toThrow(/synchronous.*Received: Promise$/);
    expect(live()).toEqual(before);
  });

  it("tidy frees its tensors when the function throws", () => {
    const before = live();
    expect(() =>
      tidy(() => {
        f32([1, 2, 3], [3]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(live()).toEqual(before);
  });

  it("use after dispose throws DisposedTensorError ending with the received value", () => {
    const t = f32([1, 2], [2]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrow(DisposedTensorError);
    expect(() => lax.add(t, 1)).toThrow(DisposedTensorError);
    expect(() => lax.add(t, 1)).toThrow(/Received: Tensor#\d+ shape=\(2,\) dtype=float32$/);
    t.dispose(); // idempotent
  });

  it("dispose() and Symbol.dispose free the buffer once", () => {
    const before = live();
    const a = f32([1, 2, 3], [3]);
    const b = f32([1, 2, 3], [3]);
    expect(live()[1]).toBe(before[1] + 24);
    a.dispose();
    const disposeSym =
      (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for("Symbol.dispose");
    (b as unknown as Record<symbol, () => void>)[disposeSym]!();
    expect(b.isDisposed).toBe(true);
    expect(live()).toEqual(before);
  });

  it("a reshape shares its buffer; bytes are freed when the last view goes", () => {
    const before = live();
    const a = f32([1, 2, 3, 4], [4]);
    const r = lax.reshape(a, [2, 2]);
    expect(live()).toEqual([before[0] + 2, before[1] + 16]);
    a.dispose();
    expect(r.dataSync()).toEqual(new Float32Array([1, 2, 3, 4]));
    r.dispose();
    expect(live()).toEqual(before);
  });
});

describe("backends", () => {
  const saved = { active: engine().active, env: process.env.KERAS_BACKEND };
  afterEach(() => {
    engine().active = saved.active;
    if (saved.env === undefined) delete process.env.KERAS_BACKEND;
    else process.env.KERAS_BACKEND = saved.env;
    registry().factories.delete("broken");
    registry().factories.delete("fake");
    engine().backends.delete("fake");
  });

  it('getBackend() is "cpu" by default in Node', () => {
    expect(getBackend()).toBe("cpu");
    expect(registeredBackends()).toContain("cpu");
  });

  it('setBackend("auto") falls back to cpu when nothing else is registered', async () => {
    expect(await setBackend("auto")).toBe("cpu");
    expect(getBackend()).toBe("cpu");
  });

  it('"auto" skips a registered backend whose create() throws', async () => {
    registerBackend({
      name: "broken",
      priority: 99,
      create: async () => {
        throw new BackendUnavailableError("broken: no device. Received: device=null");
      },
    });
    expect(registeredBackends()[0]).toBe("broken");
    expect(await setBackend("auto")).toBe("cpu");
    await expect(setBackend("broken")).rejects.toThrow(/no device/);
  });

  it('setBackend("webgpu") without the package fails naming it', async () => {
    await expect(setBackend("webgpu")).rejects.toThrow(BackendUnavailableError);
    await expect(setBackend("webgpu")).rejects.toThrow(
      /@webkeras\/backend-webgpu.*Received: name=webgpu$/,
    );
    expect(getBackend()).toBe("cpu"); // unchanged
  });

  it("KERAS_BACKEND is honoured by preferredBackend() and ready()", async () => {
    process.env.KERAS_BACKEND = "CPU";
    expect(preferredBackend()).toBe("cpu");
    engine().active = null;
    expect(await ready()).toBe("cpu");
    process.env.KERAS_BACKEND = "webgpu";
    engine().active = null;
    await expect(ready()).rejects.toThrow(BackendUnavailableError);
    expect(() => lax.scalar(1, "float32")).toThrow(/webgpu/); // no synchronous start either
    delete process.env.KERAS_BACKEND;
    expect(preferredBackend()).toBe("auto");
  });

  it("a registered fake backend can be selected by name", async () => {
    const cpu = engine().active!;
    const fake: Backend = Object.create(cpu, { name: { value: "fake" } }) as Backend;
    const factory: BackendFactory = { name: "fake", priority: 1, create: async () => fake };
    registerBackend(factory);
    expect(await setBackend("fake")).toBe("fake");
    expect(getBackend()).toBe("fake");
  });

  it('the registry lives on globalThis under Symbol.for("webkeras.registry.v1")', () => {
    const g = globalThis as unknown as Record<symbol, { factories: Map<string, BackendFactory> }>;
    const reg = g[Symbol.for("webkeras.registry.v1")]!;
    expect(reg).toBe(registry());
    expect(reg.factories.has("cpu")).toBe(true);
    expect(
      (globalThis as unknown as Record<symbol, unknown>)[Symbol.for("webkeras.engine.v1")],
    ).toBe(engine());
  });
});
