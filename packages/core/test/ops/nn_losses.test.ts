import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as nn from "../../src/ops/nn/index";
import { convertToTensor } from "../../src/ops/convert";
import * as lax from "../../src/primitives/lax";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolicReplay, rand, tensor, type Arr } from "./nn_reference";

const sym = (shape: (number | null)[], dtype: "float32" | "int32" = "float32"): Tensor =>
  new KerasTensor(shape, dtype) as unknown as Tensor;
const shapeOf = (t: Tensor): (number | null)[] => [...t.shape];

// Inputs and per-sample losses written by Keras 3.15.1 (numpy backend), from the shared
// reference files (keras-format/numerics/losses.json).
const PROBS = [
  0.2950190007686615, 0.5348950624465942, 0.17008593678474426, 0.2376246601343155,
  0.5682346820831299, 0.19414067268371582, 0.07008209079504013, 0.906699001789093,
  0.02321891114115715, 0.05788666009902954, 0.5333195924758911, 0.40879374742507935,
];
const LOGITS = [
  0.00246030674315989, 0.5974910855293274, -0.5482757091522217, -1.7811837196350098,
  -0.90934157371521, -1.983293056488037, 0.1202872022986412, 2.6804304122924805,
  -0.9844130277633667, -1.2409497499465942, 0.9796841144561768, 0.7137740254402161,
];
const ONE_HOT = [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1];
const LABELS = [0, 2, 1, 2];
const CCE = [1.2207155227661133, 1.6391723155975342, 0.09794475138187408, 0.8945445418357849];
const CCE_LOGITS = [1.2207155227661133, 1.6391721963882446, 0.0979447141289711, 0.8945444822311401];
const EXACT_PROBS = [1, 0, 0, 0, 0, 1, 0.20000000298023224, 0.800000011920929, 0, 0, 1, 0];
const CCE_EXACT = [
  1.1920930376163597e-7, 1.1920930376163597e-7, 0.2231435328722, 16.11809539794922,
];
const BCE_TRUE = [1, 0, 1, 0, 0, 1, 1, 1];
const BCE_PROBS = [
  0.06365959346294403, 0.28593048453330994, 0.021828994154930115, 0.07049728184938431,
  0.024519294500350952, 0.3845731019973755, 0.07344796508550644, 0.6324004530906677,
];
const BCE_LOGITS = [
  -2.688429117202759, -0.9152315258979797, -3.802445411682129, -2.579075574874878,
  -3.6834700107574463, -0.47018226981163025, -2.534893035888672, 0.5425286889076233,
];
const BCE = [1.5454901456832886, 1.9488109350204468, 0.49022313952445984, 1.5347052812576294];
const BCE_EXACT_PROBS = [0, 1, 1, 0, 0.5, 9.999999717180685e-10, 1, 1];
const BCE_EXACT = [
  16.03023910522461, 1.1920930376163597e-7, 8.405621528625488, 1.1920930376163597e-7,
];

const EPS = 1e-7;
const clip = (p: number): number => Math.min(Math.max(p, EPS), Math.fround(1 - EPS));

function cceRef(
  t: ArrayLike<number>,
  o: ArrayLike<number>,
  rows: number,
  cols: number,
  fromLogits: boolean,
): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => o[r * cols + c]!);
    let logp: number[];
    if (fromLogits) {
      const m = Math.max(...row);
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) + m;
      logp = row.map((v) => v - lse);
    } else {
      const s = row.reduce((a, v) => a + v, 0);
      logp = row.map((v) => Math.log(clip(v / s)));
    }
    out.push(-logp.reduce((a, lp, c) => a + t[r * cols + c]! * lp, 0));
  }
  return out;
}

const meanRows = (v: Tensor, rows: number): Tensor =>
  lax.div(lax.sum(lax.reshape(v, [rows, v.size / rows]), [1]), v.size / rows);

