/**
 * CPU kernel values, checked against naive reference implementations written here (loops that
 * follow the definitions, with no tricks) or hand-computed numbers. The CPU backend is the oracle
 * for every other backend, so these tests pin its semantics down.
 */
import { describe, expect, it } from "vitest";
import { CpuBackend, cpuKernels } from "../../src/backend/cpu/index";
import { Primitive, type ConcreteValue, type Params } from "../../src/primitives/primitive";
import { shapeRules } from "../../src/primitives/shape_rules";
import { threefry2x32, uniformFromBits } from "../../src/random/threefry";
import type { DType, TypedArray } from "../../src/tensor/dtype";

// ---------------------------------------------------------------------------------------------
// Harness

const be = new CpuBackend();

interface In {
  values: ArrayLike<number>;
  shape: number[];
  dtype?: DType;
}

interface Out {
  values: number[];
  shape: number[];
  dtype: DType;
}

function toArray(values: ArrayLike<number>, dtype: DType): TypedArray {
  return dtype === "float32"
    ? Float32Array.from(values)
    : dtype === "int32"
      ? Int32Array.from(values)
      : Uint8Array.from(values);
}

/** Runs `prim` through CpuBackend.execute with output specs from the shape rules; frees everything. */
function runAll<P extends Primitive>(prim: P, inputs: In[], params: Params<P>): Out[] {
  const infos = inputs.map((x) => {
    const dtype = x.dtype ?? "float32";
    return { dataId: be.write(toArray(x.values, dtype), x.shape, dtype), shape: x.shape, dtype };
  });
  const specs = shapeRules[prim](infos, params) as ConcreteValue[];
  const ids = be.execute(prim, infos, params, specs);
  const outs = ids.map((id, i) => ({
    values: Array.from(be.readSync(id)),
    shape: specs[i].shape,
    dtype: specs[i].dtype,
  }));
  for (const id of ids) be.decRef(id);
  for (const x of infos) be.decRef(x.dataId);
  return outs;
}

function run<P extends Primitive>(prim: P, inputs: In[], params: Params<P>): Out {
  return runAll(prim, inputs, params)[0];
}

const NP = {} as Record<string, never>;

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
function rng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

function randArray(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.fround(r(lo, hi)));
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Multi-index of flat index i in `shape`. */
function unravel(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

function ravel(idx: number[], shape: number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d] + idx[d];
  return o;
}

