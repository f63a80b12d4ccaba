/**
 * Elementwise NumPy ops (arithmetic.ts, math.ts): symbolic and static shapes, values against
 * float64 references, Keras dtype promotion, gradients against finite differences, errors.
 */
import { describe, expect, it } from "vitest";
import "../../src/index";
import * as ops from "../../src/ops/numpy/index";
import { grad } from "../../src/autodiff/grad";
import { convertToTensor } from "../../src/ops/convert";
import * as lax from "../../src/primitives/lax";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolic, expectOpError, map, rand, tensor, zip, type Nd } from "./numpy_reference";

type Bin = (a: Tensor, b: Tensor) => Tensor;
type Un = (a: Tensor) => Tensor;

const pyMod = (a: number, b: number) => {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
};

/** name, op, float64 reference, input ranges of a and b, differentiable. */
const BINARY: [string, Bin, (a: number, b: number) => number, [number, number], [number, number], boolean][] = [
  ["add", ops.add, (a, b) => a + b, [-2, 2], [-2, 2], true],
  ["subtract", ops.subtract, (a, b) => a - b, [-2, 2], [-2, 2], true],
  ["multiply", ops.multiply, (a, b) => a * b, [-2, 2], [-2, 2], true],
  ["divide", ops.divide, (a, b) => a / b, [-2, 2], [0.5, 2], true],
  ["trueDivide", ops.trueDivide, (a, b) => a / b, [-2, 2], [0.5, 2], true],
  ["divideNoNan", ops.divideNoNan, (a, b) => (b === 0 ? 0 : a / b), [-2, 2], [0.5, 2], true],
  ["floorDivide", ops.floorDivide, (a, b) => Math.floor(a / b), [-5, 5], [0.5, 2], false],
  ["mod", ops.mod, pyMod, [-5, 5], [0.5, 2], true],
  ["power", ops.power, (a, b) => a ** b, [0.5, 2], [-1.5, 2], true],
  ["maximum", ops.maximum, Math.max, [-2, 2], [-2, 2], true],
  ["minimum", ops.minimum, Math.min, [-2, 2], [-2, 2], true],
  ["hypot", ops.hypot, Math.hypot, [-2, 2], [-2, 2], true],
  ["logaddexp", ops.logaddexp, (a, b) => Math.log(Math.exp(a) + Math.exp(b)), [-3, 3], [-3, 3], true],
  ["arctan2", ops.arctan2, Math.atan2, [-2, 2], [-2, 2], true],
  ["copysign", ops.copysign, (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a)), [-2, 2], [-2, 2], false],
  ["heaviside", ops.heaviside, (a, b) => (a < 0 ? 0 : a > 0 ? 1 : b), [-2, 2], [-2, 2], false],
];

/** name, op, float64 reference, input range, differentiable. */
const UNARY: [string, Un, (x: number) => number, [number, number], boolean][] = [
  ["negative", ops.negative, (x) => -x, [-3, 3], true],
  ["abs", ops.abs, Math.abs, [-3, 3], true],
  ["absolute", ops.absolute, Math.abs, [-3, 3], true],
  ["square", ops.square, (x) => x * x, [-3, 3], true],
  ["sqrt", ops.sqrt, Math.sqrt, [0.1, 4], true],
  ["exp", ops.exp, Math.exp, [-3, 3], true],
  ["exp2", ops.exp2, (x) => 2 ** x, [-3, 3], true],
  ["expm1", ops.expm1, Math.expm1, [-3, 3], true],
  ["log", ops.log, Math.log, [0.1, 4], true],
  ["log2", ops.log2, Math.log2, [0.1, 4], true],
  ["log10", ops.log10, Math.log10, [0.1, 4], true],
  ["log1p", ops.log1p, Math.log1p, [-0.5, 3], true],
  ["sin", ops.sin, Math.sin, [-3, 3], true],
  ["cos", ops.cos, Math.cos, [-3, 3], true],
  ["tan", ops.tan, Math.tan, [-1.2, 1.2], true],
  ["arcsin", ops.arcsin, Math.asin, [-0.95, 0.95], true],
  ["arccos", ops.arccos, Math.acos, [-0.95, 0.95], true],
  ["arctan", ops.arctan, Math.atan, [-6, 6], true],
  ["sinh", ops.sinh, Math.sinh, [-3, 3], true],
  ["cosh", ops.cosh, Math.cosh, [-3, 3], true],
  ["tanh", ops.tanh, Math.tanh, [-3, 3], true],
  ["arcsinh", ops.arcsinh, Math.asinh, [-6, 6], true],
  ["arccosh", ops.arccosh, Math.acosh, [1.1, 6], true],
  ["arctanh", ops.arctanh, Math.atanh, [-0.9, 0.9], true],
  ["reciprocal", ops.reciprocal, (x) => 1 / x, [0.5, 3], true],
  ["cbrt", ops.cbrt, Math.cbrt, [-3, 3], true],
  ["deg2rad", ops.deg2rad, (x) => (x * Math.PI) / 180, [-360, 360], true],
  ["positive", ops.positive, (x) => x, [-3, 3], true],
  ["sign", ops.sign, Math.sign, [-3, 3], false],
  ["floor", ops.floor, Math.floor, [-3, 3], false],
  ["ceil", ops.ceil, Math.ceil, [-3, 3], false],
  ["trunc", ops.trunc, Math.trunc, [-3, 3], false],
  ["round", (x) => ops.round(x), (x) => Math.round(x), [-3, 3], false],
];

