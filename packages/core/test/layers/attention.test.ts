/**
 * Attention layers: MultiHeadAttention, Attention, AdditiveAttention. Values are checked against
 * naive float64 JS loops with fixed weights; MHA gradients against central differences.
 */
import { describe, expect, it } from "vitest";
import { Functional, Input, KerasTensor, Tensor, ops, tidy } from "../../src/index";
import { AdditiveAttention, Attention, MultiHeadAttention } from "../../src/layers/attention/index";
import { Embedding } from "../../src/layers/core/embedding";
import { deserializeKerasObject, serializeKerasObject } from "../../src/saving/serialization";
import { expectAllclose, numericGrad, randomValues } from "../utils";
import { checkConfigRoundTrip, runLayerTest, shapeOf, tensor } from "./harness";

const B = 2;
const T = 3;
const S = 4;
const D = 5;
const N = 2;
const H = 3;

function data(n: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from(randomValues(n, seed), (v) => v * scale);
}

// ---------------------------------------------------------------------------------------------
// naive float64 multi-head attention

interface MhaWeights {
  wq: ArrayLike<number>; // (Dq, N, H)
  bq: ArrayLike<number>; // (N, H)
  wk: ArrayLike<number>;
  bk: ArrayLike<number>;
  wv: ArrayLike<number>; // (Dv, N, Hv)
  bv: ArrayLike<number>;
  wo: ArrayLike<number>; // (N, Hv, O)
  bo: ArrayLike<number>; // (O)
}

/** `(L, Din) x (Din, N, K) + (N, K)` -> `[L][N][K]`. */
function project(
  x: ArrayLike<number>,
  off: number,
  len: number,
  din: number,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  k: number,
): number[][][] {
  const out: number[][][] = [];
  for (let l = 0; l < len; l++) {
    const row: number[][] = [];
    for (let n = 0; n < N; n++) {
      const v: number[] = [];
      for (let j = 0; j < k; j++) {
        let s = b[n * k + j]!;
        for (let d = 0; d < din; d++) s += x[off + l * din + d]! * w[(d * N + n) * k + j]!;
        v.push(s);
      }
      row.push(v);
    }
    out.push(row);
  }
  return out;
}

/**
 * Output `(B, T, O)` flat and scores `(B, N, T, S)` flat. `keep(b, t, s)` says whether query t may
 * attend to key s; masked logits get -1e9 added (Keras' Softmax masking).
 */
function mhaRef(
  q: ArrayLike<number>,
  v: ArrayLike<number>,
  k: ArrayLike<number>,
  w: MhaWeights,
  dims: { t: number; s: number; dq: number; dv: number; dk: number; hv: number; o: number },
  keep: (b: number, t: number, s: number) => boolean = () => true,
): { out: number[]; scores: number[] } {
  const out: number[] = [];
  const scoresAll: number[] = [];
  const { t: tl, s: sl, dq, dv, dk, hv, o } = dims;
  const probsB: number[][][][] = [];
  for (let b = 0; b < B; b++) {
    const Q = project(q, b * tl * dq, tl, dq, w.wq, w.bq, H);
    const K = project(k, b * sl * dk, sl, dk, w.wk, w.bk, H);
    const V = project(v, b * sl * dv, sl, dv, w.wv, w.bv, hv);
    const probs: number[][][] = [];
    for (let n = 0; n < N; n++) {
      const pn: number[][] = [];
      for (let t = 0; t < tl; t++) {
        const logits: number[] = [];
        for (let s = 0; s < sl; s++) {
          let dot = 0;
          for (let h = 0; h < H; h++) dot += Q[t]![n]![h]! * K[s]![n]![h]!;
          logits.push(dot / Math.sqrt(H) + (keep(b, t, s) ? 0 : -1e9));
        }
        const m = Math.max(...logits);
        const e = logits.map((x) => Math.exp(x - m));
        const z = e.reduce((a, c) => a + c, 0);
        pn.push(e.map((x) => x / z));
      }
      probs.push(pn);
    }
    probsB.push(probs);
    for (let t = 0; t < tl; t++)
      for (let oo = 0; oo < o; oo++) {
        let acc = w.bo[oo]!;
        for (let n = 0; n < N; n++)
          for (let j = 0; j < hv; j++) {
            let ctx = 0;
            for (let s = 0; s < sl; s++) ctx += probs[n]![t]![s]! * V[s]![n]![j]!;
            acc += ctx * w.wo[(n * hv + j) * o + oo]!;
          }
        out.push(acc);
      }
  }
  for (const probs of probsB) for (const pn of probs) for (const row of pn) scoresAll.push(...row);
  return { out, scores: scoresAll };
}

