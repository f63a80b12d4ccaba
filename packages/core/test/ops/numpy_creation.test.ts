/**
 * Creation ops (creation.ts) and the public surface of the NumPy family in `keras.ops`.
 */
import { describe, expect, it } from "vitest";
import * as keras from "../../src/index";
import * as ops from "../../src/ops/numpy/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import { checkSymbolic, expectOpError, rand, tensor } from "./numpy_reference";

describe("values and dtype", () => {
  it("zeros, ones, empty, full", () => {
    const z = ops.zeros([2, 3]);
    expect([z.shape, z.dtype]).toEqual([[2, 3], "float32"]);
    expectAllclose(z, new Array(6).fill(0));
    const o = ops.ones(3, "int32");
    expect([o.shape, o.dtype, o.arraySync()]).toEqual([[3], "int32", [1, 1, 1]]);
    expect(ops.empty([0, 2]).shape).toEqual([0, 2]);
    const f = ops.full([2, 2], 7);
    expect([f.dtype, f.arraySync()]).toEqual(["float32", [[7, 7], [7, 7]]]);
    expect(ops.full([2], 7, "int32").dtype).toBe("int32");
    expectAllclose(ops.full([2, 3], [1, 2, 3]), [1, 2, 3, 1, 2, 3]);
    expect(ops.full([2], convertToTensor([1, 2], "int32")).dtype).toBe("int32");
    expect(ops.zeros([1], "bool").arraySync()).toEqual([false]);
  });
  it("zerosLike, onesLike, fullLike keep shape and dtype unless dtype is given", () => {
    const i = convertToTensor([[1, 2]], "int32");
    expect(ops.zerosLike(i).arraySync()).toEqual([[0, 0]]);
    expect(ops.onesLike(i).dtype).toBe("int32");
    expect(ops.onesLike(i, "float32").dtype).toBe("float32");
    expect(ops.fullLike([1.5, 2], 3).arraySync()).toEqual([3, 3]);
    expect(ops.fullLike(i, 2.7).arraySync()).toEqual([[2, 2]]);
    expect(ops.fullLike([NaN, Infinity], 1).arraySync()).toEqual([1, 1]);
  });
  it("arange", () => {
    const a = ops.arange(5);
    expect([a.dtype, a.arraySync()]).toEqual(["int32", [0, 1, 2, 3, 4]]);
    expect(ops.arange(2, 8, 3).arraySync()).toEqual([2, 5]);
    expect(ops.arange(5, 1, -2).arraySync()).toEqual([5, 3]);
    expect(ops.arange(3, 1).shape).toEqual([0]);
    const b = ops.arange(1, 2, 0.25);
    expect(b.dtype).toBe("float32");
    expectAllclose(b, [1, 1.25, 1.5, 1.75]);
    expectAllclose(ops.arange(0, 1, 0.1), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], { rtol: 1e-6, atol: 1e-7 });
    expect(ops.arange(0, 3, 1, "float32").dtype).toBe("float32");
    expect(ops.arange(0, 2.5, 1, "int32").arraySync()).toEqual([0, 1, 2]);
  });
  it("linspace", () => {
    expectAllclose(ops.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
    expectAllclose(ops.linspace(0, 1, 4, false), [0, 0.25, 0.5, 0.75]);
    const [v, step] = ops.linspace(2, 3, 3, true, true);
    expectAllclose(v, [2, 2.5, 3]);
    expectAllclose(step, 0.5);
    expectAllclose(ops.linspace(3, 7, 1), [3]);
    expect(ops.linspace(3, 7, 0).shape).toEqual([0]);
    expectAllclose(ops.linspace(0.1, 0.7, 7), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], { rtol: 1e-6 });
    const t = ops.linspace([0, 10], [1, 20], 3);
    expect(t.shape).toEqual([3, 2]);
    expectAllclose(t, [0, 10, 0.5, 15, 1, 20]);
    expectAllclose(ops.linspace([0, 10], [1, 20], 3, true, false, null, -1), [0, 0.5, 1, 10, 15, 20]);
    const n = ops.linspace(-1, 1, 5, true, false, "int32");
    expect([n.dtype, n.arraySync()]).toEqual(["int32", [-1, -1, 0, 0, 1]]);
  });
  it("logspace", () => {
    expectAllclose(ops.logspace(0, 2, 3), [1, 10, 100], { rtol: 1e-6 });
    expectAllclose(ops.logspace(0, 3, 4, true, 2), [1, 2, 4, 8], { rtol: 1e-6 });
  });
  it("eye, identity, tri", () => {
    expect(ops.eye(2).arraySync()).toEqual([[1, 0], [0, 1]]);
    expect(ops.eye(2, 3, 1).arraySync()).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(ops.eye(3, 2, -1, "int32").arraySync()).toEqual([[0, 0], [1, 0], [0, 1]]);
    expect(ops.identity(2, "bool").arraySync()).toEqual([[true, false], [false, true]]);
    expect(ops.tri(3).arraySync()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(ops.tri(2, 3, 1).arraySync()).toEqual([[1, 1, 0], [1, 1, 1]]);
    expect(ops.eye(2).dtype).toBe("float32");
  });
});

