/**
 * Kernel-level cross-check of the wasm backend against the cpu oracle, aimed at the code paths the
 * shared parity suite does not reach: every SIMD loop's vector body and scalar tail, every
 * broadcast mode of the 2-d row kernels, the GEMM's cache-block and register-block edges, the
 * SIMD pooling (channel counts divisible by 4) and im2col with 1, 4, 8, 16 and other channel counts. Inputs go straight to
 * `Backend.execute` with output specs from core's shape rules.
 */
import { describe, expect, it } from "vitest";
import {
  Primitive,
  shapeRules,
  type ConcreteValue,
  type DType,
  type Params,
  type PoolParams,
  type TypedArray,
} from "@webkeras/core";
import { CpuBackend } from "../../core/src/backend/cpu/index";
import { createWasmBackend, sizeClass, Allocator } from "../src/index";
import { convTuning } from "../src/kernels/conv";

const cpu = new CpuBackend();
const wasm = await createWasmBackend({ initialBytes: 1 << 16 });

interface In {
  shape: number[];
  dtype?: DType;
  /** Values: generated from `gen` when absent. */
  values?: ArrayLike<number>;
  gen?: "float" | "levels" | "special" | "int" | "bool" | "positive";
}

let seed = 12345;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3];

function make(x: In): { values: TypedArray; shape: number[]; dtype: DType } {
  const dtype = x.dtype ?? "float32";
  const n = x.shape.reduce((a, b) => a * b, 1);
  const arr =
    dtype === "float32"
      ? new Float32Array(n)
      : dtype === "int32"
        ? new Int32Array(n)
        : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (x.values) arr[i] = x.values[i % x.values.length]!;
    else if (dtype === "bool" || x.gen === "bool") arr[i] = rand() < 0.5 ? 1 : 0;
    else if (dtype === "int32" || x.gen === "int") arr[i] = Math.floor(rand() * 21) - 10;
    else if (x.gen === "levels") arr[i] = Math.floor(rand() * 3) - 1;
    else if (x.gen === "special") arr[i] = SPECIAL[Math.floor(rand() * SPECIAL.length)]!;
    else if (x.gen === "positive") arr[i] = 0.1 + rand() * 2;
    else arr[i] = rand() * 4 - 2;
  }
  return { values: arr, shape: x.shape, dtype };
}

type Backend = typeof cpu | typeof wasm;

function run<P extends Primitive>(
  be: Backend,
  prim: P,
  inputs: ReturnType<typeof make>[],
  params: Params<P>,
): { values: TypedArray; spec: ConcreteValue }[] {
  const infos = inputs.map((x) => ({
    dataId: be.write(x.values, x.shape, x.dtype),
    shape: x.shape,
    dtype: x.dtype,
  }));
  const specs = shapeRules[prim](infos, params) as ConcreteValue[];
  const ids = be.execute(prim, infos, params, specs);
  const outs = ids.map((id, i) => ({ values: be.readSync!(id), spec: specs[i]! }));
  for (const id of ids) be.decRef(id);
  for (const x of infos) be.decRef(x.dataId);
  return outs;
}

function check<P extends Primitive>(
  prim: P,
  ins: In[],
  params: Params<P>,
  tol = { rtol: 1e-5, atol: 1e-6 },
): void {
  const inputs = ins.map(make);
  const want = run(cpu, prim, inputs, params);
  const got = run(wasm, prim, inputs, params);
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    expect(g.values.constructor).toBe(w.values.constructor);
    expect(g.values.length).toBe(w.values.length);
    const exact = w.spec.dtype !== "float32";
    for (let i = 0; i < w.values.length; i++) {
      const a = g.values[i]!;
      const b = w.values[i]!;
      if (Number.isNaN(b)) {
        if (!Number.isNaN(a)) expect.fail(`${prim} output ${k}[${i}]: ${a}, expected NaN`);
        continue;
      }
      const ok =
        exact || !Number.isFinite(b)
          ? a === b
          : Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
      if (!ok)
        expect.fail(
          `${prim} output ${k}[${i}]: ${a}, expected ${b} (shapes ${ins.map((x) => `(${x.shape})`).join(" ")})`,
        );
    }
  });
}