function weightsOf(layer: MultiHeadAttention): MhaWeights {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = layer.weights.map((x) => Array.from(x.value.dataSync()));
  return { wq: wq!, bq: bq!, wk: wk!, bk: bk!, wv: wv!, bv: bv!, wo: wo!, bo: bo! };
}

/** Random non-zero weights (biases too, so they are exercised). */
function setRandomWeights(
  layer: { weights: { shape: readonly number[] }[]; setWeights: (v: Float32Array[]) => void },
  seed = 200,
): void {
  layer.setWeights(
    layer.weights.map((w, i) =>
      data(
        w.shape.reduce((a, d) => a * d, 1),
        seed + i,
        0.5,
      ),
    ),
  );
}

const qFlat = data(B * T * D, 1);
const vFlat = data(B * S * D, 2);
const kFlat = data(B * S * D, 3);
const dims = { t: T, s: S, dq: D, dv: D, dk: D, hv: H, o: D };

describe("MultiHeadAttention", () => {
  it("runLayerTest: [query, value]", () => {
    const { layer } = runLayerTest(() => new MultiHeadAttention(N, H), {
      inputShape: [
        [B, T, D],
        [B, S, D],
      ],
      expectedOutputShape: [B, T, D],
      expectedNumTrainableWeights: 8,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["kernel", "bias", "kernel", "bias", "kernel", "bias", "kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
    expect(layer.weights.map((w) => [...w.shape])).toEqual([
      [D, N, H],
      [N, H],
      [D, N, H],
      [N, H],
      [D, N, H],
      [N, H],
      [N, H, D],
      [D],
    ]);
    expect(layer.weights.map((w) => w.path)).toEqual(
      [
        "query",
        "query",
        "key",
        "key",
        "value",
        "value",
        "attention_output",
        "attention_output",
      ].map((p, i) => `${layer.name}/${p}/${i % 2 === 0 ? "kernel" : "bias"}`),
    );
  });
  it("runLayerTest: [query, value, key], valueDim, outputShape, no bias, scores", () => {
    const { layer } = runLayerTest(
      () => new MultiHeadAttention(N, H, { valueDim: 4, outputShape: 6, useBias: false }),
      {
        inputShape: [
          [B, T, D],
          [B, S, 7],
          [B, S, 2],
        ],
        callArgs: { returnAttentionScores: true },
        expectedOutputShape: [
          [B, T, 6],
          [B, N, T, S],
        ],
        expectedNumTrainableWeights: 4,
        runTrainingCheck: true,
      },
    );
    expect(layer.weights.map((w) => [...w.shape])).toEqual([
      [D, N, H],
      [2, N, H],
      [7, N, 4],
      [N, 4, 6],
    ]);
    expect(layer.getBuildConfig()).toEqual({
      shapes_dict: {
        query_shape: [null, T, D],
        value_shape: [null, S, 7],
        key_shape: [null, S, 2],
      },
    });
  });
  it("runLayerTest: dropout in training", () => {
    runLayerTest(() => new MultiHeadAttention(N, H, { dropout: 0.5, seed: 1 }), {
      inputShape: [
        [B, T, D],
        [B, S, D],
      ],
      callArgs: { training: true },
      expectedOutputShape: [B, T, D],
      expectedNumTrainableWeights: 8,
      runTrainingCheck: true,
    });
  });

  for (const returnScores of [false, true]) {
    const path = returnScores ? "einsum path (scores returned)" : "dotProductAttention path";
    it(`values vs naive float64, ${path}: plain, causal, attention mask, query/value masks`, () => {
      const layer = new MultiHeadAttention(N, H);
      const q = tensor(qFlat, [B, T, D]);
      const v = tensor(vFlat, [B, S, D]);
      const k = tensor(kFlat, [B, S, D]);
      layer.apply([q, v, k]);
      setRandomWeights(layer);
      const w = weightsOf(layer);
      const am = [1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0]; // (B, T, S)
      const qm = [1, 1, 0, 1, 0, 1]; // (B, T)
      const vm = [1, 1, 1, 0, 0, 1, 1, 1]; // (B, S)
      const cases: [
        string,
        Record<string, unknown>,
        (b: number, t: number, s: number) => boolean,
      ][] = [
        ["plain", {}, () => true],
        ["causal", { useCausalMask: true }, (_b, t, s) => s <= t],
        [
          "attentionMask",
          { attentionMask: tensor(am, [B, T, S], "bool") },
          (b, t, s) => am[(b * T + t) * S + s] === 1,
        ],
        [
          "query/value/key masks + causal",
          {
            queryMask: tensor(qm, [B, T], "bool"),
            valueMask: tensor(vm, [B, S], "bool"),
            useCausalMask: true,
          },
          (b, t, s) => qm[b * T + t] === 1 && vm[b * S + s] === 1 && s <= t,
        ],
      ];
      for (const [name, args, keep] of cases) {
        // Rows with every key masked are where the two Keras paths differ (uniform vs -1e9 sum); skip them.
        const ref = mhaRef(qFlat, vFlat, kFlat, w, dims, keep);
        const res = layer.apply([q, v, k], { ...args, returnAttentionScores: returnScores }) as
          Tensor | Tensor[];
        const out = returnScores ? (res as Tensor[])[0]! : (res as Tensor);
        const got = Array.from(out.dataSync());
        const rows = [...Array(B * T).keys()].filter((r) =>
          [...Array(S).keys()].some((s) => keep(Math.floor(r / T), r % T, s)),
        );
        const pick = (a: ArrayLike<number>): number[] =>
          rows.flatMap((r) => Array.from(a).slice(r * D, (r + 1) * D));
        try {
          expectAllclose(pick(got), pick(ref.out), { rtol: 1e-5, atol: 2e-6 });
        } catch (e) {
          throw new Error(`${name}: ${String(e)}`);
        }
        if (returnScores) {
          // Scores (B, N, T, S): the same rows, for every head.
          const scoreRows = (a: ArrayLike<number>): number[] =>
            [...Array(B * N * T).keys()]
              .filter((r) => rows.includes(Math.floor(r / (N * T)) * T + (r % T)))
              .flatMap((r) => Array.from(a).slice(r * S, (r + 1) * S));
          expectAllclose(scoreRows((res as Tensor[])[1]!.dataSync()), scoreRows(ref.scores), {
            rtol: 1e-5,
            atol: 1e-6,
          });
        }
      }
    });
  }

  it("attentionAxes [1, 2] over (B, 2, 3, D) equals attention over the flattened 6 steps", () => {
    const x = tensor(data(B * 6 * D, 9), [B, 2, 3, D]);
    const mha2 = new MultiHeadAttention(N, H, { attentionAxes: [1, 2] });
    const y2 = mha2.apply([x, x]) as Tensor;
    expect(shapeOf(y2)).toEqual([B, 2, 3, D]);
    const [, scores] = mha2.apply([x, x], { returnAttentionScores: true }) as Tensor[];
    expect(shapeOf(scores!)).toEqual([B, N, 2, 3, 2, 3]);
    const mha1 = new MultiHeadAttention(N, H);
    const xf = ops.reshape(x, [B, 6, D]);
    mha1.apply([xf, xf]);
    // Kernels have the same shapes; only the query/key/value einsum ranks differ.
    mha1.setWeights(mha2.weights.map((w) => w.value));
    expectAllclose(y2, ops.reshape(mha1.apply([xf, xf]) as Tensor, [B, 2, 3, D]), {
      rtol: 1e-5,
      atol: 1e-6,
    });
    expect(mha2.getConfig().attention_axes).toEqual([1, 2]);
    // The default axes are filled in at build time and show in the config, as in Keras.
    expect(mha1.getConfig().attention_axes).toEqual([1]);
    // Symbolic scores shape for rank-4 inputs.
    const xi = Input([2, 3, D]);
    const [, s] = new MultiHeadAttention(N, H, { attentionAxes: [2] }).apply([xi, xi], {
      returnAttentionScores: true,
    }) as KerasTensor[];
    expect(shapeOf(s!)).toEqual([null, 2, N, 3, 3]);
  });

  it("gradients vs central differences of the float64 reference", () => {
    const layer = new MultiHeadAttention(N, H);
    const q = tensor(qFlat, [B, T, D]);
    const v = tensor(vFlat, [B, S, D]);
    layer.apply([q, v]);
    setRandomWeights(layer);
    const coef = data(B * T * D, 44);
    const keep = (_b: number, t: number, s: number): boolean => s <= t + 1;
    const mask = tensor(
      [...Array(B * T * S).keys()].map((i) => (keep(0, Math.floor(i / S) % T, i % S) ? 1 : 0)),
      [B, T, S],
      "bool",
    );
    const names: (keyof MhaWeights)[] = ["wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo"];
    const params = [qFlat, vFlat, ...layer.weights.map((w) => w.value.dataSync())].map((a) =>
      Float64Array.from(a),
    );
    const loss = (p: Float64Array[]): number => {
      const w = Object.fromEntries(names.map((n, i) => [n, p[2 + i]!])) as unknown as MhaWeights;
      const { out } = mhaRef(p[0]!, p[1]!, p[1]!, w, dims, keep);
      return out.reduce((a, o, i) => a + o * coef[i]!, 0);
    };
    tidy(() => {
      const args = [q, v, ...layer.weights.map((w) => w.value)];
      const [value, grads] = ops.valueAndGrad(
        (qq: Tensor, vv: Tensor) =>
          ops.sum(
            ops.multiply(
              layer.apply([qq, vv], { attentionMask: mask }) as Tensor,
              tensor(coef, [B, T, D]),
            ),
          ),
        { argnums: args.map((_, i) => i) },
      )(...(args as [Tensor, Tensor]));
      expectAllclose(value, loss(params), { rtol: 1e-4, atol: 1e-5 });
      (grads as Tensor[]).forEach((g, i) => {
        const num = numericGrad(
          (x) => loss(params.map((p, j) => (j === i ? x : p))),
          params[i]!,
          1e-5,
        );
        expectAllclose(g, num, { rtol: 1e-3, atol: 1e-4 });
      });
    });
  });

  it("symbolic: shapes, errors at graph construction", () => {
    const q = Input([T, D]);
    const v = Input([null, 7]);
    const mha = new MultiHeadAttention(N, H, { outputShape: [2, 4] });
    const [out, scores] = mha.apply([q, v], { returnAttentionScores: true }) as KerasTensor[];
    expect(shapeOf(out!)).toEqual([null, T, 2, 4]);
    expect(shapeOf(scores!)).toEqual([null, N, T, null]);
    expect(() => mha.apply([Input([T, D + 1]), v])).toThrow(
      /`query` input is incompatible with the layer/,
    );
    expect(() => new MultiHeadAttention(N, H).apply([q, Input([S, D]), Input([S + 1, D])])).toThrow(
      /all dimensions of `value` and `key`/,
    );
    expect(() => new MultiHeadAttention(N, H).apply(q as never)).toThrow("[query, value]");
    expect(() => new MultiHeadAttention(0, H)).toThrow("Received: num_heads=0");
    expect(() => new MultiHeadAttention(N, H, { dropout: 0.1, flashAttention: true })).toThrow(
      "flash attention",
    );
  });

  it("Functional self-attention model with a causal mask", () => {
    const x = Input([T, D]);
    const mha = new MultiHeadAttention(N, H);
    const y = mha.apply([x, x], { useCausalMask: true }) as KerasTensor;
    const model = new Functional(x, y);
    const xv = tensor(qFlat, [B, T, D]);
    expectAllclose(
      model.apply(xv) as Tensor,
      mha.apply([xv, xv], { useCausalMask: true }) as Tensor,
    );
  });

  it("implicit masks (kerasMask) become the query / value masks", () => {
    const emb = new Embedding(6, D, { maskZero: true });
    const qIds = tensor([1, 2, 0, 3, 0, 4], [B, T], "int32");
    const vIds = tensor([5, 0, 1, 2, 3, 4, 0, 0], [B, S], "int32");
    const q = emb.apply(qIds) as Tensor;
    const v = emb.apply(vIds) as Tensor;
    const qm = emb.computeMask(qIds) as Tensor;
    const vm = emb.computeMask(vIds) as Tensor;
    const mha = new MultiHeadAttention(N, H);
    const implicit = mha.apply([q, v]) as Tensor;
    const explicit = mha.apply([ops.add(q, 0), ops.add(v, 0)], {
      queryMask: qm,
      valueMask: vm,
    }) as Tensor;
    expectAllclose(implicit, explicit);
    expectAllclose(implicit.kerasMask!, qm);
    const att = new Attention();
    expectAllclose(
      att.apply([q, v]) as Tensor,
      att.apply([ops.add(q, 0), ops.add(v, 0)], { mask: [qm, vm] }) as Tensor,
    );
  });

  it("config (Keras keys and order) and build_config round trip", () => {
    const mha = new MultiHeadAttention(N, H, { valueDim: 4, attentionAxes: -2, seed: 3 });
    expect(Object.keys(mha.getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "num_heads",
      "key_dim",
      "value_dim",
      "dropout",
      "use_bias",
      "output_shape",
      "attention_axes",
      "kernel_initializer",
      "bias_initializer",
      "kernel_regularizer",
      "bias_regularizer",
      "activity_regularizer",
      "kernel_constraint",
      "bias_constraint",
      "seed",
    ]);
    expect(new MultiHeadAttention(N, H).getConfig().value_dim).toBe(H);
    mha.apply([Input([T, D]), Input([S, D])]);
    expect(mha.getConfig().attention_axes).toEqual([1]);
    checkConfigRoundTrip(mha);
    const ser = JSON.parse(JSON.stringify(serializeKerasObject(mha))) as Record<string, unknown>;
    expect(ser.build_config).toEqual({
      shapes_dict: { query_shape: [null, T, D], value_shape: [null, S, D] },
    });
    const again = deserializeKerasObject(ser) as MultiHeadAttention;
    expect(again.built).toBe(true);
    expect(again.weights.map((w) => [...w.shape])).toEqual(mha.weights.map((w) => [...w.shape]));
  });
});

// ---------------------------------------------------------------------------------------------
// Attention / AdditiveAttention

/** Naive `(B, Tq, D)`, `(B, Tv, D)` attention with a score function; masked scores get -1e9. */
function attentionRef(
  q: ArrayLike<number>,
  v: ArrayLike<number>,
  k: ArrayLike<number>,
  tq: number,
  tv: number,
  d: number,
  score: (qi: number[], kj: number[]) => number,
  keep: (b: number, i: number, j: number) => boolean = () => true,
  qKeep: (b: number, i: number) => boolean = () => true,
): { out: number[]; weights: number[] } {
  const out: number[] = [];
  const weights: number[] = [];
  const row = (a: ArrayLike<number>, b: number, t: number, len: number): number[] =>
    Array.from(a).slice((b * len + t) * d, (b * len + t + 1) * d);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < tq; i++) {
      const s = [...Array(tv).keys()].map(
        (j) => score(row(q, b, i, tq), row(k, b, j, tv)) - (keep(b, i, j) ? 0 : 1e9),
      );
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, c) => a + c, 0);
      const p = e.map((x) => x / z);
      weights.push(...p);
      for (let c = 0; c < d; c++) {
        let acc = 0;
        for (let j = 0; j < tv; j++) acc += p[j]! * v[(b * tv + j) * d + c]!;
        out.push(qKeep(b, i) ? acc : 0);
      }
    }
  return { out, weights };
}

