import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import { grad } from "../../src/autodiff/grad";
import * as nn from "../../src/ops/nn/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import * as lax from "../../src/primitives/lax";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolicReplay, data, erf64, rand, tensor } from "./nn_reference";

type Unary = (x: Tensor) => Tensor;

const sp = (x: number): number => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const SELU_A = 1.6732632423543772;
const SELU_S = 1.0507009873554805;
const geluTanh = (x: number): number =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
const geluErf = (x: number): number => (x * (1 + erf64(x / Math.SQRT2))) / 2;

/** Elementwise activations: op, float64 reference, and whether to check its gradient. */
const ELEMENTWISE: [string, Unary, (x: number) => number, boolean][] = [
  ["relu", nn.relu, (x) => Math.max(x, 0), true],
  ["relu6", nn.relu6, (x) => Math.min(Math.max(x, 0), 6), true],
  ["sigmoid", nn.sigmoid, sig, true],
  ["sparseSigmoid", nn.sparseSigmoid, (x) => (x <= -1 ? 0 : x >= 1 ? 1 : 0.5 * (x + 1)), true],
  ["softplus", nn.softplus, sp, true],
  ["softsign", nn.softsign, (x) => x / (1 + Math.abs(x)), true],
  [
    "softShrink",
    (x) => nn.softShrink(x),
    (x) => (x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0),
    true,
  ],
  ["sparsePlus", nn.sparsePlus, (x) => (x <= -1 ? 0 : x >= 1 ? x : 0.25 * (x + 1) ** 2), true],
  ["silu", nn.silu, (x) => x * sig(x), true],
  ["squareplus", (x) => nn.squareplus(x), (x) => (x + Math.sqrt(x * x + 4)) / 2, true],
  ["logSigmoid", nn.logSigmoid, (x) => -sp(-x), true],
  ["leakyRelu", (x) => nn.leakyRelu(x), (x) => (x >= 0 ? x : 0.2 * x), true],
  ["hardSigmoid", nn.hardSigmoid, (x) => Math.min(Math.max(x / 6 + 0.5, 0), 1), true],
  ["hardSilu", nn.hardSilu, (x) => x * Math.min(Math.max(x / 6 + 0.5, 0), 1), true],
  ["elu", (x) => nn.elu(x), (x) => (x >= 0 ? x : Math.expm1(x)), true],
  ["selu", nn.selu, (x) => SELU_S * (x >= 0 ? x : SELU_A * Math.expm1(x)), true],
  ["gelu", (x) => nn.gelu(x), geluTanh, true],
  ["gelu(approximate=false)", (x) => nn.gelu(x, false), geluErf, true],
  ["celu", (x) => nn.celu(x, 2), (x) => Math.max(x, 0) + 2 * Math.expm1(Math.min(x, 0) / 2), true],
  ["tanhShrink", nn.tanhShrink, (x) => x - Math.tanh(x), true],
  ["hardTanh", nn.hardTanh, (x) => Math.min(Math.max(x, -1), 1), true],
  ["hardShrink", (x) => nn.hardShrink(x), (x) => (Math.abs(x) > 0.5 ? x : 0), true],
  ["threshold", (x) => nn.threshold(x, 0.3, -2), (x) => (x > 0.3 ? x : -2), true],
];

/** Inputs away from the kinks (0, ±0.5, ±1, ±3, 6) so finite differences are valid. */
function smoothInputs(): number[] {
  return [-7.3, -4.1, -2.7, -1.6, -0.8, -0.3, -0.12, 0.07, 0.2, 0.7, 1.3, 2.2, 3.6, 5.1, 6.6, 8.4];
}

