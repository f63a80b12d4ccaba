/**
 * Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot. Shape
 * checks at symbolic call time (a wrong architecture fails when the model is built), values
 * and gradients against float64 references, masks, configs.
 */
import { describe, expect, it } from "vitest";
import { ShapeError, Tensor, ValueError, ops } from "../../src/index";
import {
  Add,
  Average,
  Maximum,
  Merge,
  Minimum,
  Multiply,
  Subtract,
  add,
  concatenate,
} from "../../src/layers/merging/index";
import type { LayerOptions } from "../../src/layers/layer";
import { Concatenate } from "../../src/layers/merging/concatenate";
import { Dot } from "../../src/layers/merging/dot";
import { Input } from "../../src/layers/core/input_layer";
import { expectAllclose, randomValues } from "../utils";
import { checkGradients, checkLayerGradients, runLayerTest, tensor } from "./harness";
import { kerasLayerConfig } from "./fixtures";

const elementwise: [string, new (options?: LayerOptions) => Merge, (vals: number[]) => number][] = [
  ["Add", Add, (v) => v.reduce((a, b) => a + b)],
  ["Multiply", Multiply, (v) => v.reduce((a, b) => a * b)],
  ["Average", Average, (v) => v.reduce((a, b) => a + b) / v.length],
  ["Maximum", Maximum, (v) => Math.max(...v)],
  ["Minimum", Minimum, (v) => Math.min(...v)],
];

