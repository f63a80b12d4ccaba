import { describe, expect, it } from "vitest";
import { mnistLike } from "../src/draw_pad";
import { readParams } from "../src/params";
import { seededRandom, shuffle } from "../src/random";
import { packDigits } from "../vite";
import { gunzipSync } from "node:zlib";

describe("mnistLike (drawing -> MNIST-style input)", () => {
  it("scales the ink's box to 20 px and centres its mass in 28x28", () => {
    // A 40x100 bar in the top-left corner of a 280x280 drawing.
    const W = 280;
    const gray = new Float32Array(W * W);
    for (let y = 10; y < 110; y++) for (let x = 5; x < 45; x++) gray[y * W + x] = 1;
    const out = mnistLike(gray, W, W);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    const rows = new Set<number>();
    const cols = new Set<number>();
    out.forEach((v, i) => {
      if (v <= 0) return;
      mass += v;
      cx += v * (i % 28);
      cy += v * Math.floor(i / 28);
      rows.add(Math.floor(i / 28));
      cols.add(i % 28);
    });
    expect(rows.size).toBe(20); // the long side fills 20 pixels
    expect(cols.size).toBe(8); // 40 / 100 of it
    expect(Math.abs(cx / mass - 14)).toBeLessThanOrEqual(1);
    expect(Math.abs(cy / mass - 14)).toBeLessThanOrEqual(1);
    expect(Math.max(...out)).toBeCloseTo(1);
  });

  it("an empty drawing is all zeros", () => {
    expect(mnistLike(new Float32Array(100), 10, 10).every((v) => v === 0)).toBe(true);
  });
});

describe("demo helpers", () => {
  it("readParams: seed, backend, autorun and typed lookups", () => {
    const p = readParams("?seed=7&backend=WASM&autorun=1&train=500");
    expect([p.seed, p.backend, p.autorun, p.int("train", 2000), p.int("epochs", 3)]).toEqual([
      7,
      "wasm",
      true,
      500,
      3,
    ]);
    expect(readParams("").backend).toBe("auto");
    expect(() => readParams("?train=abc").int("train", 1)).toThrow(/Received: train=abc/);
  });

  it("seeded shuffles repeat", () => {
    const a = shuffle([...Array(20).keys()], seededRandom(5));
    const b = shuffle([...Array(20).keys()], seededRandom(5));
    expect(a).toEqual(b);
    expect(a).not.toEqual([...Array(20).keys()]);
  });

  it("packDigits: the mnist package's 10,000 digits, labels then 28x28 bytes", () => {
    const bytes = gunzipSync(packDigits());
    const n = bytes.length / 785;
    expect(n).toBe(10000);
    expect(bytes[0]).toBe(0);
    expect(bytes[n - 1]).toBe(9);
    const first = bytes.subarray(n, n + 784);
    expect(Math.max(...first)).toBeGreaterThan(200); // ink
    expect(first[0]).toBe(0); // background
  });
});
