/**
 * Indexing (indexing.ts) and sorting (sorting.ts): take, takeAlongAxis, nonzero, bincount,
 * digitize, searchsorted, sort, argsort.
 */
import { describe, expect, it } from "vitest";
import "../../src/index";
import * as ops from "../../src/ops/numpy/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolic, expectOpError, gather, nd, rand, reshape, tensor, transpose, type Nd } from "./numpy_reference";

const X = rand([2, 3, 4], 1);
const x = tensor(X);
const int = (v: number[], shape?: number[]) => (shape ? tensor(v, shape, "int32") : convertToTensor(v, "int32"));

/** Sorts each row along the last axis (NaN last), float64. */
function sortRows(a: Nd): Nd {
  const n = a.shape[a.shape.length - 1]!;
  const out = new Float64Array(a.size);
  for (let r = 0; r < a.size / n; r++) {
    const row = Array.from(a.data.slice(r * n, r * n + n)).sort((p, q) => (Number.isNaN(p) ? 1 : Number.isNaN(q) ? -1 : p - q));
    out.set(row, r * n);
  }
  return nd(out, a.shape);
}

describe("symbolic shape (unknown batch), replayed on concrete tensors", () => {
  it.each([
    ["take (axis 1)", (t: Tensor) => ops.take(t, [[0, 2], [1, -1]], 1), [null, 2, 2, 4]],
    ["take (flattened)", (t: Tensor) => ops.take(t, [3, 0]), [2]],
    ["take (unknown axis)", (t: Tensor) => ops.take(t, [1], 0), [1, 3, 4]],
    ["takeAlongAxis", (t: Tensor) => ops.takeAlongAxis(t, int([2, 0, 1, 0], [1, 1, 4]), 1), [null, 1, 4]],
    ["sort", (t: Tensor) => ops.sort(t, 1), [null, 3, 4]],
    ["sort (unknown axis)", (t: Tensor) => ops.sort(t, 0), [null, 3, 4]],
    ["argsort", (t: Tensor) => ops.argsort(t), [null, 3, 4]],
    ["argsort (unknown axis)", (t: Tensor) => ops.argsort(t, 0), [null, 3, 4]],
    ["digitize", (t: Tensor) => ops.digitize(t, [-0.5, 0, 0.5]), [null, 3, 4]],
    ["searchsorted", (t: Tensor) => ops.searchsorted([-0.5, 0, 0.5], t, "right"), [null, 3, 4]],
  ] as [string, (t: Tensor) => Tensor, (number | null)[]][])("%s", (_n, f, want) => {
    checkSymbolic((t) => f(t as Tensor), [[null, 3, 4]], want, [x]);
  });
  it("take with symbolic indices of unknown length", () => {
    checkSymbolic((t, i) => ops.take(t as Tensor, i as Tensor, 2), [[2, 3, 4], [null]], [2, 3, null], [x, int([3, -4, 1])]);
  });
  it("takeAlongAxis with symbolic indices", () => {
    checkSymbolic(
      (t, i) => ops.takeAlongAxis(t as Tensor, i as Tensor, -1),
      [[null, 3, 4], [null, 3, 2]],
      [null, 3, 2],
      [x, int([0, 1, 3, 2, 1, 1, 0, 0, 3, 3, 2, 1], [2, 3, 2])],
    );
  });
  it("nonzero and bincount refuse symbolic inputs", () => {
    expectOpError(() => ops.nonzero(new KerasTensor([null, 3])), "nonzero");
    expectOpError(() => ops.bincount(new KerasTensor([null], "int32")), "bincount");
  });
});

