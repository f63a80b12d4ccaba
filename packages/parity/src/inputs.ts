/**
 * Deterministic case inputs. An input is described as data (shape, dtype and a generator) and
 * made into host values from a seed derived from the case name, so every backend, every run and
 * every machine sees the same numbers, and adding a case does not change the others' inputs.
 */
import type { DType, TypedArray } from "@webkeras/core";

/** How an input's values are drawn. */
export type Gen =
  /** Floats uniform in [lo, hi). */
  | { kind: "uniform"; lo: number; hi: number }
  /** Floats with |x| uniform in [lo, hi) and a random sign: keeps divisors away from zero. */
  | { kind: "magnitude"; lo: number; hi: number }
  /** Integers uniform in [lo, hi] (inclusive); `nonzero` redraws zeros (int Div / Mod). */
  | { kind: "int"; lo: number; hi: number; nonzero?: boolean }
  /** Booleans, true with probability p (default 0.5). */
  | { kind: "bool"; p?: number }
  /** Random picks from a few values: produces ties (argsort, top_k, argmax, compare, max pool). */
  | { kind: "levels"; levels: number[] }
  /** Exactly these values (repeated cyclically to fill the shape): special values, indices. */
  | { kind: "values"; values: number[] };

/** One input of a case. */
export interface InputSpec {
  shape: number[];
  dtype: DType;
  /** Default: uniform [-2, 2) for float32, [-10, 10] for int32, p = 0.5 for bool. */
  gen?: Gen;
}

/** Values on the host with their shape and dtype. */
export interface HostArray {
  shape: number[];
  dtype: DType;
  values: TypedArray;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** FNV-1a hash of a string: the seed of an input. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * mulberry32: a small, fast 32-bit generator, uniform in [0, 1). Not for cryptography; only for
 * reproducible test data.
 * @example const r = rng(hashSeed("add: 7x13")); r(); // 0.37...
 */
export function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function defaultGen(dtype: DType): Gen {
  if (dtype === "float32") return { kind: "uniform", lo: -2, hi: 2 };
  if (dtype === "int32") return { kind: "int", lo: -10, hi: 10 };
  return { kind: "bool" };
}

/**
 * Host values for `spec`, seeded by `seed` (e.g. the case name and the input position).
 * @example generate({ shape: [2, 3], dtype: "int32", gen: { kind: "int", lo: 0, hi: 4 } }, "x#0")
 */
export function generate(spec: InputSpec, seed: string): HostArray {
  const n = sizeOf(spec.shape);
  const r = rng(hashSeed(seed));
  const gen = spec.gen ?? defaultGen(spec.dtype);
  const raw = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    switch (gen.kind) {
      case "uniform":
        raw[i] = gen.lo + (gen.hi - gen.lo) * r();
        break;
      case "magnitude": {
        const m = gen.lo + (gen.hi - gen.lo) * r();
        raw[i] = r() < 0.5 ? -m : m;
        break;
      }
      case "int": {
        let v = 0;
        do v = gen.lo + Math.floor(r() * (gen.hi - gen.lo + 1));
        while (gen.nonzero && v === 0);
        raw[i] = v;
        break;
      }
      case "bool":
        raw[i] = r() < (gen.p ?? 0.5) ? 1 : 0;
        break;
      case "levels":
        raw[i] = gen.levels[Math.floor(r() * gen.levels.length)]!;
        break;
      case "values":
        raw[i] = gen.values[i % gen.values.length]!;
        break;
      default:
        gen satisfies never;
    }
  }
  const values =
    spec.dtype === "float32"
      ? Float32Array.from(raw)
      : spec.dtype === "int32"
        ? Int32Array.from(raw)
        : Uint8Array.from(raw, (v) => (v !== 0 ? 1 : 0));
  return { shape: [...spec.shape], dtype: spec.dtype, values };
}