describe("categoricalCrossentropy", () => {
  it("symbolic shape with unknown batch", () => {
    expect(shapeOf(nn.categoricalCrossentropy(sym([null, 10]), sym([null, 10])))).toEqual([null]);
    expect(
      shapeOf(nn.categoricalCrossentropy(sym([null, 5, 10]), sym([null, 5, 10]), true)),
    ).toEqual([null, 5]);
    const t = tensor(ONE_HOT, [4, 3]);
    // a concrete target of batch 4 fixes the unknown batch of the result
    checkSymbolicReplay(
      (o) => nn.categoricalCrossentropy(t, o as Tensor),
      [null, 3],
      tensor(PROBS, [4, 3]),
      [4],
    );
  });

  it("values match Keras (probabilities, logits, exact 0 and 1)", () => {
    expectAllclose(
      nn.categoricalCrossentropy(tensor(ONE_HOT, [4, 3]), tensor(PROBS, [4, 3])),
      CCE,
      { rtol: 1e-6 },
    );
    expectAllclose(
      nn.categoricalCrossentropy(tensor(ONE_HOT, [4, 3]), tensor(LOGITS, [4, 3]), true),
      CCE_LOGITS,
      { rtol: 1e-6 },
    );
    expectAllclose(
      nn.categoricalCrossentropy(tensor(ONE_HOT, [4, 3]), tensor(EXACT_PROBS, [4, 3])),
      CCE_EXACT,
      { rtol: 1e-6 },
    );
    // Docstring example.
    const y = nn.categoricalCrossentropy(
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      [
        [0.9, 0.05, 0.05],
        [0.1, 0.8, 0.1],
        [0.2, 0.3, 0.5],
      ],
    );
    expectAllclose(y, [0.10536054, 0.22314355, 0.6931472], { rtol: 1e-6 });
  });

  it("unnormalized probabilities are renormalized; axis 0 works", () => {
    const o = PROBS.map((v) => v * 3);
    expectAllclose(nn.categoricalCrossentropy(tensor(ONE_HOT, [4, 3]), tensor(o, [4, 3])), CCE, {
      rtol: 1e-6,
    });
    const tT = [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11].map((i) => ONE_HOT[i]!);
    const oT = [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11].map((i) => PROBS[i]!);
    expectAllclose(
      nn.categoricalCrossentropy(tensor(tT, [3, 4]), tensor(oT, [3, 4]), false, 0),
      CCE,
      { rtol: 1e-6 },
    );
  });

  it("gradient (probabilities and logits)", () => {
    const t: Arr = { data: Float64Array.from([0.2, 0.5, 0.3, 0, 1, 0]), shape: [2, 3] };
    const p: Arr = { data: Float64Array.from([0.3, 0.5, 0.4, 0.1, 0.6, 0.2]), shape: [2, 3] };
    checkGrad(
      (a, b) => nn.categoricalCrossentropy(a, b),
      (a, b) => cceRef(a, b, 2, 3, false),
      [t, p],
    );
    checkGrad(
      (a, b) => nn.categoricalCrossentropy(a, b, true),
      (a, b) => cceRef(a, b, 2, 3, true),
      [t, rand([2, 3], 3, -2, 2)],
    );
  });

  it("bad inputs name the op", () => {
    expect(() =>
      nn.categoricalCrossentropy(tensor(ONE_HOT, [4, 3]), tensor(PROBS.slice(0, 8), [4, 2])),
    ).toThrow(
      /categorical_crossentropy: .*same shape. Received: target.shape=\(4, 3\), output.shape=\(4, 2\)/,
    );
  });
});