describe("elementwise merges", () => {
  for (const [name, Cls, f] of elementwise) {
    it(`${name}: runLayerTest, values and gradients (3 inputs)`, () => {
      runLayerTest(Cls, {
        inputShape: [
          [2, 3],
          [2, 3],
          [2, 3],
        ],
        expectedOutputShape: [2, 3],
        expectedNumTrainableWeights: 0,
        supportsMasking: true,
      });
      const data = [0, 1, 2].map((i) => randomValues(6, 10 + i));
      const ref = (...xs: Float64Array[]) =>
        Float64Array.from({ length: 6 }, (_, j) => f(xs.map((x) => x[j]!)));
      const y = new Cls().apply(data.map((d) => tensor(d, [2, 3])));
      expectAllclose(y, ref(...data.map((d) => Float64Array.from(d))), { rtol: 1e-6, atol: 1e-7 });
      checkLayerGradients(
        new Cls(),
        data.map((d) => ({ shape: [2, 3], data: d })),
        (xs) => ref(...xs),
      );
    });
  }

  it("Subtract: exactly two inputs", () => {
    runLayerTest(Subtract, {
      inputShape: [
        [2, 3],
        [2, 3],
      ],
      expectedOutputShape: [2, 3],
    });
    const a = randomValues(6, 1);
    const b = randomValues(6, 2);
    expectAllclose(
      new Subtract().apply([tensor(a, [2, 3]), tensor(b, [2, 3])]),
      Array.from(a, (v, i) => v - b[i]!),
    );
    checkLayerGradients(
      new Subtract(),
      [
        { shape: [2, 3], data: a },
        { shape: [2, 3], data: b },
      ],
      ([x, y]) => x!.map((v, i) => v - y![i]!),
    );
    expect(() => new Subtract({ name: "sub" }).apply([Input([3]), Input([3]), Input([3])])).toThrow(
      /sub[\s\S]*exactly 2 inputs/,
    );
  });

  it("Add of (None, 3) and (None, 4) fails at construction, naming the layer and both shapes", () => {
    let err: unknown;
    try {
      new Add({ name: "residual" }).apply([Input([3]), Input([4])]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    const msg = (err as Error).message;
    expect(msg).toContain('Layer "residual" (Add)');
    expect(msg).toContain("(None, 3)");
    expect(msg).toContain("(None, 4)");
    expect(msg).toMatch(/Received shapes \(3,\) and \(4,\)/);
  });

  it("broadcasts size-1 dims and lower ranks (expanded after the batch axis)", () => {
    expect(new Add().apply([Input([4, 1]), Input([4, 3])]).shape).toEqual([null, 4, 3]);
    expect(new Add().apply([Input([3]), Input([4, 3])]).shape).toEqual([null, 4, 3]);
    const y = new Multiply().apply([
      tensor([1, 2, 3], [1, 3]),
      tensor([1, 1, 1, 2, 2, 2], [1, 2, 3]),
    ]);
    expect(y.shape).toEqual([1, 2, 3]);
    expectAllclose(y, [1, 2, 3, 2, 4, 6]);
  });

  it("rejects different batch sizes and non-list inputs", () => {
    expect(() =>
      new Add().apply([tensor(randomValues(6), [2, 3]), tensor(randomValues(9), [3, 3])]),
    ).toThrow(/different batch sizes[\s\S]*\(2, 3\), \(3, 3\)/);
    expect(() => new Add().apply(Input([3]))).toThrow(/list of inputs/);
  });

  it("computeMask ANDs the given masks", () => {
    const m1 = tensor([1, 1, 0], [1, 3], "bool");
    const m2 = tensor([1, 0, 0], [1, 3], "bool");
    const x = tensor([1, 2, 3], [1, 3]);
    const m = new Add().computeMask([x, x], [m1, m2])!;
    expect(Array.from((m as Tensor).dataSync() as ArrayLike<number>, Number)).toEqual([1, 0, 0]);
    expect(new Add().computeMask([x, x], [m1, null])!.shape).toEqual([1, 3]);
    expect(new Add().computeMask([x, x], null)).toBe(null);
  });

  it("functional form and config (c_functional_dag reference)", () => {
    expect(add([Input([2]), Input([2])]).shape).toEqual([null, 2]);
    const ref = kerasLayerConfig("c_functional_dag", "residual_add")!;
    expect(new Add({ name: "residual_add" }).getConfig()).toEqual(ref.config);
    expect(Add.fromConfig(ref.config).getConfig()).toEqual(ref.config);
  });
});

describe("Concatenate", () => {
  it("runLayerTest", () => {
    runLayerTest(Concatenate, {
      inputShape: [
        [2, 3],
        [2, 4],
      ],
      expectedOutputShape: [2, 7],
      supportsMasking: true,
    });
    runLayerTest(Concatenate, {
      init: { axis: 1 },
      inputShape: [
        [2, 3, 5],
        [2, 1, 5],
      ],
      expectedOutputShape: [2, 4, 5],
    });
  });

  it("values and gradients", () => {
    const a = randomValues(6, 1);
    const b = randomValues(4, 2);
    const ref = ([x, y]: Float64Array[]) => {
      const out: number[] = [];
      for (let r = 0; r < 2; r++)
        out.push(...x!.slice(r * 3, r * 3 + 3), ...y!.slice(r * 2, r * 2 + 2));
      return out;
    };
    checkLayerGradients(
      new Concatenate(),
      [
        { shape: [2, 3], data: a },
        { shape: [2, 2], data: b },
      ],
      ref,
    );
    expect(concatenate([Input([2]), Input([5])]).shape).toEqual([null, 7]);
  });

  it("mismatched shapes fail at symbolic call time", () => {
    expect(() => new Concatenate({ name: "cat" }).apply([Input([3, 5]), Input([4, 6])])).toThrow(
      /cat[\s\S]*matching shapes except for the concatenation axis[\s\S]*\[\(None, 3, 5\), \(None, 4, 6\)\]/,
    );
    expect(() => new Concatenate().apply([Input([3]), Input([3, 1])])).toThrow(/matching shapes/);
    expect(new Concatenate({ axis: 1 }).apply([Input([3, 5]), Input([4, 5])]).shape).toEqual([
      null,
      7,
      5,
    ]);
  });

  it("computeMask concatenates masks, all-true for unmasked inputs", () => {
    const x1 = tensor(randomValues(6), [1, 2, 3]);
    const x2 = tensor(randomValues(4), [1, 2, 2]);
    const m = new Concatenate({ axis: 1 }).computeMask(
      [x1, x1],
      [tensor([1, 0], [1, 2], "bool"), null],
    )!;
    expect(Array.from((m as Tensor).dataSync() as ArrayLike<number>, Number)).toEqual([1, 0, 1, 1]);
    const last = new Concatenate().computeMask([x1, x2], [tensor([1, 0], [1, 2], "bool"), null])!;
    expect(Array.from((last as Tensor).dataSync() as ArrayLike<number>, Number)).toEqual([1, 1]);
  });

  it("config (c_functional_dag reference)", () => {
    const ref = kerasLayerConfig("c_functional_dag", "concat")!;
    expect(new Concatenate({ name: "concat" }).getConfig()).toEqual(ref.config);
  });
});

/** Per-sample dot of (B, M, K) and (B, K, N) -> (B, M, N). */
function bmm(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  B: number,
  M: number,
  K: number,
  N: number,
): Float64Array {
  const out = new Float64Array(B * M * N);
  for (let b = 0; b < B; b++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += x[(b * M + m) * K + k]! * y[(b * K + k) * N + n]!;
        out[(b * M + m) * N + n] = s;
      }
  return out;
}

describe("Dot", () => {
  it("runLayerTest", () => {
    runLayerTest(Dot, {
      init: [1],
      inputShape: [
        [2, 4],
        [2, 4],
      ],
      expectedOutputShape: [2, 1],
    });
    runLayerTest(Dot, {
      init: [[2, 1]],
      inputShape: [
        [2, 3, 4],
        [2, 4, 5],
      ],
      expectedOutputShape: [2, 3, 5],
    });
    runLayerTest(Dot, {
      init: [[1, 1]],
      inputShape: [
        [2, 3, 4],
        [2, 3, 5],
      ],
      expectedOutputShape: [2, 4, 5],
    });
  });

  it("values and gradients: axes (2, 1) is a batched matmul", () => {
    const a = randomValues(2 * 3 * 4, 1);
    const b = randomValues(2 * 4 * 5, 2);
    checkLayerGradients(
      new Dot([2, 1]),
      [
        { shape: [2, 3, 4], data: a },
        { shape: [2, 4, 5], data: b },
      ],
      ([x, y]) => bmm(x!, y!, 2, 3, 4, 5),
    );
  });

  it("values and gradients: axes 1 on 2-D inputs, normalized (cosine similarity)", () => {
    const a = randomValues(3 * 4, 3);
    const b = randomValues(3 * 4, 4);
    const cos = ([x, y]: Float64Array[]) =>
      Float64Array.from({ length: 3 }, (_, r) => {
        let d = 0;
        let nx = 0;
        let ny = 0;
        for (let k = 0; k < 4; k++) {
          d += x![r * 4 + k]! * y![r * 4 + k]!;
          nx += x![r * 4 + k]! ** 2;
          ny += y![r * 4 + k]! ** 2;
        }
        return d / Math.sqrt(nx) / Math.sqrt(ny);
      });
    const y = new Dot(1, { normalize: true }).apply([tensor(a, [3, 4]), tensor(b, [3, 4])]);
    expect(y.shape).toEqual([3, 1]);
    checkLayerGradients(
      new Dot(-1, { normalize: true }),
      [
        { shape: [3, 4], data: a },
        { shape: [3, 4], data: b },
      ],
      cos,
    );
  });

  it("mismatched axes fail at symbolic call time; bad axes fail at construction", () => {
    expect(() => new Dot(1, { name: "dot" }).apply([Input([3]), Input([4])])).toThrow(
      /dot[\s\S]*axis values 3 \(at axis 1\) != 4 \(at axis 1\)/,
    );
    expect(() => new Dot([1, 2, 3])).toThrow(/two elements[\s\S]*Received: axes=\(1, 2, 3\)/);
    expect(() => new Dot(1).apply([Input([3])])).toThrow(/list of 2 inputs/);
    expect(new Dot(1).computeMask()).toBe(null);
  });

  it("config", () => {
    expect(new Dot([2, 1], { name: "d" }).getConfig()).toMatchObject({
      name: "d",
      axes: [2, 1],
      normalize: false,
    });
    expect(Object.keys(new Dot(1).getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "axes",
      "normalize",
    ]);
  });
});

describe("merge errors are ValueErrors", () => {
  it("ShapeError extends ValueError", () => {
    expect(() => new Maximum().apply([Input([2]), Input([5])])).toThrow(ValueError);
    checkGradients(
      (x) => ops.sum(new Maximum().apply([x, ops.negative(x)])),
      (x) => x.reduce((s, v) => s + Math.abs(v), 0),
      [{ shape: [4], data: [0.5, -1, 2, -0.25] }],
    );
  });
});