describe("values", () => {
  it("take along each axis, with negative indices", () => {
    const idx = [[2, -1], [0, 1]];
    const flatIdx = idx.flat().map((v) => (v < 0 ? v + 4 : v));
    expectAllclose(ops.take(x, idx, -1), gather(X, [2, 3, 2, 2], (i) => [i[0]!, i[1]!, flatIdx[i[2]! * 2 + i[3]!]!]).data);
    expectAllclose(ops.take(x, [1, 0, 1], 0), gather(X, [3, 3, 4], (i) => [[1, 0, 1][i[0]!]!, i[1]!, i[2]!]).data);
    expectAllclose(ops.take(x, 5), X.data[5]!);
    expectAllclose(ops.take(x, [-1]), [X.data[23]!]);
    expectAllclose(ops.take([[1, 2], [3, 4]], [1, -1], 1), [2, 2, 4, 4]);
  });
  it("take clamps out-of-range indices", () => {
    expectAllclose(ops.take([1, 2, 3], [5]), [3]);
  });
  it("takeAlongAxis with broadcasting and negative indices", () => {
    const idx = int([2, 0, -1, 1], [1, 1, 4]);
    expectAllclose(ops.takeAlongAxis(x, idx, 1), gather(X, [2, 1, 4], (i) => [i[0]!, [2, 0, 2, 1][i[2]!]!, i[2]!]).data);
    expectAllclose(ops.takeAlongAxis([[10, 30, 20], [1, 3, 2]], [[2, 0]], 1), [20, 10, 2, 1]);
    expectAllclose(ops.takeAlongAxis([[10, 30], [1, 3]], [3, 0, 1]), [3, 10, 30]);
  });
  it("sort and argsort along each axis; NaN last; stable", () => {
    for (const axis of [0, 1, 2, -1]) {
      const a = axis < 0 ? axis + 3 : axis;
      const perm = [0, 1, 2].filter((i) => i !== a).concat([a]);
      const inv = perm.map((_, i) => perm.indexOf(i));
      expectAllclose(ops.sort(x, axis), transpose(sortRows(transpose(X, perm)), inv).data);
      const order = ops.argsort(x, axis);
      expectAllclose(ops.takeAlongAxis(x, order, axis), ops.sort(x, axis));
    }
    expectAllclose(ops.sort([3, NaN, 1, 2]), [1, 2, 3, NaN]);
    expect(ops.argsort([2, 1, 2, 1]).arraySync()).toEqual([1, 3, 0, 2]);
    expect(ops.argsort([[3, 1], [2, 4]], null).arraySync()).toEqual([1, 2, 0, 3]);
    expectAllclose(ops.sort([[3, 1], [2, 4]], null), [1, 2, 3, 4]);
    expect(ops.sort([true, false, true]).arraySync()).toEqual([false, true, true]);
    expect(ops.sort(convertToTensor([3, -1, 2], "int32")).arraySync()).toEqual([-1, 2, 3]);
  });
  it("nonzero", () => {
    const [r, c] = ops.nonzero([[0, 1.5], [NaN, 0]]);
    expect(r!.arraySync()).toEqual([0, 1]);
    expect(c!.arraySync()).toEqual([1, 0]);
    expect(ops.nonzero([0, 0])[0]!.shape).toEqual([0]);
  });
  it("bincount (1-D, 2-D, weights, minlength)", () => {
    expect(ops.bincount([0, 1, 1, 3]).arraySync()).toEqual([1, 2, 0, 1]);
    expect(ops.bincount([1, 1], null, 4).arraySync()).toEqual([0, 2, 0, 0]);
    expectAllclose(ops.bincount([0, 2, 2], [0.5, 1, 2]), [0.5, 0, 3]);
    expect(ops.bincount([[0, 1], [2, 2]]).arraySync()).toEqual([[1, 1, 0], [0, 0, 2]]);
  });
  it("digitize and searchsorted", () => {
    expect(ops.digitize([0.5, 1, 2.5, 3, 7], [1, 2, 3]).arraySync()).toEqual([0, 1, 2, 3, 3]);
    expect(ops.searchsorted([1, 2, 2, 3], [2, 0, 5]).arraySync()).toEqual([1, 0, 4]);
    expect(ops.searchsorted([1, 2, 2, 3], [2, 0, 5], "right").arraySync()).toEqual([3, 0, 4]);
  });
});

describe("dtype", () => {
  it.each([
    ["take(int32)", () => ops.take(int([1, 2]), [0]), "int32"],
    ["take with float indices", () => ops.take([1.5, 2.5], [1.0]), "float32"],
    ["takeAlongAxis(bool)", () => ops.takeAlongAxis([true, false], [1], 0), "bool"],
    ["argsort", () => ops.argsort([1.5, 0.5]), "int32"],
    ["sort(int32)", () => ops.sort(int([2, 1])), "int32"],
    ["nonzero", () => ops.nonzero([1, 0])[0]!, "int32"],
    ["bincount", () => ops.bincount([1, 0]), "int32"],
    ["bincount(float weights)", () => ops.bincount([1, 0], [0.5, 1]), "float32"],
    ["digitize", () => ops.digitize([0.5], [1]), "int32"],
    ["searchsorted", () => ops.searchsorted([1, 2], [1.5]), "int32"],
  ] as [string, () => Tensor, string][])("%s -> %s", (_n, make, want) => {
    expect(make().dtype).toBe(want);
  });
});

describe("gradient", () => {
  it("take (repeated indices accumulate)", () => {
    checkGrad((t) => ops.take(t, [[2, 2], [-1, 0]], 1), (u: Nd) => gather(u, [2, 2, 2, 4], (i) => [i[0]!, [2, 2, 2, 0][i[1]! * 2 + i[2]!]!, i[3]!]), [X]);
    checkGrad((t) => ops.take(t, [7, 7, 0]), (u: Nd) => gather(reshape(u, [24]), [3], (i) => [[7, 7, 0][i[0]!]!]), [X]);
  });
  it("takeAlongAxis", () => {
    const idx = [3, 3, 0, 1, 2, 0];
    checkGrad(
      (t) => ops.takeAlongAxis(t, int(idx, [1, 3, 2]), 2),
      (u: Nd) => gather(u, [2, 3, 2], (i) => [i[0]!, i[1]!, idx[i[1]! * 2 + i[2]!]!]),
      [X],
    );
  });
  it("sort", () => {
    checkGrad((t) => ops.sort(t, 1), (u: Nd) => transpose(sortRows(transpose(u, [0, 2, 1])), [0, 2, 1]), [X]);
  });
  it("bincount in its weights", () => {
    checkGrad((w) => ops.bincount([0, 2, 2, 1], w), (w: Nd) => nd([w.data[0]!, w.data[3]!, w.data[1]! + w.data[2]!], [3]), [rand([4], 3)]);
  });
});

describe("errors", () => {
  it.each([
    ["take", () => ops.take(x, [0], 3)],
    ["take", () => ops.take(5, [0], 0)],
    ["takeAlongAxis", () => ops.takeAlongAxis(x, int([0], [1]), 0)],
    ["takeAlongAxis", () => ops.takeAlongAxis(x, int([0, 0, 0, 0, 0, 0], [3, 2, 1]), 2)],
    ["sort", () => ops.sort(x, 3)],
    ["argsort", () => ops.argsort(x, -4)],
    ["bincount", () => ops.bincount([-1, 2])],
    ["bincount", () => ops.bincount([1, 2], [1])],
    ["digitize", () => ops.digitize([1], [[1, 2]])],
    ["searchsorted", () => ops.searchsorted([[1, 2]], [1])],
  ] as [string, () => unknown][])("%s", (name, f) => expectOpError(f, name));
});