describe("sparseCategoricalCrossentropy", () => {
  it("symbolic shape with unknown batch", () => {
    expect(
      shapeOf(nn.sparseCategoricalCrossentropy(sym([null], "int32"), sym([null, 10]))),
    ).toEqual([null]);
    expect(
      shapeOf(nn.sparseCategoricalCrossentropy(sym([null, 1], "int32"), sym([null, 10]))),
    ).toEqual([null]);
    const labels = convertToTensor(LABELS, "int32");
    checkSymbolicReplay(
      (o) => nn.sparseCategoricalCrossentropy(labels, o as Tensor),
      [null, 3],
      tensor(PROBS, [4, 3]),
      [4],
    );
  });

  it("values match Keras", () => {
    expectAllclose(nn.sparseCategoricalCrossentropy(LABELS, tensor(PROBS, [4, 3])), CCE, {
      rtol: 1e-6,
    });
    expectAllclose(
      nn.sparseCategoricalCrossentropy(
        convertToTensor(LABELS, "int32"),
        tensor(LOGITS, [4, 3]),
        true,
      ),
      CCE_LOGITS,
      { rtol: 1e-6 },
    );
    expectAllclose(
      nn.sparseCategoricalCrossentropy(
        convertToTensor([[0], [2], [1], [2]], "int32"),
        tensor(PROBS, [4, 3]),
      ),
      CCE,
      { rtol: 1e-6 },
    );
    // float labels are cast; out-of-range labels contribute 0
    expectAllclose(
      nn.sparseCategoricalCrossentropy(tensor([0, 2, 1, 5], [4]), tensor(PROBS, [4, 3])),
      [...CCE.slice(0, 3), 0],
      { rtol: 1e-6 },
    );
  });

  it("gradient w.r.t. output", () => {
    const o = rand([3, 4], 4, -2, 2);
    const labels = convertToTensor([3, 0, 2], "int32");
    const onehot = [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0];
    checkGrad(
      (b) => nn.sparseCategoricalCrossentropy(labels, b, true),
      (b) => cceRef(onehot, b, 3, 4, true),
      [o],
    );
  });

  it("bad inputs name the op", () => {
    expect(() =>
      nn.sparseCategoricalCrossentropy(convertToTensor([0, 1], "int32"), tensor(PROBS, [4, 3])),
    ).toThrow(
      /sparse_categorical_crossentropy: .*Received: target.shape=\(2,\), output.shape=\(4, 3\)/,
    );
  });
});

function bceRef(t: ArrayLike<number>, o: ArrayLike<number>, fromLogits: boolean): number[] {
  return Array.from(t, (tv, i) => {
    const v = o[i]!;
    if (fromLogits) {
      const logsig = (z: number): number => -(Math.log1p(Math.exp(-Math.abs(z))) + Math.max(-z, 0));
      return -(tv * logsig(v) + (1 - tv) * logsig(-v));
    }
    const p = clip(v);
    return -(tv * Math.log(p) + (1 - tv) * Math.log(1 - p));
  });
}

describe("binaryCrossentropy", () => {
  it("symbolic shape with unknown batch", () => {
    expect(shapeOf(nn.binaryCrossentropy(sym([null, 3]), sym([null, 3])))).toEqual([null, 3]);
  });

  it("values match Keras (probabilities, logits, exact 0 and 1)", () => {
    expectAllclose(
      meanRows(nn.binaryCrossentropy(tensor(BCE_TRUE, [4, 2]), tensor(BCE_PROBS, [4, 2])), 4),
      BCE,
      { rtol: 1e-6 },
    );
    expectAllclose(
      meanRows(
        nn.binaryCrossentropy(tensor(BCE_TRUE, [4, 2]), tensor(BCE_LOGITS, [4, 2]), true),
        4,
      ),
      BCE,
      { rtol: 1e-6 },
    );
    expectAllclose(
      meanRows(nn.binaryCrossentropy(tensor(BCE_TRUE, [4, 2]), tensor(BCE_EXACT_PROBS, [4, 2])), 4),
      BCE_EXACT,
      { rtol: 1e-6 },
    );
    expectAllclose(
      nn.binaryCrossentropy([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.2]),
      [0.10536054, 0.10536054, 0.22314355, 0.22314355],
      { rtol: 1e-6 },
    );
  });

  it("large logits stay finite", () => {
    const y = nn.binaryCrossentropy([1, 0, 1, 0], [100, -100, -100, 100], true);
    expectAllclose(y, [0, 0, 100, 100], { rtol: 1e-6, atol: 1e-30 });
  });

  it("gradient (probabilities and logits)", () => {
    const t: Arr = { data: Float64Array.from([1, 0, 0.3, 0.8, 0, 1]), shape: [6] };
    const p: Arr = { data: Float64Array.from([0.2, 0.7, 0.4, 0.9, 0.05, 0.6]), shape: [6] };
    checkGrad(
      (a, b) => nn.binaryCrossentropy(a, b),
      (a, b) => bceRef(a, b, false),
      [t, p],
    );
    checkGrad(
      (a, b) => nn.binaryCrossentropy(a, b, true),
      (a, b) => bceRef(a, b, true),
      [t, rand([6], 5, -4, 4)],
    );
  });

  it("bad inputs name the op", () => {
    expect(() => nn.binaryCrossentropy([1, 0], [0.5, 0.5, 0.5])).toThrow(
      /binary_crossentropy: .*Received: target.shape=\(2,\), output.shape=\(3,\)/,
    );
  });
});

