import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as nn from "../../src/ops/nn/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import type { Tensor } from "../../src/tensor/tensor";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolicReplay, evalGraph, rand, tensor, type Arr } from "./nn_reference";

const sym = (shape: (number | null)[]): Tensor => new KerasTensor(shape) as unknown as Tensor;
const shapeOf = (t: Tensor): (number | null)[] => [...t.shape];
const T = (a: Arr): Tensor => tensor(a.data, a.shape);

/**
 * Naive attention. q (B,T,N,H), k (B,S,K,H), v (B,S,K,Hv); bias / mask given as functions of
 * (b, n, t, s).
 */
function attentionRef(
  q: Arr,
  k: Arr,
  v: Arr,
  opts: {
    bias?: (b: number, n: number, t: number, s: number) => number;
    mask?: (b: number, n: number, t: number, s: number) => boolean;
    causal?: boolean;
    scale?: number;
  } = {},
): Float64Array {
  const [B, T, N, H] = q.shape as [number, number, number, number];
  const [, S, K] = k.shape as [number, number, number];
  const Hv = v.shape[3]!;
  const G = N / K;
  const scale = opts.scale ?? 1 / Math.sqrt(H);
  const out = new Float64Array(B * T * N * Hv);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++) {
      const kh = Math.floor(n / G);
      for (let t = 0; t < T; t++) {
        const logits: number[] = [];
        for (let s = 0; s < S; s++) {
          let dot = 0;
          for (let h = 0; h < H; h++)
            dot += q.data[((b * T + t) * N + n) * H + h]! * k.data[((b * S + s) * K + kh) * H + h]!;
          let l = dot * scale + (opts.bias ? opts.bias(b, n, t, s) : 0);
          const keep = (opts.mask ? opts.mask(b, n, t, s) : true) && (!opts.causal || s <= t);
          if (!keep) l = -0.7 * 3.4028234663852886e38;
          logits.push(l);
        }
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let hv = 0; hv < Hv; hv++) {
          let acc = 0;
          for (let s = 0; s < S; s++)
            acc += (e[s]! / z) * v.data[((b * S + s) * K + kh) * Hv + hv]!;
          out[((b * T + t) * N + n) * Hv + hv] = acc;
        }
      }
    }
  return out;
}

