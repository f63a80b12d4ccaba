/**
 * keras.random: seeding semantics (integer seed, SeedGenerator, global), statistics on 100k
 * samples, dropout, shuffle, categorical, and the cross-backend contract of RandomUniform.
 */
import { describe, expect, it } from "vitest";
import {
  Tensor,
  ValueError,
  grad,
  lax,
  memory,
  random,
  threefry2x32,
  tidy,
  uniformFromBits,
} from "../src/index";
import { keyFor } from "../src/random/seed_generator";
import { expectAllclose } from "./utils";

const N = 100_000;

function stats(t: Tensor): { mean: number; variance: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    s += x;
    s2 += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = s / v.length;
  return { mean, variance: s2 / v.length - mean * mean, min, max };
}

const same = (a: Tensor, b: Tensor) =>
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
const differ = (a: Tensor, b: Tensor) =>
  expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));

describe("RandomUniform cross-backend contract", () => {
  it("element i of RandomUniform(key) is uniformFromBits(threefry2x32(k0, k1, i, 0)[0])", () => {
    const key: [number, number] = [0x12345678, 0x9abcdef0];
    const got = lax.randomUniform([2, 5], key).dataSync();
    for (let i = 0; i < 10; i++)
      expect(got[i]).toBe(uniformFromBits(threefry2x32(key[0], key[1], i, 0)[0]));
  });

  it("threefry2x32 matches the Random123 known-answer vectors", () => {
    // Random123 kat_vectors, threefry2x32_20: key/counter all zeros, all ones, and the pi digits.
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([
      0x1cb996fc, 0xbb002be7,
    ]);
    expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([
      0xc4923a9c, 0x483df7a0,
    ]);
  });

  it("an integer seed uses the key of draw 0 of that seed", () => {
    const key = keyFor(42, 0);
    same(random.uniform([7], { seed: 42 }), lax.randomUniform([7], key));
    same(
      random.uniform([7], { seed: 42 }),
      random.uniform([7], { seed: new random.SeedGenerator(42) }),
    );
  });
});

describe("seeding", () => {
  it("the same integer seed gives the same values; different seeds differ", () => {
    for (const fn of [
      (seed: number) => random.uniform([50], { seed }),
      (seed: number) => random.normal([50], { seed }),
      (seed: number) => random.truncatedNormal([50], { seed }),
      (seed: number) => random.randint([50], 0, 1000, { seed }),
    ]) {
      same(fn(1), fn(1));
      differ(fn(1), fn(2));
    }
  });

  it("a SeedGenerator advances; two generators with one seed agree", () => {
    const g1 = new random.SeedGenerator(7);
    const g2 = new random.SeedGenerator(7);
    const a = random.normal([20], { seed: g1 });
    const b = random.normal([20], { seed: g1 });
    differ(a, b);
    expect(g1.state).toBe(2);
    same(a, random.normal([20], { seed: g2 }));
    same(b, random.normal([20], { seed: g2 }));
    expect(g1.getConfig()).toEqual({ seed: 7 });
  });

  it("no seed draws from the global generator; setRandomSeed makes it reproducible", () => {
    differ(random.uniform([20]), random.uniform([20]));
    random.setRandomSeed(123);
    const a = random.uniform([20]);
    const ga = new random.SeedGenerator();
    random.setRandomSeed(123);
    same(random.uniform([20]), a);
    expect(new random.SeedGenerator().seed).toBe(ga.seed);
  });

  it("bad seeds and shapes are rejected with Received:", () => {
    expect(() => new random.SeedGenerator(1.5)).toThrow(
      /SeedGenerator: seed must be an integer. Received: seed=1.5$/,
    );
    expect(() => random.uniform([2], { seed: "x" as unknown as number })).toThrow(
      /Received: seed=x$/,
    );
    expect(() => random.normal([2, -1])).toThrow(/normal: .*Received: shape=\(2, -1\)$/);
    expect(() => random.uniform([2], { dtype: "int32" })).toThrow(
      /uniform: .*Received: dtype=int32$/,
    );
    expect(() => random.randint([2], 5, 5)).toThrow(/Received: minval=5, maxval=5$/);
  });
});

