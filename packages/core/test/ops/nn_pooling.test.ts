import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as nn from "../../src/ops/nn/index";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import {
  checkGrad,
  checkSymbolicReplay,
  poolRef,
  rand,
  samePad,
  tensor,
  transposeRef,
  type Arr,
} from "./nn_reference";

const sym = (shape: (number | null)[]): Tensor => new KerasTensor(shape) as unknown as Tensor;
const shapeOf = (t: Tensor): (number | null)[] => [...t.shape];
const T = (a: Arr): Tensor => tensor(a.data, a.shape);

function padsFor(padding: "valid" | "same", x: Arr, w: number[], s: number[]): [number, number][] {
  return w.map((ww, i) => (padding === "valid" ? [0, 0] : samePad(x.shape[i + 1]!, ww, s[i]!, 1)));
}

describe.each([
  ["maxPool", nn.maxPool, "max"],
  ["averagePool", nn.averagePool, "avg"],
] as const)("%s", (_name, op, kind) => {
  it("symbolic shape with unknown batch", () => {
    expect(shapeOf(op(sym([null, 28, 28, 3]), 2))).toEqual([null, 14, 14, 3]);
    expect(shapeOf(op(sym([null, 28, 28, 3]), 3, 2, "same"))).toEqual([null, 14, 14, 3]);
    expect(shapeOf(op(sym([null, 28, 28, 3]), 3, 2, "valid"))).toEqual([null, 13, 13, 3]);
    expect(shapeOf(op(sym([null, 3, 28, 28]), [2, 4], null, "valid", "channels_first"))).toEqual([
      null,
      3,
      14,
      7,
    ]);
    expect(shapeOf(op(sym([null, 10, 4]), 3, 1, "same"))).toEqual([null, 10, 4]);
    expect(shapeOf(op(sym([null, 8, 6, 4, 2]), 2))).toEqual([null, 4, 3, 2, 2]);
  });

  it("symbolic graphs replay, including 'same' over unknown spatial dims", () => {
    const x = T(rand([2, 7, 5, 3], 1));
    checkSymbolicReplay((v) => op(v as Tensor, 3, 2, "same"), [null, 7, 5, 3], x, [null, 4, 3, 3]);
    checkSymbolicReplay((v) => op(v as Tensor, 3, 2, "same"), [null, null, null, 3], x, [
      null,
      null,
      null,
      3,
    ]);
  });

  const CASES: { x: number[]; w: number[]; s: number[] | null; padding: "valid" | "same" }[] = [
    { x: [2, 9, 3], w: [2], s: null, padding: "valid" },
    { x: [2, 9, 3], w: [3], s: [2], padding: "same" },
    { x: [2, 6, 7, 2], w: [2, 2], s: null, padding: "valid" },
    { x: [2, 6, 7, 2], w: [3, 3], s: [2, 2], padding: "same" },
    { x: [1, 5, 5, 2], w: [2, 2], s: [1, 1], padding: "same" },
    { x: [1, 7, 8, 1], w: [3, 2], s: [2, 3], padding: "same" },
    { x: [1, 5, 4, 6, 2], w: [2, 3, 2], s: [2, 1, 2], padding: "same" },
  ];

  it.each(CASES)(
    "values $x window $w strides $s $padding (channels_last and channels_first)",
    ({ x: xs, w, s, padding }) => {
      const x = rand(xs, 11, -3, 3);
      const st = s ?? w;
      const ref = poolRef(kind, x, w, st, padsFor(padding, x, w, st));
      const y = op(T(x), w, s, padding);
      expect(shapeOf(y)).toEqual(ref.shape);
      expectAllclose(y, ref.data, { rtol: 1e-6, atol: 1e-6 });
      const n = xs.length - 2;
      const perm = [0, n + 1, ...Array.from({ length: n }, (_, i) => i + 1)];
      const yf = op(T(transposeRef(x, perm)), w, s, padding, "channels_first");
      expectAllclose(yf, transposeRef(ref, perm).data, { rtol: 1e-6, atol: 1e-6 });
    },
  );

  it("'same' padding is not counted (average) and never wins (max)", () => {
    const y = op(tensor([-1, -2, -3, -4], [1, 4, 1]), 3, 1, "same");
    expectAllclose(y, kind === "max" ? [-1, -1, -2, -3] : [-1.5, -2, -3, -3.5]);
  });

  it.each([
    { x: [1, 7, 2], w: [3], s: [2], padding: "same" as const },
    { x: [1, 5, 6, 2], w: [2, 3], s: [2, 2], padding: "same" as const },
    { x: [2, 4, 4, 1], w: [2, 2], s: null, padding: "valid" as const },
  ])("gradient $x window $w strides $s $padding", ({ x: xs, w, s, padding }) => {
    const x = rand(xs, 21, -3, 3); // distinct values: max pooling is differentiable there
    const st = s ?? w;
    const pads = padsFor(padding, x, w, st);
    // eps well below the gaps between the values so finite differences never cross a tie
    checkGrad(
      (a) => op(a, w, s, padding),
      (a) => poolRef(kind, { data: a, shape: xs }, w, st, pads).data,
      [x],
      { eps: 1e-4 },
    );
  });

  it("bad inputs name the op", () => {
    expect(() => op(tensor([1, 2, 3], [3]), 2)).toThrow(
      /_pool: inputs must have rank >= 3.*Received: inputs.shape=\(3,\)/,
    );
    expect(() => op(T(rand([1, 4, 4, 1], 1)), [2, 2, 2])).toThrow(
      /_pool: `pool_size` must be .*Received: pool_size=\(2, 2, 2\)/,
    );
  });
});