describe.each(ELEMENTWISE)("%s", (name, op, ref, checkGradient) => {
  const xs = smoothInputs();

  it("symbolic shape with unknown batch", () => {
    const y = op(new KerasTensor([null, 28, 28, 3]) as unknown as Tensor) as unknown as KerasTensor;
    expect(y).toBeInstanceOf(KerasTensor);
    expect([...y.shape]).toEqual([null, 28, 28, 3]);
    expect(y.dtype).toBe("float32");
  });

  it("static shape", () => {
    expect([...op(tensor(new Float32Array(24), [2, 3, 4])).shape]).toEqual([2, 3, 4]);
  });

  it("values", () => {
    const x = tensor(xs, [4, 4]);
    expectAllclose(
      op(x),
      xs.map((v) => ref(Math.fround(v))),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });

  it("dtype", () => {
    const y = op(convertToTensor([-2, 0, 3], "int32"));
    if (name === "relu" || name === "relu6") expect(y.dtype).toBe("int32");
    else expect(y.dtype).toBe("float32");
    expectAllclose(y, [-2, 0, 3].map(ref), { rtol: 1e-5, atol: 1e-6 });
  });

  it.runIf(checkGradient)("gradient", () => {
    checkGrad(
      (x) => op(x),
      (x) => Array.from(x, ref),
      [{ data: Float64Array.from(xs, Math.fround), shape: [16] }],
    );
  });
});

describe("activations at extreme inputs", () => {
  const big = [-1000, -100, -30, 30, 100, 1000];

  it("sigmoid, softplus and logSigmoid stay finite and exact", () => {
    const x = tensor(big, [6]);
    expectAllclose(nn.sigmoid(x), big.map(sig), { rtol: 1e-6, atol: 1e-30 });
    expectAllclose(nn.softplus(x), big.map(sp), { rtol: 1e-6, atol: 1e-30 });
    expectAllclose(
      nn.logSigmoid(x),
      big.map((v) => -sp(-v)),
      { rtol: 1e-6, atol: 1e-30 },
    );
  });

  it("gradients stay finite for large |x|", () => {
    for (const op of [
      nn.sigmoid,
      nn.softplus,
      nn.silu,
      nn.logSigmoid,
      nn.elu,
      nn.selu,
      nn.celu,
      nn.gelu,
    ] as Unary[]) {
      const g = grad((x: Tensor) => lax.sum(op(x), [0]))(tensor(big, [6])) as Tensor;
      for (const v of data(g)) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it("relu's gradient at 0 is 0 and softplus' is 1/2", () => {
    const z = tensor([0], [1]);
    expect(data(grad((x: Tensor) => lax.sum(nn.relu(x), [0]))(z))).toEqual([0]);
    expect(data(grad((x: Tensor) => lax.sum(nn.softplus(x), [0]))(z))).toEqual([0.5]);
  });
});

describe("Keras docstring values", () => {
  it.each([
    ["sigmoid", nn.sigmoid, [-6, 1, 0, 1, 6], [0.00247262, 0.7310586, 0.5, 0.7310586, 0.9975274]],
    ["softplus", nn.softplus, [-0.555, 0, 0.555], [0.45366603, 0.6931472, 1.008666]],
    ["silu", nn.silu, [-6, 1, 0, 1, 6], [-0.0148357, 0.7310586, 0, 0.7310586, 5.9851646]],
    [
      "logSigmoid",
      nn.logSigmoid,
      [-0.541391, 0, 0.5, 5],
      [-1.0000418, -0.6931472, -0.474077, -0.00671535],
    ],
    ["hardSilu", nn.hardSilu, [-3, -1, 0, 1, 3], [-0, -0.3333333, 0, 0.6666667, 3]],
    ["gelu", nn.gelu, [-1, 0, 1], [-0.15880801, 0, 0.841192]],
    ["selu", nn.selu, [-1, 0, 1], [-1.11133055, 0, 1.05070098]],
    ["squareplus", nn.squareplus, [-1, 0, 1], [0.618034, 1, 1.618034]],
    ["softsign", nn.softsign, [-0.1, -10, 1, 0, 100], [-0.09090909, -0.90909094, 0.5, 0, 0.990099]],
  ] as [string, Unary, number[], number[]][])("%s", (_name, op, x, expected) => {
    expectAllclose(op(tensor(x, [x.length])), expected, { rtol: 1e-5, atol: 1e-6 });
  });
});

function softmaxRef(x: Float64Array, rows: number, cols: number, log = false): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[r * cols + c]!);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[r * cols + c]! - m);
    for (let c = 0; c < cols; c++)
      out[r * cols + c] = log
        ? x[r * cols + c]! - m - Math.log(s)
        : Math.exp(x[r * cols + c]! - m) / s;
  }
  return out;
}

describe("softmax", () => {
  it("symbolic shape with unknown batch, and the graph replays", () => {
    checkSymbolicReplay((x) => nn.softmax(x), [null, 5], tensor(rand([3, 5], 1).data, [3, 5]), [
      null,
      5,
    ]);
    checkSymbolicReplay(
      (x) => nn.softmax(x, 1),
      [null, 4, 3],
      tensor(rand([2, 4, 3], 2).data, [2, 4, 3]),
      [null, 4, 3],
    );
  });

  it("values; rows sum to 1", () => {
    const x = rand([4, 6], 3, -3, 3);
    const y = nn.softmax(tensor(x.data, x.shape));
    expectAllclose(y, softmaxRef(x.data, 4, 6), { rtol: 1e-5, atol: 1e-7 });
    expectAllclose(lax.sum(y, [1]), [1, 1, 1, 1], { rtol: 1e-6 });
  });

  it("large logits stay finite", () => {
    const y = nn.softmax(tensor([1000, 1001, 1002, -1000, 0, 1000], [2, 3]));
    expectAllclose(y, softmaxRef(Float64Array.from([1000, 1001, 1002, -1000, 0, 1000]), 2, 3), {
      rtol: 1e-6,
      atol: 1e-30,
    });
    const l = nn.logSoftmax(tensor([1000, 1001, 1002], [1, 3]));
    expectAllclose(l, [-2.4076059, -1.4076059, -0.4076059], { rtol: 1e-6 });
  });

  it("axis as a list reduces over several axes", () => {
    const x = rand([2, 3, 4], 4);
    const y = nn.softmax(tensor(x.data, x.shape), [1, 2]);
    expectAllclose(y, softmaxRef(x.data, 2, 12), { rtol: 1e-5, atol: 1e-7 });
    const z = nn.softmax(tensor(x.data, x.shape), 0);
    expectAllclose(lax.sum(z, [0]), new Array(12).fill(1), { rtol: 1e-6 });
  });

  it("gradient", () => {
    checkGrad(
      (x) => nn.softmax(x),
      (x) => softmaxRef(x, 3, 4),
      [rand([3, 4], 5, -2, 2)],
    );
    checkGrad(
      (x) => nn.softmax(x, 0),
      (x) => {
        // softmax over axis 0 of (3, 4) = transpose of softmax over the rows of (4, 3)
        const t = new Float64Array(12);
        for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) t[j * 3 + i] = x[i * 4 + j]!;
        const s = softmaxRef(t, 4, 3);
        const o = new Float64Array(12);
        for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) o[i * 4 + j] = s[j * 3 + i]!;
        return o;
      },
      [rand([3, 4], 6, -2, 2)],
    );
  });
});

