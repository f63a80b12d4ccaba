/**
 * Comparison, logical, classification and selection ops (comparison.ts).
 */
import { describe, expect, it } from "vitest";
import "../../src/index";
import * as ops from "../../src/ops/numpy/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolic, expectOpError, map, nd, rand, tensor, zip, type Nd } from "./numpy_reference";

type Bin = (a: Tensor, b: Tensor) => Tensor;

const COMPARE: [string, Bin, (a: number, b: number) => boolean][] = [
  ["equal", ops.equal, (a, b) => a === b],
  ["notEqual", ops.notEqual, (a, b) => a !== b],
  ["less", ops.less, (a, b) => a < b],
  ["lessEqual", ops.lessEqual, (a, b) => a <= b],
  ["greater", ops.greater, (a, b) => a > b],
  ["greaterEqual", ops.greaterEqual, (a, b) => a >= b],
  ["logicalAnd", ops.logicalAnd, (a, b) => a !== 0 && b !== 0],
  ["logicalOr", ops.logicalOr, (a, b) => a !== 0 || b !== 0],
  ["logicalXor", ops.logicalXor, (a, b) => (a !== 0) !== (b !== 0)],
  ["isclose", (a, b) => ops.isclose(a, b), (a, b) => Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b)],
];

/** Small integers so that ties and zeros occur. */
const ints = (shape: number[], seed: number): Nd => map(rand(shape, seed, -2, 2), Math.round);

describe("symbolic shape (unknown batch)", () => {
  it.each(COMPARE)("%s", (_n, op) => {
    checkSymbolic((a, b) => op(a as Tensor, b as Tensor), [[null, 3], [3]], [null, 3], [tensor(ints([2, 3], 1)), tensor(ints([3], 2))]);
  });
  it.each([
    ["isnan", ops.isnan],
    ["isinf", ops.isinf],
    ["isfinite", ops.isfinite],
    ["logicalNot", ops.logicalNot],
  ] as [string, (x: Tensor) => Tensor][])("%s", (_n, op) => {
    checkSymbolic((a) => op(a as Tensor), [[null, 3]], [null, 3], [tensor(ints([2, 3], 3))]);
  });
  it("where", () => {
    checkSymbolic(
      (c, a, b) => ops.where(c as Tensor, a as Tensor, b as Tensor),
      [[null, 1], [3], [null, 3]],
      [null, 3],
      [tensor([1, 0], [2, 1], "bool"), tensor(rand([3], 4)), tensor(rand([2, 3], 5))],
    );
  });
  it("select", () => {
    const y = ops.select([new KerasTensor([null, 3], "bool")], [new KerasTensor([null, 3])], 0);
    expect([...y.shape]).toEqual([null, 3]);
  });
});

describe("static shape", () => {
  it.each(COMPARE)("%s broadcasts (2, 1) with (1, 4)", (_n, op) => {
    expect([...op(tensor(ints([2, 1], 1)), tensor(ints([1, 4], 2))).shape]).toEqual([2, 4]);
  });
});

describe("values", () => {
  it.each(COMPARE)("%s", (_n, op, ref) => {
    const a = ints([4, 5], 7);
    const b = ints([5], 8);
    const y = op(tensor(a), tensor(b));
    expect(y.dtype).toBe("bool");
    expectAllclose(y, zip([a, b], (p, q) => (ref(p, q) ? 1 : 0)).data);
  });
  it("isnan, isinf, isfinite", () => {
    const x = [NaN, Infinity, -Infinity, 0, 1.5];
    expect(ops.isnan(x).arraySync()).toEqual([true, false, false, false, false]);
    expect(ops.isinf(x).arraySync()).toEqual([false, true, true, false, false]);
    expect(ops.isfinite(x).arraySync()).toEqual([false, false, false, true, true]);
    expect(ops.isnan([1, 2]).arraySync()).toEqual([false, false]);
    expect(ops.isfinite([1, 2]).arraySync()).toEqual([true, true]);
  });
  it("isclose with infinities, NaN and tolerances", () => {
    expect(ops.isclose([Infinity, Infinity, 1, NaN], [Infinity, 1, Infinity, NaN]).arraySync()).toEqual([true, false, false, false]);
    expect(ops.isclose([NaN], [NaN], 1e-5, 1e-8, true).arraySync()).toEqual([true]);
    expect(ops.isclose([1, 1.05], [1.1, 1.1], 0.1).arraySync()).toEqual([true, true]);
  });
  it("logicalNot treats non-zero as true", () => {
    expect(ops.logicalNot([0, 2, -1]).arraySync()).toEqual([true, false, false]);
  });
  it("where with three arguments broadcasts", () => {
    expectAllclose(ops.where([[true], [false]], [1, 2], [10, 20]), [[1, 2], [10, 20]]);
    expectAllclose(ops.where([1, 0, 2], 5, -5), [5, -5, 5]);
  });
  it("where with one argument is nonzero", () => {
    const [r, c] = ops.where([[0, 1], [1, 1]]);
    expect(r!.arraySync()).toEqual([0, 1, 1]);
    expect(c!.arraySync()).toEqual([1, 0, 1]);
  });
  it("select picks the first true condition", () => {
    const x = convertToTensor([-2, 0, 3, 8]);
    expectAllclose(ops.select([ops.less(x, 0), ops.greater(x, 5)], [ops.negative(x), 5], -1), [2, -1, -1, 5]);
  });
});

describe("dtype", () => {
  it.each([
    ["equal(int32, float32)", () => ops.equal(convertToTensor([1], "int32"), [1.5]), "bool"],
    ["less(int32, 1.5)", () => ops.less(convertToTensor([1], "int32"), 1.5), "bool"],
    ["logicalAnd(float32, int32)", () => ops.logicalAnd([1.5], [0]), "bool"],
    ["isnan(int32)", () => ops.isnan([1]), "bool"],
    ["where(bool, int32, float32)", () => ops.where([true], convertToTensor([1], "int32"), [2.5]), "float32"],
    ["where(bool, int32, 1)", () => ops.where([true], convertToTensor([1], "int32"), 1), "int32"],
    ["where(bool, int32, 1.5)", () => ops.where([true], convertToTensor([1], "int32"), 1.5), "float32"],
    ["select(int32 choices, 0.5)", () => ops.select([[true]], [convertToTensor([1], "int32")], 0.5), "float32"],
  ] as [string, () => Tensor, string][])("%s -> %s", (_n, make, want) => {
    expect(make().dtype).toBe(want);
  });
});

describe("gradient", () => {
  it("where with broadcasting condition and branches", () => {
    const cond = tensor([1, 0, 0, 1, 1, 0], [2, 3], "bool");
    const c = nd([1, 0, 0, 1, 1, 0], [2, 3]);
    checkGrad((a, b) => ops.where(cond, a, b), (a: Nd, b: Nd) => zip([c, a, b], (k, p, q) => (k ? p : q)), [rand([2, 3], 31), rand([3], 32)]);
  });
});

describe("errors", () => {
  it.each(COMPARE)("%s: shapes that do not broadcast", (name, op) => {
    expectOpError(() => op(tensor(rand([2, 3], 1)), tensor(rand([2], 2))), name);
  });
  it("where: shapes that do not broadcast", () => {
    expectOpError(() => ops.where(tensor([1, 0], [2], "bool"), tensor(rand([3], 1)), 0), "where");
  });
  it("where with only one branch", () => {
    expectOpError(() => (ops.where as (...a: unknown[]) => unknown)([true], [1]), "where");
  });
  it("select with mismatched lists", () => {
    expectOpError(() => ops.select([[true]], []), "select");
  });
});