function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-6,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`index ${i}: expected NaN, got ${a}`);
      continue;
    }
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
      throw new Error(`index ${i}: expected ${e}, got ${a} (|diff| ${Math.abs(a - e)})`);
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Naive NumPy broadcasting of a binary function. */
function naiveBroadcast(
  a: In,
  b: In,
  f: (x: number, y: number) => number,
): { values: number[]; shape: number[] } {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...new Array<number>(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...new Array<number>(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const values: number[] = [];
  for (let i = 0; i < size(shape); i++) {
    const idx = unravel(i, shape);
    const ia = ravel(
      idx.map((v, d) => (pa[d] === 1 ? 0 : v)),
      pa,
    );
    const ib = ravel(
      idx.map((v, d) => (pb[d] === 1 ? 0 : v)),
      pb,
    );
    values.push(f(a.values[ia], b.values[ib]));
  }
  return { values, shape };
}

// ---------------------------------------------------------------------------------------------

describe("cpu kernel table", () => {
  it("has a kernel for every primitive", () => {
    for (const p of Object.values(Primitive)) {
      expect(typeof cpuKernels[p]).toBe("function");
      expect(be.supports(p)).toBe(true);
    }
  });
});

describe("unary", () => {
  const xs = [-3.5, -2.5, -1, -0.5, 0, 0.25, 0.5, 1, 1.5, 2.5, 7];
  const pos = [0.001, 0.5, 1, 2, 10, 1e6];
  const f32 = (v: number[]) => v.map(Math.fround);
  const cases: [Primitive, number[], (x: number) => number][] = [
    [Primitive.Neg, xs, (x) => -x],
    [Primitive.Abs, xs, Math.abs],
    [Primitive.Exp, xs, Math.exp],
    [Primitive.Log, pos, Math.log],
    [Primitive.Log1p, [1e-8, 0.5, 3], Math.log1p],
    [Primitive.Expm1, [1e-8, -0.5, 3], Math.expm1],
    [Primitive.Sqrt, pos, Math.sqrt],
    [Primitive.Sin, xs, Math.sin],
    [Primitive.Cos, xs, Math.cos],
    [Primitive.Tanh, xs, Math.tanh],
    [Primitive.Floor, xs, Math.floor],
    [Primitive.Reciprocal, pos, (x) => 1 / x],
  ];
  for (const [prim, input, f] of cases) {
    it(`${prim} matches Math`, () => {
      const out = run(prim, [{ values: input, shape: [input.length] }], NP as never);
      expect(out.values).toEqual(f32(f32(input).map(f)));
    });
  }

  it("sign is -1/0/1 and keeps NaN", () => {
    expect(run(Primitive.Sign, [{ values: [-2, 0, 3, NaN], shape: [4] }], NP).values).toEqual([
      -1,
      0,
      1,
      NaN,
    ]);
    expect(
      run(Primitive.Sign, [{ values: [-7, 0, 9], shape: [3], dtype: "int32" }], NP).values,
    ).toEqual([-1, 0, 1]);
  });

  it("round is half to even", () => {
    const out = run(
      Primitive.Round,
      [{ values: [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6, 3.5], shape: [10] }],
      NP,
    );
    expect(out.values.map((v) => v + 0)).toEqual([0, 2, 2, 0, -2, -2, 2, 3, -3, 4]);
  });

  it("erf is accurate to float32 rounding", () => {
    // Reference values from mpmath (50 digits), rounded to double.
    const x = [0, 0.1, 0.5, 1, 1.5, 2, 3, -0.5, -2.5, 4.5];
    const ref = [
      0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9661051464753108,
      0.9953222650189527, 0.9999779095030014, -0.5204998778130465, -0.999593047982555, 1,
    ];
    const out = run(Primitive.Erf, [{ values: x, shape: [x.length] }], NP);
    const xf = x.map(Math.fround);
    // Compare against the reference at the float32 input (erf'(x) ~ 1.1 near 0 so the input
    // rounding matters): Taylor step from x to fround(x).
    const refAtF = ref.map(
      (r, i) => r + (2 / Math.sqrt(Math.PI)) * Math.exp(-x[i] * x[i]) * (xf[i] - x[i]),
    );
    expect(out.values).toEqual(refAtF.map(Math.fround));
  });

  it("logical_not treats NaN as true", () => {
    const out = run(Primitive.LogicalNot, [{ values: [0, 1, NaN, -2], shape: [4] }], NP);
    expect(out).toEqual({ values: [1, 0, 0, 0], shape: [4], dtype: "bool" });
  });

  it("int32 neg/abs/floor/round keep values", () => {
    const v = { values: [-5, 0, 7], shape: [3], dtype: "int32" as const };
    expect(run(Primitive.Neg, [v], NP).values).toEqual([5, 0, -7]);
    expect(run(Primitive.Abs, [v], NP).values).toEqual([5, 0, 7]);
    expect(run(Primitive.Floor, [v], NP).values).toEqual([-5, 0, 7]);
    expect(run(Primitive.Round, [v], NP).values).toEqual([-5, 0, 7]);
  });
});

describe("binary broadcasting", () => {
  const shapePairs: [number[], number[]][] = [
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3]],
    [[3], [2, 3]],
    [
      [2, 1],
      [1, 3],
    ],
    [[], [2, 2]],
    [[2, 2], []],
    [
      [3, 1, 2],
      [4, 1],
    ],
    [
      [2, 3, 4],
      [2, 1, 4],
    ],
    [[1], [5]],
    [[0, 3], [3]],
  ];
  const ops: [Primitive, (a: number, b: number) => number][] = [
    [Primitive.Add, (a, b) => a + b],
    [Primitive.Sub, (a, b) => a - b],
    [Primitive.Mul, (a, b) => a * b],
    [Primitive.Div, (a, b) => a / b],
    [Primitive.Maximum, Math.max],
    [Primitive.Minimum, Math.min],
    [Primitive.Pow, (a, b) => Math.pow(Math.abs(a), b)],
  ];
  for (const [prim, f] of ops) {
    it(`${prim} broadcasts like NumPy`, () => {
      shapePairs.forEach(([sa, sb], t) => {
        let av = randArray(size(sa), 10 + t);
        const bv = randArray(size(sb), 100 + t);
        if (prim === Primitive.Pow) av = av.map(Math.abs);
        const a = { values: av, shape: sa };
        const b = { values: bv, shape: sb };
        const out = run(prim, [a, b], NP);
        const ref = naiveBroadcast(a, b, prim === Primitive.Pow ? (x, y) => Math.pow(x, y) : f);
        expect(out.shape).toEqual(ref.shape);
        expectClose(out.values, ref.values.map(Math.fround), 1e-6, 0);
      });
    });
  }

  it("maximum and minimum propagate NaN", () => {
    const a = { values: [NaN, 1, 2], shape: [3] };
    const b = { values: [1, NaN, 0], shape: [3] };
    expect(run(Primitive.Maximum, [a, b], NP).values).toEqual([NaN, NaN, 2]);
    expect(run(Primitive.Minimum, [a, b], NP).values).toEqual([NaN, NaN, 0]);
  });

  it("float mod has the sign of the divisor (Python)", () => {
    const a = { values: [5, -5, 5, -5, 5.5, -0.5, 3], shape: [7] };
    const b = { values: [3, 3, -3, -3, 2, 2, Infinity], shape: [7] };
    expect(run(Primitive.Mod, [a, b], NP).values).toEqual([2, 1, -1, -2, 1.5, 1.5, 3]);
  });

  it("int32 div floors, mod follows Python, zero divisor gives 0", () => {
    const a = { values: [7, -7, 7, -7, 6, 5, -2147483648], shape: [7], dtype: "int32" as const };
    const b = { values: [2, 2, -2, -2, 3, 0, -1], shape: [7], dtype: "int32" as const };
    expect(run(Primitive.Div, [a, b], NP).values).toEqual([3, -4, -4, 3, 2, 0, -2147483648]);
    expect(run(Primitive.Mod, [a, b], NP).values).toEqual([1, 1, -1, -1, 0, 0, 0]);
  });

  it("int32 arithmetic wraps around", () => {
    const a = { values: [2147483647, 65536, -2147483648], shape: [3], dtype: "int32" as const };
    const b = { values: [1, 65536, 1], shape: [3], dtype: "int32" as const };
    expect(run(Primitive.Add, [a, b], NP).values).toEqual([-2147483648, 131072, -2147483647]);
    expect(run(Primitive.Mul, [a, b], NP).values).toEqual([2147483647, 0, -2147483648]);
    expect(run(Primitive.Sub, [a, b], NP).values).toEqual([2147483646, 0, 2147483647]);
  });

  it("int32 pow is an exact integer power", () => {
    const a = { values: [3, -2, 7, 2, 1, -1, 5], shape: [7], dtype: "int32" as const };
    const b = { values: [4, 3, 0, 31, -3, -3, -1], shape: [7], dtype: "int32" as const };
    expect(run(Primitive.Pow, [a, b], NP).values).toEqual([81, -8, 1, -2147483648, 1, -1, 0]);
    const big = run(
      Primitive.Pow,
      [
        { values: [3], shape: [1], dtype: "int32" },
        { values: [25], shape: [1], dtype: "int32" },
      ],
      NP,
    );
    expect(big.values).toEqual([Number(3n ** 25n % 2n ** 32n) | 0]);
  });
});

describe("compare and logical", () => {
  const a = { values: [1, 2, NaN, 4, -0], shape: [5] };
  const b = { values: [2, 2, NaN, 3, 0], shape: [5] };
  it("compare outputs bool with IEEE NaN", () => {
    expect(run(Primitive.Equal, [a, b], NP)).toEqual({
      values: [0, 1, 0, 0, 1],
      shape: [5],
      dtype: "bool",
    });
    expect(run(Primitive.NotEqual, [a, b], NP).values).toEqual([1, 0, 1, 1, 0]);
    expect(run(Primitive.Less, [a, b], NP).values).toEqual([1, 0, 0, 0, 0]);
    expect(run(Primitive.LessEqual, [a, b], NP).values).toEqual([1, 1, 0, 0, 1]);
  });
  it("compare broadcasts", () => {
    const out = run(
      Primitive.Less,
      [
        { values: [0, 1, 2], shape: [3, 1] },
        { values: [1, 2], shape: [2] },
      ],
      NP,
    );
    expect(out).toEqual({ values: [1, 1, 0, 1, 0, 0], shape: [3, 2], dtype: "bool" });
  });
  it("logical and/or on bools", () => {
    const p = { values: [0, 0, 1, 1], shape: [4], dtype: "bool" as const };
    const q = { values: [0, 1, 0, 1], shape: [4], dtype: "bool" as const };
    expect(run(Primitive.LogicalAnd, [p, q], NP).values).toEqual([0, 0, 0, 1]);
    expect(run(Primitive.LogicalOr, [p, q], NP).values).toEqual([0, 1, 1, 1]);
  });
});

