/**
 * Reductions and scans (reduction.ts): symbolic shapes with an unknown batch (including reducing
 * the unknown dim, which defers), values against float64 references, dtypes, gradients, errors.
 */
import { describe, expect, it } from "vitest";
import "../../src/index";
import * as ops from "../../src/ops/numpy/index";
import { grad } from "../../src/autodiff/grad";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import {
  checkGrad,
  checkSymbolic,
  expectOpError,
  map,
  meanAx,
  nd,
  rand,
  reduce,
  sumAx,
  tensor,
  zip,
  type Nd,
} from "./numpy_reference";

type Axis = number | number[] | null;
const allAxes = (x: Nd, axis: Axis): number[] =>
  axis === null ? x.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : axis).map((a) => (a < 0 ? a + x.shape.length : a)).sort();

const varRef = (x: Nd, axes: number[], keepdims = false): Nd => {
  const m = meanAx(x, axes, true);
  return meanAx(zip([x, m], (a, b) => (a - b) ** 2), axes, keepdims);
};

/** Reductions with an axis argument: name, op(x, axis, keepdims), reference(x, axes, keepdims). */
const REDUCTIONS: [string, (x: Tensor, axis: Axis, keepdims: boolean) => Tensor, (x: Nd, axes: number[], k: boolean) => Nd][] = [
  ["sum", (x, a, k) => ops.sum(x, a, k), sumAx],
  ["mean", (x, a, k) => ops.mean(x, a, k), meanAx],
  ["var", (x, a, k) => ops.var(x, a, k), varRef],
  ["std", (x, a, k) => ops.std(x, a, k), (x, a, k) => map(varRef(x, a, k), Math.sqrt)],
  ["max", (x, a, k) => ops.max(x, a, k), (x, a, k) => reduce(x, a, Math.max, -Infinity, k)],
  ["min", (x, a, k) => ops.min(x, a, k), (x, a, k) => reduce(x, a, Math.min, Infinity, k)],
  ["amax", (x, a, k) => ops.amax(x, a, k), (x, a, k) => reduce(x, a, Math.max, -Infinity, k)],
  ["amin", (x, a, k) => ops.amin(x, a, k), (x, a, k) => reduce(x, a, Math.min, Infinity, k)],
  ["prod", (x, a, k) => ops.prod(x, a, k), (x, a, k) => reduce(x, a, (p, v) => p * v, 1, k)],
];

const AXES: Axis[] = [null, 0, -1, [0, 2], [1]];

/** Inclusive scan along `axis` of a float64 array. */
function scanRef(x: Nd, axis: number, f: (a: number, b: number) => number): Nd {
  const out = nd(x.data, x.shape);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = x.shape[axis]!;
  for (let k = 0; k < x.size; k++) if (Math.floor(k / inner) % n > 0) out.data[k] = f(out.data[k - inner]!, out.data[k]!);
  return out;
}