describe("psnr", () => {
  it("values and shape", () => {
    const a = rand([2, 4, 4, 3], 6);
    const b = rand([2, 4, 4, 3], 7);
    let mse = 0;
    for (let i = 0; i < a.data.length; i++) mse += (a.data[i]! - b.data[i]!) ** 2;
    mse /= a.data.length;
    const y = nn.psnr(tensor(a.data, a.shape), tensor(b.data, b.shape), 1);
    expect(shapeOf(y)).toEqual([]);
    expectAllclose(y, [20 * Math.log10(1) - 10 * Math.log10(mse)], { rtol: 1e-5 });
    expect(shapeOf(nn.psnr(sym([null, 4]), sym([null, 4]), 255))).toEqual([]);
  });
});

describe("oneHot", () => {
  it("symbolic shape with unknown batch, and replay", () => {
    expect(shapeOf(nn.oneHot(sym([null, 3], "int32"), 5))).toEqual([null, 3, 5]);
    expect(shapeOf(nn.oneHot(sym([null, 3], "int32"), 5, 1))).toEqual([null, 5, 3]);
    expect(shapeOf(nn.oneHot(sym([null, 3], "int32"), 5, 0))).toEqual([5, null, 3]);
    checkSymbolicReplay(
      (x) => nn.oneHot(x as Tensor, 4, 1),
      [null, 2],
      convertToTensor(
        [
          [1, 3],
          [0, -1],
          [2, 2],
        ],
        "int32",
      ),
      [null, 4, 2],
    );
  });

  it("values (out-of-range labels give zeros) and dtype", () => {
    const y = nn.oneHot([1, 3, 2, 0, -1, 4], 4);
    expect(y.dtype).toBe("float32");
    expectAllclose(y, [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const z = nn.oneHot(convertToTensor([[0, 2]], "int32"), 3, 1, "int32");
    expect(z.dtype).toBe("int32");
    expect([...z.shape]).toEqual([1, 3, 2]);
    expectAllclose(z, [1, 0, 0, 0, 0, 1]);
  });

  it("bad axis names the op", () => {
    expect(() => nn.oneHot([1, 2], 3, 2)).toThrow(
      /one_hot: axis must be -1 or in \[0, 1\). Received: axis=2/,
    );
  });
});

describe("multiHot", () => {
  it("values", () => {
    expectAllclose(nn.multiHot([0, 4], 5), [1, 0, 0, 0, 1]);
    expectAllclose(
      nn.multiHot(
        convertToTensor(
          [
            [0, 1],
            [2, 2],
          ],
          "int32",
        ),
        3,
      ),
      [1, 1, 0, 0, 0, 1],
    );
  });

  it("symbolic shape with unknown batch", () => {
    expect(shapeOf(nn.multiHot(sym([null, 4], "int32"), 6))).toEqual([null, 6]);
  });
});
