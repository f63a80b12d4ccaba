import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as nn from "../../src/ops/nn/index";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import {
  checkGrad,
  checkSymbolicReplay,
  convRef,
  convTransposeRef,
  forEachIndex,
  rand,
  samePad,
  size,
  stridesOf,
  tensor,
  transposeRef,
  type Arr,
} from "./nn_reference";

const sym = (shape: (number | null)[]): Tensor => new KerasTensor(shape) as unknown as Tensor;
const shapeOf = (t: Tensor): (number | null)[] => [...t.shape];
const T = (a: Arr): Tensor => tensor(a.data, a.shape);

/** Explicit pads of a Keras padding mode for the reference. */
function padsFor(
  padding: "valid" | "same",
  x: Arr,
  k: number[],
  s: number[],
  d: number[],
): [number, number][] {
  return k.map((kk, i) =>
    padding === "valid" ? [0, 0] : samePad(x.shape[i + 1]!, kk, s[i]!, d[i]!),
  );
}

describe("conv", () => {
  it("symbolic shape with unknown batch", () => {
    const k = T(rand([3, 3, 3, 8], 1));
    expect(shapeOf(nn.conv(sym([null, 28, 28, 3]), k, 1, "same"))).toEqual([null, 28, 28, 8]);
    expect(shapeOf(nn.conv(sym([null, 28, 28, 3]), k, 2, "same"))).toEqual([null, 14, 14, 8]);
    expect(shapeOf(nn.conv(sym([null, 28, 28, 3]), k, 2, "valid"))).toEqual([null, 13, 13, 8]);
    expect(shapeOf(nn.conv(sym([null, 28, 28, 3]), k, 1, "valid", null, 2))).toEqual([
      null,
      24,
      24,
      8,
    ]);
    expect(shapeOf(nn.conv(sym([null, 3, 28, 28]), k, 1, "same", "channels_first"))).toEqual([
      null,
      8,
      28,
      28,
    ]);
    expect(shapeOf(nn.conv(sym([null, 20, 4]), T(rand([5, 4, 6], 2)), 3, "same"))).toEqual([
      null,
      7,
      6,
    ]);
    expect(shapeOf(nn.conv(sym([null, 8, 8, 8, 2]), T(rand([2, 2, 2, 2, 3], 3)), 2))).toEqual([
      null,
      4,
      4,
      4,
      3,
    ]);
  });

  it("symbolic graphs replay, including 'same' with stride over unknown spatial dims", () => {
    const k = T(rand([3, 3, 4, 6], 4));
    const x = T(rand([2, 9, 7, 4], 5));
    checkSymbolicReplay(
      (v) => nn.conv(v as Tensor, k, 2, "same"),
      [null, 9, 7, 4],
      x,
      [null, 5, 4, 6],
      { rtol: 1e-5, atol: 1e-5 },
    );
    checkSymbolicReplay(
      (v) => nn.conv(v as Tensor, k, 2, "same"),
      [null, null, null, 4],
      x,
      [null, null, null, 6],
      { rtol: 1e-5, atol: 1e-5 },
    );
    checkSymbolicReplay(
      (v) => nn.conv(v as Tensor, k, 1, "same"),
      [null, null, null, 4],
      x,
      [null, null, null, 6],
      { rtol: 1e-5, atol: 1e-5 },
    );
  });

  it("static shape", () => {
    const y = nn.conv(T(rand([2, 10, 10, 3], 6)), T(rand([3, 3, 3, 5], 7)), [2, 1], "valid");
    expect(shapeOf(y)).toEqual([2, 4, 8, 5]);
  });

  const CASES: {
    name: string;
    x: number[];
    k: number[];
    s: number[];
    d: number[];
    padding: "valid" | "same";
    groups?: number;
  }[] = [
    { name: "1-D valid", x: [2, 11, 3], k: [3, 3, 4], s: [1], d: [1], padding: "valid" },
    { name: "1-D same stride 2", x: [2, 10, 3], k: [4, 3, 2], s: [2], d: [1], padding: "same" },
    {
      name: "1-D same stride 3 dilation 2",
      x: [1, 13, 2],
      k: [3, 2, 3],
      s: [3],
      d: [2],
      padding: "same",
    },
    { name: "2-D valid", x: [2, 7, 6, 3], k: [3, 2, 3, 4], s: [1, 1], d: [1, 1], padding: "valid" },
    {
      name: "2-D same stride 2 (odd pad total)",
      x: [2, 8, 7, 2],
      k: [3, 3, 2, 3],
      s: [2, 2],
      d: [1, 1],
      padding: "same",
    },
    {
      name: "2-D same even kernel",
      x: [1, 6, 6, 2],
      k: [2, 4, 2, 2],
      s: [1, 1],
      d: [1, 1],
      padding: "same",
    },
    {
      name: "2-D dilation",
      x: [1, 9, 8, 2],
      k: [3, 3, 2, 2],
      s: [1, 2],
      d: [2, 3],
      padding: "valid",
    },
    {
      name: "2-D groups 2",
      x: [2, 6, 5, 4],
      k: [3, 3, 2, 6],
      s: [1, 1],
      d: [1, 1],
      padding: "same",
      groups: 2,
    },
    {
      name: "2-D groups 3 stride 2",
      x: [1, 7, 7, 6],
      k: [2, 2, 2, 3],
      s: [2, 2],
      d: [1, 1],
      padding: "valid",
      groups: 3,
    },
    {
      name: "3-D same",
      x: [1, 5, 4, 6, 2],
      k: [3, 2, 3, 2, 2],
      s: [2, 1, 2],
      d: [1, 1, 1],
      padding: "same",
    },
  ];

  describe.each(CASES)("values: $name", ({ x: xs, k: ks, s, d, padding, groups = 1 }) => {
    const x = rand(xs, xs.length * 7 + 1);
    const k = rand(ks, ks.length * 13 + 2);
    const n = xs.length - 2;
    const win = ks.slice(0, n);
    const pads = padsFor(padding, x, win, s, d);

    it("channels_last", () => {
      const y = nn.conv(T(x), T(k), s, padding, null, d);
      const ref = convRef(x, k, s, pads, d, groups);
      expect(shapeOf(y)).toEqual(ref.shape);
      expectAllclose(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
    });

    it("channels_first", () => {
      const perm = [0, n + 1, ...Array.from({ length: n }, (_, i) => i + 1)];
      const xf = transposeRef(x, perm);
      const y = nn.conv(T(xf), T(k), s, padding, "channels_first", d);
      const ref = transposeRef(convRef(x, k, s, pads, d, groups), perm);
      expect(shapeOf(y)).toEqual(ref.shape);
      expectAllclose(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
    });
  });

  describe.each([
    {
      name: "1-D stride 2 same",
      x: [2, 9, 2],
      k: [3, 2, 3],
      s: [2],
      d: [1],
      padding: "same" as const,
      groups: 1,
    },
    {
      name: "1-D dilation 2 valid",
      x: [1, 10, 2],
      k: [3, 2, 2],
      s: [1],
      d: [2],
      padding: "valid" as const,
      groups: 1,
    },
    {
      name: "2-D stride 2 same",
      x: [1, 6, 5, 2],
      k: [3, 3, 2, 2],
      s: [2, 2],
      d: [1, 1],
      padding: "same" as const,
      groups: 1,
    },
    {
      name: "2-D dilation and groups",
      x: [1, 7, 6, 4],
      k: [2, 3, 2, 4],
      s: [1, 1],
      d: [2, 1],
      padding: "same" as const,
      groups: 2,
    },
  ])("gradient: $name", ({ x: xs, k: ks, s, d, padding, groups }) => {
    it("w.r.t. input and kernel", () => {
      const x = rand(xs, 31);
      const k = rand(ks, 32);
      const n = xs.length - 2;
      const pads = padsFor(padding, x, ks.slice(0, n), s, d);
      checkGrad(
        (a, b) => nn.conv(a, b, s, padding, null, d),
        (a, b) => convRef({ data: a, shape: xs }, { data: b, shape: ks }, s, pads, d, groups).data,
        [x, k],
      );
    });
  });

  it("dtype: int inputs compute in float32", () => {
    const y = nn.conv([[[1], [2], [3]]], [[[1]], [[1]]]);
    expect(y.dtype).toBe("float32");
    expectAllclose(y, [3, 5]);
  });

  it("bad inputs name the op and the value received", () => {
    const x = T(rand([1, 5, 5, 3], 8));
    expect(() => nn.conv(x, T(rand([3, 3, 2, 4], 9)))).toThrow(
      /conv: .*in_channels.*Received: input channels=3, kernel in_channels=2/,
    );
    expect(() => nn.conv(x, T(rand([3, 3, 4], 9)))).toThrow(
      /conv: kernel must have the same rank.*Received:/,
    );
    expect(() => nn.conv(x, T(rand([3, 3, 3, 4], 9)), 1, "full")).toThrow(
      /conv: .*padding.*Received: padding=full/,
    );
    expect(() => nn.conv(x, T(rand([3, 3, 3, 4], 9)), [1, 2, 3])).toThrow(
      /conv: .*strides.*Received: strides=\(1, 2, 3\)/,
    );
    expect(() => nn.conv(x, T(rand([3, 3, 3, 4], 9)), 1, "valid", "nhwc")).toThrow(
      /conv: .*data_format.*Received:/,
    );
    expect(() => nn.conv(T(rand([5, 3], 1)), T(rand([3, 3], 1)))).toThrow(
      /conv: inputs must have rank >= 3.*Received: inputs.shape=\(5, 3\)/,
    );
  });
});

/** Independent depthwise reference: out[..., c * M + m] = sum_t x[.. + t, c] * k[t, c, m]. */
function depthwiseRef(x: Arr, k: Arr, s: number[], pads: [number, number][], d: number[]): Arr {
  const n = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + n);
  const C = x.shape[n + 1]!;
  const K = k.shape.slice(0, n);
  const M = k.shape[n + 1]!;
  const outS = S.map(
    (v, i) => Math.floor((v + pads[i]![0] + pads[i]![1] - (K[i]! - 1) * d[i]! - 1) / s[i]!) + 1,
  );
  const outShape = [x.shape[0]!, ...outS, C * M];
  const out = new Float64Array(size(outShape));
  const xs = stridesOf(x.shape);
  const ks = stridesOf(k.shape);
  let w = 0;
  forEachIndex(outShape, (oi) => {
    const ch = oi[n + 1]!;
    const c = Math.floor(ch / M);
    const m = ch % M;
    let acc = 0;
    forEachIndex(K, (ti) => {
      let off = oi[0]! * xs[0]! + c;
      for (let a = 0; a < n; a++) {
        const p = oi[a + 1]! * s[a]! + ti[a]! * d[a]! - pads[a]![0];
        if (p < 0 || p >= S[a]!) return;
        off += p * xs[a + 1]!;
      }
      let koff = c * ks[n]! + m;
      ti.forEach((v, i) => (koff += v * ks[i]!));
      acc += x.data[off]! * k.data[koff]!;
    });
    out[w++] = acc;
  });
  return { data: out, shape: outShape };
}

describe("depthwiseConv", () => {
  it("symbolic shape with unknown batch", () => {
    expect(
      shapeOf(nn.depthwiseConv(sym([null, 28, 28, 3]), T(rand([3, 3, 3, 2], 1)), 2, "same")),
    ).toEqual([null, 14, 14, 6]);
    expect(shapeOf(nn.depthwiseConv(sym([null, 20, 4]), T(rand([3, 4, 1], 1))))).toEqual([
      null,
      18,
      4,
    ]);
  });

  it.each([
    { x: [2, 7, 6, 3], k: [3, 3, 3, 2], s: [1, 1], d: [1, 1], padding: "valid" as const },
    { x: [1, 8, 7, 2], k: [3, 2, 2, 3], s: [2, 2], d: [1, 1], padding: "same" as const },
    { x: [1, 9, 9, 2], k: [2, 2, 2, 1], s: [1, 1], d: [2, 2], padding: "same" as const },
    { x: [2, 12, 3], k: [3, 3, 2], s: [2], d: [1], padding: "same" as const },
  ])("values $x * $k stride $s dilation $d $padding", ({ x: xs, k: ks, s, d, padding }) => {
    const x = rand(xs, 41);
    const k = rand(ks, 42);
    const pads = padsFor(padding, x, ks.slice(0, xs.length - 2), s, d);
    const ref = depthwiseRef(x, k, s, pads, d);
    const y = nn.depthwiseConv(T(x), T(k), s, padding, null, d);
    expect(shapeOf(y)).toEqual(ref.shape);
    expectAllclose(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
  });

  it("gradient w.r.t. input and kernel", () => {
    const x = rand([1, 6, 5, 2], 43);
    const k = rand([3, 3, 2, 2], 44);
    const pads = padsFor("same", x, [3, 3], [2, 2], [1, 1]);
    checkGrad(
      (a, b) => nn.depthwiseConv(a, b, 2, "same"),
      (a, b) =>
        depthwiseRef({ data: a, shape: x.shape }, { data: b, shape: k.shape }, [2, 2], pads, [1, 1])
          .data,
      [x, k],
    );
  });

  it("channel mismatch names the op", () => {
    expect(() => nn.depthwiseConv(T(rand([1, 5, 5, 3], 1)), T(rand([3, 3, 2, 1], 1)))).toThrow(
      /depthwise_conv: .*Received: input channels=3, kernel input channels=2/,
    );
  });
});

describe("separableConv", () => {
  it("symbolic shape with unknown batch", () => {
    const y = nn.separableConv(
      sym([null, 10, 10, 3]),
      T(rand([3, 3, 3, 2], 1)),
      T(rand([1, 1, 6, 4], 2)),
      1,
      "same",
    );
    expect(shapeOf(y)).toEqual([null, 10, 10, 4]);
  });

  it("values: depthwise then pointwise", () => {
    const x = rand([2, 7, 7, 3], 51);
    const dk = rand([3, 3, 3, 2], 52);
    const pk = rand([1, 1, 6, 4], 53);
    const pads = padsFor("same", x, [3, 3], [2, 2], [1, 1]);
    const mid = depthwiseRef(x, dk, [2, 2], pads, [1, 1]);
    const ref = convRef(
      mid,
      pk,
      [1, 1],
      [
        [0, 0],
        [0, 0],
      ],
      [1, 1],
    );
    const y = nn.separableConv(T(x), T(dk), T(pk), 2, "same");
    expect(shapeOf(y)).toEqual(ref.shape);
    expectAllclose(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
  });
});

describe("convTranspose", () => {
  it("symbolic shape with unknown batch (Keras' output shape rule)", () => {
    const k = T(rand([2, 2, 5, 3], 1));
    expect(shapeOf(nn.convTranspose(sym([null, 4, 4, 3]), k, 2, "valid"))).toEqual([null, 8, 8, 5]);
    expect(shapeOf(nn.convTranspose(sym([null, 4, 4, 3]), k, 2, "same"))).toEqual([null, 8, 8, 5]);
    expect(shapeOf(nn.convTranspose(sym([null, 4, 4, 3]), k, 1, "valid"))).toEqual([null, 5, 5, 5]);
    expect(
      shapeOf(nn.convTranspose(sym([null, 4, 4, 3]), T(rand([3, 3, 5, 3], 1)), 3, "valid")),
    ).toEqual([null, 12, 12, 5]);
    expect(
      shapeOf(nn.convTranspose(sym([null, 4, 4, 3]), T(rand([3, 3, 5, 3], 1)), 2, "same", 1)),
    ).toEqual([null, 8, 8, 5]);
    expect(
      shapeOf(nn.convTranspose(sym([null, 3, 4, 4]), k, 2, "valid", null, "channels_first")),
    ).toEqual([null, 5, 8, 8]);
    expect(
      shapeOf(nn.convTranspose(sym([null, null, 3]), T(rand([3, 2, 3], 1)), 2, "same")),
    ).toEqual([null, null, 2]);
  });

  it("symbolic graphs with unknown dims replay", () => {
    const k = T(rand([3, 3, 2, 4], 2));
    const x = T(rand([2, 4, 5, 4], 3));
    checkSymbolicReplay(
      (v) => nn.convTranspose(v as Tensor, k, 2, "same"),
      [null, 4, 5, 4],
      x,
      [null, 8, 10, 2],
      { rtol: 1e-5, atol: 1e-5 },
    );
    checkSymbolicReplay(
      (v) => nn.convTranspose(v as Tensor, k, 2, "valid"),
      [2, null, null, 4],
      x,
      [2, null, null, 2],
      { rtol: 1e-5, atol: 1e-5 },
    );
  });

  const CASES: {
    x: number[];
    k: number[];
    s: number[];
    d: number[];
    padding: "valid" | "same";
    op: number[] | null;
  }[] = [
    { x: [2, 5, 3], k: [3, 2, 3], s: [1], d: [1], padding: "valid", op: null },
    { x: [2, 5, 3], k: [3, 2, 3], s: [2], d: [1], padding: "valid", op: null },
    { x: [1, 4, 2], k: [2, 3, 2], s: [3], d: [1], padding: "valid", op: null },
    { x: [1, 4, 2], k: [2, 3, 2], s: [3], d: [1], padding: "valid", op: [2] },
    { x: [1, 5, 2], k: [3, 2, 2], s: [2], d: [1], padding: "same", op: null },
    { x: [1, 5, 2], k: [4, 2, 2], s: [2], d: [1], padding: "same", op: [1] },
    { x: [1, 5, 2], k: [3, 2, 2], s: [1], d: [2], padding: "same", op: null },
    { x: [2, 4, 3, 3], k: [3, 3, 2, 3], s: [2, 2], d: [1, 1], padding: "same", op: null },
    { x: [1, 4, 3, 2], k: [3, 2, 4, 2], s: [2, 3], d: [1, 1], padding: "valid", op: [1, 2] },
    { x: [1, 3, 4, 2], k: [2, 3, 2, 2], s: [2, 1], d: [1, 2], padding: "same", op: [0, 0] },
    {
      x: [1, 3, 2, 3, 2],
      k: [2, 2, 3, 3, 2],
      s: [2, 2, 1],
      d: [1, 1, 1],
      padding: "same",
      op: null,
    },
    // output_padding >= stride (TF rejects it, JAX and Keras' JAX backend append zeros)
    { x: [1, 3, 2], k: [2, 2, 2], s: [2], d: [1], padding: "valid", op: [3] },
    { x: [1, 3, 2], k: [1, 2, 2], s: [2], d: [1], padding: "same", op: [4] },
  ];

  it.each(CASES)(
    "values $x * $k stride $s dilation $d $padding output_padding $op",
    ({ x: xs, k: ks, s, d, padding, op }) => {
      const x = rand(xs, 61);
      const k = rand(ks, 62);
      const ref = convTransposeRef(x, k, s, padding, op, d);
      const y = nn.convTranspose(T(x), T(k), s, padding, op, null, d);
      expect(shapeOf(y)).toEqual(ref.shape);
      expectAllclose(y, ref.data, { rtol: 1e-5, atol: 1e-5 });
      // channels_first gives the same values, transposed.
      const n = xs.length - 2;
      const perm = [0, n + 1, ...Array.from({ length: n }, (_, i) => i + 1)];
      const yf = nn.convTranspose(
        T(transposeRef(x, perm)),
        T(k),
        s,
        padding,
        op,
        "channels_first",
        d,
      );
      expectAllclose(yf, transposeRef(ref, perm).data, { rtol: 1e-5, atol: 1e-5 });
    },
  );

  it.each([
    { x: [1, 4, 2], k: [3, 2, 2], s: [2], d: [1], padding: "same" as const, op: null },
    {
      x: [1, 3, 3, 2],
      k: [2, 3, 2, 2],
      s: [2, 1],
      d: [1, 1],
      padding: "valid" as const,
      op: [1, 0],
    },
  ])(
    "gradient w.r.t. input and kernel ($padding, stride $s)",
    ({ x: xs, k: ks, s, d, padding, op }) => {
      checkGrad(
        (a, b) => nn.convTranspose(a, b, s, padding, op, null, d),
        (a, b) =>
          convTransposeRef({ data: a, shape: xs }, { data: b, shape: ks }, s, padding, op, d).data,
        [rand(xs, 71), rand(ks, 72)],
      );
    },
  );

  it("channel mismatch names the op", () => {
    expect(() => nn.convTranspose(T(rand([1, 4, 4, 3], 1)), T(rand([2, 2, 5, 2], 1)), 2)).toThrow(
      /conv_transpose: .*Received: input channels=3, kernel input channels=2/,
    );
  });
});