/** NumPy "linear" quantile of a sorted array. */
function quantileSorted(v: number[], q: number): number {
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

describe("symbolic shape (unknown batch)", () => {
  const x = tensor(rand([2, 3, 4], 1, 0.5, 1.5));
  it.each(REDUCTIONS)("%s", (_n, op) => {
    checkSymbolic((t) => op(t as Tensor, -1, false), [[null, 3, 4]], [null, 3], [x]);
    checkSymbolic((t) => op(t as Tensor, [1, 2], true), [[null, 3, 4]], [null, 1, 1], [x]);
    // Reducing the unknown dim itself (mean needs its size: the op defers to replay time).
    checkSymbolic((t) => op(t as Tensor, 0, false), [[null, 3, 4]], [3, 4], [x]);
    checkSymbolic((t) => op(t as Tensor, null, true), [[null, 3, 4]], [1, 1, 1], [x]);
  });
  it("all, any, countNonzero", () => {
    checkSymbolic((t) => ops.all(t as Tensor, 1), [[null, 3, 4]], [null, 4], [x]);
    checkSymbolic((t) => ops.any(t as Tensor, 1, true), [[null, 3, 4]], [null, 1, 4], [x]);
    checkSymbolic((t) => ops.countNonzero(t as Tensor, [0, 1]), [[null, 3, 4]], [4], [x]);
  });
  it("argmax, argmin", () => {
    checkSymbolic((t) => ops.argmax(t as Tensor, -1), [[null, 3, 4]], [null, 3], [x]);
    checkSymbolic((t) => ops.argmin(t as Tensor, 1, true), [[null, 3, 4]], [null, 1, 4], [x]);
    checkSymbolic((t) => ops.argmax(t as Tensor), [[null, 3, 4]], [], [x]);
  });
  it("cumsum, cumprod", () => {
    checkSymbolic((t) => ops.cumsum(t as Tensor, 1), [[null, 3, 4]], [null, 3, 4], [x]);
    checkSymbolic((t) => ops.cumsum(t as Tensor), [[null, 3, 4]], [null], [x]);
    checkSymbolic((t) => ops.cumprod(t as Tensor, -1), [[null, 3, 4]], [null, 3, 4], [x]);
  });
  it("average, median, quantile", () => {
    checkSymbolic((t) => ops.average(t as Tensor, 1, [1, 2, 3]), [[null, 3, 4]], [null, 4], [x]);
    checkSymbolic((t) => ops.median(t as Tensor, -1), [[null, 3, 4]], [null, 3], [x]);
    checkSymbolic((t) => ops.quantile(t as Tensor, [0.1, 0.9], 1, "linear", true), [[null, 3, 4]], [2, null, 1, 4], [x]);
  });
});

describe("static shape", () => {
  it.each(REDUCTIONS)("%s", (_n, op) => {
    const x = tensor(rand([2, 3, 4], 2));
    expect([...op(x, null, false).shape]).toEqual([]);
    expect([...op(x, [0, 2], false).shape]).toEqual([3]);
    expect([...op(x, [0, 2], true).shape]).toEqual([1, 3, 1]);
    expect([...op(x, [], false).shape]).toEqual([2, 3, 4]);
  });
});

describe("values", () => {
  const x = rand([2, 3, 4], 3, 0.5, 1.5);
  for (const axis of AXES)
    for (const keepdims of [false, true])
      it.each(REDUCTIONS)(`%s axis=${JSON.stringify(axis)} keepdims=${keepdims}`, (_n, op, ref) => {
        const want = ref(x, allAxes(x, axis), keepdims);
        const y = op(tensor(x), axis, keepdims);
        expect([...y.shape]).toEqual(want.shape);
        expectAllclose(y, want.data, { rtol: 1e-5, atol: 1e-6 });
      });
  it("max/min with initial", () => {
    expectAllclose(ops.max([1, 5, 3], null, false, 7), 7);
    expectAllclose(ops.min([[1, 5], [3, 0]], 1, false, 2), [1, 0]);
  });
  it("max/min propagate NaN", () => {
    expectAllclose(ops.max([1, NaN, 3]), NaN);
    expectAllclose(ops.min([1, NaN, 3]), NaN);
  });
  it("all, any", () => {
    const b = [[true, false], [true, true]];
    expect(ops.all(b, 1).arraySync()).toEqual([false, true]);
    expect(ops.any(b, 0).arraySync()).toEqual([true, true]);
    expect(ops.all(b).arraySync()).toBe(false);
    expect(ops.any([[0, 0], [0, 2]], 1, true).arraySync()).toEqual([[false], [true]]);
    expect(ops.all(convertToTensor([], "float32")).arraySync()).toBe(true);
    expect(ops.any(convertToTensor([], "float32")).arraySync()).toBe(false);
  });
  it("argmax, argmin: first occurrence, flattened when axis is null, NaN first", () => {
    expect(ops.argmax([[1, 5, 5], [7, 2, 7]], 1).arraySync()).toEqual([1, 0]);
    expect(ops.argmin([[1, 5, 1], [7, 2, 2]], 1).arraySync()).toEqual([0, 1]);
    expect(ops.argmax([[1, 5], [7, 2]]).arraySync()).toBe(2);
    expect(ops.argmin([[1, 5], [7, 0]], null, true).arraySync()).toEqual([[3]]);
    expect(ops.argmax([1, NaN, 3]).arraySync()).toBe(1);
    expect(ops.argmin([1, NaN, 0]).arraySync()).toBe(1);
    expect(ops.argmin(convertToTensor([0, -2147483648, 5], "int32")).arraySync()).toBe(1);
    expect(ops.argmax(convertToTensor([0, 2147483647, 5], "int32")).arraySync()).toBe(1);
  });
  it("cumsum, cumprod along each axis and flattened", () => {
    const y = rand([3, 5], 4, -2, 2);
    for (const axis of [0, 1, -1]) {
      const a = axis < 0 ? axis + 2 : axis;
      expectAllclose(ops.cumsum(tensor(y), axis), scanRef(y, a, (p, q) => p + q).data, { rtol: 1e-5, atol: 1e-6 });
      expectAllclose(ops.cumprod(tensor(y), axis), scanRef(y, a, (p, q) => p * q).data, { rtol: 1e-5, atol: 1e-6 });
    }
    expectAllclose(ops.cumsum([[1, 2], [3, 4]]), [1, 3, 6, 10]);
    expectAllclose(ops.cumprod([[1, 2], [3, 4]]), [1, 2, 6, 24]);
    expectAllclose(ops.cumprod(rand([17], 5, 0.5, 1.5).data), scanRef(rand([17], 5, 0.5, 1.5), 0, (p, q) => p * q).data, { rtol: 1e-5 });
  });
  it("countNonzero", () => {
    expect(ops.countNonzero([[0, 1, 2], [0, 0, 3]], 1).arraySync()).toEqual([2, 1]);
    expect(ops.countNonzero([[0, 1, 2], [0, 0, 3]]).arraySync()).toBe(3);
  });
  it("average with full-shape and 1-D weights", () => {
    expectAllclose(ops.average([1, 2, 3], 0, [3, 1, 0]), 1.25);
    expectAllclose(ops.average([[1, 2], [3, 4]], 1, [1, 3]), [1.75, 3.75]);
    expectAllclose(ops.average([[1, 2], [3, 4]], null, [[1, 0], [0, 1]]), 2.5);
    expectAllclose(ops.average([[1, 2], [3, 4]], 0), [2, 3]);
  });
  it("median and quantile match NumPy's linear interpolation", () => {
    const v = rand([3, 7], 6);
    const rows = [0, 1, 2].map((r) => Array.from(v.data.slice(r * 7, r * 7 + 7)).sort((a, b) => a - b));
    expectAllclose(ops.median(tensor(v), 1), rows.map((r) => r[3]!));
    expectAllclose(ops.quantile(tensor(v), [0.1, 0.5, 1], -1), [0.1, 0.5, 1].flatMap((q) => rows.map((r) => quantileSorted(r, q))), { rtol: 1e-6, atol: 1e-6 });
    expectAllclose(ops.median([3, 1, 2, 10]), 2.5);
    expectAllclose(ops.median([[1, 2], [3, 4]], null, true), [[2.5]]);
  });
  it("quantile methods", () => {
    const x = [1, 2, 3, 4];
    expectAllclose(ops.quantile(x, 0.4, null, "lower"), 2);
    expectAllclose(ops.quantile(x, 0.4, null, "higher"), 3);
    expectAllclose(ops.quantile(x, 0.4, null, "midpoint"), 2.5);
    expectAllclose(ops.quantile(x, 0.4, null, "nearest"), 2);
    expectAllclose(ops.quantile(x, 0.4, null, "linear"), 2.2, { rtol: 1e-6 });
  });
  it("quantile of a slice holding NaN is NaN", () => {
    expectAllclose(ops.median([[1, NaN, 3], [1, 2, 3]], 1), [NaN, 2]);
  });
});

describe("dtype", () => {
  const i = convertToTensor([[1, 2], [3, 4]], "int32");
  const b = convertToTensor([true, false, true], "bool");
  it.each([
    ["sum(int32)", () => ops.sum(i), "int32"],
    ["sum(bool)", () => ops.sum(b), "int32"],
    ["mean(int32)", () => ops.mean(i), "float32"],
    ["var(int32)", () => ops.var(i), "float32"],
    ["std(bool)", () => ops.std(b), "float32"],
    ["max(int32)", () => ops.max(i), "int32"],
    ["max(bool)", () => ops.max(b), "bool"],
    ["min(int32, initial=0.5)", () => ops.min(i, null, false, 0.5), "float32"],
    ["prod(int32)", () => ops.prod(i), "int32"],
    ["prod(bool)", () => ops.prod(b), "int32"],
    ["prod(int32, dtype=float32)", () => ops.prod(i, null, false, "float32"), "float32"],
    ["all(int32)", () => ops.all(i), "bool"],
    ["any(float32)", () => ops.any([0.5]), "bool"],
    ["argmax(float32)", () => ops.argmax([0.5, 1]), "int32"],
    ["argmin(bool)", () => ops.argmin(b), "int32"],
    ["cumsum(bool)", () => ops.cumsum(b), "int32"],
    ["cumsum(int32, dtype=float32)", () => ops.cumsum(i, 0, "float32"), "float32"],
    ["cumprod(int32)", () => ops.cumprod(i), "int32"],
    ["countNonzero(float32)", () => ops.countNonzero([0.5]), "int32"],
    ["average(int32)", () => ops.average(i), "float32"],
    ["median(int32)", () => ops.median(i), "float32"],
    ["quantile(int32)", () => ops.quantile(i, 0.5), "float32"],
  ] as [string, () => Tensor, string][])("%s -> %s", (_n, make, want) => {
    expect(make().dtype).toBe(want);
  });
  it("int32 sums and products are exact", () => {
    expect(ops.sum(i, 0).arraySync()).toEqual([4, 6]);
    expect(ops.prod(i).arraySync()).toBe(24);
    expect(ops.cumprod(i, 1).arraySync()).toEqual([[1, 2], [3, 12]]);
  });
});

describe("gradient", () => {
  // Distinct values 0.04 apart (a shuffled ramp), so max/min have no near-ties within eps.
  const order = Array.from(rand([24], 41).data).map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
  const x = nd(order.map(([, i]) => 0.5 + 0.04 * i), [2, 3, 4]);
  for (const axis of [null, 1, [0, 2]] as Axis[])
    it.each(REDUCTIONS)(`%s axis=${JSON.stringify(axis)}`, (_n, op, ref) => {
      checkGrad((t) => op(t, axis, true), (u: Nd) => ref(u, allAxes(u, axis), true), [x]);
    });
  it("max and min split the gradient between ties (the Max/Min rule)", () => {
    const t = tensor([1, 3, 3], [3]);
    expectAllclose(grad((u: Tensor) => ops.max(u))(t) as Tensor, [0, 0.5, 0.5]);
    expectAllclose(grad((u: Tensor) => ops.min(u, 0, false, 2))(t) as Tensor, [1, 0, 0]);
  });
  it("cumsum", () => {
    const y = rand([3, 4], 42);
    checkGrad((t) => ops.cumsum(t, 1), (u: Nd) => scanRef(u, 1, (p, q) => p + q), [y]);
    checkGrad((t) => ops.cumsum(t), (u: Nd) => scanRef(nd(u.data, [u.size]), 0, (p, q) => p + q), [y]);
  });
  it("cumprod, including a zero", () => {
    const y = rand([3, 5], 43, 0.5, 1.5);
    y.data[7] = 0;
    checkGrad((t) => ops.cumprod(t, 1), (u: Nd) => scanRef(u, 1, (p, q) => p * q), [y]);
    checkGrad((t) => ops.cumprod(t, 0), (u: Nd) => scanRef(u, 0, (p, q) => p * q), [y]);
  });
  it("average with weights (both arguments)", () => {
    const v = rand([3, 4], 44);
    const w = rand([4], 45, 0.5, 1.5);
    checkGrad(
      (a, b) => ops.average(a, 1, b),
      (a: Nd, b: Nd) => zip([sumAx(zip([a, b], (p, q) => p * q), [1]), sumAx(b, [0])], (p, q) => p / q),
      [v, w],
    );
  });
  it("median and quantile (through sort)", () => {
    const v = rand([2, 5], 46);
    const med = (u: Nd) => {
      const out: number[] = [];
      for (let r = 0; r < 2; r++) out.push(quantileSorted(Array.from(u.data.slice(r * 5, r * 5 + 5)).sort((a, b) => a - b), 0.3));
      return nd(out, [2]);
    };
    checkGrad((t) => ops.quantile(t, 0.3, 1), med, [v]);
  });
});

describe("errors", () => {
  it.each(REDUCTIONS)("%s: axis out of range", (name, op) => {
    expectOpError(() => op(tensor(rand([2, 3], 1)), 2, false), name);
    expectOpError(() => op(tensor(rand([2, 3], 1)), [0, 0], false), name);
  });
  it.each([
    ["argmax", () => ops.argmax([[1, 2]], 2)],
    ["argmin", () => ops.argmin([[1, 2]], -3)],
    ["cumsum", () => ops.cumsum([[1, 2]], 2)],
    ["cumprod", () => ops.cumprod([[1, 2]], 5)],
    ["all", () => ops.all([[1, 2]], 3)],
    ["quantile", () => ops.quantile([1, 2], 1.5)],
    ["quantile", () => ops.quantile([1, 2], 0.5, null, "bogus" as never)],
    ["average", () => ops.average([[1, 2]], null, [1, 2, 3])],
    ["average", () => ops.average([[1, 2]], 1, [1, 2, 3])],
  ] as [string, () => unknown][])("%s", (name, f) => expectOpError(f, name));
  it("symbolic: a bad axis fails at the call", () => {
    expectOpError(() => ops.sum(new KerasTensor([null, 3]), 2), "sum");
  });
});
