/**
 * Recurrent layers: SimpleRNN, LSTM, GRU (and their cells), RNN, StackedRNNCells, Bidirectional,
 * TimeDistributed. Values are checked against float64 JS references of Keras' equations with
 * fixed weights; gradients against central differences of the same references.
 */
import { describe, expect, it } from "vitest";
import { Functional, Input, KerasTensor, Tensor, memory, ops, tidy } from "../../src/index";
import { Dense } from "../../src/layers/core/dense";
import { Embedding } from "../../src/layers/core/embedding";
import type { Layer } from "../../src/layers/layer";
import {
  Bidirectional,
  GRU,
  GRUCell,
  LSTM,
  LSTMCell,
  RNN,
  SimpleRNN,
  SimpleRNNCell,
  StackedRNNCells,
  TimeDistributed,
} from "../../src/layers/rnn/index";
import { expectAllclose, numericGrad, randomValues } from "../utils";
import { checkConfigRoundTrip, runLayerTest, shapeOf, tensor } from "./harness";

// ---------------------------------------------------------------------------------------------
// float64 references (Keras' equations)

type Vec = number[];
type StepFn = (x: Vec, states: Vec[]) => [Vec, Vec[]];

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** x (F) @ W (F, N) flat row-major, plus columns [c0, c1). */
function vecMat(x: ArrayLike<number>, w: ArrayLike<number>, n: number, c0 = 0, c1 = n): Vec {
  const out = new Array<number>(c1 - c0).fill(0);
  for (let i = 0; i < x.length; i++)
    for (let j = c0; j < c1; j++) out[j - c0]! += x[i]! * w[i * n + j]!;
  return out;
}
const add = (a: Vec, b: ArrayLike<number>): Vec => a.map((v, i) => v + b[i]!);
const slice = (a: ArrayLike<number>, s: number, e: number): Vec => Array.from(a).slice(s, e);

function simpleStep(
  k: ArrayLike<number>,
  rk: ArrayLike<number>,
  b: ArrayLike<number> | null,
  u: number,
): StepFn {
  return (x, [h]) => {
    let z = add(vecMat(x, k, u), vecMat(h!, rk, u));
    if (b) z = add(z, b);
    const o = z.map(Math.tanh);
    return [o, [o]];
  };
}

function lstmStep(
  k: ArrayLike<number>,
  rk: ArrayLike<number>,
  b: ArrayLike<number> | null,
  u: number,
): StepFn {
  return (x, [h, c]) => {
    let z = add(vecMat(x, k, 4 * u), vecMat(h!, rk, 4 * u));
    if (b) z = add(z, b);
    const i = slice(z, 0, u).map(sigmoid);
    const f = slice(z, u, 2 * u).map(sigmoid);
    const cc = slice(z, 2 * u, 3 * u).map(Math.tanh);
    const o = slice(z, 3 * u, 4 * u).map(sigmoid);
    const cNew = c!.map((cv, j) => f[j]! * cv + i[j]! * cc[j]!);
    const hNew = cNew.map((cv, j) => o[j]! * Math.tanh(cv));
    return [hNew, [hNew, cNew]];
  };
}

function gruStep(
  k: ArrayLike<number>,
  rk: ArrayLike<number>,
  b: ArrayLike<number> | null,
  u: number,
  resetAfter: boolean,
): StepFn {
  return (x, [h]) => {
    const ib = b ? (resetAfter ? slice(b, 0, 3 * u) : slice(b, 0, 3 * u)) : null;
    const rb = b && resetAfter ? slice(b, 3 * u, 6 * u) : null;
    let mx = vecMat(x, k, 3 * u);
    if (ib) mx = add(mx, ib);
    let hh: Vec;
    let z: Vec;
    if (resetAfter) {
      let mi = vecMat(h!, rk, 3 * u);
      if (rb) mi = add(mi, rb);
      z = mx.slice(0, u).map((v, j) => sigmoid(v + mi[j]!));
      const r = mx.slice(u, 2 * u).map((v, j) => sigmoid(v + mi[u + j]!));
      hh = mx.slice(2 * u).map((v, j) => Math.tanh(v + r[j]! * mi[2 * u + j]!));
    } else {
      const mi = vecMat(h!, rk, 3 * u, 0, 2 * u);
      z = mx.slice(0, u).map((v, j) => sigmoid(v + mi[j]!));
      const r = mx.slice(u, 2 * u).map((v, j) => sigmoid(v + mi[u + j]!));
      const rh = h!.map((v, j) => r[j]! * v);
      const rec = vecMat(rh, rk, 3 * u, 2 * u, 3 * u);
      hh = mx.slice(2 * u).map((v, j) => Math.tanh(v + rec[j]!));
    }
    const hNew = h!.map((hv, j) => z[j]! * hv + (1 - z[j]!) * hh[j]!);
    return [hNew, [hNew]];
  };
}