describe("where and cast", () => {
  it("where broadcasts all three inputs", () => {
    const c = { values: [1, 0], shape: [2, 1], dtype: "bool" as const };
    const x = { values: [1, 2, 3], shape: [3] };
    const y = { values: [-1], shape: [] };
    expect(run(Primitive.Where, [c, x, y], NP)).toEqual({
      values: [1, 2, 3, -1, -1, -1],
      shape: [2, 3],
      dtype: "float32",
    });
  });
  it("cast float -> int32 truncates toward zero and saturates", () => {
    const x = { values: [1.7, -1.7, 0.5, -0.5, NaN, Infinity, -Infinity, 3e9, -3e9], shape: [9] };
    expect(run(Primitive.Cast, [x], { dtype: "int32" }).values).toEqual([
      1, -1, 0, 0, 0, 2147483647, -2147483648, 2147483647, -2147483648,
    ]);
  });
  it("cast to bool is x != 0; from bool is 0/1", () => {
    expect(
      run(Primitive.Cast, [{ values: [0, -0, 2, NaN, -1e-30], shape: [5] }], { dtype: "bool" })
        .values,
    ).toEqual([0, 0, 1, 1, 1]);
    expect(
      run(Primitive.Cast, [{ values: [1, 0], shape: [2], dtype: "bool" }], { dtype: "float32" })
        .values,
    ).toEqual([1, 0]);
    expect(
      run(Primitive.Cast, [{ values: [5, -3], shape: [2], dtype: "int32" }], { dtype: "float32" }),
    ).toEqual({ values: [5, -3], shape: [2], dtype: "float32" });
  });
});

describe("reductions", () => {
  function naiveReduce(
    values: number[],
    shape: number[],
    axes: number[],
    init: number,
    f: (a: number, b: number) => number,
  ): number[] {
    const outShape = shape.filter((_, i) => !axes.includes(i));
    const out = new Array<number>(size(outShape)).fill(init);
    for (let i = 0; i < values.length; i++) {
      const idx = unravel(i, shape).filter((_, d) => !axes.includes(d));
      const o = ravel(idx, outShape);
      out[o] = f(out[o], values[i]);
    }
    return out;
  }
  const shape = [3, 4, 5];
  const axesList = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
  const ops: [
    Primitive.Sum | Primitive.Prod | Primitive.Max | Primitive.Min,
    number,
    (a: number, b: number) => number,
  ][] = [
    [Primitive.Sum, 0, (a, b) => a + b],
    [Primitive.Prod, 1, (a, b) => a * b],
    [Primitive.Max, -Infinity, Math.max],
    [Primitive.Min, Infinity, Math.min],
  ];
  for (const [prim, init, f] of ops) {
    it(`${prim} over every axes combination`, () => {
      const v = randArray(size(shape), 7, 0.5, 1.5);
      for (const axes of axesList) {
        const out = run(prim, [{ values: v, shape }], { axes });
        expect(out.shape).toEqual(shape.filter((_, i) => !axes.includes(i)));
        expectClose(out.values, naiveReduce(v, shape, axes, init, f).map(Math.fround), 1e-6, 0);
      }
    });
  }
  it("reduces with size-1 dims and a leading batch axis", () => {
    const s = [1, 6, 1, 3];
    const v = randArray(18, 3);
    for (const axes of [[1], [3], [0, 1], [1, 2], [0, 3]]) {
      expectClose(
        run(Primitive.Sum, [{ values: v, shape: s }], { axes }).values,
        naiveReduce(v, s, axes, 0, (a, b) => a + b).map(Math.fround),
        1e-6,
        1e-7,
      );
    }
  });
  it("sum accumulates in float64", () => {
    const v = [1e8, 1, 1, 1, 1, -1e8];
    expect(run(Primitive.Sum, [{ values: v, shape: [6] }], { axes: [0] }).values).toEqual([4]);
  });
  it("max/min propagate NaN", () => {
    const v = { values: [1, NaN, 3, 4, 5, 6], shape: [2, 3] };
    expect(run(Primitive.Max, [v], { axes: [1] }).values).toEqual([NaN, 6]);
    expect(run(Primitive.Min, [v], { axes: [0] }).values).toEqual([1, NaN, 3]);
  });
  it("empty reductions give the identity", () => {
    const e = { values: [], shape: [0, 2] };
    expect(run(Primitive.Sum, [e], { axes: [0] }).values).toEqual([0, 0]);
    expect(run(Primitive.Prod, [e], { axes: [0] }).values).toEqual([1, 1]);
    expect(run(Primitive.Max, [e], { axes: [0] }).values).toEqual([-Infinity, -Infinity]);
    expect(run(Primitive.Min, [e], { axes: [0] }).values).toEqual([Infinity, Infinity]);
    expect(
      run(Primitive.Max, [{ values: [], shape: [0], dtype: "int32" }], { axes: [0] }).values,
    ).toEqual([-2147483648]);
  });
  it("int32 sum and prod wrap; bool reduces as any/all", () => {
    const i = { values: [2147483647, 1, 65536, 65536], shape: [2, 2], dtype: "int32" as const };
    expect(run(Primitive.Sum, [i], { axes: [1] }).values).toEqual([-2147483648, 131072]);
    expect(run(Primitive.Prod, [i], { axes: [1] }).values).toEqual([2147483647, 0]);
    const b = { values: [1, 0, 1, 1], shape: [2, 2], dtype: "bool" as const };
    expect(run(Primitive.Sum, [b], { axes: [1] }).values).toEqual([1, 1]);
    expect(run(Primitive.Min, [b], { axes: [1] }).values).toEqual([0, 1]);
  });
  it("bool sum, cumsum, scatter and matmul do not wrap at 256", () => {
    const t = { values: new Array<number>(256).fill(1), shape: [256], dtype: "bool" as const };
    expect(run(Primitive.Sum, [t], { axes: [0] }).values).toEqual([1]);
    expect(
      run(Primitive.Cumsum, [t], { axis: 0, exclusive: false, reverse: false }).values.every(
        (v) => v === 1,
      ),
    ).toBe(true);
    const ind = {
      values: new Array<number>(256).fill(0),
      shape: [256, 1],
      dtype: "int32" as const,
    };
    expect(run(Primitive.ScatterNd, [ind, t], { shape: [2] }).values).toEqual([1, 0]);
    const row = { values: t.values, shape: [1, 256], dtype: "bool" as const };
    const col = { values: t.values, shape: [256, 1], dtype: "bool" as const };
    expect(run(Primitive.Matmul, [row, col], { transposeA: false, transposeB: false })).toEqual({
      values: [1],
      shape: [1, 1],
      dtype: "bool",
    });
  });
});