const NP = {} as Record<string, never>;

describe("elementwise (SIMD bodies, tails, broadcast modes)", () => {
  const shapes: [number[], number[]][] = [
    [[1], [1]],
    [[3], [3]],
    [
      [7, 13],
      [7, 13],
    ],
    [[7, 13], [13]],
    [
      [7, 13],
      [7, 1],
    ],
    [
      [7, 1],
      [1, 13],
    ],
    [[], [5, 9]],
    [[5, 9], []],
    [
      [2, 3, 4, 5],
      [3, 1, 5],
    ],
    [
      [2, 1, 4, 1],
      [1, 3, 1, 6],
    ],
    [
      [4, 1, 5],
      [3, 1],
    ],
    [[33], [33]],
  ];
  const arith = [
    Primitive.Add,
    Primitive.Sub,
    Primitive.Mul,
    Primitive.Div,
    Primitive.Maximum,
    Primitive.Minimum,
  ] as const;
  for (const prim of arith)
    it(`${prim} float32`, () => {
      for (const [a, b] of shapes) {
        check(prim, [{ shape: a }, { shape: b }], NP);
        check(
          prim,
          [
            { shape: a, gen: "special" },
            { shape: b, gen: "special" },
          ],
          NP,
        );
      }
    });
  for (const prim of [
    Primitive.Equal,
    Primitive.NotEqual,
    Primitive.Less,
    Primitive.LessEqual,
  ] as const)
    it(`${prim} float32 -> bool`, () => {
      for (const [a, b] of [...shapes, [[40], [40]], [[3, 35], [35]]] as [number[], number[]][]) {
        check(
          prim,
          [
            { shape: a, gen: "levels" },
            { shape: b, gen: "levels" },
          ],
          NP,
        );
        check(
          prim,
          [
            { shape: a, gen: "special" },
            { shape: b, gen: "special" },
          ],
          NP,
        );
      }
    });
  it("where: every operand repeated or not, float32 and int32", () => {
    const cases: number[][][] = [
      [
        [7, 13],
        [7, 13],
        [7, 13],
      ],
      [[7, 1], [7, 13], []],
      [[13], [], [7, 13]],
      [[], [7, 13], [13]],
      [[7, 13], [1], [7, 1]],
      [
        [2, 3, 9],
        [3, 1],
        [2, 1, 9],
      ],
    ];
    for (const [c, x, y] of cases) {
      check(
        Primitive.Where,
        [{ shape: c!, dtype: "bool" }, { shape: x!, gen: "special" }, { shape: y! }],
        NP,
      );
      check(
        Primitive.Where,
        [
          { shape: c!, dtype: "bool" },
          { shape: x!, dtype: "int32" },
          { shape: y!, dtype: "int32" },
        ],
        NP,
      );
    }
  });
  for (const prim of [
    Primitive.Neg,
    Primitive.Abs,
    Primitive.Sqrt,
    Primitive.Floor,
    Primitive.Round,
    Primitive.Reciprocal,
  ] as const)
    it(`${prim} float32`, () => {
      for (const n of [1, 3, 4, 5, 9, 64, 67]) {
        check(prim, [{ shape: [n], gen: "special" }], NP);
        check(
          prim,
          [{ shape: [n], values: [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.50001, 1e-30] }],
          NP,
        );
      }
    });
  it("broadcast_to float32, int32 and bool", () => {
    const cases: [number[], number[]][] = [
      [
        [1, 5],
        [3, 5],
      ],
      [
        [3, 1],
        [3, 5],
      ],
      [
        [2, 1, 4],
        [2, 3, 4],
      ],
      [[], [17]],
      [
        [4, 1, 1, 3],
        [4, 5, 6, 3],
      ],
    ];
    for (const [x, shape] of cases)
      for (const dtype of ["float32", "int32", "bool"] as const)
        check(Primitive.BroadcastTo, [{ shape: x, dtype }], { shape });
  });
});