describe("symbolic shape (unknown batch)", () => {
  it.each([
    ["zerosLike", (t: Tensor) => ops.zerosLike(t)],
    ["onesLike", (t: Tensor) => ops.onesLike(t, "int32")],
    ["fullLike", (t: Tensor) => ops.fullLike(t, 2)],
  ] as [string, (t: Tensor) => Tensor][])("%s stays on the graph", (_n, f) => {
    checkSymbolic((t) => f(t as Tensor), [[null, 3]], [null, 3], [tensor(rand([2, 3], 1))]);
  });
  it("a KerasTensor with known dims also gives a KerasTensor", () => {
    expect(ops.zerosLike(new KerasTensor([2, 3]))).toBeInstanceOf(KerasTensor);
  });
});

describe("errors", () => {
  it.each([
    ["zeros", () => ops.zeros([-1])],
    ["ones", () => ops.ones([1.5])],
    ["full", () => ops.full([2], [1, 2, 3])],
    ["arange", () => ops.arange(0, 5, 0)],
    ["arange", () => ops.arange(0, Infinity)],
    ["linspace", () => ops.linspace(0, 1, -1)],
    ["eye", () => ops.eye(-2)],
    ["tri", () => ops.tri(2, -1)],
    ["zeros", () => ops.zeros([2], "complex64")],
  ] as [string, () => unknown][])("%s", (name, f) => expectOpError(f, name));
});

/** Keras 3 `keras.ops` NumPy-family names (camelCase) this package provides. */
const KERAS_NUMPY_OPS = `abs absolute add all amax amin any append arange arccos arccosh arcsin arcsinh arctan arctan2
arctanh argmax argmin argsort arraySplit average bincount broadcastTo cbrt ceil clip concatenate copysign cos cosh
countNonzero cross cumprod cumsum deg2rad diag diagonal diff digitize divide divideNoNan dot einsum empty equal exp exp2
expandDims expm1 eye flip floor floorDivide full fullLike greater greaterEqual heaviside hstack hypot identity inner
isclose isfinite isinf isnan less lessEqual linspace log log10 log1p log2 logaddexp logicalAnd logicalNot logicalOr
logicalXor logspace matmul max maximum mean median meshgrid min minimum mod moveaxis multiply nanToNum ndim negative
nonzero norm notEqual ones onesLike outer pad positive power prod quantile ravel reciprocal repeat reshape roll rot90
round searchsorted select sign signbit sin sinh sort split sqrt square squeeze stack std subtract sum swapaxes take
takeAlongAxis tan tanh tensordot tile trace transpose tri tril triu trueDivide trunc var vdot vstack where zeros
zerosLike`.split(/\s+/);

describe("public API", () => {
  it.each(KERAS_NUMPY_OPS)("keras.ops.%s is exported", (name) => {
    expect(typeof (keras.ops as Record<string, unknown>)[name]).toBe("function");
  });
});