describe("Attention", () => {
  it("runLayerTest", () => {
    runLayerTest(Attention, {
      init: {},
      inputShape: [
        [B, T, D],
        [B, S, D],
      ],
      expectedOutputShape: [B, T, D],
      expectedNumTrainableWeights: 0,
    });
    runLayerTest(Attention, {
      init: { useScale: true, scoreMode: "concat", dropout: 0.2, seed: 2 },
      inputShape: [
        [B, T, D],
        [B, S, D],
        [B, S, D],
      ],
      callArgs: { training: true, returnAttentionScores: true },
      expectedOutputShape: [
        [B, T, D],
        [B, T, S],
      ],
      expectedNumTrainableWeights: 2,
      expectedWeightNames: ["scale", "concat_score_weight"],
      runTrainingCheck: true,
    });
  });
  it("values vs naive float64: dot (scaled), concat, masks, causal", () => {
    const q = tensor(qFlat, [B, T, D]);
    const v = tensor(vFlat, [B, S, D]);
    const k = tensor(kFlat, [B, S, D]);
    const qm = [1, 0, 1, 1, 1, 0];
    const vm = [1, 1, 0, 1, 1, 0, 1, 1]; // no row fully masked, even with the causal mask
    const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
    for (const mode of ["dot", "concat"] as const)
      for (const causal of [false, true]) {
        const att = new Attention({ useScale: true, scoreMode: mode });
        att.apply([q, v, k]);
        att.setWeights(att.weights.map((_, i) => [1.5 - 0.7 * i]));
        const scale = 1.5;
        const csw = 0.8;
        const score =
          mode === "dot"
            ? (a: number[], b: number[]) => scale * dot(a, b)
            : (a: number[], b: number[]) =>
                csw * a.reduce((s, x, i) => s + Math.tanh(scale * (x + b[i]!)), 0);
        const keep = (bb: number, i: number, j: number): boolean =>
          vm[bb * S + j] === 1 && (!causal || j <= i);
        const ref = attentionRef(
          qFlat,
          vFlat,
          kFlat,
          T,
          S,
          D,
          score,
          keep,
          (bb, i) => qm[bb * T + i] === 1,
        );
        const [out, w] = att.apply([q, v, k], {
          mask: [tensor(qm, [B, T], "bool"), tensor(vm, [B, S], "bool")],
          useCausalMask: causal,
          returnAttentionScores: true,
        }) as Tensor[];
        try {
          expectAllclose(w!, ref.weights, { rtol: 1e-5, atol: 1e-6 });
          expectAllclose(out!, ref.out, { rtol: 1e-5, atol: 1e-6 });
        } catch (e) {
          throw new Error(`${mode}, causal=${causal}: ${String(e)}`);
        }
      }
    const att = new Attention();
    expect(att.computeMask([q, v], [tensor(qm, [B, T], "bool"), null])).toBeInstanceOf(Tensor);
    expect(() => new Attention({ scoreMode: "add" as never })).toThrow("Received: score_mode=add");
    expect(() => att.apply([q] as never)).toThrow("Received length: 1");
    expect(Object.keys(att.getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "use_scale",
      "score_mode",
      "dropout",
    ]);
  });
});