describe("symbolic shape (unknown batch)", () => {
  it.each(BINARY)("%s", (_name, op) => {
    const a = tensor(rand([2, 3, 4], 1));
    const b = tensor(rand([4], 2, 0.5, 2));
    checkSymbolic((x, y) => op(x as Tensor, y as Tensor), [[null, 3, 4], [4]], [null, 3, 4], [a, b]);
  });
  it.each(UNARY)("%s", (_name, op) => {
    checkSymbolic((x) => op(x as Tensor), [[null, 3, 4]], [null, 3, 4], [tensor(rand([2, 3, 4], 3, 0.2, 0.9))]);
  });
  it("clip", () => {
    checkSymbolic((x) => ops.clip(x as Tensor, -0.5, 0.5), [[null, 5]], [null, 5], [tensor(rand([3, 5], 4))]);
  });
  it("nanToNum", () => {
    checkSymbolic((x) => ops.nanToNum(x as Tensor), [[null, 5]], [null, 5], [tensor(rand([3, 5], 4))]);
  });
  it("a KerasTensor in gives a KerasTensor out, with a number operand", () => {
    const y = ops.add(new KerasTensor([null, 2]), 1);
    expect(y).toBeInstanceOf(KerasTensor);
  });
});

describe("static shape", () => {
  it.each(BINARY)("%s broadcasts (2, 1, 4) with (3, 1)", (_name, op) => {
    const y = op(tensor(rand([2, 1, 4], 5, 0.5, 2)), tensor(rand([3, 1], 6, 0.5, 2)));
    expect([...y.shape]).toEqual([2, 3, 4]);
  });
  it.each(UNARY)("%s keeps the shape", (_name, op) => {
    expect([...op(tensor(rand([2, 0, 3], 1))).shape]).toEqual([2, 0, 3]);
    expect([...op(tensor([0.5], [])).shape]).toEqual([]);
  });
});

