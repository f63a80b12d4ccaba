/**
 * Linear algebra (linalg.ts): matmul with NumPy 1-D and batch-broadcasting semantics, dot family,
 * tensordot, einsum (parser and lowering, checked against a brute-force float64 einsum), cross,
 * norm.
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
  einsumRef,
  expectOpError,
  map,
  matmul,
  nd,
  rand,
  reduce,
  reshape,
  sumAx,
  tensor,
  zip,
  type Nd,
} from "./numpy_reference";

/** NumPy matmul reference: 1-D operands promoted and the added dims removed. */
function matmulRef(a: Nd, b: Nd): Nd {
  const A = a.shape.length === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const B = b.shape.length === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const y = matmul(A, B);
  const s = [...y.shape];
  if (b.shape.length === 1) s.splice(s.length - 1, 1);
  if (a.shape.length === 1) s.splice(s.length - (b.shape.length === 1 ? 1 : 2), 1);
  return reshape(y, s);
}

const MATMUL_SHAPES: [number[], number[]][] = [
  [[3], [3]],
  [[3], [3, 4]],
  [[2, 3], [3]],
  [[2, 3], [3, 4]],
  [[5, 2, 3], [3, 4]],
  [[3], [5, 3, 4]],
  [[5, 2, 3], [3]],
  [[2, 1, 2, 3], [5, 3, 4]],
  [[5, 2, 3], [5, 3, 4]],
];

/** einsum cases: subscripts, operand shapes, explicit form for the reference. */
const EINSUM: [string, number[][], string][] = [
  ["ij,jk->ik", [[2, 3], [3, 4]], "ij,jk->ik"],
  ["ij,jk", [[2, 3], [3, 4]], "ij,jk->ik"],
  ["bij,bjk->bik", [[2, 3, 4], [2, 4, 5]], "bij,bjk->bik"],
  ["bhqd,bhkd->bhqk", [[2, 2, 3, 4], [2, 2, 5, 4]], "bhqd,bhkd->bhqk"],
  ["abc,cd->abd", [[2, 3, 4], [4, 5]], "abc,cd->abd"],
  ["ji,jk->ik (transposed first operand)", [[3, 2], [3, 4]], "ji,jk->ik"],
  ["ij,kj->ik (transposed second operand)", [[2, 3], [4, 3]], "ij,kj->ik"],
  ["ij->ji", [[2, 3]], "ij->ji"],
  ["ij->", [[2, 3]], "ij->"],
  ["ij->j", [[2, 3]], "ij->j"],
  ["ii->i", [[3, 3]], "ii->i"],
  ["ii", [[3, 3]], "ii->"],
  ["i,i->", [[4], [4]], "i,i->"],
  ["i,j->ij", [[2], [3]], "i,j->ij"],
  ["ij,ij->ij", [[2, 3], [2, 3]], "ij,ij->ij"],
  ["ij,jk,kl->il", [[2, 3], [3, 4], [4, 2]], "ij,jk,kl->il"],
  ["ab,bc,ca->", [[2, 3], [3, 4], [4, 2]], "ab,bc,ca->"],
  ["bi,bj->bij", [[2, 3], [2, 4]], "bi,bj->bij"],
  ["ijk,jil->kl", [[2, 3, 4], [3, 2, 5]], "ijk,jil->kl"],
  ["iij,jk->ik (diagonal then contract)", [[3, 3, 2], [2, 4]], "iij,jk->ik"],
  ["ij,jk->ki", [[2, 3], [3, 4]], "ij,jk->ki"],
  ["Ab,bC->AC (upper-case labels)", [[2, 3], [3, 4]], "Ab,bC->AC"],
];