interface LoopOptions {
  goBackwards?: boolean;
  mask?: boolean[][];
  zeroOutputForMask?: boolean;
  initial?: Vec[][];
}

/** Keras' scan loop for one batch of `(B, T, F)` data. Returns per-batch output sequences and final states. */
function runRef(
  step: StepFn,
  x: number[][][],
  stateSizes: number[],
  o: LoopOptions = {},
): { seq: Vec[][]; last: Vec[]; states: Vec[][] } {
  const seqs: Vec[][] = [];
  const lasts: Vec[] = [];
  const finals: Vec[][] = [];
  x.forEach((xb, bi) => {
    let states = o.initial
      ? o.initial[bi]!.map((s) => [...s])
      : stateSizes.map((s) => new Array<number>(s).fill(0));
    const order = xb.map((_, t) => t);
    if (o.goBackwards) order.reverse();
    const outs: Vec[] = [];
    for (const t of order) {
      const [out, ns] = step(xb[t]!, states);
      const keep = o.mask ? o.mask[bi]![t]! : true;
      if (keep) {
        outs.push(out);
        states = ns;
      } else outs.push(o.zeroOutputForMask ? out.map(() => 0) : [...states[0]!]);
    }
    seqs.push(outs);
    lasts.push(outs[outs.length - 1]!);
    finals.push(states);
  });
  return { seq: seqs, last: lasts, states: finals };
}

// ---------------------------------------------------------------------------------------------
// fixtures

const B = 2;
const T = 4;
const F = 3;
const U = 3;

function data(shape: number[], seed: number, scale = 1): Float32Array {
  const n = shape.reduce((a, d) => a * d, 1);
  return Float32Array.from(randomValues(n, seed), (v) => v * scale);
}

function nested3(flat: ArrayLike<number>, b: number, t: number, f: number): number[][][] {
  return Array.from({ length: b }, (_, i) =>
    Array.from({ length: t }, (_, j) =>
      Array.from({ length: f }, (_, k) => flat[(i * t + j) * f + k]!),
    ),
  );
}

const xFlat = data([B, T, F], 11);
const x3 = nested3(xFlat, B, T, F);

/** Fixed weights for a layer, in `layer.weights` order, set after building. */
function setFixedWeights(layer: Layer, seed = 100): Float32Array[] {
  const ws = layer.weights.map((w, i) => data([...w.shape], seed + i, 0.6));
  layer.setWeights(ws);
  return ws;
}

function xTensor(): Tensor {
  return tensor(xFlat, [B, T, F]);
}

type CellKind = "simple" | "lstm" | "gru" | "gru_before";

function makeLayer(kind: CellKind, options: Record<string, unknown> = {}): Layer {
  if (kind === "simple") return new SimpleRNN(U, options);
  if (kind === "lstm") return new LSTM(U, options);
  return new GRU(U, { ...options, resetAfter: kind === "gru" });
}

function refStep(kind: CellKind, ws: Float32Array[]): [StepFn, number[]] {
  const [k, rk, b] = ws as [Float32Array, Float32Array, Float32Array | undefined];
  if (kind === "simple") return [simpleStep(k, rk, b ?? null, U), [U]];
  if (kind === "lstm") return [lstmStep(k, rk, b ?? null, U), [U, U]];
  return [gruStep(k, rk, b ?? null, U, kind === "gru"), [U]];
}

// ---------------------------------------------------------------------------------------------

