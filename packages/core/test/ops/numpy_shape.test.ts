/**
 * Shape manipulation (shape.ts): symbolic shapes with an unknown batch (and their replay on
 * concrete tensors), values against index-mapped float64 references, gradients, errors.
 */
import { describe, expect, it } from "vitest";
import "../../src/index";
import * as ops from "../../src/ops/numpy/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import {
  checkGrad,
  checkSymbolic,
  concat,
  expectOpError,
  gather,
  nd,
  rand,
  reshape,
  sumAx,
  tensor,
  transpose,
  type Nd,
} from "./numpy_reference";

const X = rand([2, 3, 4], 1);
const x = tensor(X);
const setAt = (idx: number[], axis: number, v: number) => idx.map((u, i) => (i === axis ? v : u));

/** Reference pads along one axis: source index for output index i (null: constant). */
function padSrc(mode: string, n: number, b: number): (i: number) => number | null {
  return (i) => {
    const j = i - b;
    if (j >= 0 && j < n) return j;
    switch (mode) {
      case "constant":
        return null;
      case "edge":
        return j < 0 ? 0 : n - 1;
      case "reflect":
        return j < 0 ? -j : 2 * (n - 1) - j;
      case "symmetric":
        return j < 0 ? -j - 1 : 2 * n - 1 - j;
      default:
        return ((j % n) + n) % n;
    }
  };
}
function padRef(a: Nd, widths: [number, number][], mode: string, value = 0): Nd {
  const out = a.shape.map((d, i) => d + widths[i]![0] + widths[i]![1]);
  const srcs = a.shape.map((d, i) => padSrc(mode, d, widths[i]![0]));
  return gather(
    a,
    out,
    (idx) => {
      const s = idx.map((v, i) => srcs[i]!(v));
      return s.some((v) => v === null) ? null : (s as number[]);
    },
    value,
  );
}