describe("values", () => {
  it.each(BINARY)("%s", (_name, op, ref, ra, rb) => {
    const a = rand([3, 4], 11, ...ra);
    const b = rand([4], 12, ...rb);
    expectAllclose(op(tensor(a), tensor(b)), zip([a, b], ref).data, { rtol: 2e-6, atol: 2e-6 });
  });
  it.each(UNARY)("%s", (_name, op, ref, r) => {
    const x = rand([40], 13, ...r);
    expectAllclose(op(tensor(x)), map(x, ref).data, { rtol: 2e-6, atol: 2e-6 });
  });
  it("arctan, arcsin, arccos at the ends of their domains", () => {
    expectAllclose(ops.arctan([-Infinity, -1e30, 0, 1e30, Infinity]), [-Math.PI / 2, -Math.PI / 2, 0, Math.PI / 2, Math.PI / 2]);
    expectAllclose(ops.arcsin([-1, 1, 2]), [-Math.PI / 2, Math.PI / 2, NaN]);
    expectAllclose(ops.arccos([-1, 1, -2]), [Math.PI, 0, NaN]);
    expectAllclose(ops.arctanh([1, -1]), [Infinity, -Infinity]);
    // (1e20 is an integer to JavaScript, so the float32 dtype is explicit.)
    const big = convertToTensor([1e20, -1e20], "float32");
    expectAllclose(ops.arcsinh(big), [Math.asinh(1e20), -Math.asinh(1e20)], { rtol: 1e-6 });
    expectAllclose(ops.arccosh(convertToTensor([1e20, 0.5], "float32")), [Math.acosh(1e20), NaN], { rtol: 1e-6 });
  });
  it("arctan2 in every quadrant and on the axes", () => {
    const ys = [1, 1, -1, -1, 0, 0, 1, -1, 0];
    const xs = [1, -1, -1, 1, 1, -1, 0, 0, 0];
    expectAllclose(ops.arctan2(ys, xs), ys.map((y, i) => Math.atan2(y, xs[i]!)), { rtol: 1e-6 });
  });
  it("logaddexp with infinities", () => {
    expectAllclose(ops.logaddexp([-Infinity, Infinity, 1000, -Infinity], [-Infinity, Infinity, 1000, 2]), [
      -Infinity,
      Infinity,
      1000 + Math.LN2,
      2,
    ]);
  });
  it("floorDivide and mod follow Python's signs", () => {
    expectAllclose(ops.floorDivide([7, -7, 7, -7], [2, 2, -2, -2]), [3, -4, -4, 3]);
    expectAllclose(ops.mod([7, -7, 7, -7], [2, 2, -2, -2]), [1, 1, -1, -1]);
    expectAllclose(ops.mod([7.5, -7.5], [2, 2]), [1.5, 0.5]);
  });
  it("round: half to even, decimals", () => {
    expectAllclose(ops.round([0.5, 1.5, 2.5, -0.5, -1.5]), [0, 2, 2, -0, -2]);
    expectAllclose(ops.round([1.234, -5.678], 2), [1.23, -5.68], { rtol: 1e-6 });
    expectAllclose(ops.round(convertToTensor([1234, 1250, -1260], "int32"), -2), [1200, 1200, -1300]);
  });
  it("clip", () => {
    expectAllclose(ops.clip([-2, -0.5, 0.5, 3], -1, 1), [-1, -0.5, 0.5, 1]);
    expectAllclose(ops.clip([[-2, 5]], [[-3], [0]], 2), [[-2, 2], [0, 2]]);
  });
  it("nanToNum", () => {
    expectAllclose(ops.nanToNum([NaN, Infinity, -Infinity, 1]), [0, 3.4028234663852886e38, -3.4028234663852886e38, 1]);
    expectAllclose(ops.nanToNum([NaN, Infinity, -Infinity], 1, 2, 3), [1, 2, 3]);
  });
  it("signbit and copysign see -0", () => {
    expect(ops.signbit(convertToTensor([-1, 0, -0, 2], "float32")).arraySync()).toEqual([true, false, true, false]);
    expectAllclose(ops.copysign([1, 1], convertToTensor([-0, 0], "float32")), [-1, 1]);
  });
  it("add and multiply of bools are or / and", () => {
    expect(ops.add([true, false, false], [true, true, false]).arraySync()).toEqual([true, true, false]);
    expect(ops.multiply([true, false, true], [true, true, false]).arraySync()).toEqual([true, false, false]);
  });
  it("divideNoNan gives 0 for a zero divisor", () => {
    expectAllclose(ops.divideNoNan([1, 2, 0], [0, 4, 0]), [0, 0.5, 0]);
  });
});

describe("dtype", () => {
  const i = (v: number[]) => convertToTensor(v, "int32");
  const f = (v: number[]) => convertToTensor(v, "float32");
  const b = (v: boolean[]) => convertToTensor(v, "bool");
  const cases: [string, () => Tensor, string][] = [
    ["add(int32, float32)", () => ops.add(i([1]), f([1])), "float32"],
    ["add(int32, 1)", () => ops.add(i([1]), 1), "int32"],
    ["add(int32, 1.5)", () => ops.add(i([1]), 1.5), "float32"],
    ["add(float32, 1)", () => ops.add(f([1]), 1), "float32"],
    ["add(bool, bool)", () => ops.add(b([true]), b([false])), "bool"],
    ["add(bool, 1)", () => ops.add(b([true]), 1), "int32"],
    ["subtract(bool, bool)", () => ops.subtract(b([true]), b([false])), "int32"],
    ["multiply(int32, int32)", () => ops.multiply(i([2]), i([3])), "int32"],
    ["divide(int32, int32)", () => ops.divide(i([1]), i([2])), "float32"],
    ["divide(bool, bool)", () => ops.divide(b([true]), b([true])), "float32"],
    ["trueDivide(int32, 2)", () => ops.trueDivide(i([1]), 2), "float32"],
    ["floorDivide(int32, int32)", () => ops.floorDivide(i([7]), i([2])), "int32"],
    ["floorDivide(int32, 2.0)", () => ops.floorDivide(i([7]), 2.5), "float32"],
    ["mod(int32, 3)", () => ops.mod(i([7]), 3), "int32"],
    ["power(int32, 2)", () => ops.power(i([3]), 2), "int32"],
    ["power(int32, 0.5)", () => ops.power(i([4]), 0.5), "float32"],
    ["maximum(int32, float32)", () => ops.maximum(i([1]), f([2])), "float32"],
    ["negative(int32)", () => ops.negative(i([1])), "int32"],
    ["abs(int32)", () => ops.abs(i([-1])), "int32"],
    ["square(bool)", () => ops.square(b([true])), "int32"],
    ["square(int32)", () => ops.square(i([3])), "int32"],
    ["sqrt(int32)", () => ops.sqrt(i([4])), "float32"],
    ["exp(bool)", () => ops.exp(b([true])), "float32"],
    ["log(int32)", () => ops.log(i([1])), "float32"],
    ["arctan2(int32, int32)", () => ops.arctan2(i([1]), i([1])), "float32"],
    ["hypot(int32, int32)", () => ops.hypot(i([3]), i([4])), "float32"],
    ["reciprocal(int32)", () => ops.reciprocal(i([2])), "float32"],
    ["floor(int32)", () => ops.floor(i([2])), "float32"],
    ["ceil(int32)", () => ops.ceil(i([2])), "float32"],
    ["round(int32)", () => ops.round(i([2])), "int32"],
    ["trunc(int32)", () => ops.trunc(i([2])), "int32"],
    ["sign(int32)", () => ops.sign(i([-2])), "int32"],
    ["clip(int32, 0.5, 2.5)", () => ops.clip(i([0, 3]), 0.5, 2.5), "int32"],
    ["clip(bool, 0, 1)", () => ops.clip(b([true]), 0, 1), "int32"],
    ["nanToNum(int32)", () => ops.nanToNum(i([1])), "int32"],
    ["signbit(float32)", () => ops.signbit(f([1])), "bool"],
  ];
  it.each(cases)("%s -> %s", (_name, make, want) => {
    expect(make().dtype).toBe(want);
  });
  it("int32 values are exact", () => {
    expect(ops.floorDivide(i([7, -7]), 2).arraySync()).toEqual([3, -4]);
    expect(ops.power(i([3, -2]), 3).arraySync()).toEqual([27, -8]);
    expect(ops.clip(i([0, 3]), 0.5, 2.5).arraySync()).toEqual([0, 2]);
  });
});