describe("distributions on 100k samples", () => {
  it("uniform: range, mean, variance", () => {
    const s = stats(random.uniform([N], { minval: -2, maxval: 6, seed: 1 }));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(6);
    expect(Math.abs(s.mean - 2)).toBeLessThan(0.05);
    expect(Math.abs(s.variance - 64 / 12)).toBeLessThan(0.1);
    const u = stats(random.uniform([N], { seed: 2 }));
    expect(Math.abs(u.mean - 0.5)).toBeLessThan(0.01);
  });

  it("uniform with tensor bounds broadcasts", () => {
    const lo = lax.constant([0, 10], [2], "float32");
    const x = random
      .uniform([1000, 2], { minval: lo, maxval: lax.add(lo, 1), seed: 3 })
      .arraySync() as number[][];
    expect(x.every(([a, b]) => a! >= 0 && a! < 1 && b! >= 10 && b! < 11)).toBe(true);
  });

  it("normal: mean and variance", () => {
    const s = stats(random.normal([N], { mean: 3, stddev: 2, seed: 4 }));
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(s.variance - 4)).toBeLessThan(0.08);
    expect(Number.isFinite(s.min) && Number.isFinite(s.max)).toBe(true);
  });

  it("truncatedNormal: within 2 stddev, truncated variance 0.774", () => {
    const s = stats(random.truncatedNormal([N], { mean: 1, stddev: 0.5, seed: 5 }));
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThanOrEqual(2);
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.variance - 0.7737 * 0.25)).toBeLessThan(0.006);
    const z = stats(random.truncatedNormal([N], { seed: 6 }));
    expect(z.min).toBeLessThan(-1.99); // reaches the bounds
    expect(z.max).toBeGreaterThan(1.99);
  });

  it("randint: range, dtype int32, every value hit roughly equally", () => {
    const t = random.randint([N], -3, 7, { seed: 7 });
    expect(t.dtype).toBe("int32");
    const counts = new Map<number, number>();
    for (const v of t.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect(Math.abs(c - N / 10)).toBeLessThan(500);
  });

  it("categorical: sample frequencies follow softmax(logits)", () => {
    const probs = [0.1, 0.2, 0.7];
    const logits = lax.log(lax.constant([...probs, 1, 0, 0], [2, 3], "float32"));
    const s = random.categorical(logits, 30_000, "int32", 8);
    expect([s.shape, s.dtype]).toEqual([[2, 30_000], "int32"]);
    const rows = s.arraySync() as number[][];
    const freq = [0, 1, 2].map((c) => rows[0]!.filter((v) => v === c).length / 30_000);
    expectAllclose(freq, probs, { atol: 0.015 });
    expect(rows[1]!.every((v) => v === 0)).toBe(true); // log(0) = -inf never wins
  });
});

describe("dropout", () => {
  it("keeps about 1 - rate of the entries and scales them by 1 / (1 - rate)", () => {
    const x = lax.full([N], 2, "float32");
    const y = random.dropout(x, 0.3, null, 9).dataSync();
    let kept = 0;
    let badScale = 0;
    for (const v of y) {
      if (v === 0) continue;
      kept++;
      if (Math.abs(v - 2 / 0.7) > 1e-5) badScale++;
    }
    expect(badScale).toBe(0);
    expect(Math.abs(kept / N - 0.7)).toBeLessThan(0.01);
  });

  it("noiseShape shares the mask along broadcast axes", () => {
    const x = lax.full([6, 500], 1, "float32");
    const y = random.dropout(x, 0.5, [1, null], 10).arraySync() as number[][];
    for (const row of y) expect(row).toEqual(y[0]);
    expect(() => random.dropout(x, 0.5, [2, 500])).toThrow(/Received: noiseShape=\(2, 500\)$/);
  });

  it("rate 0 is the identity, rate 1 zeroes, bad rates are rejected", () => {
    const x = lax.constant([1, 2, 3], [3], "float32");
    expect(random.dropout(x, 0)).toBe(x);
    expectAllclose(random.dropout(x, 1, null, 0), [0, 0, 0]);
    expect(() => random.dropout(x, 1.5)).toThrow(/dropout: .*Received: rate=1.5$/);
  });

  it("is differentiable: the gradient is the mask times the scale", () => {
    const x = lax.full([1000], 1, "float32");
    const y = random.dropout(x, 0.5, null, 11);
    const g = grad((t: Tensor) => lax.sum(random.dropout(t, 0.5, null, 11), [0]))(x);
    same(g, y); // x = 1, so y = mask * 2 = gradient
  });
});

describe("shuffle", () => {
  it("permutes along an axis", () => {
    const x = lax.reshape(lax.iota([12], 0, "float32"), [4, 3]);
    const rows = random.shuffle(x, 0, 12).arraySync() as number[][];
    expect(rows.map((r) => r[0]).sort((a, b) => a! - b!)).toEqual([0, 3, 6, 9]);
    for (const r of rows) expect(r).toEqual([r[0], r[0]! + 1, r[0]! + 2]);
    const cols = random.shuffle(x, 1, 12).arraySync() as number[][];
    expect([...cols[0]!].sort((a, b) => a - b)).toEqual([0, 1, 2]);
    expect(cols[1]).toEqual(cols[0]!.map((v) => v + 3));
    const long = random.shuffle(lax.iota([1000], 0, "float32"), 0, 13).dataSync();
    expect(Array.from(long)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(long).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });
});

describe("memory", () => {
  it("random functions leave only their result", () => {
    const x = lax.full([10], 1, "float32");
    const before = memory().numTensors;
    tidy(() => {
      random.normal([10], { seed: 1 });
      random.truncatedNormal([10], { seed: 1 });
      random.randint([10], 0, 5);
      random.dropout(x, 0.5);
      random.shuffle(x);
      random.categorical(lax.full([2, 3], 0, "float32"), 4);
    });
    expect(memory().numTensors).toBe(before);
    const t = random.normal([10]);
    expect(memory().numTensors).toBe(before + 1);
    t.dispose();
  });

  it("random ops reject symbolic inputs", async () => {
    const { KerasTensor } = await import("../src/index");
    expect(() => random.dropout(new KerasTensor([null, 3]) as never, 0.5)).toThrow(ValueError);
  });
});