describe("reductions (rows, columns, slabs, the TypeScript fallback)", () => {
  const cases: [number[], number[]][] = [
    [[37], [0]],
    [[7, 13], [1]],
    [[7, 13], [0]],
    [
      [7, 13],
      [0, 1],
    ],
    [
      [4, 6, 5, 9],
      [1, 2],
    ],
    [
      [4, 6, 5],
      [0, 2],
    ],
    [[3, 1, 4], [1]],
    [
      [64, 28, 28, 8],
      [0, 1, 2],
    ],
  ];
  for (const prim of [Primitive.Sum, Primitive.Max, Primitive.Min, Primitive.Prod] as const)
    it(prim, () => {
      for (const [shape, axes] of cases) {
        check(prim, [{ shape }], { axes }, { rtol: 1e-5, atol: 1e-5 });
        if (shape.length < 4) check(prim, [{ shape, gen: "special" }], { axes });
      }
    });
});

describe("matmul (cache-block and register-block edges, transposes, batches)", () => {
  const dims: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 4],
    [65, 9, 17],
    [130, 257, 33],
    [70, 520, 12],
    [5, 3, 1030],
  ];
  it("float32, every transpose combination", () => {
    for (const [M, K, N] of dims)
      for (const ta of [false, true])
        for (const tb of [false, true])
          check(
            Primitive.Matmul,
            [{ shape: ta ? [K, M] : [M, K] }, { shape: tb ? [N, K] : [K, N] }],
            { transposeA: ta, transposeB: tb },
            { rtol: 1e-4, atol: 1e-4 },
          );
  });
  it("batch broadcasting", () => {
    check(Primitive.Matmul, [{ shape: [2, 3, 5, 7] }, { shape: [7, 4] }], {
      transposeA: false,
      transposeB: false,
    });
    check(Primitive.Matmul, [{ shape: [2, 1, 5, 7] }, { shape: [3, 7, 4] }], {
      transposeA: false,
      transposeB: false,
    });
    check(Primitive.Matmul, [{ shape: [3, 7, 5] }, { shape: [1, 7, 4] }], {
      transposeA: true,
      transposeB: false,
    });
  });
  it("int32 and bool are exact", () => {
    check(
      Primitive.Matmul,
      [
        { shape: [5, 7], dtype: "int32" },
        { shape: [3, 7], dtype: "int32" },
      ],
      { transposeA: false, transposeB: true },
    );
    check(
      Primitive.Matmul,
      [
        { shape: [5, 7], dtype: "bool" },
        { shape: [7, 3], dtype: "bool" },
      ],
      { transposeA: false, transposeB: false },
    );
  });
});

