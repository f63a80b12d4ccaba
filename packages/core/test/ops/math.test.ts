import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import { grad } from "../../src/autodiff/grad";
import * as m from "../../src/ops/math";
import { convertToTensor } from "../../src/ops/convert";
import * as lax from "../../src/primitives/lax";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import {
  checkGrad,
  checkSymbolicReplay,
  data,
  erf64,
  rand,
  tensor,
  type Arr,
} from "./nn_reference";

const sym = (shape: (number | null)[], dtype: "float32" | "int32" = "float32"): Tensor =>
  new KerasTensor(shape, dtype) as unknown as Tensor;
const shapeOf = (t: Tensor): (number | null)[] => [...t.shape];
const T = (a: Arr): Tensor => tensor(a.data, a.shape);
const ints = (v: number[] | number[][]): Tensor => convertToTensor(v, "int32");

function lseRows(x: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => x[r * cols + c]!);
    const mx = Math.max(...row);
    out.push(Math.log(row.reduce((a, v) => a + Math.exp(v - mx), 0)) + mx);
  }
  return out;
}

describe("logsumexp", () => {
  it("symbolic shape with unknown batch, replays", () => {
    expect(shapeOf(m.logsumexp(sym([null, 5]), 1))).toEqual([null]);
    expect(shapeOf(m.logsumexp(sym([null, 5]), 1, true))).toEqual([null, 1]);
    expect(shapeOf(m.logsumexp(sym([null, 5])))).toEqual([]);
    checkSymbolicReplay((x) => m.logsumexp(x, -1), [null, 4], T(rand([3, 4], 1)), [null]);
  });

  it("values: all axes, one axis, several axes, keepdims", () => {
    const x = rand([3, 4], 2, -3, 3);
    expectAllclose(m.logsumexp(T(x)), lseRows(x.data, 1, 12), { rtol: 1e-6 });
    expectAllclose(m.logsumexp(T(x), 1), lseRows(x.data, 3, 4), { rtol: 1e-6 });
    const y = m.logsumexp(T(x), -1, true);
    expect(shapeOf(y)).toEqual([3, 1]);
    expectAllclose(m.logsumexp([1, 2, 3]), [3.4076059], { rtol: 1e-6 });
    const x3 = rand([2, 3, 4], 3);
    const cols: number[] = [];
    for (let c = 0; c < 4; c++)
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 3; b++) cols.push(x3.data[(a * 3 + b) * 4 + c]!);
    expectAllclose(m.logsumexp(T(x3), [0, 1]), lseRows(cols, 4, 6), { rtol: 1e-6 });
  });

  it("extremes: large values, -inf rows, +inf", () => {
    expectAllclose(m.logsumexp([1000, 1000]), [1000 + Math.LN2], { rtol: 1e-7 });
    expectAllclose(m.logsumexp(tensor([-Infinity, -Infinity, 0, -Infinity], [2, 2]), 1), [
      -Infinity,
      0,
    ]);
    expectAllclose(m.logsumexp(tensor([Infinity, 1], [2])), [Infinity]);
  });

  it("gradient", () => {
    checkGrad(
      (x) => m.logsumexp(x, 1),
      (x) => lseRows(x, 3, 4),
      [rand([3, 4], 4, -2, 2)],
    );
  });
});

describe("topK", () => {
  it("values and indices, ties go to the lower index", () => {
    const [v, i] = m.topK([5, 1, 4, 3, 4], 3);
    expectAllclose(v, [5, 4, 4]);
    expect(data(i)).toEqual([0, 2, 4]);
    expect(i.dtype).toBe("int32");
    const [v2, i2] = m.topK(tensor([1, 9, 3, 7, 2, 8], [2, 3]), 2);
    expectAllclose(v2, [9, 3, 8, 7]);
    expect(data(i2)).toEqual([1, 2, 2, 0]);
  });

  it("symbolic shape with unknown batch", () => {
    const [v, i] = m.topK(sym([null, 10]), 3);
    expect(shapeOf(v)).toEqual([null, 3]);
    expect(shapeOf(i)).toEqual([null, 3]);
    expect(i.dtype).toBe("int32");
  });

  it("gradient flows to the selected entries", () => {
    const g = grad((x: Tensor) => lax.sum(m.topK(x, 2)[0], [0]))(tensor([3, 1, 2], [3])) as Tensor;
    expect(data(g)).toEqual([1, 0, 1]);
  });

  it("bad k names the op", () => {
    expect(() => m.topK([1, 2], 3)).toThrow(/top_k: k must be an int in \[0, 2\]. Received: k=3/);
  });
});

describe("inTopK", () => {
  it("values (ties count for the target, NaN never does)", () => {
    const preds = tensor([0.1, 0.9, 0.8, 0.05, 0.95, 0, 0.5, 0.5, 0.1, NaN, 0.2, 0.3], [4, 3]);
    const y = m.inTopK(ints([1, 2, 1, 0]), preds, 1);
    expect(y.dtype).toBe("bool");
    expect(data(y)).toEqual([1, 0, 1, 0]);
    expect(data(m.inTopK(ints([2, 2, 1, 0]), preds, 2))).toEqual([1, 0, 1, 0]);
  });

  it("symbolic shape", () => {
    expect(shapeOf(m.inTopK(sym([null], "int32"), sym([null, 5]), 2))).toEqual([null]);
  });
});