describe("argmax and cumsum", () => {
  it("argmax takes the first maximum; NaN wins", () => {
    const v = { values: [1, 3, 3, 0, 2, NaN, 5, NaN, 0, 0, 0, 0], shape: [3, 4] };
    expect(run(Primitive.Argmax, [v], { axis: 1 })).toEqual({
      values: [1, 1, 0],
      shape: [3],
      dtype: "int32",
    });
    expect(run(Primitive.Argmax, [v], { axis: 0 }).values).toEqual([1, 1, 1, 1]);
  });
  it("argmax along a middle axis matches a naive loop", () => {
    const shape = [2, 5, 3];
    const v = randArray(30, 5);
    const out = run(Primitive.Argmax, [{ values: v, shape }], { axis: 1 });
    const ref: number[] = [];
    for (let a = 0; a < 2; a++)
      for (let c = 0; c < 3; c++) {
        let best = 0;
        for (let k = 1; k < 5; k++)
          if (v[(a * 5 + k) * 3 + c] > v[(a * 5 + best) * 3 + c]) best = k;
        ref.push(best);
      }
    expect(out.values).toEqual(ref);
  });
  it("cumsum with exclusive and reverse", () => {
    const x = { values: [1, 2, 3, 4, 5, 6], shape: [2, 3] };
    expect(
      run(Primitive.Cumsum, [x], { axis: 1, exclusive: false, reverse: false }).values,
    ).toEqual([1, 3, 6, 4, 9, 15]);
    expect(run(Primitive.Cumsum, [x], { axis: 1, exclusive: true, reverse: false }).values).toEqual(
      [0, 1, 3, 0, 4, 9],
    );
    expect(run(Primitive.Cumsum, [x], { axis: 1, exclusive: false, reverse: true }).values).toEqual(
      [6, 5, 3, 15, 11, 6],
    );
    expect(run(Primitive.Cumsum, [x], { axis: 1, exclusive: true, reverse: true }).values).toEqual([
      5, 3, 0, 11, 6, 0,
    ]);
    expect(
      run(Primitive.Cumsum, [x], { axis: 0, exclusive: false, reverse: false }).values,
    ).toEqual([1, 2, 3, 5, 7, 9]);
    expect(
      run(Primitive.Cumsum, [{ ...x, dtype: "int32" }], { axis: 0, exclusive: true, reverse: true })
        .values,
    ).toEqual([4, 5, 6, 0, 0, 0]);
  });
});

describe("sorting", () => {
  it("argsort ascending is stable with NaN last", () => {
    const x = { values: [3, 1, NaN, 1, 2, 3, -Infinity, NaN], shape: [8] };
    expect(run(Primitive.Argsort, [x], { descending: false }).values).toEqual([
      6, 1, 3, 4, 0, 5, 2, 7,
    ]);
  });
  it("argsort descending is stable (ties keep order) with NaN first", () => {
    const x = { values: [3, 1, NaN, 1, 2, 3, -Infinity, NaN], shape: [8] };
    expect(run(Primitive.Argsort, [x], { descending: true }).values).toEqual([
      2, 7, 0, 5, 4, 1, 3, 6,
    ]);
  });
  it("argsort sorts each row of the last axis", () => {
    const x = { values: [2, 0, 1, 5, 5, 4], shape: [2, 3], dtype: "int32" as const };
    expect(run(Primitive.Argsort, [x], { descending: false })).toEqual({
      values: [1, 2, 0, 2, 0, 1],
      shape: [2, 3],
      dtype: "int32",
    });
  });
  it("top_k returns sorted values and lower indices on ties", () => {
    const x = { values: [1, 5, 3, 5, 2, 0, 0, 9, 0, 0], shape: [2, 5] };
    const [v, i] = runAll(Primitive.TopK, [x], { k: 3 });
    expect(v).toEqual({ values: [5, 5, 3, 9, 0, 0], shape: [2, 3], dtype: "float32" });
    expect(i).toEqual({ values: [1, 3, 2, 2, 0, 1], shape: [2, 3], dtype: "int32" });
  });
});

describe("movement", () => {
  it("transpose matches index permutation", () => {
    const shape = [2, 3, 4];
    const v = randArray(24, 1);
    for (const perm of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 0, 2],
      [0, 2, 1],
      [2, 0, 1],
    ]) {
      const out = run(Primitive.Transpose, [{ values: v, shape }], { perm });
      const oshape = perm.map((p) => shape[p]);
      const ref = Array.from({ length: 24 }, (_, i) => {
        const oi = unravel(i, oshape);
        const ii = new Array<number>(3);
        perm.forEach((p, d) => (ii[p] = oi[d]));
        return v[ravel(ii, shape)];
      });
      expect(out.shape).toEqual(oshape);
      expect(out.values).toEqual(ref);
    }
  });
  it("broadcast_to repeats size-1 and missing dims", () => {
    const out = run(Primitive.BroadcastTo, [{ values: [1, 2], shape: [2, 1] }], {
      shape: [3, 2, 2],
    });
    expect(out.values).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
  });
  it("slice with strides", () => {
    const v = Array.from({ length: 30 }, (_, i) => i);
    const out = run(Primitive.Slice, [{ values: v, shape: [5, 6] }], {
      start: [1, 0],
      stop: [5, 6],
      strides: [2, 3],
    });
    expect(out).toEqual({ values: [6, 9, 18, 21], shape: [2, 2], dtype: "float32" });
    const all = run(Primitive.Slice, [{ values: v, shape: [5, 6] }], {
      start: [0, 2],
      stop: [5, 4],
      strides: [1, 1],
    });
    expect(all.values).toEqual([2, 3, 8, 9, 14, 15, 20, 21, 26, 27]);
  });
  it("pad with a constant", () => {
    const out = run(Primitive.Pad, [{ values: [1, 2, 3, 4], shape: [2, 2] }], {
      padding: [
        [1, 0],
        [0, 2],
      ],
      value: -1,
    });
    expect(out).toEqual({
      values: [-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1],
      shape: [3, 4],
      dtype: "float32",
    });
  });
  it("concat along each axis", () => {
    const a = { values: [1, 2, 3, 4], shape: [2, 2] };
    const b = { values: [5, 6], shape: [2, 1] };
    expect(run(Primitive.Concat, [a, b], { axis: 1 }).values).toEqual([1, 2, 5, 3, 4, 6]);
    const c = { values: [7, 8], shape: [1, 2] };
    expect(run(Primitive.Concat, [a, c, a], { axis: 0 })).toEqual({
      values: [1, 2, 3, 4, 7, 8, 1, 2, 3, 4],
      shape: [5, 2],
      dtype: "float32",
    });
  });
  it("gather_nd gathers slices and clamps indices", () => {
    const x = { values: Array.from({ length: 12 }, (_, i) => i), shape: [3, 4] };
    const rows = run(
      Primitive.GatherNd,
      [x, { values: [2, 0, 7, -1], shape: [4, 1], dtype: "int32" }],
      NP,
    );
    expect(rows).toEqual({
      values: [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3],
      shape: [4, 4],
      dtype: "float32",
    });
    const elems = run(
      Primitive.GatherNd,
      [x, { values: [1, 2, 0, 3, 5, 9], shape: [3, 2], dtype: "int32" }],
      NP,
    );
    expect(elems.values).toEqual([6, 3, 11]);
  });
  it("scatter_nd adds duplicates and drops out-of-range rows", () => {
    const ind = { values: [1, 3, 1, -1, 4], shape: [5, 1], dtype: "int32" as const };
    const upd = { values: [1, 2, 3, 4, 5], shape: [5] };
    expect(run(Primitive.ScatterNd, [ind, upd], { shape: [4] })).toEqual({
      values: [0, 4, 0, 2],
      shape: [4],
      dtype: "float32",
    });
    const ind2 = { values: [0, 1, 1, 0, 0, 1], shape: [3, 2], dtype: "int32" as const };
    const upd2 = { values: [1, 2, 3], shape: [3], dtype: "int32" as const };
    expect(run(Primitive.ScatterNd, [ind2, upd2], { shape: [2, 2] }).values).toEqual([0, 4, 2, 0]);
    const rowsInd = { values: [1], shape: [1, 1], dtype: "int32" as const };
    expect(
      run(Primitive.ScatterNd, [rowsInd, { values: [7, 8], shape: [1, 2] }], { shape: [2, 2] })
        .values,
    ).toEqual([0, 0, 7, 8]);
  });
  it("reshape keeps values", () => {
    expect(
      run(Primitive.Reshape, [{ values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }], { shape: [3, 2] }),
    ).toEqual({ values: [1, 2, 3, 4, 5, 6], shape: [3, 2], dtype: "float32" });
  });
});