describe("symbolic shape (unknown batch), replayed on concrete tensors", () => {
  const x = tensor(rand([2, 3, 4], 1));
  const w = tensor(rand([4, 5], 2));
  it.each([
    ["matmul", (t: Tensor) => ops.matmul(t, w), [null, 3, 5]],
    ["matmul (1-D second)", (t: Tensor) => ops.matmul(t, [1, 2, 3, 4]), [null, 3]],
    ["matmul (1-D first)", (t: Tensor) => ops.matmul([1, 2, 3], t), [null, 4]],
    ["dot", (t: Tensor) => ops.dot(t, w), [null, 3, 5]],
    ["inner", (t: Tensor) => ops.inner(t, [1, 2, 3, 4]), [null, 3]],
    ["outer", (t: Tensor) => ops.outer(t, [1, 2]), [null, 2]],
    ["vdot", (t: Tensor) => ops.vdot(t, t), []],
    ["tensordot", (t: Tensor) => ops.tensordot(t, w, 1), [null, 3, 5]],
    ["tensordot (pair)", (t: Tensor) => ops.tensordot(t, tensor(rand([3, 4], 3)), [[1, 2], [0, 1]]), [null]],
    ["einsum", (t: Tensor) => ops.einsum("abc,cd->abd", t, w), [null, 3, 5]],
    ["einsum (ellipsis)", (t: Tensor) => ops.einsum("...c,cd->...d", t, w), [null, 3, 5]],
    ["einsum (reduce batch)", (t: Tensor) => ops.einsum("abc->c", t), [4]],
    ["cross", (t: Tensor) => ops.cross(ops.reshape(t, [-1, 3, 4]), [[1, 0, 0]], -1, -1, -1, 1), [null, 3, 4]],
    ["norm", (t: Tensor) => ops.norm(t, null, -1), [null, 3]],
    ["norm (matrix)", (t: Tensor) => ops.norm(t, 1, [1, 2], true), [null, 1, 1]],
  ] as [string, (t: Tensor) => Tensor, (number | null)[]][])("%s", (_n, f, want) => {
    checkSymbolic((t) => f(t as Tensor), [[null, 3, 4]], want, [x]);
  });
  it("matmul with two unknown dims", () => {
    checkSymbolic((a, b) => ops.matmul(a as Tensor, b as Tensor), [[null, 3, null], [null, 5]], [null, 3, 5], [x, w]);
  });
});