describe("dotProductAttention", () => {
  const q = rand([2, 3, 4, 5], 1);
  const k = rand([2, 6, 4, 5], 2);
  const v = rand([2, 6, 4, 3], 3);

  it("symbolic shape with unknown batch (and length), replays", () => {
    expect(
      shapeOf(
        nn.dotProductAttention(sym([null, 3, 4, 5]), sym([null, 6, 4, 5]), sym([null, 6, 4, 3])),
      ),
    ).toEqual([null, 3, 4, 3]);
    expect(
      shapeOf(
        nn.dotProductAttention(
          sym([null, null, 4, 5]),
          sym([null, null, 2, 5]),
          sym([null, null, 2, 5]),
          null,
          null,
          null,
          true,
        ),
      ),
    ).toEqual([null, null, 4, 5]);
    checkSymbolicReplay(
      (x) => nn.dotProductAttention(x as Tensor, T(k), T(v)),
      [null, 3, 4, 5],
      T(q),
      [2, 3, 4, 3],
      { rtol: 1e-5, atol: 1e-6 },
    );
    // grouped-query, unknown batch: the head split reshapes carry the batch dim over
    const kg = rand([2, 6, 2, 5], 4);
    const vg = rand([2, 6, 2, 3], 5);
    const sq = new KerasTensor([null, 3, 4, 5]);
    const sk = new KerasTensor([null, 6, 2, 5]);
    const sv = new KerasTensor([null, 6, 2, 3]);
    const out = nn.dotProductAttention(
      sq as unknown as Tensor,
      sk as unknown as Tensor,
      sv as unknown as Tensor,
    ) as unknown as KerasTensor;
    expect([...out.shape]).toEqual([null, 3, 4, 3]);
    const [r] = evalGraph(
      [out],
      new Map([
        [sq, T(q)],
        [sk, T(kg)],
        [sv, T(vg)],
      ]),
    );
    expectAllclose(r!, attentionRef(q, kg, vg), { rtol: 1e-5, atol: 1e-6 });
    // causal with unknown lengths waits for concrete tensors
    const sc = new KerasTensor([null, null, 4, 5]);
    const oc = nn.dotProductAttention(
      sc as unknown as Tensor,
      sc as unknown as Tensor,
      sc as unknown as Tensor,
      null,
      null,
      null,
      true,
    ) as unknown as KerasTensor;
    const [rc] = evalGraph([oc], new Map([[sc, T(q)]]));
    expectAllclose(rc!, attentionRef(q, q, q, { causal: true }), { rtol: 1e-5, atol: 1e-6 });
  });

  it("values: multi-head", () => {
    expectAllclose(nn.dotProductAttention(T(q), T(k), T(v)), attentionRef(q, k, v), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  });

  it("values: grouped-query and multi-query", () => {
    for (const K of [2, 1]) {
      const kg = rand([2, 6, K, 5], 10 + K);
      const vg = rand([2, 6, K, 3], 20 + K);
      expectAllclose(nn.dotProductAttention(T(q), T(kg), T(vg)), attentionRef(q, kg, vg), {
        rtol: 1e-5,
        atol: 1e-6,
      });
    }
  });

  it("values: causal mask, boolean mask, bias and scale", () => {
    const qs = rand([2, 4, 2, 3], 30);
    const ks = rand([2, 4, 2, 3], 31);
    const vs = rand([2, 4, 2, 2], 32);
    expectAllclose(
      nn.dotProductAttention(T(qs), T(ks), T(vs), null, null, null, true),
      attentionRef(qs, ks, vs, { causal: true }),
      { rtol: 1e-5, atol: 1e-6 },
    );
    // mask (B, 1, 1, S): the last key of batch 1 is padding
    const maskData = [true, true, true, true, true, true, true, false];
    const m4 = convertToTensor([[[maskData.slice(0, 4)]], [[maskData.slice(4)]]]);
    expect(m4.dtype).toBe("bool");
    const bias = rand([1, 2, 4, 4], 33);
    const y = nn.dotProductAttention(T(qs), T(ks), T(vs), T(bias), m4, 0.3, true);
    const ref = attentionRef(qs, ks, vs, {
      bias: (_b, n, t, s) => bias.data[(n * 4 + t) * 4 + s]!,
      mask: (b, _n, _t, s) => maskData[b * 4 + s]!,
      causal: true,
      scale: 0.3,
    });
    expectAllclose(y, ref, { rtol: 1e-5, atol: 1e-6 });
  });

  it("fully masked rows stay finite (uniform weights)", () => {
    const qs = rand([1, 2, 1, 2], 40);
    const vs = rand([1, 3, 1, 2], 41);
    const y = nn.dotProductAttention(
      T(qs),
      T(rand([1, 3, 1, 2], 42)),
      T(vs),
      null,
      tensor([0, 0, 0], [1, 1, 1, 3]),
    );
    const mean = [0, 1].map((h) => (vs.data[h]! + vs.data[2 + h]! + vs.data[4 + h]!) / 3);
    expectAllclose(y, [...mean, ...mean], { rtol: 1e-5, atol: 1e-6 });
  });

  it("gradient w.r.t. query, key and value (causal, grouped)", () => {
    const qs = rand([1, 3, 2, 2], 50);
    const ks = rand([1, 3, 1, 2], 51);
    const vs = rand([1, 3, 1, 2], 52);
    checkGrad(
      (a, b, c) => nn.dotProductAttention(a, b, c, null, null, null, true),
      (a, b, c) =>
        attentionRef(
          { data: a, shape: qs.shape },
          { data: b, shape: ks.shape },
          { data: c, shape: vs.shape },
          { causal: true },
        ),
      [qs, ks, vs],
    );
  });

  it("bad inputs name the op", () => {
    expect(() => nn.dotProductAttention(tensor([1, 2], [1, 2]), T(k), T(v))).toThrow(
      /dot_product_attention: only supports 4D inputs. Received: query.shape=\(1, 2\)/,
    );
    expect(() =>
      nn.dotProductAttention(T(q), T(rand([2, 6, 3, 5], 1)), T(rand([2, 6, 3, 3], 1))),
    ).toThrow(/dot_product_attention: .*multiple.*Received:/);
  });
});
