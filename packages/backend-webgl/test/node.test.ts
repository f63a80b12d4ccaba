/**
 * What can be checked without a browser: the backend refuses to start in Node (no WebGL) with
 * BackendUnavailableError, so "auto" moves on; the kernel table covers every primitive; the
 * texture layout rules; the GLSL text of the op table.
 */
import { ALL_PRIMITIVES, BackendUnavailableError, registeredBackends, setBackend } from "@webkeras/core";
import { describe, expect, it } from "vitest";
import { GLSL, broadcastIndex, floatLit, helpersFor, idiv, intLit, layoutFor } from "../src/glsl";
import { webglBackendFactory, webglKernels } from "../src/index";

describe("webgl in Node", () => {
  it("registers at priority 30 and refuses to start without a canvas", async () => {
    expect(registeredBackends()).toContain("webgl");
    expect(webglBackendFactory.priority).toBe(30);
    await expect(webglBackendFactory.create()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(setBackend("webgl")).rejects.toThrow(/webgl backend: .*Received:/);
  });

  it('"auto" skips webgl here', async () => {
    expect(await setBackend("auto")).not.toBe("webgl");
  });
});

describe("kernel table", () => {
  it("has an entry for every primitive", () => {
    for (const p of ALL_PRIMITIVES) expect(webglKernels[p], p).toBeDefined();
  });
});

describe("layoutFor", () => {
  it("keeps rows of a last axis of 4k elements whole", () => {
    expect(layoutFor([64, 784], 8192)).toEqual({ W: 196, H: 64 });
    expect(layoutFor([20000, 4], 8192)).toEqual({ W: 3, H: 6667 });
    expect(layoutFor([128], 8192)).toEqual({ W: 32, H: 1 });
  });
  it("packs other shapes into rows of at most MAX_TEXTURE_SIZE texels", () => {
    expect(layoutFor([65, 33], 8192)).toEqual({ W: 537, H: 1 });
    expect(layoutFor([100001], 8192)).toEqual({ W: 8192, H: 4 });
    expect(layoutFor([], 8192)).toEqual({ W: 1, H: 1 });
    expect(layoutFor([0, 3], 8192)).toEqual({ W: 1, H: 1 });
  });
  it("refuses tensors larger than one texture", () => {
    expect(() => layoutFor([64 * 64 * 4 + 1], 64)).toThrow(/Received: shape=/);
  });
});

describe("GLSL rendering", () => {
  it("writes literals GLSL parses, NaN and infinities through their bits", () => {
    expect(floatLit(1)).toBe("1.0");
    expect(floatLit(1e-30)).toBe("1.0000000031710769e-30");
    expect(floatLit(NaN)).toBe("uintBitsToFloat(0x7fc00000u)");
    expect(floatLit(-Infinity)).toBe("uintBitsToFloat(0xff800000u)");
    expect(intLit(-2147483648)).toBe("(-2147483647 - 1)");
  });
  it("renders the shared op table and emits only the helpers used", () => {
    expect(GLSL.helper("floordiv_i", ["a", "b"])).toBe("wk_floordiv_i(a, b)");
    const h = helpersFor("float y = wk_log1p(x);");
    expect(h).toContain("float wk_log_pos(");
    expect(h).not.toContain("wk_erf");
  });
  it("indexes a broadcast operand with merged dims", () => {
    expect(broadcastIndex([8, 64], [64], "e")).toBe("(((e) & 63))");
    expect(broadcastIndex([8, 64], [8, 1], "e")).toBe("((e >> 6))");
    expect(broadcastIndex([2, 3, 4], [2, 3, 4], "e")).toBe("(e)");
  });
});

describe("idiv", () => {
  it("divides by a float multiply exactly below 2^22 (emulated in float32)", () => {
    const f = Math.fround;
    for (const d of [3, 7, 9, 10, 28, 196, 784, 1000, 6272, 25088, 100003]) {
      const inv = f(1 / d);
      for (let q = 0; q * d < 1 << 22; q += Math.max(1, Math.floor((1 << 22) / d / 2000)))
        for (const x of [q * d - 1, q * d, q * d + d - 1]) {
          if (x < 0 || x >= 1 << 22) continue;
          expect(Math.trunc(f(f(x + 0.5) * inv)), `${x} / ${d}`).toBe(Math.floor(x / d));
        }
    }
    expect(idiv("e", 28, 1 << 22)).toContain("float(e)");
    expect(idiv("e", 28, (1 << 22) + 1)).toBe("(e / 28)");
    expect(idiv("e", 32, 1 << 30)).toBe("(e >> 5)");
  });
});