describe("convolution (im2col paths: one channel, vector channels, groups)", () => {
  const geoms: { x: number[]; k: number[]; p: Params<Primitive.Conv> }[] = [
    {
      x: [2, 9, 8, 1],
      k: [3, 3, 1, 4],
      p: {
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    },
    {
      x: [2, 9, 8, 8],
      k: [3, 3, 8, 5],
      p: {
        strides: [2, 2],
        padding: [
          [0, 1],
          [1, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    },
    {
      x: [1, 11, 10, 6],
      k: [3, 2, 3, 4],
      p: {
        strides: [1, 2],
        padding: [
          [2, 2],
          [1, 1],
        ],
        dilation: [2, 1],
        groups: 2,
      },
    },
    {
      x: [3, 7, 7, 4],
      k: [1, 1, 4, 6],
      p: {
        strides: [1, 1],
        padding: [
          [0, 0],
          [0, 0],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    },
    {
      // 4 channels per group, and 16: the straight-line channel copies of im2col / col2im.
      x: [2, 6, 7, 8],
      k: [3, 3, 4, 6],
      p: {
        strides: [1, 1],
        padding: [
          [1, 1],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 2,
      },
    },
    {
      x: [1, 7, 6, 16],
      k: [2, 3, 16, 5],
      p: {
        strides: [1, 2],
        padding: [
          [1, 0],
          [1, 1],
        ],
        dilation: [1, 1],
        groups: 1,
      },
    },
    {
      x: [2, 13, 5],
      k: [4, 5, 3],
      p: { strides: [3], padding: [[1, 2]], dilation: [1], groups: 1 },
    },
  ];
  for (const chunk of [1 << 16, 100])
    it(`conv and both backprops (patch chunks of ${chunk} elements)`, () => {
      convTuning.chunkElems = chunk;
      for (const { x, k, p } of geoms) {
        check(Primitive.Conv, [{ shape: x }, { shape: k }], p, { rtol: 1e-4, atol: 1e-5 });
        const [y] = run(cpu, Primitive.Conv, [make({ shape: x }), make({ shape: k })], p);
        const dy = { shape: y!.spec.shape };
        check(
          Primitive.ConvBackpropInput,
          [dy, { shape: k }],
          { ...p, inputShape: x },
          { rtol: 1e-4, atol: 1e-5 },
        );
        check(
          Primitive.ConvBackpropFilter,
          [{ shape: x }, dy],
          { ...p, kernelShape: k },
          { rtol: 1e-4, atol: 1e-4 },
        );
      }
      convTuning.chunkElems = 1 << 16;
    });
});

describe("pooling in SIMD (channels divisible by 4)", () => {
  const pp = (
    kind: "max" | "avg",
    window: number[],
    strides: number[],
    padding: [number, number][],
    dilation: number[],
    countIncludePad = false,
  ): PoolParams => ({
    kind,
    window,
    strides,
    padding,
    dilation,
    countIncludePad,
  });
  const geoms: { x: number[]; p: PoolParams }[] = [
    {
      x: [2, 9, 11, 4],
      p: pp(
        "max",
        [3, 3],
        [2, 2],
        [
          [1, 1],
          [1, 1],
        ],
        [1, 1],
      ),
    },
    {
      x: [2, 8, 8, 8],
      p: pp(
        "max",
        [2, 2],
        [2, 2],
        [
          [0, 0],
          [0, 0],
        ],
        [1, 1],
      ),
    },
    {
      x: [2, 9, 11, 8],
      p: pp(
        "avg",
        [3, 3],
        [2, 2],
        [
          [1, 1],
          [1, 1],
        ],
        [1, 1],
      ),
    },
    {
      x: [2, 9, 11, 8],
      p: pp(
        "avg",
        [3, 3],
        [2, 2],
        [
          [1, 1],
          [1, 1],
        ],
        [1, 1],
        true,
      ),
    },
    { x: [3, 13, 4], p: pp("max", [2], [1], [[0, 1]], [2]) },
    {
      x: [1, 5, 6, 7, 12],
      p: pp(
        "avg",
        [2, 3, 2],
        [1, 2, 2],
        [
          [0, 1],
          [1, 1],
          [0, 0],
        ],
        [1, 1, 1],
      ),
    },
    {
      x: [1, 4, 4, 4],
      p: pp(
        "max",
        [3, 3],
        [1, 1],
        [
          [2, 2],
          [2, 2],
        ],
        [1, 1],
      ),
    },
  ];
  it("pool and pool_backprop, including ties and NaN", () => {
    for (const { x, p } of geoms)
      for (const gen of ["float", "levels", "special"] as const) {
        check(Primitive.Pool, [{ shape: x, gen }], p);
        const [y] = run(cpu, Primitive.Pool, [make({ shape: x })], p);
        check(Primitive.PoolBackprop, [{ shape: y!.spec.shape }, { shape: x, gen }], p);
      }
  });
});

describe("allocator", () => {
  it("size classes waste at most a quarter and keep 64-byte (cache line) alignment", () => {
    for (let b = 1; b < 50000; b += 7) {
      const c = sizeClass(b);
      expect(c).toBeGreaterThanOrEqual(b);
      expect(c % 64).toBe(0);
      if (b > 256) expect(c).toBeLessThan(b * 1.25 + 64);
    }
  });
  it("reuses freed blocks, defragments before growing, and caps growth", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 16 });
    const a = new Allocator(mem, 16 * 65536);
    const p = a.alloc(1000);
    a.free(p, 1000);
    expect(a.alloc(1000)).toBe(p);
    // Fill, free everything, then a request larger than any one free block: defragmentation
    // merges the blocks back instead of growing.
    const blocks = Array.from({ length: 40 }, () => a.alloc(10000));
    const heap = a.heapBytes;
    for (const b of blocks) a.free(b, 10000);
    a.free(p, 1000);
    a.alloc(300000);
    expect(a.heapBytes).toBe(heap);
    expect(() => a.alloc(2 << 20)).toThrow(/out of memory/);
  });
});