describe("symbolic shape (unknown batch), replayed on concrete tensors", () => {
  const cases: [string, (t: Tensor) => Tensor | Tensor[], (number | null)[] | (number | null)[][]][] = [
    ["reshape", (t) => ops.reshape(t, [-1, 12]), [null, 12]],
    ["reshape (known target)", (t) => ops.reshape(t, [3, 4, 2]), [3, 4, 2]],
    ["transpose", (t) => ops.transpose(t), [4, 3, null]],
    ["transpose (axes)", (t) => ops.transpose(t, [0, 2, 1]), [null, 4, 3]],
    ["expandDims", (t) => ops.expandDims(t, [1, -1]), [null, 1, 3, 4, 1]],
    ["squeeze", (t) => ops.squeeze(ops.expandDims(t, 2), 2), [null, 3, 4]],
    ["ravel", (t) => ops.ravel(t), [null]],
    ["broadcastTo", (t) => ops.broadcastTo(ops.sum(t, 0), [5, 3, 4]), [5, 3, 4]],
    ["concatenate", (t) => ops.concatenate([t, t], -1), [null, 3, 8]],
    ["concatenate (unknown axis)", (t) => ops.concatenate([t, t], 0), [null, 3, 4]],
    ["stack", (t) => ops.stack([t, t], 1), [null, 2, 3, 4]],
    ["split", (t) => ops.split(t, 2, -1), [[null, 3, 2], [null, 3, 2]]],
    ["split (indices)", (t) => ops.split(t, [1], 1), [[null, 1, 4], [null, 2, 4]]],
    ["split (unknown axis)", (t) => ops.split(t, 2, 0), [[null, 3, 4], [null, 3, 4]]],
    ["arraySplit", (t) => ops.arraySplit(t, 3, 2), [[null, 3, 2], [null, 3, 1], [null, 3, 1]]],
    ["tile", (t) => ops.tile(t, [2, 1, 3]), [null, 3, 12]],
    ["tile (more reps than dims)", (t) => ops.tile(t, [2, 1, 1, 1]), [2, null, 3, 4]],
    ["repeat", (t) => ops.repeat(t, 2, 1), [null, 6, 4]],
    ["repeat (unknown axis)", (t) => ops.repeat(t, 3, 0), [null, 3, 4]],
    ["repeat (counts)", (t) => ops.repeat(t, [1, 0, 2], 1), [null, 3, 4]],
    ["pad constant", (t) => ops.pad(t, [[0, 0], [1, 2], [0, 1]], "constant", 5), [null, 6, 5]],
    ["pad reflect", (t) => ops.pad(t, [[0, 0], [1, 2], [0, 1]], "reflect"), [null, 6, 5]],
    ["flip", (t) => ops.flip(t, [1, 2]), [null, 3, 4]],
    ["flip (all, unknown axis)", (t) => ops.flip(t), [null, 3, 4]],
    ["roll", (t) => ops.roll(t, 1, -1), [null, 3, 4]],
    ["roll (flattened)", (t) => ops.roll(t, 5), [null, 3, 4]],
    ["swapaxes", (t) => ops.swapaxes(t, 0, 2), [4, 3, null]],
    ["moveaxis", (t) => ops.moveaxis(t, 0, -1), [3, 4, null]],
    ["tril", (t) => ops.tril(t, 1), [null, 3, 4]],
    ["triu", (t) => ops.triu(t, -1), [null, 3, 4]],
    ["diagonal", (t) => ops.diagonal(t, 0, 1, 2), [null, 3]],
    ["diagonal (unknown axis)", (t) => ops.diagonal(t, 1), [4, null]],
    ["trace", (t) => ops.trace(t, 0, 1, 2), [null]],
    ["hstack", (t) => ops.hstack([t, t]), [null, 6, 4]],
    ["vstack", (t) => ops.vstack([t, t]), [null, 3, 4]],
    ["append", (t) => ops.append(t, t, 2), [null, 3, 8]],
    ["rot90", (t) => ops.rot90(t, 1, [1, 2]), [null, 4, 3]],
    ["diff", (t) => ops.diff(t, 2, 2), [null, 3, 2]],
  ];
  it.each(cases)("%s", (_n, f, want) => {
    checkSymbolic((t) => f(t as Tensor) as never, [[null, 3, 4]], want, [x]);
  });
  it("meshgrid", () => {
    checkSymbolic((a, b) => ops.meshgrid(a as Tensor, b as Tensor) as never, [[null], [3]], [[3, null], [3, null]], [
      tensor([1, 2], [2]),
      tensor([3, 4, 5], [3]),
    ]);
  });
  it("two unknown dims", () => {
    checkSymbolic((t) => ops.mean(ops.reshape(t, [-1, 4]), 0, true), [[null, null, 4]], [1, 4], [x]);
    checkSymbolic((t) => ops.expandDims(t, -1), [[null, null, 4]], [null, null, 4, 1], [x]);
    checkSymbolic((t) => ops.tile(t, [1, 2, 1]), [[null, null, 4]], [null, null, 4], [x]);
  });
  it("ndim", () => {
    expect(ops.ndim(new KerasTensor([null, 3]))).toBe(2);
  });
});

describe("static shape", () => {
  it.each([
    ["reshape", () => ops.reshape(x, [4, -1]), [4, 6]],
    ["reshape of a scalar", () => ops.reshape(5, [1, 1]), [1, 1]],
    ["reshape to zero size", () => ops.reshape(convertToTensor([], "float32"), [0, 5]), [0, 5]],
    ["expandDims(0)", () => ops.expandDims(x, 0), [1, 2, 3, 4]],
    ["squeeze (all)", () => ops.squeeze(ops.reshape(x, [1, 2, 1, 12])), [2, 12]],
    ["ravel", () => ops.ravel(x), [24]],
    ["tile (int)", () => ops.tile(x, 2), [2, 3, 8]],
    ["repeat (flattened)", () => ops.repeat(x, 2), [48]],
    ["pad (int)", () => ops.pad(x, 1), [4, 5, 6]],
    ["pad (pair)", () => ops.pad(x, [1, 2]), [5, 6, 7]],
    ["diag of a matrix", () => ops.diag(ops.reshape(x, [4, 6]), 2), [4]],
    ["diag of a vector", () => ops.diag([1, 2, 3], -1), [4, 4]],
    ["hstack of vectors", () => ops.hstack([[1, 2], [3]]), [3]],
    ["vstack of vectors", () => ops.vstack([[1, 2], [3, 4]]), [2, 2]],
    ["meshgrid ij", () => ops.meshgrid([1, 2], [3, 4, 5], { indexing: "ij" })[0]!, [2, 3]],
    ["meshgrid xy (3 inputs)", () => ops.meshgrid([1, 2], [3, 4, 5], [6])[0]!, [3, 2, 1]],
    ["split into empty pieces", () => ops.split(x, [5], 1)[1]!, [2, 0, 4]],
  ] as [string, () => Tensor, number[]][])("%s", (_n, f, want) => {
    expect([...f().shape]).toEqual(want);
  });
});

