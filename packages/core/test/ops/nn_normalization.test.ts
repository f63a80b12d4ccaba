import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as nn from "../../src/ops/nn/index";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import {
  checkGrad,
  evalGraph,
  forEachIndex,
  rand,
  size,
  stridesOf,
  tensor,
  type Arr,
} from "./nn_reference";

const sym = (shape: (number | null)[]): Tensor => new KerasTensor(shape) as unknown as Tensor;
const shapeOf = (t: Tensor): (number | null)[] => [...t.shape];
const T = (a: Arr): Tensor => tensor(a.data, a.shape);

/** Mean and (two-pass) variance over `axes`, keepdims layout flattened. */
function momentsRef(x: Arr, axes: number[]): { mean: number[]; variance: number[] } {
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = size(keptShape);
  const sum = new Float64Array(n);
  const cnt = size(x.shape) / n;
  const ks = stridesOf(keptShape);
  const keyOf = (idx: number[]): number =>
    idx.reduce((a, v, i) => a + (axes.includes(i) ? 0 : v * ks[i]!), 0);
  let w = 0;
  forEachIndex(x.shape, (idx) => (sum[keyOf(idx)] += x.data[w++]!));
  const mean = Array.from(sum, (s) => s / cnt);
  const sq = new Float64Array(n);
  w = 0;
  forEachIndex(x.shape, (idx) => {
    const k = keyOf(idx);
    sq[k] += (x.data[w++]! - mean[k]!) ** 2;
  });
  return { mean, variance: Array.from(sq, (s) => s / cnt) };
}