describe("iota and random", () => {
  it("iota counts along the axis", () => {
    expect(run(Primitive.Iota, [], { shape: [2, 3], axis: 1, dtype: "int32" }).values).toEqual([
      0, 1, 2, 0, 1, 2,
    ]);
    expect(run(Primitive.Iota, [], { shape: [2, 3], axis: 0, dtype: "float32" }).values).toEqual([
      0, 0, 0, 1, 1, 1,
    ]);
  });
  it("threefry2x32 reproduces the Random123 known-answer vector", () => {
    expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([
      0xc4923a9c, 0x483df7a0,
    ]);
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([
      0x1cb996fc, 0xbb002be7,
    ]);
  });
  it("random_uniform element i is uniformFromBits(threefry(key, i, 0)[0])", () => {
    for (const key of [
      [0, 0],
      [42, 7],
      [0xdeadbeef, 0x12345678],
    ] as [number, number][]) {
      const out = run(Primitive.RandomUniform, [], { shape: [4, 50], key });
      const ref = Array.from({ length: 200 }, (_, i) =>
        uniformFromBits(threefry2x32(key[0], key[1], i, 0)[0]),
      );
      expect(out.values).toEqual(ref);
      expect(out.values.every((u) => u >= 0 && u < 1)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Matmul

function naiveMatmul(
  a: In,
  b: In,
  tA: boolean,
  tB: boolean,
): { values: number[]; shape: number[] } {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const pa = [...new Array<number>(r - ba.length).fill(1), ...ba];
  const pb = [...new Array<number>(r - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const values: number[] = [];
  const am = a.shape[ra - 2] * a.shape[ra - 1];
  const bm = b.shape[rb - 2] * b.shape[rb - 1];
  for (let bi = 0; bi < size(batch); bi++) {
    const idx = unravel(bi, batch);
    const oa =
      ravel(
        idx.map((v, d) => (pa[d] === 1 ? 0 : v)),
        pa,
      ) * am;
    const ob =
      ravel(
        idx.map((v, d) => (pb[d] === 1 ? 0 : v)),
        pb,
      ) * bm;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a.values[oa + (tA ? p * m + i : i * k + p)];
          const bv = b.values[ob + (tB ? j * k + p : p * n + j)];
          s += av * bv;
        }
        values.push(s);
      }
  }
  return { values, shape: [...batch, m, n] };
}

describe("matmul", () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[2, 3], [3, 4], false, false],
    [[3, 2], [3, 4], true, false],
    [[2, 3], [4, 3], false, true],
    [[3, 2], [4, 3], true, true],
    [[37, 29], [29, 53], false, false],
    [[64, 64], [64, 64], false, false],
    [[70, 45], [70, 33], true, false],
    [[45, 70], [33, 70], false, true],
    [[129, 17], [33, 17], false, true],
    [[2, 3, 5, 7], [7, 6], false, false],
    [[2, 1, 20, 30], [3, 30, 25], false, false],
    [[4, 30, 20], [30, 25], true, false],
    [[1, 18, 19], [5, 19, 40], false, false],
    [[3, 40, 50], [3, 50, 41], false, false],
    [[5, 0], [0, 3], false, false],
    [[0, 4], [4, 3], false, false],
  ];
  cases.forEach(([sa, sb, tA, tB], t) => {
    it(`${JSON.stringify(sa)} x ${JSON.stringify(sb)} tA=${tA} tB=${tB}`, () => {
      const a = { values: randArray(size(sa), 200 + t), shape: sa };
      const b = { values: randArray(size(sb), 300 + t), shape: sb };
      const out = run(Primitive.Matmul, [a, b], { transposeA: tA, transposeB: tB });
      const ref = naiveMatmul(a, b, tA, tB);
      expect(out.shape).toEqual(ref.shape);
      expectClose(out.values, ref.values, 1e-5, 1e-5);
    });
  });
  it("int32 matmul is exact", () => {
    const a = { values: [1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: "int32" as const };
    const b = { values: [7, 8, 9, 10, 11, 12], shape: [3, 2], dtype: "int32" as const };
    expect(run(Primitive.Matmul, [a, b], { transposeA: false, transposeB: false })).toEqual({
      values: [58, 64, 139, 154],
      shape: [2, 2],
      dtype: "int32",
    });
    const big = {
      values: Array.from({ length: 40 * 40 }, (_, i) => (i * 7919) % 1000003),
      shape: [40, 40],
      dtype: "int32" as const,
    };
    const ref = naiveMatmul(big, big, false, false).values.map(
      (v) => Number(BigInt(v) % 2n ** 32n) | 0,
    );
    expect(
      run(Primitive.Matmul, [big, big], { transposeA: false, transposeB: false }).values,
    ).toEqual(ref.map((v) => v | 0));
  });
});

// ---------------------------------------------------------------------------------------------
// Convolution

interface ConvCase {
  x: number[];
  k: number[];
  strides: number[];
  padding: [number, number][];
  dilation: number[];
  groups: number;
}

/** Direct N-d convolution following the definition. */
function naiveConv(x: In, k: In, c: ConvCase, outShape: number[]): number[] {
  const nsp = c.x.length - 2;
  const C = c.x[nsp + 1];
  const O = c.k[nsp + 1];
  const cg = C / c.groups;
  const og = O / c.groups;
  const ksp = c.k.slice(0, nsp);
  const out = new Array<number>(size(outShape)).fill(0);
  for (let i = 0; i < out.length; i++) {
    const oi = unravel(i, outShape);
    const n = oi[0];
    const oc = oi[nsp + 1];
    const g = Math.floor(oc / og);
    let s = 0;
    for (let t = 0; t < size(ksp); t++) {
      const ki = unravel(t, ksp);
      const xi: number[] = [n];
      let ok = true;
      for (let d = 0; d < nsp; d++) {
        const p = oi[d + 1] * c.strides[d] - c.padding[d][0] + ki[d] * c.dilation[d];
        if (p < 0 || p >= c.x[d + 1]) ok = false;
        xi.push(p);
      }
      if (!ok) continue;
      for (let ci = 0; ci < cg; ci++) {
        s += x.values[ravel([...xi, g * cg + ci], c.x)] * k.values[ravel([...ki, ci, oc], c.k)];
      }
    }
    out[i] = s;
  }
  return out;
}

describe("conv", () => {
  const cases: [string, ConvCase][] = [
    [
      "1-d",
      { x: [2, 9, 3], k: [3, 3, 4], strides: [1], padding: [[0, 0]], dilation: [1], groups: 1 },
    ],
    [
      "1-d strided dilated padded",
      { x: [2, 11, 2], k: [3, 2, 3], strides: [2], padding: [[2, 1]], dilation: [2], groups: 1 },
    ],
    [
      "2-d same",
      {
        x: [2, 7, 6, 3],
        k: [3, 3, 3, 5],
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "2-d strides + asymmetric padding",
      {
        x: [1, 8, 9, 2],
        k: [3, 2, 2, 4],
        strides: [2, 3],
        padding: [
          [0, 1],
          [2, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "2-d dilation",
      {
        x: [2, 9, 9, 2],
        k: [3, 3, 2, 3],
        strides: [1, 2],
        padding: [
          [2, 2],
          [1, 1],
        ],
        dilation: [2, 3],
        groups: 1,
      },
    ],
    [
      "2-d groups",
      {
        x: [2, 6, 5, 6],
        k: [3, 3, 2, 9],
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 3,
      },
    ],
    [
      "2-d depthwise",
      {
        x: [1, 5, 5, 4],
        k: [3, 3, 1, 8],
        strides: [2, 2],
        padding: [
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 4,
      },
    ],
    [
      "2-d pointwise",
      {
        x: [2, 4, 5, 6],
        k: [1, 1, 6, 7],
        strides: [1, 1],
        padding: [
          [0, 0],
          [0, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "2-d pointwise groups",
      {
        x: [2, 4, 5, 6],
        k: [1, 1, 3, 4],
        strides: [1, 1],
        padding: [
          [0, 0],
          [0, 0],
        ],
        dilation: [1, 1],
        groups: 2,
      },
    ],
    [
      "2-d pointwise padded",
      {
        x: [1, 3, 3, 2],
        k: [1, 1, 2, 3],
        strides: [1, 1],
        padding: [
          [0, 1],
          [1, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "2-d pointwise strided",
      {
        x: [1, 5, 5, 2],
        k: [1, 1, 2, 3],
        strides: [2, 2],
        padding: [
          [0, 0],
          [0, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "2-d untouched inputs",
      {
        x: [1, 8, 8, 2],
        k: [2, 2, 2, 3],
        strides: [3, 3],
        padding: [
          [0, 0],
          [0, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "2-d larger (packed gemm)",
      {
        x: [2, 12, 12, 8],
        k: [3, 3, 8, 16],
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    ],
    [
      "3-d",
      {
        x: [1, 5, 4, 6, 2],
        k: [2, 3, 2, 2, 3],
        strides: [1, 1, 2],
        padding: [
          [1, 0],
          [1, 1],
          [0, 1],
        ],
        dilation: [2, 1, 1],
        groups: 1,
      },
    ],
    [
      "3-d groups",
      {
        x: [2, 4, 4, 4, 4],
        k: [3, 3, 3, 2, 4],
        strides: [1, 1, 1],
        padding: [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1, 1],
        groups: 2,
      },
    ],
  ];
  cases.forEach(([name, c], t) => {
    it(`${name}: values and the adjoint identity of both backprops`, () => {
      const x = { values: randArray(size(c.x), 400 + t), shape: c.x };
      const k = { values: randArray(size(c.k), 500 + t), shape: c.k };
      const params = {
        strides: c.strides,
        padding: c.padding,
        dilation: c.dilation,
        groups: c.groups,
      };
      const y = run(Primitive.Conv, [x, k], params);
      expectClose(y.values, naiveConv(x, k, c, y.shape), 1e-5, 1e-5);

      const dy = { values: randArray(size(y.shape), 600 + t), shape: y.shape };
      const dx = run(Primitive.ConvBackpropInput, [dy, k], { ...params, inputShape: c.x });
      const dk = run(Primitive.ConvBackpropFilter, [x, dy], { ...params, kernelShape: c.k });
      expect(dx.shape).toEqual(c.x);
      expect(dk.shape).toEqual(c.k);
      // <conv(x, k), dy> == <x, dconv/dx^T dy> == <k, dconv/dk^T dy>
      const lhs = dot(y.values, dy.values);
      const scale = Math.max(1, Math.abs(lhs));
      expect(Math.abs(dot(x.values, dx.values) - lhs) / scale).toBeLessThan(1e-5);
      expect(Math.abs(dot(k.values, dk.values) - lhs) / scale).toBeLessThan(1e-5);
      // Elementwise: dx[i] = <conv(e_i, k), dy> and dk[j] = <conv(x, e_j), dy>, spot-checked.
      for (const i of [0, Math.floor(size(c.x) / 2), size(c.x) - 1]) {
        const e = new Array<number>(size(c.x)).fill(0);
        e[i] = 1;
        const ref = dot(naiveConv({ values: e, shape: c.x }, k, c, y.shape), dy.values);
        expect(dx.values[i]).toBeCloseTo(ref, 4);
      }
      for (const j of [0, size(c.k) - 1]) {
        const e = new Array<number>(size(c.k)).fill(0);
        e[j] = 1;
        const ref = dot(naiveConv(x, { values: e, shape: c.k }, c, y.shape), dy.values);
        expect(dk.values[j]).toBeCloseTo(ref, 4);
      }
    });
  });
  it("conv backprop input leaves never-read positions at 0", () => {
    const c = {
      strides: [3, 3],
      padding: [
        [0, 0],
        [0, 0],
      ] as [number, number][],
      dilation: [1, 1],
      groups: 1,
    };
    const dx = run(
      Primitive.ConvBackpropInput,
      [
        { values: [1, 1, 1, 1], shape: [1, 2, 2, 1] },
        { values: [1, 1, 1, 1], shape: [2, 2, 1, 1] },
      ],
      { ...c, inputShape: [1, 6, 6, 1] },
    );
    // Rows/cols 2 and 5 are skipped by the stride-3 2x2 windows.
    const ref = Array.from({ length: 36 }, (_, i) =>
      i % 6 === 2 || i % 6 === 5 || Math.floor(i / 6) === 2 || Math.floor(i / 6) === 5 ? 0 : 1,
    );
    expect(dx.values).toEqual(ref);
  });
});

// ---------------------------------------------------------------------------------------------
// Pooling

interface PoolCase {
  x: number[];
  kind: "max" | "avg";
  window: number[];
  strides: number[];
  padding: [number, number][];
  dilation: number[];
  countIncludePad: boolean;
}

function windowTaps(c: PoolCase, oi: number[]): { idx: number[] | null }[] {
  const nsp = c.x.length - 2;
  const taps: { idx: number[] | null }[] = [];
  for (let t = 0; t < size(c.window); t++) {
    const wi = unravel(t, c.window);
    const xi: number[] = [oi[0]];
    let ok = true;
    for (let d = 0; d < nsp; d++) {
      const p = oi[d + 1] * c.strides[d] - c.padding[d][0] + wi[d] * c.dilation[d];
      if (p < 0 || p >= c.x[d + 1]) ok = false;
      xi.push(p);
    }
    xi.push(oi[nsp + 1]);
    taps.push({ idx: ok ? xi : null });
  }
  return taps;
}

function naivePool(x: number[], c: PoolCase, outShape: number[]): number[] {
  return Array.from({ length: size(outShape) }, (_, i) => {
    const taps = windowTaps(c, unravel(i, outShape));
    const vals = taps.filter((t) => t.idx).map((t) => x[ravel(t.idx!, c.x)]);
    if (c.kind === "max") return Math.max(...vals);
    const s = vals.reduce((a, b) => a + b, 0);
    return s / (c.countIncludePad ? taps.length : vals.length);
  });
}

function naivePoolBackprop(x: number[], dy: number[], c: PoolCase, outShape: number[]): number[] {
  const dx = new Array<number>(x.length).fill(0);
  for (let i = 0; i < dy.length; i++) {
    const real = windowTaps(c, unravel(i, outShape))
      .filter((t) => t.idx)
      .map((t) => ravel(t.idx!, c.x));
    if (c.kind === "max") {
      let best = real[0];
      for (const j of real) if (x[j] > x[best]) best = j;
      dx[best] += dy[i];
    } else {
      const div = c.countIncludePad ? size(c.window) : real.length;
      for (const j of real) dx[j] += dy[i] / div;
    }
  }
  return dx;
}

describe("pool", () => {
  const base = { dilation: [1, 1], countIncludePad: false };
  const cases: [string, PoolCase][] = [
    [
      "max 2x2/2",
      {
        ...base,
        x: [2, 6, 6, 3],
        kind: "max",
        window: [2, 2],
        strides: [2, 2],
        padding: [
          [0, 0],
          [0, 0],
        ],
      },
    ],
    [
      "max 3x3/2 same (padded taps never win)",
      {
        ...base,
        x: [1, 5, 5, 2],
        kind: "max",
        window: [3, 3],
        strides: [2, 2],
        padding: [
          [1, 1],
          [1, 1],
        ],
      },
    ],
    [
      "avg 3x3/1 same, exclude pad",
      {
        ...base,
        x: [2, 4, 5, 2],
        kind: "avg",
        window: [3, 3],
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
      },
    ],
    [
      "avg 3x3/1 same, include pad",
      {
        ...base,
        x: [1, 4, 4, 2],
        kind: "avg",
        window: [3, 3],
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
        countIncludePad: true,
      },
    ],
    [
      "avg 2x3 strided asymmetric",
      {
        ...base,
        x: [1, 7, 8, 1],
        kind: "avg",
        window: [2, 3],
        strides: [2, 3],
        padding: [
          [0, 1],
          [1, 1],
        ],
      },
    ],
    [
      "max dilated",
      {
        ...base,
        x: [1, 7, 7, 2],
        kind: "max",
        window: [2, 2],
        strides: [1, 1],
        padding: [
          [1, 0],
          [0, 1],
        ],
        dilation: [2, 3],
      },
    ],
    [
      "max 1-d",
      {
        ...base,
        x: [2, 9, 2],
        kind: "max",
        window: [3],
        strides: [2],
        padding: [[1, 1]],
        dilation: [1],
      },
    ],
    [
      "avg 3-d",
      {
        ...base,
        x: [1, 4, 4, 4, 2],
        kind: "avg",
        window: [2, 2, 2],
        strides: [2, 2, 2],
        padding: [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        dilation: [1, 1, 1],
      },
    ],
  ];
  cases.forEach(([name, c], t) => {
    it(`${name}: values and gradient`, () => {
      // All-negative inputs: a padded tap that counted as 0 would win the max.
      const xv = randArray(size(c.x), 700 + t, -3, -1);
      const params = {
        kind: c.kind,
        window: c.window,
        strides: c.strides,
        padding: c.padding,
        dilation: c.dilation,
        countIncludePad: c.countIncludePad,
      };
      const y = run(Primitive.Pool, [{ values: xv, shape: c.x }], params);
      expectClose(y.values, naivePool(xv, c, y.shape), 1e-6, 1e-6);
      const dy = randArray(size(y.shape), 800 + t);
      const dx = run(
        Primitive.PoolBackprop,
        [
          { values: dy, shape: y.shape },
          { values: xv, shape: c.x },
        ],
        params,
      );
      expect(dx.shape).toEqual(c.x);
      expectClose(dx.values, naivePoolBackprop(xv, dy, c, y.shape), 1e-5, 1e-6);
    });
  });
  it("max gradient goes to the first maximum of the window and accumulates", () => {
    const x = { values: [1, 5, 5, 5, 0, 5, 2, 2, 2], shape: [1, 3, 3, 1] };
    const params = {
      kind: "max" as const,
      window: [2, 2],
      strides: [1, 1],
      padding: [
        [0, 0],
        [0, 0],
      ] as [number, number][],
      dilation: [1, 1],
      countIncludePad: false,
    };
    expect(run(Primitive.Pool, [x], params).values).toEqual([5, 5, 5, 5]);
    const dx = run(
      Primitive.PoolBackprop,
      [{ values: [1, 10, 100, 1000], shape: [1, 2, 2, 1] }, x],
      params,
    );
    // Windows: (0,0)->first 5 at index 1; (0,1)->index 1; (1,0)->index 3; (1,1)->index 5.
    expect(dx.values).toEqual([0, 11, 0, 100, 0, 1000, 0, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// Backend behaviour

describe("CpuBackend", () => {
  it("write copies its input and read returns copies", () => {
    const b = new CpuBackend();
    const src = new Float32Array([1, 2, 3]);
    const id = b.write(src, [3], "float32");
    src[0] = 99;
    const r = b.readSync(id);
    expect(Array.from(r)).toEqual([1, 2, 3]);
    r[1] = 42;
    expect(Array.from(b.readSync(id))).toEqual([1, 2, 3]);
    b.dispose();
  });
  it("read resolves asynchronously", async () => {
    const b = new CpuBackend();
    const id = b.write(new Int32Array([4, 5]), [2], "int32");
    const r = await b.read(id);
    expect(r).toBeInstanceOf(Int32Array);
    expect(Array.from(r)).toEqual([4, 5]);
    b.dispose();
  });
  it("frees buffers on the last decRef and counts bytes", () => {
    const b = new CpuBackend();
    const start = b.memory();
    const id = b.write(new Float32Array(10), [10], "float32");
    const flag = b.write(new Uint8Array(3), [3], "bool");
    expect(b.memory().numBuffers).toBe(start.numBuffers + 2);
    expect(b.memory().numBytes).toBe(start.numBytes + 43);
    b.incRef(id);
    b.decRef(id);
    expect(b.memory().numBuffers).toBe(start.numBuffers + 2);
    b.decRef(id);
    b.decRef(flag);
    expect(b.memory().numBuffers).toBe(start.numBuffers);
    expect(b.memory().numBytes).toBe(start.numBytes);
    expect(() => b.readSync(id)).toThrow(/freed/);
    b.dispose();
  });
  it("reshape shares the input buffer", () => {
    const b = new CpuBackend();
    const x = b.write(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], "float32");
    const before = b.memory();
    const [y] = b.execute(
      Primitive.Reshape,
      [{ dataId: x, shape: [2, 3], dtype: "float32" }],
      { shape: [3, 2] },
      [{ shape: [3, 2], dtype: "float32" }],
    );
    expect(y).toBe(x);
    expect(b.memory()).toEqual(before);
    b.decRef(x);
    expect(Array.from(b.readSync(y))).toEqual([1, 2, 3, 4, 5, 6]);
    b.decRef(y);
    expect(b.memory().numBuffers).toBe(0);
    expect(b.memory().numBytes).toBe(0);
    b.dispose();
  });
  it("executing and freeing returns memory to its start (no leaks)", () => {
    const b = new CpuBackend();
    const start = b.memory();
    const x = b.write(new Float32Array(5000).fill(1), [50, 100], "float32");
    const info = { dataId: x, shape: [50, 100], dtype: "float32" as const };
    for (let i = 0; i < 3; i++) {
      const [s] = b.execute(Primitive.Sum, [info], { axes: [1] }, [
        { shape: [50], dtype: "float32" },
      ]);
      const [t, ti] = b.execute(Primitive.TopK, [info], { k: 2 }, [
        { shape: [50, 2], dtype: "float32" },
        { shape: [50, 2], dtype: "int32" },
      ]);
      const [e] = b.execute(Primitive.Exp, [info], {}, [{ shape: [50, 100], dtype: "float32" }]);
      expect(Array.from(b.readSync(e)).slice(0, 2)).toEqual([
        Math.fround(Math.E),
        Math.fround(Math.E),
      ]);
      b.decRef(s);
      b.decRef(t);
      b.decRef(ti);
      b.decRef(e);
    }
    b.decRef(x);
    expect(b.memory().numBuffers).toBe(start.numBuffers);
    expect(b.memory().numBytes).toBe(start.numBytes);
    b.dispose();
  });
  it("recycled buffers come back zeroed", () => {
    const b = new CpuBackend();
    const n = 10000;
    const a = b.write(new Float32Array(n).fill(3), [n], "float32");
    b.decRef(a);
    const ind = b.write(new Int32Array([0]), [1, 1], "int32");
    const upd = b.write(new Float32Array([1]), [1], "float32");
    const [s] = b.execute(
      Primitive.ScatterNd,
      [
        { dataId: ind, shape: [1, 1], dtype: "int32" },
        { dataId: upd, shape: [1], dtype: "float32" },
      ],
      { shape: [n] },
      [{ shape: [n], dtype: "float32" }],
    );
    const v = b.readSync(s);
    expect(v[0]).toBe(1);
    expect(v.slice(1).every((z) => z === 0)).toBe(true);
    b.dispose();
  });
  it("throws after dispose", () => {
    const b = new CpuBackend();
    const id = b.write(new Float32Array([1]), [1], "float32");
    b.dispose();
    expect(() => b.readSync(id)).toThrow(/dispose/);
    expect(() => b.write(new Float32Array([1]), [1], "float32")).toThrow(/dispose/);
    expect(() => b.memory()).toThrow(/dispose/);
    expect(() => b.supports(Primitive.Add)).toThrow(/dispose/);
    expect(() =>
      b.execute(Primitive.Neg, [{ dataId: id, shape: [1], dtype: "float32" }], {}, [
        { shape: [1], dtype: "float32" },
      ]),
    ).toThrow(/dispose/);
  });
  it("rejects a write whose length does not match the shape", () => {
    const b = new CpuBackend();
    expect(() => b.write(new Float32Array(3), [2, 2], "float32")).toThrow(/Received: length=3/);
    b.dispose();
  });
  it("is registered as the cpu backend", async () => {
    const { registry } = await import("../../src/backend/registry");
    const f = registry().factories.get("cpu");
    expect(f?.priority).toBe(10);
    const b = f!.createSync!();
    expect(b.name).toBe("cpu");
    b.dispose();
  });
});