describe("logSoftmax", () => {
  it("symbolic shape and replay", () => {
    checkSymbolicReplay((x) => nn.logSoftmax(x), [null, 5], tensor(rand([3, 5], 7).data, [3, 5]), [
      null,
      5,
    ]);
  });

  it("values", () => {
    const x = rand([3, 5], 8, -4, 4);
    expectAllclose(nn.logSoftmax(tensor(x.data, x.shape)), softmaxRef(x.data, 3, 5, true), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  });

  it("gradient", () => {
    checkGrad(
      (x) => nn.logSoftmax(x),
      (x) => softmaxRef(x, 3, 4, true),
      [rand([3, 4], 9, -2, 2)],
    );
  });
});

describe("glu", () => {
  it("symbolic shape (deferred slicing with unknown batch) and replay", () => {
    checkSymbolicReplay((x) => nn.glu(x), [null, 6], tensor(rand([2, 6], 10).data, [2, 6]), [
      null,
      3,
    ]);
    const y = nn.glu(new KerasTensor([2, 8, 4]) as unknown as Tensor, 1) as unknown as KerasTensor;
    expect([...y.shape]).toEqual([2, 4, 4]);
  });

  it("values and gradient", () => {
    const x = rand([2, 4], 11, -2, 2);
    const ref = (v: Float64Array): number[] => [0, 1, 4, 5].map((i) => v[i]! * sig(v[i + 2]!));
    expectAllclose(nn.glu(tensor(x.data, x.shape)), ref(x.data), { rtol: 1e-5 });
    expectAllclose(nn.glu(tensor([-1, 0, 1, 1], [4])), [-0.7310586, 0], { rtol: 1e-5 });
    checkGrad((v) => nn.glu(v), ref, [x]);
  });

  it("rejects an odd axis", () => {
    expect(() => nn.glu(tensor([1, 2, 3], [3]))).toThrow(/glu.*Received: shape=\(3,\)/);
  });
});

describe("sparsemax", () => {
  /** Projection onto the simplex by bisection on tau (independent of the sort-based op). */
  function sparsemaxRef(x: number[]): number[] {
    let lo = Math.min(...x) - 1;
    let hi = Math.max(...x);
    for (let i = 0; i < 200; i++) {
      const tau = (lo + hi) / 2;
      const s = x.reduce((a, v) => a + Math.max(v - tau, 0), 0);
      if (s > 1) lo = tau;
      else hi = tau;
    }
    return x.map((v) => Math.max(v - (lo + hi) / 2, 0));
  }

  it("values sum to 1 and match the simplex projection", () => {
    const rows = [
      [-1, 0, 1],
      [0.5, 0.4, -2],
      [0.1, -0.1, 0.05],
      [3, 3, 3],
    ];
    const y = nn.sparsemax(tensor(rows.flat(), [4, 3]));
    expectAllclose(y, rows.flatMap(sparsemaxRef), { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(nn.sparsemax(tensor([-1, 0, 1], [3])), [0, 0, 1]);
  });

  it("axis other than the last, and symbolic shape", () => {
    const rows = [
      [0.5, 0.4, -2],
      [0.1, -0.1, 0.05],
    ];
    const cols = nn.sparsemax(tensor([0.5, 0.1, 0.4, -0.1, -2, 0.05], [3, 2]), 0);
    const ref = rows.map(sparsemaxRef);
    expectAllclose(
      cols,
      [ref[0]![0]!, ref[1]![0]!, ref[0]![1]!, ref[1]![1]!, ref[0]![2]!, ref[1]![2]!],
      { rtol: 1e-5, atol: 1e-6 },
    );
    expect([
      ...(nn.sparsemax(new KerasTensor([null, 7]) as unknown as Tensor) as unknown as KerasTensor)
        .shape,
    ]).toEqual([null, 7]);
  });
});