describe("values", () => {
  it("reshape, transpose, expandDims, squeeze, ravel, swapaxes, moveaxis", () => {
    expectAllclose(ops.reshape(x, [6, -1]), X.data);
    expectAllclose(ops.transpose(x), transpose(X, [2, 1, 0]).data);
    expectAllclose(ops.transpose(x, [1, -1, 0]), transpose(X, [1, 2, 0]).data);
    expectAllclose(ops.expandDims(x, 1), X.data);
    expectAllclose(ops.ravel(x), X.data);
    expectAllclose(ops.swapaxes(x, 0, 2), transpose(X, [2, 1, 0]).data);
    expectAllclose(ops.moveaxis(x, [0, 1], [-1, -2]), transpose(X, [2, 1, 0]).data);
    expectAllclose(ops.moveaxis(x, 2, 0), transpose(X, [2, 0, 1]).data);
  });
  it("broadcastTo", () => {
    expectAllclose(ops.broadcastTo([1, 2, 3], [2, 3]), [1, 2, 3, 1, 2, 3]);
    expectAllclose(ops.broadcastTo([[1], [2]], [2, 2, 3]), [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
  });
  it("concatenate, stack, hstack, vstack, append", () => {
    const Y = rand([2, 3, 2], 2);
    expectAllclose(ops.concatenate([x, tensor(Y)], 2), concat([X, Y], 2).data);
    expectAllclose(ops.concatenate([[1, 2], [[3, 4]]], null), [1, 2, 3, 4]);
    expectAllclose(ops.stack([x, x], -1), concat([reshape(X, [2, 3, 4, 1]), reshape(X, [2, 3, 4, 1])], 3).data);
    expectAllclose(ops.hstack([[[1], [2]], [[3], [4]]]), [1, 3, 2, 4]);
    expectAllclose(ops.vstack([1, [2]]), [1, 2]);
    expectAllclose(ops.append([[1, 2]], [[3, 4]], 0), [1, 2, 3, 4]);
    expectAllclose(ops.append([[1, 2]], [3]), [1, 2, 3]);
  });
  it("split and arraySplit", () => {
    const parts = ops.split(x, [1, -1], 2);
    expect(parts.map((p) => [...p.shape])).toEqual([[2, 3, 1], [2, 3, 2], [2, 3, 1]]);
    expectAllclose(ops.concatenate(parts, 2), X.data);
    expectAllclose(ops.arraySplit([1, 2, 3, 4, 5], 3)[0]!, [1, 2]);
    expect(ops.arraySplit([1, 2, 3, 4, 5], 3).map((p) => p.arraySync())).toEqual([[1, 2], [3, 4], [5]]);
  });
  it("tile and repeat", () => {
    expectAllclose(ops.tile([1, 2], [2, 2]), [1, 2, 1, 2, 1, 2, 1, 2]);
    expectAllclose(ops.tile(x, [2, 1, 3]), gather(X, [4, 3, 12], (i) => [i[0]! % 2, i[1]!, i[2]! % 4]).data);
    expectAllclose(ops.tile(x, [0, 1, 1]), []);
    expectAllclose(ops.repeat(x, 2, 1), gather(X, [2, 6, 4], (i) => setAt(i, 1, Math.floor(i[1]! / 2))).data);
    expectAllclose(ops.repeat([[1, 2], [3, 4]], [1, 2], 0), [1, 2, 3, 4, 3, 4]);
    expectAllclose(ops.repeat([1, 2], convertToTensor([0, 3], "int32")), [2, 2, 2]);
  });
  it.each(["constant", "edge", "reflect", "symmetric", "wrap"] as const)("pad %s", (mode) => {
    const widths: [number, number][] = [
      [1, 0],
      [2, 1],
      [0, 3],
    ];
    const y = ops.pad(x, widths, mode, mode === "constant" ? 7 : null);
    const want = padRef(X, widths, mode, 7);
    expect([...y.shape]).toEqual(want.shape);
    expectAllclose(y, want.data);
  });
  it("flip, roll, rot90", () => {
    expectAllclose(ops.flip(x, 1), gather(X, X.shape, (i) => setAt(i, 1, 2 - i[1]!)).data);
    expectAllclose(ops.flip(x), gather(X, X.shape, (i) => [1 - i[0]!, 2 - i[1]!, 3 - i[2]!]).data);
    expectAllclose(ops.roll(x, [1, -5], [2, 1]), gather(X, X.shape, (i) => [i[0]!, (i[1]! + 5) % 3, (i[2]! + 3) % 4]).data);
    expectAllclose(ops.roll([1, 2, 3, 4], 1), [4, 1, 2, 3]);
    expectAllclose(ops.roll([[1, 2], [3, 4]], -1), [2, 3, 4, 1]);
    expectAllclose(ops.rot90([[1, 2], [3, 4]]), [2, 4, 1, 3]);
    expectAllclose(ops.rot90([[1, 2], [3, 4]], 2), [4, 3, 2, 1]);
    expectAllclose(ops.rot90([[1, 2], [3, 4]], -1), [3, 1, 4, 2]);
  });
  it("tril, triu", () => {
    for (const k of [-1, 0, 2]) {
      expectAllclose(ops.tril(x, k), gather(X, X.shape, (i) => (i[2]! - i[1]! <= k ? i : null)).data);
      expectAllclose(ops.triu(x, k), gather(X, X.shape, (i) => (i[2]! - i[1]! >= k ? i : null)).data);
    }
  });
  it("diag, diagonal, trace", () => {
    expectAllclose(ops.diag([1, 2], 1), [0, 1, 0, 0, 0, 2, 0, 0, 0]);
    expectAllclose(ops.diag([1, 2], -1), [0, 0, 0, 1, 0, 0, 0, 2, 0]);
    expectAllclose(ops.diag([[1, 2, 3], [4, 5, 6]], 1), [2, 6]);
    expectAllclose(ops.diagonal(x, 0, 1, 2), gather(X, [2, 3], (i) => [i[0]!, i[1]!, i[1]!]).data);
    expectAllclose(ops.diagonal(x, -1, 2, 1), gather(X, [2, 3], (i) => [i[0]!, i[1]!, i[1]! + 1]).data);
    expectAllclose(ops.diagonal(x, 1), gather(X, [4, 2], (i) => [i[1]!, i[1]! + 1, i[0]!]).data);
    expectAllclose(ops.diagonal(x, 5, 1, 2), []);
    expectAllclose(ops.trace(x, 1, 1, 2), [0, 1].map((b) => X.at([b, 0, 1]) + X.at([b, 1, 2]) + X.at([b, 2, 3])));
    expectAllclose(ops.trace([[1, 2], [3, 4]]), 5);
  });
  it("meshgrid xy and ij", () => {
    const [a, b] = ops.meshgrid([1, 2, 3], [4, 5]);
    expectAllclose(a!, [1, 2, 3, 1, 2, 3]);
    expectAllclose(b!, [4, 4, 4, 5, 5, 5]);
    const [c, d] = ops.meshgrid([1, 2, 3], [4, 5], { indexing: "ij" });
    expectAllclose(c!, [1, 1, 2, 2, 3, 3]);
    expectAllclose(d!, [4, 5, 4, 5, 4, 5]);
  });
  it("diff", () => {
    expectAllclose(ops.diff([1, 4, 9, 16]), [3, 5, 7]);
    expectAllclose(ops.diff([1, 4, 9, 16], 2), [2, 2]);
    expectAllclose(ops.diff([[1, 2], [4, 8]], 1, 0), [3, 6]);
    expect(ops.diff([true, false, false]).arraySync()).toEqual([true, false]);
  });
  it("dtypes are kept (and promoted by concatenate and stack)", () => {
    const i = convertToTensor([[1, 2]], "int32");
    expect(ops.reshape(i, [-1]).dtype).toBe("int32");
    expect(ops.concatenate([i, [[1.5, 2]]]).dtype).toBe("float32");
    expect(ops.stack([i, i]).dtype).toBe("int32");
    expect(ops.pad(i, 1).dtype).toBe("int32");
    expect(ops.tile(convertToTensor([true], "bool"), 2).dtype).toBe("bool");
    expect(ops.trace(convertToTensor([[true, false], [false, true]], "bool")).dtype).toBe("int32");
    expect(ops.trace(convertToTensor([[true, false], [false, true]], "bool")).arraySync()).toBe(2);
  });
});

describe("gradient", () => {
  const g = (f: (t: Tensor) => Tensor, ref: (u: Nd) => Nd) => checkGrad(f, ref, [X]);
  it("reshape", () => g((t) => ops.reshape(t, [4, -1]), (u) => reshape(u, [4, 6])));
  it("transpose", () => g((t) => ops.transpose(t, [1, 2, 0]), (u) => transpose(u, [1, 2, 0])));
  it("expandDims / squeeze", () => g((t) => ops.squeeze(ops.expandDims(t, [0, 2]), 0), (u) => reshape(u, [2, 1, 3, 4])));
  it("broadcastTo", () => g((t) => ops.broadcastTo(t, [2, 2, 3, 4]), (u) => concat([reshape(u, [1, 2, 3, 4]), reshape(u, [1, 2, 3, 4])], 0)));
  it("concatenate", () => {
    const Y = rand([2, 1, 4], 3);
    checkGrad((a, b) => ops.concatenate([a, b, a], 1), (a: Nd, b: Nd) => concat([a, b, a], 1), [X, Y]);
  });
  it("stack", () => {
    checkGrad(
      (a, b) => ops.stack([a, b], 1),
      (a: Nd, b: Nd) => concat([reshape(a, [2, 1, 3, 4]), reshape(b, [2, 1, 3, 4])], 1),
      [X, rand([2, 3, 4], 4)],
    );
  });
  it("split", () => {
    g(
      (t) => {
        const [a, b] = ops.split(t, [1], 1);
        return ops.concatenate([ops.multiply(a!, 2), ops.multiply(b!, 3)], 1);
      },
      (u) => nd(u.data.map((v, k) => v * (Math.floor(k / 4) % 3 === 0 ? 2 : 3)), u.shape),
    );
  });
  it("tile", () => g((t) => ops.tile(t, [2, 1, 3]), (u) => gather(u, [4, 3, 12], (i) => [i[0]! % 2, i[1]!, i[2]! % 4])));
  it("repeat (int and counts)", () => {
    g((t) => ops.repeat(t, 2, 2), (u) => gather(u, [2, 3, 8], (i) => setAt(i, 2, Math.floor(i[2]! / 2))));
    const src = [0, 0, 0, 2, 2];
    g((t) => ops.repeat(t, [3, 0, 2], 1), (u) => gather(u, [2, 5, 4], (i) => setAt(i, 1, src[i[1]!]!)));
  });
  it.each(["constant", "edge", "reflect", "symmetric", "wrap"])("pad %s", (mode) => {
    const widths: [number, number][] = [
      [0, 1],
      [2, 2],
      [3, 1],
    ];
    g((t) => ops.pad(t, widths, mode as never), (u) => padRef(u, widths, mode));
  });
  it("flip", () => g((t) => ops.flip(t, [0, 2]), (u) => gather(u, u.shape, (i) => [1 - i[0]!, i[1]!, 3 - i[2]!])));
  it("roll", () => g((t) => ops.roll(t, 3, 2), (u) => gather(u, u.shape, (i) => setAt(i, 2, (i[2]! + 1) % 4))));
  it("roll (flattened)", () => g((t) => ops.roll(t, 7), (u) => reshape(gather(reshape(u, [24]), [24], (i) => [(i[0]! + 17) % 24]), [2, 3, 4])));
  it("moveaxis", () => g((t) => ops.moveaxis(t, 0, 2), (u) => transpose(u, [1, 2, 0])));
  it("tril / triu", () => {
    g((t) => ops.tril(t, 1), (u) => gather(u, u.shape, (i) => (i[2]! - i[1]! <= 1 ? i : null)));
    g((t) => ops.triu(t), (u) => gather(u, u.shape, (i) => (i[2]! - i[1]! >= 0 ? i : null)));
  });
  it("diagonal / trace", () => {
    g((t) => ops.diagonal(t, 1, 2, 1), (u) => gather(u, [2, 2], (i) => [i[0]!, i[1]! + 1, i[1]!]));
    g((t) => ops.trace(t, 0, 1, 2), (u) => sumAx(gather(u, [2, 3], (i) => [i[0]!, i[1]!, i[1]!]), [1]));
  });
  it("diag of a vector", () => {
    checkGrad((t) => ops.diag(t, -1), (u: Nd) => gather(u, [4, 4], (i) => (i[0]! - i[1]! === 1 ? [i[1]!] : null)), [rand([3], 5)]);
  });
  it("diff", () => {
    // Second difference along the last axis: u[c + 2] - 2 u[c + 1] + u[c].
    const d2 = (u: Nd) => {
      const out: number[] = [];
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) out.push(u.at([a, b, c + 2]) - 2 * u.at([a, b, c + 1]) + u.at([a, b, c]));
      return nd(out, [2, 3, 2]);
    };
    g((t) => ops.diff(t, 2, 2), d2);
  });
});

describe("errors", () => {
  it.each([
    ["reshape", () => ops.reshape(x, [5, -1])],
    ["reshape", () => ops.reshape(x, [5, 5])],
    ["reshape", () => ops.reshape(x, [-1, -1])],
    ["transpose", () => ops.transpose(x, [0, 1])],
    ["transpose", () => ops.transpose(x, [0, 1, 1])],
    ["expandDims", () => ops.expandDims(x, 4)],
    ["squeeze", () => ops.squeeze(x, 1)],
    ["broadcastTo", () => ops.broadcastTo(x, [3, 3, 4])],
    ["broadcastTo", () => ops.broadcastTo(x, [3, 4])],
    ["concatenate", () => ops.concatenate([x, tensor(rand([2, 4, 4], 1))], 2)],
    ["concatenate", () => ops.concatenate([x, tensor(rand([2, 3], 1))], 0)],
    ["concatenate", () => ops.concatenate([x, x], 3)],
    ["concatenate", () => ops.concatenate([])],
    ["stack", () => ops.stack([x, tensor(rand([2, 3, 5], 1))])],
    ["split", () => ops.split(x, 3, 2)],
    ["split", () => ops.split(x, 0, 2)],
    ["tile", () => ops.tile(x, [-1])],
    ["repeat", () => ops.repeat(x, [1, 2], 1)],
    ["pad", () => ops.pad(x, [[1, 1], [1, 1]])],
    ["pad", () => ops.pad(x, -1)],
    ["pad", () => ops.pad(x, [[0, 0], [0, 0], [4, 0]], "reflect")],
    ["pad", () => ops.pad(x, 1, "bogus" as never)],
    ["flip", () => ops.flip(x, 3)],
    ["roll", () => ops.roll(x, [1, 2, 3], [0, 1])],
    ["roll", () => ops.roll(x, 1, 5)],
    ["swapaxes", () => ops.swapaxes(x, 0, 3)],
    ["moveaxis", () => ops.moveaxis(x, [0, 0], [1, 2])],
    ["tril", () => ops.tril([1, 2])],
    ["diagonal", () => ops.diagonal(x, 0, 1, 1)],
    ["diag", () => ops.diag(x)],
    ["meshgrid", () => ops.meshgrid([1], { indexing: "bogus" as never })],
    ["rot90", () => ops.rot90(x, 1, [0, 0])],
    ["diff", () => ops.diff(x, -1)],
  ] as [string, () => unknown][])("%s", (name, f) => expectOpError(f, name));
  it("symbolic: bad shapes fail at the call", () => {
    expectOpError(() => ops.concatenate([new KerasTensor([null, 3]), new KerasTensor([null, 4])], 0), "concatenate");
    expectOpError(() => ops.reshape(new KerasTensor([null, 3]), [-1, 4, -1]), "reshape");
  });
});