describe("runLayerTest", () => {
  it("SimpleRNN", () => {
    runLayerTest(SimpleRNN, {
      init: [U],
      inputShape: [B, T, F],
      expectedOutputShape: [B, U],
      expectedNumTrainableWeights: 3,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["kernel", "recurrent_kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
  });
  it("SimpleRNN returnSequences + returnState", () => {
    runLayerTest(SimpleRNN, {
      init: [U, { returnSequences: true, returnState: true, useBias: false }],
      inputShape: [B, T, F],
      expectedOutputShape: [
        [B, T, U],
        [B, U],
      ],
      expectedNumTrainableWeights: 2,
      runTrainingCheck: true,
    });
  });
  it("LSTM", () => {
    runLayerTest(LSTM, {
      init: [U, { returnSequences: true }],
      inputShape: [B, T, F],
      expectedOutputShape: [B, T, U],
      expectedNumTrainableWeights: 3,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["kernel", "recurrent_kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
  });
  it("LSTM returnState", () => {
    runLayerTest(LSTM, {
      init: [U, { returnState: true }],
      inputShape: [B, T, F],
      expectedOutputShape: [
        [B, U],
        [B, U],
        [B, U],
      ],
      expectedNumTrainableWeights: 3,
    });
  });
  it("LSTM with dropout in training", () => {
    runLayerTest(LSTM, {
      init: [U, { dropout: 0.3, recurrentDropout: 0.2, seed: 3 }],
      inputShape: [B, T, F],
      callArgs: { training: true },
      expectedOutputShape: [B, U],
      expectedNumTrainableWeights: 3,
      runTrainingCheck: true,
    });
  });
  it("GRU (reset_after)", () => {
    const { layer } = runLayerTest(GRU, {
      init: [U, { returnSequences: true, goBackwards: true }],
      inputShape: [B, T, F],
      expectedOutputShape: [B, T, U],
      expectedNumTrainableWeights: 3,
      expectedWeightNames: ["kernel", "recurrent_kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
    expect(layer.weights.map((w) => [...w.shape])).toEqual([
      [F, 3 * U],
      [U, 3 * U],
      [2, 3 * U],
    ]);
  });
  it("GRU (reset_before) with dropout", () => {
    const { layer } = runLayerTest(GRU, {
      init: [U, { resetAfter: false, dropout: 0.5, recurrentDropout: 0.5, seed: 1 }],
      inputShape: [B, T, F],
      callArgs: { training: true },
      expectedOutputShape: [B, U],
      expectedNumTrainableWeights: 3,
      runTrainingCheck: true,
    });
    expect([...layer.weights[2]!.shape]).toEqual([3 * U]);
  });
  it("RNN(LSTMCell)", () => {
    runLayerTest(() => new RNN(new LSTMCell(U), { returnSequences: true, returnState: true }), {
      inputShape: [B, T, F],
      expectedOutputShape: [
        [B, T, U],
        [B, U],
        [B, U],
      ],
      expectedNumTrainableWeights: 3,
      runTrainingCheck: true,
    });
  });
  it("RNN(GRUCell), RNN(SimpleRNNCell)", () => {
    runLayerTest(() => new RNN(new GRUCell(U)), {
      inputShape: [B, T, F],
      expectedOutputShape: [B, U],
      expectedNumTrainableWeights: 3,
    });
    runLayerTest(() => new RNN(new SimpleRNNCell(U)), {
      inputShape: [B, T, F],
      expectedOutputShape: [B, U],
      expectedNumTrainableWeights: 3,
    });
  });
  it("RNN([cells]) stacks them", () => {
    const { layer } = runLayerTest(
      () => new RNN([new LSTMCell(4), new GRUCell(U)], { returnState: true }),
      {
        inputShape: [B, T, F],
        expectedOutputShape: [
          [B, U],
          [
            [B, 4],
            [B, 4],
          ],
          [B, U],
        ],
        expectedNumTrainableWeights: 6,
        runTrainingCheck: true,
      },
    );
    expect((layer as RNN).cell).toBeInstanceOf(StackedRNNCells);
  });
  it("Bidirectional merge modes", () => {
    for (const [mode, last] of [
      ["concat", 2 * U],
      ["sum", U],
      ["mul", U],
      ["ave", U],
    ] as const)
      runLayerTest(
        () => new Bidirectional(new LSTM(U, { returnSequences: true }), { mergeMode: mode }),
        {
          inputShape: [B, T, F],
          expectedOutputShape: [B, T, last],
          expectedNumTrainableWeights: 6,
          runTrainingCheck: mode === "concat",
          supportsMasking: true,
        },
      );
    runLayerTest(() => new Bidirectional(new GRU(U), { mergeMode: null }), {
      inputShape: [B, T, F],
      expectedOutputShape: [
        [B, U],
        [B, U],
      ],
      expectedNumTrainableWeights: 6,
    });
    runLayerTest(() => new Bidirectional(new LSTM(U, { returnState: true })), {
      inputShape: [B, T, F],
      expectedOutputShape: [
        [B, 2 * U],
        [B, U],
        [B, U],
        [B, U],
        [B, U],
      ],
      expectedNumTrainableWeights: 6,
    });
  });
  it("TimeDistributed(Dense)", () => {
    runLayerTest(() => new TimeDistributed(new Dense(5)), {
      inputShape: [B, T, F],
      expectedOutputShape: [B, T, 5],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
  });
});

describe("cells", () => {
  it("LSTMCell called on [x, states]", () => {
    const cell = new LSTMCell(U);
    const x = tensor(xFlat.slice(0, B * F), [B, F]);
    const h0 = ops.zeros([B, U]);
    const [h, [h1, c1]] = cell.apply([x, [h0, ops.zeros([B, U])]]) as [Tensor, Tensor[]];
    expect(shapeOf(h)).toEqual([B, U]);
    expect(shapeOf(c1!)).toEqual([B, U]);
    expectAllclose(h, h1!);
    expect(cell.weights.map((w) => [...w.shape])).toEqual([[F, 4 * U], [U, 4 * U], [4 * U]]);
    // unit_forget_bias: the forget gate's bias starts at one.
    expectAllclose(cell.weights[2]!.value, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });
  it("cell configs round-trip", () => {
    for (const cell of [
      new GRUCell(U, { resetAfter: false }),
      new LSTMCell(U, { unitForgetBias: false }),
      new SimpleRNNCell(U, { dropout: 0.5 }),
    ]) {
      checkConfigRoundTrip(cell);
      cell.apply([tensor(xFlat.slice(0, B * F), [B, F]), cell.getInitialState(B)]);
      checkConfigRoundTrip(cell);
    }
    checkConfigRoundTrip(new StackedRNNCells([new LSTMCell(2), new GRUCell(U)]));
  });
  it("bad units", () => {
    expect(() => new LSTM(-3)).toThrow("Received: units=-3");
    expect(() => new SimpleRNNCell(0)).toThrow("Received: units=0");
    expect(() => new GRU(2, { useCudnn: "yes" as never })).toThrow("Received: use_cudnn=yes");
  });
});

describe("values vs float64 references", () => {
  for (const kind of ["simple", "lstm", "gru", "gru_before"] as CellKind[]) {
    for (const goBackwards of [false, true]) {
      it(`${kind}${goBackwards ? " goBackwards" : ""}: sequence, last output and states`, () => {
        const layer = makeLayer(kind, { returnSequences: true, returnState: true, goBackwards });
        const x = xTensor();
        layer.apply(x); // build
        const ws = setFixedWeights(layer);
        const out = layer.apply(x) as Tensor[];
        const [step, sizes] = refStep(kind, ws);
        const ref = runRef(step, x3, sizes, { goBackwards });
        expectAllclose(out[0]!, ref.seq, { rtol: 1e-5, atol: 1e-6 });
        sizes.forEach((_, i) =>
          expectAllclose(
            out[1 + i]!,
            ref.states.map((s) => s[i]!),
            { rtol: 1e-5, atol: 1e-6 },
          ),
        );
        // return_sequences=false gives the last output.
        const last = makeLayer(kind, { goBackwards });
        last.apply(x);
        last.setWeights(ws);
        expectAllclose(last.apply(x) as Tensor, ref.last, { rtol: 1e-5, atol: 1e-6 });
      });
    }
  }

  it("initial state", () => {
    const layer = new LSTM(U, { returnState: true });
    const x = xTensor();
    layer.apply(x);
    const ws = setFixedWeights(layer);
    const h0 = data([B, U], 5);
    const c0 = data([B, U], 6);
    const out = layer.apply(x, {
      initialState: [tensor(h0, [B, U]), tensor(c0, [B, U])],
    }) as Tensor[];
    const [step, sizes] = refStep("lstm", ws);
    const initial = [0, 1].map((b) => [
      Array.from(h0.slice(b * U, (b + 1) * U)),
      Array.from(c0.slice(b * U, (b + 1) * U)),
    ]);
    const ref = runRef(step, x3, sizes, { initial });
    expectAllclose(out[0]!, ref.last, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(
      out[2]!,
      ref.states.map((s) => s[1]!),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });

  it("masking (Embedding maskZero -> LSTM / GRU skip padded steps)", () => {
    // Right- and left-padded ids; 0 = padding.
    const ids = tensor([3, 1, 2, 0, 0, 4, 0, 2], [B, T], "int32");
    const emb = new Embedding(5, F, { maskZero: true });
    const e = emb.apply(ids) as Tensor;
    const mask = emb.computeMask(ids) as Tensor;
    const eFlat = e.dataSync();
    const e3 = nested3(eFlat, B, T, F);
    const maskRef = [
      [true, true, true, false],
      [false, true, false, true],
    ];
    for (const kind of ["lstm", "gru", "simple"] as CellKind[])
      for (const goBackwards of [false, true])
        for (const zeroOutputForMask of [false, true]) {
          const layer = makeLayer(kind, {
            returnSequences: true,
            returnState: true,
            goBackwards,
            zeroOutputForMask,
          });
          layer.apply(e);
          const ws = setFixedWeights(layer);
          const out = layer.apply(e, { mask }) as Tensor[];
          const [step, sizes] = refStep(kind, ws);
          const ref = runRef(step, e3, sizes, { goBackwards, mask: maskRef, zeroOutputForMask });
          expectAllclose(out[0]!, ref.seq, { rtol: 1e-5, atol: 1e-6 });
          expectAllclose(
            out[1]!,
            ref.states.map((s) => s[0]!),
            { rtol: 1e-5, atol: 1e-6 },
          );
        }
    const layer = new LSTM(U, { returnSequences: true });
    expect(layer.computeMask(e, mask)).toBe(mask);
    expect(new LSTM(U).computeMask(e, mask)).toBe(null);
  });

  it("masked first step: scan loop repeats the initial state, unrolled loop outputs zeros", () => {
    const x = xTensor();
    const mask = tensor([0, 1, 1, 1, 1, 1, 0, 1], [B, T], "bool");
    const h0 = data([B, U], 8);
    for (const unroll of [false, true]) {
      const layer = new SimpleRNN(U, { returnSequences: true, unroll });
      layer.apply(x);
      const ws = setFixedWeights(layer);
      const out = layer.apply(x, { mask, initialState: tensor(h0, [B, U]) }) as Tensor;
      const [step, sizes] = refStep("simple", ws);
      const initial = [0, 1].map((b) => [Array.from(h0.slice(b * U, (b + 1) * U))]);
      const maskRef = [
        [false, true, true, true],
        [true, true, false, true],
      ];
      const ref = runRef(step, x3, sizes, { mask: maskRef, initial });
      // Sample 0, step 0 is masked: Keras' scan loop gives h0, its unrolled loop zeros.
      ref.seq[0]![0] = unroll ? [0, 0, 0] : Array.from(h0.slice(0, U));
      expectAllclose(out, ref.seq, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("no bias (LSTM, GRU reset_after)", () => {
    const x = xTensor();
    for (const kind of ["lstm", "gru"] as CellKind[]) {
      const layer = makeLayer(kind, { useBias: false, returnSequences: true });
      layer.apply(x);
      expect(layer.weights.length).toBe(2);
      const ws = setFixedWeights(layer);
      const [step, sizes] = refStep(kind, ws);
      expectAllclose(layer.apply(x) as Tensor, runRef(step, x3, sizes).seq, {
        rtol: 1e-5,
        atol: 1e-6,
      });
    }
  });

  it("RNN(cell) equals the layer with the same weights; stacked cells chain", () => {
    const x = xTensor();
    const lstm = new LSTM(U, { returnSequences: true });
    lstm.apply(x);
    const ws = setFixedWeights(lstm);
    const rnn = new RNN(new LSTMCell(U), { returnSequences: true });
    rnn.apply(x);
    rnn.setWeights(ws);
    expectAllclose(rnn.apply(x) as Tensor, lstm.apply(x) as Tensor);

    const stacked = new RNN([new SimpleRNNCell(U), new GRUCell(U)], { returnSequences: true });
    stacked.apply(x);
    const sw = setFixedWeights(stacked);
    const [s1] = refStep("simple", sw.slice(0, 3));
    const [s2] = refStep("gru", sw.slice(3));
    const step: StepFn = (xt, [h1, h2]) => {
      const [o1, n1] = s1(xt, [h1!]);
      const [o2, n2] = s2(o1, [h2!]);
      return [o2, [n1[0]!, n2[0]!]];
    };
    // Stacked: the first state is the first cell's, so masked outputs would differ; no mask here.
    const ref = runRef(step, x3, [U, U]);
    expectAllclose(stacked.apply(x) as Tensor, ref.seq, { rtol: 1e-5, atol: 1e-6 });
  });

  it("Bidirectional merges forward and (flipped) backward outputs", () => {
    const x = xTensor();
    for (const mode of ["concat", "sum", "mul", "ave", null] as const) {
      const bi = new Bidirectional(new GRU(U, { returnSequences: true }), { mergeMode: mode });
      bi.apply(x);
      const ws = setFixedWeights(bi);
      const out = bi.apply(x) as Tensor | Tensor[];
      const [fs] = refStep("gru", ws.slice(0, 3));
      const [bs] = refStep("gru", ws.slice(3));
      const fwd = runRef(fs, x3, [U]).seq;
      const bwd = runRef(bs, x3, [U], { goBackwards: true }).seq.map((s) => [...s].reverse());
      const merge = (a: number, b: number): number =>
        mode === "sum" ? a + b : mode === "mul" ? a * b : (a + b) / 2;
      if (mode === null) {
        expectAllclose((out as Tensor[])[0]!, fwd, { rtol: 1e-5, atol: 1e-6 });
        expectAllclose((out as Tensor[])[1]!, bwd, { rtol: 1e-5, atol: 1e-6 });
      } else if (mode === "concat") {
        const ref = fwd.map((sq, b) => sq.map((v, t) => [...v, ...bwd[b]![t]!]));
        expectAllclose(out as Tensor, ref, { rtol: 1e-5, atol: 1e-6 });
      } else {
        const ref = fwd.map((sq, b) =>
          sq.map((v, t) => v.map((a, j) => merge(a, bwd[b]![t]![j]!))),
        );
        expectAllclose(out as Tensor, ref, { rtol: 1e-5, atol: 1e-6 });
      }
    }
  });

  it("Bidirectional names, paths and config", () => {
    const bi = new Bidirectional(new LSTM(U, { name: "enc" }));
    expect(bi.forwardLayer.name).toBe("forward_enc");
    expect(bi.backwardLayer.name).toBe("backward_enc");
    expect(bi.backwardLayer.goBackwards).toBe(true);
    bi.apply(Input([T, F]) as KerasTensor);
    expect(bi.weights.map((w) => w.path)).toEqual([
      `${bi.name}/forward_enc/lstm_cell/kernel`,
      `${bi.name}/forward_enc/lstm_cell/recurrent_kernel`,
      `${bi.name}/forward_enc/lstm_cell/bias`,
      `${bi.name}/backward_enc/lstm_cell/kernel`,
      `${bi.name}/backward_enc/lstm_cell/recurrent_kernel`,
      `${bi.name}/backward_enc/lstm_cell/bias`,
    ]);
    const c = bi.getConfig();
    expect(c.merge_mode).toBe("concat");
    expect((c.layer as { class_name: string }).class_name).toBe("LSTM");
    expect((c.backward_layer as { config: { go_backwards: boolean } }).config.go_backwards).toBe(
      true,
    );
    expect(() => new Bidirectional(new LSTM(2), { mergeMode: "max" as never })).toThrow(
      "Received: merge_mode=max",
    );
    expect(() => new Bidirectional(new LSTM(2), { backwardLayer: new LSTM(2) })).toThrow(
      "go_backwards",
    );
  });

  it("TimeDistributed(Dense) equals Dense on every step", () => {
    const x = xTensor();
    const td = new TimeDistributed(new Dense(4));
    const y = td.apply(x) as Tensor;
    const d = td.layer.apply(ops.reshape(x, [B * T, F])) as Tensor;
    expectAllclose(y, ops.reshape(d, [B, T, 4]));
    expect(td.weights.map((w) => w.path)).toEqual([
      `${td.name}/${td.layer.name}/kernel`,
      `${td.name}/${td.layer.name}/bias`,
    ]);
    expect(() => td.apply(Input([F]))).toThrow("at least 3 dimensions");
  });
});

describe("gradients vs central differences of the float64 references", () => {
  for (const kind of ["simple", "lstm", "gru", "gru_before"] as CellKind[]) {
    it(kind, () => {
      const layer = makeLayer(kind, { returnSequences: true, goBackwards: kind === "gru" });
      const x = xTensor();
      layer.apply(x);
      const ws = setFixedWeights(layer);
      const coef = data([B, T, U], 77);
      const [, sizes] = refStep(kind, ws);
      const lossRef = (xs: Float64Array, wsx: Float64Array[]): number => {
        const [step] = refStep(kind, wsx as unknown as Float32Array[]);
        const seq = runRef(step, nested3(xs, B, T, F), sizes, { goBackwards: kind === "gru" }).seq;
        let s = 0;
        seq.flat(2).forEach((v, i) => (s += v * coef[i]!));
        return s;
      };
      const params = [xFlat, ...ws].map((a) => Float64Array.from(a));
      tidy(() => {
        const args = [x, ...layer.weights.map((w) => w.value)];
        const [value, grads] = ops.valueAndGrad(
          (xx: Tensor) => ops.sum(ops.multiply(layer.apply(xx) as Tensor, tensor(coef, [B, T, U]))),
          { argnums: args.map((_, i) => i) },
        )(...(args as [Tensor]));
        expectAllclose(value, lossRef(params[0]!, params.slice(1)), { rtol: 1e-4, atol: 1e-5 });
        (grads as Tensor[]).forEach((g, i) => {
          const num = numericGrad(
            (p) =>
              lossRef(
                i === 0 ? p : params[0]!,
                params.slice(1).map((w, j) => (j + 1 === i ? p : w)),
              ),
            params[i]!,
            1e-5,
          );
          expectAllclose(g, num, { rtol: 1e-3, atol: 1e-4 });
        });
      });
    });
  }
});

describe("symbolic", () => {
  it("output specs without running the loop, null batch and time", () => {
    const inp = Input([null, F]);
    const y = new LSTM(U, { returnSequences: true }).apply(inp) as KerasTensor;
    expect(shapeOf(y)).toEqual([null, null, U]);
    const [o, h, c] = new LSTM(U, { returnState: true }).apply(inp) as KerasTensor[];
    expect([shapeOf(o!), shapeOf(h!), shapeOf(c!)]).toEqual([
      [null, U],
      [null, U],
      [null, U],
    ]);
  });
  it("incompatible inputs fail at graph construction", () => {
    const lstm = new LSTM(U);
    lstm.apply(Input([T, F]));
    expect(() => lstm.apply(Input([T, F + 1]))).toThrow(
      /expected the features of each step to have shape/,
    );
    expect(() => new GRU(U).apply(Input([F]))).toThrow(/expected ndim=3, found ndim=2/);
    expect(() => new SimpleRNN(U, { unroll: true }).apply(Input([null, F]))).toThrow(
      "cannot unroll",
    );
  });
  it("stateful carries the states across calls", () => {
    expect(() => new LSTM(U, { stateful: true }).apply(Input([T, F]))).toThrow(
      "batch size must be static",
    );
    const layer = new SimpleRNN(U, { stateful: true });
    const x = xTensor();
    layer.apply(x);
    const ws = setFixedWeights(layer);
    layer.resetState(); // the building call above already advanced the states
    const y1 = (layer.apply(x) as Tensor).dataSync();
    const y2 = layer.apply(x) as Tensor;
    const [step, sizes] = refStep("simple", ws);
    const r1 = runRef(step, x3, sizes);
    const r2 = runRef(step, x3, sizes, { initial: r1.states });
    expectAllclose(y1, r1.last, { rtol: 1e-5, atol: 1e-6 });
    expectAllclose(y2, r2.last, { rtol: 1e-5, atol: 1e-6 });
    layer.resetState();
    expectAllclose(layer.apply(x) as Tensor, r1.last, { rtol: 1e-5, atol: 1e-6 });
    expect(layer.weights.length).toBe(3);
  });
  it("no tensors leak from an eager call in tidy, training with dropout", () => {
    const layer = new GRU(U, { dropout: 0.2, recurrentDropout: 0.2, returnSequences: true });
    const x = xTensor();
    layer.apply(x);
    const before = memory().numTensors;
    tidy(() => {
      layer.apply(x, { training: true });
    });
    expect(memory().numTensors).toBe(before);
  });
  it("configs are Keras' (keys and order)", () => {
    expect(Object.keys(new LSTM(U).getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "return_sequences",
      "return_state",
      "go_backwards",
      "stateful",
      "unroll",
      "zero_output_for_mask",
      "units",
      "activation",
      "recurrent_activation",
      "use_bias",
      "kernel_initializer",
      "recurrent_initializer",
      "bias_initializer",
      "unit_forget_bias",
      "kernel_regularizer",
      "recurrent_regularizer",
      "bias_regularizer",
      "activity_regularizer",
      "kernel_constraint",
      "recurrent_constraint",
      "bias_constraint",
      "dropout",
      "recurrent_dropout",
      "seed",
    ]);
    const g = new GRU(U).getConfig();
    expect(g.reset_after).toBe(true);
    expect(g.recurrent_initializer).toEqual({
      module: "keras.initializers",
      class_name: "Orthogonal",
      config: { gain: 1.0, seed: null },
      registered_name: null,
    });
    const s = new SimpleRNN(U).getConfig();
    expect("seed" in s).toBe(false);
    expect(s.activation).toBe("tanh");
    const cell = new RNN(new SimpleRNNCell(U)).getConfig().cell as {
      class_name: string;
      config: Record<string, unknown>;
    };
    expect(cell.class_name).toBe("SimpleRNNCell");
    expect(cell.config.units).toBe(U);
    expect(new SimpleRNN(U).cell.name).toBe("simple_rnn_cell");
    expect(new GRU(U).cell.name).toBe("gru_cell");
  });
  it("Functional model: Embedding(maskZero) mask passed to a Bidirectional LSTM", () => {
    const inp = Input([T], { dtype: "int32" });
    const emb = new Embedding(5, F, { maskZero: true });
    const e = emb.apply(inp) as KerasTensor;
    const m = emb.computeMask(inp) as KerasTensor;
    const bi = new Bidirectional(new LSTM(U));
    const y = bi.apply(e, { mask: m }) as KerasTensor;
    expect(shapeOf(y)).toEqual([null, 2 * U]);
    const model = new Functional(inp, y);
    const ids = tensor([3, 1, 2, 0, 0, 4, 0, 2], [B, T], "int32");
    const out = model.apply(ids) as Tensor;
    const direct = bi.apply(emb.apply(ids) as Tensor, {
      mask: emb.computeMask(ids) as Tensor,
    }) as Tensor;
    expectAllclose(out, direct);
    // Trailing padding changes nothing: masked steps are skipped, in both directions.
    const short = bi.apply(emb.apply(tensor([3, 1, 2], [1, 3], "int32")) as Tensor) as Tensor;
    expectAllclose(ops.slice(out, [0, 0], [1, 2 * U]), short, { rtol: 1e-5, atol: 1e-6 });
  });
  it("implicit masks (kerasMask) from Embedding reach the RNN, eagerly and in a Functional model", () => {
    const ids = tensor([3, 1, 2, 0, 0, 4, 0, 2], [B, T], "int32");
    const emb = new Embedding(5, F, { maskZero: true });
    const lstm = new LSTM(U, { returnSequences: true });
    const e = emb.apply(ids) as Tensor;
    const implicit = lstm.apply(e) as Tensor;
    const explicit = lstm.apply(e, { mask: emb.computeMask(ids) as Tensor }) as Tensor;
    expectAllclose(implicit, explicit);
    // return_sequences: the mask carries on; a last output carries none.
    expect(implicit.kerasMask).not.toBe(null);
    const inp = Input([T], { dtype: "int32" });
    const y = new GRU(U).apply(emb.apply(inp)) as KerasTensor;
    expect(y.kerasMask ?? null).toBe(null);
    const model = new Functional(inp, y);
    const gru = model.layers[model.layers.length - 1] as GRU;
    const direct = gru.apply(e, { mask: emb.computeMask(ids) as Tensor }) as Tensor;
    expectAllclose(model.apply(ids) as Tensor, direct);
  });
  it("weight paths are Keras' (layer/cell/variable)", () => {
    const lstm = new LSTM(U, { name: "lstm_x" });
    lstm.apply(Input([T, F]));
    expect(lstm.weights.map((w) => w.path)).toEqual([
      "lstm_x/lstm_cell/kernel",
      "lstm_x/lstm_cell/recurrent_kernel",
      "lstm_x/lstm_cell/bias",
    ]);
  });
});
