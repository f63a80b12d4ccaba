/**
 * Test helpers shared by every core test: closeness checks with NumPy's allclose rule and
 * central finite differences for gradient checks.
 */
import { expect } from "vitest";
import { Tensor } from "../src/tensor/tensor";

export type Numeric = number | boolean | Numeric[] | ArrayLike<number>;

function flat(x: Numeric | Tensor): number[] {
  if (x instanceof Tensor) return Array.from(x.dataSync(), Number);
  if (typeof x === "number") return [x];
  if (typeof x === "boolean") return [x ? 1 : 0];
  if (Array.isArray(x)) return x.flatMap((v) => flat(v as Numeric));
  return Array.from(x as ArrayLike<number>, Number);
}

/** Asserts |actual - expected| <= atol + rtol * |expected| elementwise (NaN matches NaN). */
export function expectAllclose(
  actual: Tensor | Numeric,
  expected: Tensor | Numeric,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, "number of elements").toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y)) {
      expect(Number.isNaN(x), `element ${i}: expected NaN, got ${x}`).toBe(true);
      continue;
    }
    if (!Number.isFinite(y)) {
      expect(x, `element ${i}`).toBe(y);
      continue;
    }
    const ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) expect.fail(`element ${i}: ${x} vs expected ${y} (rtol=${rtol}, atol=${atol})\nactual:   ${a.slice(0, 20).join(", ")}\nexpected: ${e.slice(0, 20).join(", ")}`);
  }
}

/**
 * Central finite-difference gradient of a scalar function of a Float64Array, in float64.
 * `f` must compute in float64 (a plain JS reference) or be smooth enough for eps.
 */
export function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>, eps = 1e-3): Float64Array {
  const x0 = Float64Array.from(x);
  const g = new Float64Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const v = x0[i]!;
    x0[i] = v + eps;
    const fp = f(x0);
    x0[i] = v - eps;
    const fm = f(x0);
    x0[i] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/** Deterministic pseudo-random values in [lo, hi) (mulberry32), for test inputs. */
export function randomValues(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * r;
  }
  return out;
}