describe("moments", () => {
  it("symbolic shape with unknown batch (reducing over it), and the graph replays", () => {
    const [m, v] = nn.moments(sym([null, 28, 28, 3]), [0, 1, 2]);
    expect(shapeOf(m)).toEqual([3]);
    expect(shapeOf(v)).toEqual([3]);
    const [mk] = nn.moments(sym([null, 28, 28, 3]), [1, 2], true);
    expect(shapeOf(mk)).toEqual([null, 1, 1, 3]);
    const xs = new KerasTensor([null, 4, 3]);
    const [ms, vs] = nn.moments(xs as unknown as Tensor, [0, 1]) as unknown as KerasTensor[];
    const x = rand([5, 4, 3], 1, -2, 3);
    const [mr, vr] = evalGraph([ms!, vs!], new Map([[xs, T(x)]]));
    const ref = momentsRef(x, [0, 1]);
    expectAllclose(mr!, ref.mean, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(vr!, ref.variance, { rtol: 1e-5, atol: 1e-6 });
  });

  it("values (two-pass variance), keepdims", () => {
    const [m, v] = nn.moments([0, 1, 2, 3, 100], [0]);
    expectAllclose(m, [21.2], { rtol: 1e-6 });
    expectAllclose(v, [1553.36], { rtol: 1e-6 });
    const x = rand([3, 4, 5], 2, 99, 101); // large mean: E[x^2] - E[x]^2 would lose all digits
    const [m2, v2] = nn.moments(T(x), [0, 2], true);
    expect(shapeOf(m2)).toEqual([1, 4, 1]);
    const ref = momentsRef(x, [0, 2]);
    expectAllclose(m2, ref.mean, { rtol: 1e-6 });
    expectAllclose(v2, ref.variance, { rtol: 1e-3, atol: 1e-5 });
  });

  it("gradient", () => {
    const x = rand([3, 4], 3);
    checkGrad(
      (a) => nn.moments(a, [0])[0],
      (a) => momentsRef({ data: a, shape: [3, 4] }, [0]).mean,
      [x],
    );
    checkGrad(
      (a) => nn.moments(a, [0])[1],
      (a) => momentsRef({ data: a, shape: [3, 4] }, [0]).variance,
      [x],
    );
  });
});

/** (x - mean) / sqrt(var + eps) * scale + offset along `axis`. */
function bnRef(
  x: Arr,
  axis: number,
  mean: Float64Array,
  variance: Float64Array,
  offset: Float64Array | null,
  scale: Float64Array | null,
  eps: number,
): number[] {
  const out: number[] = [];
  let w = 0;
  forEachIndex(x.shape, (idx) => {
    const c = idx[axis]!;
    const v = (x.data[w++]! - mean[c]!) / Math.sqrt(variance[c]! + eps);
    out.push(v * (scale ? scale[c]! : 1) + (offset ? offset[c]! : 0));
  });
  return out;
}

describe("batchNormalization", () => {
  const x = rand([2, 3, 4], 11, -2, 2);
  const mean = rand([4], 12).data;
  const variance = rand([4], 13, 0.5, 2).data;
  const offset = rand([4], 14).data;
  const scale = rand([4], 15, 0.5, 1.5).data;
  const v4 = (d: Float64Array): Tensor => tensor(d, [4]);

  it("symbolic shape with unknown batch", () => {
    expect(
      shapeOf(nn.batchNormalization(sym([null, 28, 28, 3]), [0, 0, 0], [1, 1, 1], -1)),
    ).toEqual([null, 28, 28, 3]);
    expect(
      shapeOf(
        nn.batchNormalization(
          sym([null, 3, 28, 28]),
          [0, 0, 0],
          [1, 1, 1],
          1,
          [0, 0, 0],
          [1, 1, 1],
        ),
      ),
    ).toEqual([null, 3, 28, 28]);
  });

  it("values: the Keras formula, last axis and a middle axis, with and without offset / scale", () => {
    expectAllclose(
      nn.batchNormalization(T(x), v4(mean), v4(variance), -1, v4(offset), v4(scale)),
      bnRef(x, 2, mean, variance, offset, scale, 1e-3),
      { rtol: 1e-5, atol: 1e-6 },
    );
    expectAllclose(
      nn.batchNormalization(T(x), v4(mean), v4(variance), 2),
      bnRef(x, 2, mean, variance, null, null, 1e-3),
      { rtol: 1e-5, atol: 1e-6 },
    );
    const m3 = rand([3], 16).data;
    const va3 = rand([3], 17, 0.5, 2).data;
    expectAllclose(
      nn.batchNormalization(
        T(x),
        tensor(m3, [3]),
        tensor(va3, [3]),
        1,
        null,
        tensor(offset.slice(0, 3), [3]),
        0.01,
      ),
      bnRef(x, 1, m3, va3, null, offset.slice(0, 3), 0.01),
      { rtol: 1e-5, atol: 1e-6 },
    );
    // Docstring example.
    const y = nn.batchNormalization(
      [
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
        [0.7, 0.8, 0.9],
      ],
      [0.4, 0.5, 0.6],
      [0.67, 0.67, 0.67],
      -1,
    );
    expectAllclose(y, [-0.36624, -0.36624, -0.36624, 0, 0, 0, 0.36624, 0.36624, 0.36624], {
      rtol: 1e-4,
      atol: 1e-6,
    });
  });

  it("gradient w.r.t. x, mean, variance, offset and scale", () => {
    checkGrad(
      (a, m, v, o, s) => nn.batchNormalization(a, m, v, -1, o, s),
      (a, m, v, o, s) => bnRef({ data: a, shape: x.shape }, 2, m, v, o, s, 1e-3),
      [
        x,
        { data: mean, shape: [4] },
        { data: variance, shape: [4] },
        { data: offset, shape: [4] },
        { data: scale, shape: [4] },
      ],
    );
  });

  it("bad statistics shape names the op", () => {
    expect(() => nn.batchNormalization(T(x), [0, 0], [1, 1, 1, 1], -1)).toThrow(
      /batch_normalization: `mean` must be a vector.*Received: mean.shape=\(2,\)/,
    );
  });
});

describe("normalize", () => {
  it("values: order 2 (the Keras example), order 1 and 3, tiny norms use epsilon", () => {
    expectAllclose(
      nn.normalize([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      [0.26726124, 0.5345225, 0.8017837, 0.45584232, 0.5698029, 0.68376344],
      { rtol: 1e-6 },
    );
    expectAllclose(nn.normalize([[1, -2, 3]], -1, 1), [1 / 6, -2 / 6, 3 / 6], { rtol: 1e-6 });
    const n3 = Math.cbrt(1 + 8 + 27);
    expectAllclose(nn.normalize([[1, -2, 3]], -1, 3), [1 / n3, -2 / n3, 3 / n3], { rtol: 1e-5 });
    expectAllclose(nn.normalize([[1e-9, 0]], -1, 2), [1e-9 * 1e7, 0], { rtol: 1e-5 });
    expectAllclose(
      nn.normalize(
        [
          [1, 2],
          [3, 4],
        ],
        0,
      ),
      [1 / Math.sqrt(10), 2 / Math.sqrt(20), 3 / Math.sqrt(10), 4 / Math.sqrt(20)],
      { rtol: 1e-6 },
    );
  });

  it("symbolic shape and gradient", () => {
    expect(shapeOf(nn.normalize(sym([null, 5])))).toEqual([null, 5]);
    const x = rand([2, 3], 21);
    checkGrad(
      (a) => nn.normalize(a),
      (a) => {
        const out: number[] = [];
        for (let r = 0; r < 2; r++) {
          const n = Math.hypot(a[r * 3]!, a[r * 3 + 1]!, a[r * 3 + 2]!);
          for (let c = 0; c < 3; c++) out.push(a[r * 3 + c]! / n);
        }
        return out;
      },
      [x],
    );
  });

  it("rejects a bad order", () => {
    expect(() => nn.normalize([1, 2], -1, 0)).toThrow(
      /normalize: `order` must be an int >= 1. Received: order=0/,
    );
  });
});

describe("layerNormalization and rmsNormalization", () => {
  const x = rand([3, 4], 31, -2, 2);
  const gamma = rand([4], 32, 0.5, 1.5).data;
  const beta = rand([4], 33).data;

  it("layerNormalization values, gradient and symbolic shape", () => {
    const ref = (a: Float64Array, g: Float64Array, b: Float64Array): number[] => {
      const out: number[] = [];
      for (let r = 0; r < 3; r++) {
        const row = Array.from(a.slice(r * 4, r * 4 + 4));
        const m = row.reduce((s, v) => s + v, 0) / 4;
        const v = row.reduce((s, u) => s + (u - m) ** 2, 0) / 4;
        row.forEach((u, c) => out.push(((u - m) / Math.sqrt(v + 1e-3)) * g[c]! + b[c]!));
      }
      return out;
    };
    expectAllclose(
      nn.layerNormalization(T(x), tensor(gamma, [4]), tensor(beta, [4]), -1, 1e-3),
      ref(x.data, gamma, beta),
      { rtol: 1e-5, atol: 1e-6 },
    );
    checkGrad((a, g, b) => nn.layerNormalization(a, g, b, -1, 1e-3), ref, [
      x,
      { data: gamma, shape: [4] },
      { data: beta, shape: [4] },
    ]);
    expect(shapeOf(nn.layerNormalization(sym([null, 7, 4]), [1, 1, 1, 1], null))).toEqual([
      null,
      7,
      4,
    ]);
  });

  it("rmsNormalization values", () => {
    const out: number[] = [];
    for (let r = 0; r < 3; r++) {
      const row = Array.from(x.data.slice(r * 4, r * 4 + 4));
      const ms = row.reduce((s, v) => s + v * v, 0) / 4;
      row.forEach((u, c) => out.push((u / Math.sqrt(ms + 1e-7)) * gamma[c]!));
    }
    expectAllclose(nn.rmsNormalization(T(x), tensor(gamma, [4])), out, { rtol: 1e-5, atol: 1e-6 });
    expect(shapeOf(nn.rmsNormalization(sym([null, 4])))).toEqual([null, 4]);
  });
});