describe("segmentSum", () => {
  it("values; ids out of range are dropped", () => {
    expectAllclose(m.segmentSum([1, 2, 3, 4], ints([0, 0, 1, 1]), 2), [3, 7]);
    expectAllclose(
      m.segmentSum(tensor([1, 2, 3, 4, 5, 6], [3, 2]), ints([2, 0, 2]), 4),
      [3, 4, 0, 0, 6, 8, 0, 0],
    );
    expectAllclose(m.segmentSum([1, 2, 3], ints([0, 5, -1]), 2), [1, 0]);
  });

  it("symbolic shape with unknown count, replays", () => {
    expect(shapeOf(m.segmentSum(sym([null, 3]), sym([null], "int32"), 5))).toEqual([5, 3]);
    const ids = ints([1, 0, 1]);
    checkSymbolicReplay(
      (x) => m.segmentSum(x, ids, 2),
      [null, 2],
      tensor([1, 2, 3, 4, 5, 6], [3, 2]),
      [2, 2],
    );
  });

  it("gradient", () => {
    checkGrad(
      (x) => m.segmentSum(x, ints([1, 0, 1, 2]), 3),
      (x) => [x[1]!, x[0]! + x[2]!, x[3]!],
      [rand([4], 5)],
    );
  });

  it("needs num_segments", () => {
    expect(() => m.segmentSum([1, 2], ints([0, 1]))).toThrow(
      /segment_sum: argument `num_segments` must be set. Received: num_segments=None/,
    );
  });
});

describe("segmentMax", () => {
  it("values; empty segments are -inf", () => {
    expectAllclose(m.segmentMax(tensor([1, 5, 3, 4], [4]), ints([0, 0, 1, 1]), 3), [
      5,
      4,
      -Infinity,
    ]);
    expect(data(m.segmentMax([1, 5], ints([0, 0]), 2))).toEqual([5, -2147483648]); // int32: its minimum
    expectAllclose(
      m.segmentMax(tensor([1, 8, 3, 4, 5, 6], [3, 2]), ints([1, 1, 0]), 2),
      [5, 6, 3, 8],
    );
    expect(data(m.segmentMax(ints([1, 7, 3]), ints([0, 0, 1]), 2))).toEqual([7, 3]);
  });

  it("symbolic shape", () => {
    expect(shapeOf(m.segmentMax(sym([null, 3]), sym([null], "int32"), 4))).toEqual([4, 3]);
  });

  it("gradient", () => {
    checkGrad(
      (x) => m.segmentMax(x, ints([0, 1, 0, 1]), 2),
      (x) => [Math.max(x[0]!, x[2]!), Math.max(x[1]!, x[3]!)],
      [rand([4], 6)],
    );
  });
});

describe("extractSequences", () => {
  it("values", () => {
    expectAllclose(m.extractSequences([1, 2, 3, 4, 5, 6], 3, 2), [1, 2, 3, 3, 4, 5]);
    const y = m.extractSequences(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]), 2, 1);
    expect(shapeOf(y)).toEqual([2, 3, 2]);
    expectAllclose(y, [1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8]);
  });

  it("symbolic shape with unknown batch, replays", () => {
    checkSymbolicReplay((x) => m.extractSequences(x, 4, 3), [null, 10], T(rand([2, 10], 7)), [
      null,
      3,
      4,
    ]);
  });

  it("gradient (overlapping frames add up)", () => {
    checkGrad(
      (x) => m.extractSequences(x, 3, 1),
      (x) => [x[0]!, x[1]!, x[2]!, x[1]!, x[2]!, x[3]!],
      [rand([4], 8)],
    );
  });
});

describe("erf, erfinv, rsqrt", () => {
  const xs = [-3, -1.5, -0.7, -0.1, 0, 0.2, 0.9, 2.5];

  it("erf values, dtype and symbolic shape", () => {
    expectAllclose(m.erf(xs), xs.map(erf64), { rtol: 2e-6, atol: 1e-7 });
    expect(m.erf(ints([1])).dtype).toBe("float32");
    expect(shapeOf(m.erf(sym([null, 3])))).toEqual([null, 3]);
  });

  it("erfinv inverts erf; ±1 give ±inf, outside is NaN", () => {
    const ys = [-0.999, -0.9, -0.5, -0.1, 0, 0.3, 0.75, 0.99, 0.99999];
    const x = data(m.erfinv(ys));
    x.forEach((v, i) => expect(erf64(v)).toBeCloseTo(ys[i]!, 6));
    expectAllclose(m.erfinv([-0.5, 0, 0.5]), [-0.4769363, 0, 0.4769363], { rtol: 1e-6 });
    const edge = data(m.erfinv([1, -1, 1.5]));
    expect(edge[0]).toBe(Infinity);
    expect(edge[1]).toBe(-Infinity);
    expect(Number.isNaN(edge[2])).toBe(true);
  });

  it("erfinv gradient", () => {
    const ref = (y: number): number => {
      // Newton on erf64
      let x = 0;
      for (let i = 0; i < 60; i++)
        x -= (erf64(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
      return x;
    };
    checkGrad(
      (x) => m.erfinv(x),
      (x) => Array.from(x, ref),
      [{ data: Float64Array.from([-0.8, -0.3, 0.1, 0.6, 0.95]), shape: [5] }],
      { eps: 1e-4 },
    );
  });

  it("rsqrt", () => {
    expectAllclose(m.rsqrt([1, 4, 16]), [1, 0.5, 0.25]);
    checkGrad(
      (x) => m.rsqrt(x),
      (x) => Array.from(x, (v) => 1 / Math.sqrt(v)),
      [rand([4], 9, 0.5, 2)],
    );
  });
});