describe("values", () => {
  it.each(MATMUL_SHAPES)("matmul %j @ %j", (sa, sb) => {
    const a = rand(sa, 3);
    const b = rand(sb, 4);
    const want = matmulRef(a, b);
    const y = ops.matmul(tensor(a), tensor(b));
    expect([...y.shape]).toEqual(want.shape);
    expectAllclose(y, want.data, { rtol: 1e-5, atol: 1e-6 });
  });
  it("matmul of int32 and bool", () => {
    expect(ops.matmul(convertToTensor([[1, 2]], "int32"), [[3], [4]]).arraySync()).toEqual([[11]]);
    expect(ops.matmul([[true, false]], [[false], [true]]).arraySync()).toEqual([[false]]);
    expect(ops.matmul([[true, true]], [[false], [true]]).arraySync()).toEqual([[true]]);
  });
  it("dot, vdot, inner, outer", () => {
    const a = rand([2, 3, 4], 5);
    const b = rand([5, 4, 2], 6);
    // dot of N-D arrays: sum over the last axis of a and the second-to-last of b.
    const want = nd(
      Array.from({ length: 2 * 3 * 5 * 2 }, (_, k) => {
        const [i, j, p, q] = [Math.floor(k / 30), Math.floor(k / 10) % 3, Math.floor(k / 2) % 5, k % 2];
        let s = 0;
        for (let c = 0; c < 4; c++) s += a.at([i, j, c]) * b.at([p, c, q]);
        return s;
      }),
      [2, 3, 5, 2],
    );
    const y = ops.dot(tensor(a), tensor(b));
    expect([...y.shape]).toEqual([2, 3, 5, 2]);
    expectAllclose(y, want.data, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(ops.dot([1, 2], [3, 4]), 11);
    expectAllclose(ops.dot(2, [3, 4]), [6, 8]);
    expectAllclose(ops.dot([[1, 2], [3, 4]], [1, 1]), [3, 7]);
    expectAllclose(ops.vdot([[1, 2], [3, 4]], [[1, 1], [1, 1]]), 10);
    expectAllclose(ops.inner([[1, 2], [3, 4]], [[1, 0], [0, 1], [1, 1]]), [1, 2, 3, 3, 4, 7]);
    expectAllclose(ops.inner(2, [1, 2]), [2, 4]);
    expectAllclose(ops.outer([1, 2], [[3, 4, 5]]), [3, 4, 5, 6, 8, 10]);
  });
  it("tensordot", () => {
    const a = rand([2, 3, 4], 7);
    const b = rand([3, 4, 5], 8);
    expectAllclose(ops.tensordot(tensor(a), tensor(b)), einsumRef("ijk,jkl->il", a, b).data, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(ops.tensordot(tensor(a), tensor(b), [[1], [0]]), einsumRef("ijk,jlm->iklm", a, b).data, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(ops.tensordot(tensor(a), tensor(b), [[2, 1], [1, 0]]), einsumRef("ijk,jkl->il", a, b).data, { rtol: 1e-5, atol: 1e-6 });
    expect([...ops.tensordot(tensor(a), tensor(b), 0).shape]).toEqual([2, 3, 4, 3, 4, 5]);
  });
  it.each(EINSUM)("einsum %s", (spec, shapes, explicit) => {
    const args = shapes.map((s, i) => rand(s, 10 + i));
    const want = einsumRef(explicit, ...args);
    const y = ops.einsum(spec.split(" ")[0]!, ...args.map((a) => tensor(a)));
    expect([...y.shape]).toEqual(want.shape);
    expectAllclose(y, want.data, { rtol: 1e-5, atol: 1e-5 });
  });
  it("einsum with ellipsis broadcasting (size 1 against n)", () => {
    const a = rand([2, 1, 3], 20);
    const b = rand([4, 3, 5], 21);
    // "...ij,...jk->...ik": batch (2, 1) against (4,) broadcasts to (2, 4).
    const y = ops.einsum("...ij,...jk->...ik", tensor(reshape(a, [2, 1, 1, 3])), tensor(reshape(b, [4, 3, 5])));
    expect([...y.shape]).toEqual([2, 4, 1, 5]);
    expectAllclose(ops.einsum("...ij,...jk->...ik", tensor(reshape(a, [2, 1, 1, 3])), tensor(b)), matmul(reshape(a, [2, 1, 1, 3]), b).data, {
      rtol: 1e-5,
      atol: 1e-6,
    });
    // Implicit output puts ellipsis dims first, then the letters used once in order.
    expect([...ops.einsum("...i,ij", tensor(rand([2, 3], 1)), tensor(rand([3, 4], 2))).shape]).toEqual([2, 4]);
    // A contracted label of size 1 in one operand broadcasts.
    expectAllclose(ops.einsum("ij,j->i", [[1, 2], [3, 4]], [2]), [6, 14]);
  });
  it("cross: 3-vectors, 2-vectors, axes", () => {
    expectAllclose(ops.cross([1, 0, 0], [0, 1, 0]), [0, 0, 1]);
    expectAllclose(ops.cross([[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [1, 0, 0]]), [-6, 12, -6, 0, 6, -5]);
    expectAllclose(ops.cross([1, 2], [3, 4]), -2);
    expectAllclose(ops.cross([1, 2], [3, 4, 5]), [10, -5, -2]);
    expectAllclose(ops.cross([[1, 7], [2, 8], [3, 9]], [[4, 1], [5, 0], [6, 0]], 0, 0, 0), [-3, 0, 6, 9, -3, -8]);
    expect([...ops.cross(tensor(rand([3, 2], 1)), tensor(rand([2, 3], 2)), 0, 1).shape]).toEqual([2, 3]);
  });
  it("norm: vector ords", () => {
    const v = [3, -4, 0, 1];
    expectAllclose(ops.norm(v), Math.sqrt(26));
    expectAllclose(ops.norm(v, 1), 8);
    expectAllclose(ops.norm(v, Infinity), 4);
    expectAllclose(ops.norm(v, -Infinity), 0);
    expectAllclose(ops.norm(v, 0), 3);
    expectAllclose(ops.norm(v, 3), Math.cbrt(27 + 64 + 1), { rtol: 1e-6 });
    expectAllclose(ops.norm([[3, 4], [6, 8]], null, 1), [5, 10]);
    expectAllclose(ops.norm([[3, 4], [6, 8]], 2, 0, true), [[Math.sqrt(45), Math.sqrt(80)]], { rtol: 1e-6 });
  });
  it("norm: matrix ords", () => {
    const m = [[1, -2], [-3, 4]];
    expectAllclose(ops.norm(m), Math.sqrt(30));
    expectAllclose(ops.norm(m, "fro"), Math.sqrt(30));
    expectAllclose(ops.norm(m, 1), 6);
    expectAllclose(ops.norm(m, -1), 4);
    expectAllclose(ops.norm(m, Infinity), 7);
    expectAllclose(ops.norm(m, -Infinity), 3);
    const b = rand([2, 3, 4], 9);
    const colSums = sumAx(map(b, Math.abs), [1]); // (2, 4)
    expectAllclose(ops.norm(tensor(b), 1, [1, 2]), reduce(colSums, [1], Math.max, -Infinity).data, { rtol: 1e-6 });
    expectAllclose(ops.norm(tensor(b), Infinity, [2, 1]), reduce(colSums, [1], Math.max, -Infinity).data, { rtol: 1e-6 });
    expect([...ops.norm(tensor(b), "fro", [0, 2], true).shape]).toEqual([1, 3, 1]);
  });
});

describe("dtype", () => {
  const i = convertToTensor([[1, 2], [3, 4]], "int32");
  it.each([
    ["matmul(int32, int32)", () => ops.matmul(i, i), "int32"],
    ["matmul(int32, float32)", () => ops.matmul(i, [[0.5], [1]]), "float32"],
    ["matmul(bool, bool)", () => ops.matmul([[true]], [[true]]), "bool"],
    ["einsum(int32, int32)", () => ops.einsum("ij,jk->ik", i, i), "int32"],
    ["tensordot(int32, float32)", () => ops.tensordot(i, [[0.5, 1], [1, 1]]), "float32"],
    ["dot(int32, 2)", () => ops.dot(i, 2), "int32"],
    ["outer(int32, float32)", () => ops.outer([1, 2], [0.5]), "float32"],
    ["cross(int32)", () => ops.cross([1, 0, 0], [0, 1, 0]), "int32"],
    ["norm(int32)", () => ops.norm(i), "float32"],
  ] as [string, () => Tensor, string][])("%s -> %s", (_n, make, want) => {
    expect(make().dtype).toBe(want);
  });
});

describe("gradient", () => {
  it.each(MATMUL_SHAPES)("matmul %j @ %j", (sa, sb) => {
    checkGrad(ops.matmul, matmulRef, [rand(sa, 31), rand(sb, 32)]);
  });
  it("dot (N-D) and tensordot", () => {
    checkGrad(ops.dot, (a: Nd, b: Nd) => einsumRef("ijc,pcq->ijpq", a, b), [rand([2, 3, 4], 33), rand([2, 4, 3], 34)]);
    checkGrad((a, b) => ops.tensordot(a, b, [[0, 2], [1, 0]]), (a: Nd, b: Nd) => einsumRef("ijk,kil->jl", a, b), [rand([2, 3, 4], 35), rand([4, 2, 5], 36)]);
  });
  it("inner, outer, vdot", () => {
    checkGrad(ops.inner, (a: Nd, b: Nd) => einsumRef("ik,jk->ij", a, b), [rand([2, 3], 37), rand([4, 3], 38)]);
    checkGrad(ops.outer, (a: Nd, b: Nd) => einsumRef("i,j->ij", a, b), [rand([3], 39), rand([4], 40)]);
    checkGrad(ops.vdot, (a: Nd, b: Nd) => einsumRef("ij,ij->", a, b), [rand([2, 3], 41), rand([2, 3], 42)]);
  });
  it.each(EINSUM)("einsum %s", (spec, shapes, explicit) => {
    const args = shapes.map((s, i) => rand(s, 50 + i));
    checkGrad((...ts) => ops.einsum(spec.split(" ")[0]!, ...ts), (...as: Nd[]) => einsumRef(explicit, ...as), args);
  });
  it("cross", () => {
    const c = (a: Nd, b: Nd) => {
      const out: number[] = [];
      for (let r = 0; r < a.size / 3; r++) {
        const [a0, a1, a2] = [a.data[3 * r]!, a.data[3 * r + 1]!, a.data[3 * r + 2]!];
        const [b0, b1, b2] = [b.data[3 * r]!, b.data[3 * r + 1]!, b.data[3 * r + 2]!];
        out.push(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0);
      }
      return nd(out, a.shape);
    };
    checkGrad((a, b) => ops.cross(a, b), c, [rand([4, 3], 60), rand([4, 3], 61)]);
  });
  it("norm (vector and matrix ords)", () => {
    const v = rand([3, 4], 62, 0.2, 1.5);
    const s = rand([3, 4], 63);
    const signed = zip([v, s], (p, q) => (q < 0 ? -p : p)); // |x| away from 0
    const absSum = (u: Nd, ax: number[]) => sumAx(map(u, Math.abs), ax);
    checkGrad((t) => ops.norm(t), (u: Nd) => nd([Math.sqrt(u.data.reduce((a, b) => a + b * b, 0))], []), [signed]);
    checkGrad((t) => ops.norm(t, null, 1), (u: Nd) => map(sumAx(map(u, (p) => p * p), [1]), Math.sqrt), [signed]);
    checkGrad((t) => ops.norm(t, 1, 0), (u: Nd) => absSum(u, [0]), [signed]);
    checkGrad((t) => ops.norm(t, 3, -1), (u: Nd) => map(sumAx(map(u, (p) => Math.abs(p) ** 3), [1]), (p) => p ** (1 / 3)), [signed]);
    checkGrad((t) => ops.norm(t, Infinity, 1), (u: Nd) => reduce(map(u, Math.abs), [1], Math.max, -Infinity), [signed]);
    checkGrad((t) => ops.norm(t, 1, [0, 1]), (u: Nd) => reduce(absSum(u, [0]), [0], Math.max, -Infinity), [signed]);
    checkGrad((t) => ops.norm(t, "fro", [0, 1]), (u: Nd) => nd([Math.sqrt(u.data.reduce((a, b) => a + b * b, 0))], []), [signed]);
  });
});

describe("errors", () => {
  const a = tensor(rand([2, 3], 1));
  it.each([
    ["matmul", () => ops.matmul(a, tensor(rand([4, 2], 2)))],
    ["matmul", () => ops.matmul(a, tensor(rand([4], 2)))],
    ["matmul", () => ops.matmul(tensor(rand([2, 2, 3], 1)), tensor(rand([3, 3, 2], 2)))],
    ["matmul", () => ops.matmul(2, a)],
    ["matmul", () => ops.matmul(new KerasTensor([null, 3]), new KerasTensor([4, 5]))],
    ["tensordot", () => ops.tensordot(a, a, [[1], [1, 0]])],
    ["tensordot", () => ops.tensordot(a, a, [[1], [0]])],
    ["tensordot", () => ops.tensordot(a, a, 3)],
    ["einsum", () => ops.einsum("ij,jk->ik", a)],
    ["einsum", () => ops.einsum("ij,jk->ik", a, tensor(rand([4, 2], 2)))],
    ["einsum", () => ops.einsum("ijk->i", a)],
    ["einsum", () => ops.einsum("ij->iz", a)],
    ["einsum", () => ops.einsum("ij->ii", a)],
    ["einsum", () => ops.einsum("i1->i", a)],
    ["einsum", () => ops.einsum("i...j...->i", a)],
    ["cross", () => ops.cross([1, 2, 3, 4], [1, 2, 3, 4])],
    ["norm", () => ops.norm(a, 2, [0, 1])],
    ["norm", () => ops.norm(a, "nuc")],
    ["norm", () => ops.norm(tensor(rand([2, 2, 2], 1)), 1)],
    ["norm", () => ops.norm(a, "fro", 0)],
  ] as [string, () => unknown][])("%s", (name, f) => expectOpError(f, name));
});