describe("gradient", () => {
  it.each(BINARY.filter((c) => c[5]))("%s with broadcasting (2, 3) and (3,)", (_name, op, ref, ra, rb) => {
    const a = rand([2, 3], 21, ...ra);
    const b = rand([3], 22, ...rb);
    checkGrad(op, (x: Nd, y: Nd) => zip([x, y], ref), [a, b]);
  });
  it.each(BINARY.filter((c) => c[5]))("%s with broadcasting (2, 1) and (1, 3)", (_name, op, ref, ra, rb) => {
    const a = rand([2, 1], 23, ...ra);
    const b = rand([1, 3], 24, ...rb);
    checkGrad(op, (x: Nd, y: Nd) => zip([x, y], ref), [a, b]);
  });
  it.each(UNARY.filter((c) => c[4]))("%s", (_name, op, ref, r) => {
    // Keep cbrt away from 0, where its derivative is infinite.
    const x = map(rand([2, 5], 25, ...r), (v) => (_name === "cbrt" && Math.abs(v) < 0.2 ? v + 0.5 : v));
    checkGrad(op, (u: Nd) => map(u, ref), [x]);
  });
  it("arctan through both branches (|x| > 1 and <= 1)", () => {
    const x = rand([12], 26, -8, 8);
    checkGrad(ops.arctan, (u: Nd) => map(u, Math.atan), [x]);
  });
  it("clip (tensor bounds, broadcast)", () => {
    const x = rand([3, 4], 27, -2, 2);
    const lo = rand([4], 28, -1.5, -0.2);
    const hi = rand([3, 1], 29, 0.2, 1.5);
    checkGrad((a, l, h) => ops.clip(a, l, h), (a: Nd, l: Nd, h: Nd) => zip([a, l, h], (v, p, q) => Math.min(Math.max(v, p), q)), [x, lo, hi]);
  });
  it("where-based compositions have the true derivative at 0 (no NaN from unused branches)", () => {
    const x = tensor([0, 0, 0], [3]);
    const at0 = (f: Un) => grad((u: Tensor) => lax.sum(f(u), [0]))(x) as Tensor;
    expectAllclose(at0(ops.arcsinh), [1, 1, 1]);
    expectAllclose(at0(ops.arctan), [1, 1, 1]);
    expectAllclose(at0(ops.arcsin), [1, 1, 1]);
    expectAllclose(at0((u) => ops.divideNoNan(1, u)), [0, 0, 0]);
    expectAllclose(at0((u) => ops.logaddexp(u, -Infinity)), [1, 1, 1]);
  });
});

describe("errors", () => {
  it.each(BINARY)("%s: shapes that do not broadcast", (name, op) => {
    expectOpError(() => op(tensor(rand([2, 3], 1)), tensor(rand([4], 2))), name);
  });
  it("symbolic shapes that do not broadcast fail at the call", () => {
    expectOpError(() => ops.multiply(new KerasTensor([null, 3]), new KerasTensor([null, 4])), "multiply");
  });
  it("clip with bounds that do not broadcast", () => {
    expectOpError(() => ops.clip(tensor(rand([2, 3], 1)), tensor(rand([4], 2)), 1), "clip");
  });
});