describe("AdditiveAttention", () => {
  it("runLayerTest", () => {
    const { layer } = runLayerTest(AdditiveAttention, {
      init: {},
      inputShape: [
        [B, T, D],
        [B, S, D],
      ],
      expectedOutputShape: [B, T, D],
      expectedNumTrainableWeights: 1,
      expectedWeightNames: ["scale"],
      runTrainingCheck: true,
    });
    expect([...layer.weights[0]!.shape]).toEqual([D]);
    expect(Object.keys(layer.getConfig())).toEqual([
      "name",
      "trainable",
      "dtype",
      "use_scale",
      "dropout",
    ]);
  });
  it("values vs naive float64", () => {
    const q = tensor(qFlat, [B, T, D]);
    const v = tensor(vFlat, [B, S, D]);
    const att = new AdditiveAttention();
    att.apply([q, v]);
    const scale = data(D, 31);
    att.setWeights([scale]);
    const score = (a: number[], b: number[]): number =>
      a.reduce((s, x, i) => s + scale[i]! * Math.tanh(x + b[i]!), 0);
    const ref = attentionRef(qFlat, vFlat, vFlat, T, S, D, score);
    expectAllclose(att.apply([q, v]) as Tensor, ref.out, { rtol: 1e-5, atol: 1e-6 });
  });
});
