import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as nn from "../../src/ops/nn/index";
import { convertToTensor } from "../../src/ops/convert";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import { expectAllclose } from "../utils";
import { checkGrad, evalGraph, rand, tensor } from "./nn_reference";

/**
 * CTC loss by brute force: -log of the total probability of every path of length `len` whose
 * collapse (merge repeats, drop blanks) is `labels`.
 */
function ctcBrute(
  logits: ArrayLike<number>,
  T: number,
  K: number,
  labels: number[],
  len: number,
  blank: number,
): number {
  const probs: number[][] = [];
  for (let t = 0; t < T; t++) {
    const row = Array.from({ length: K }, (_, k) => logits[t * K + k]!);
    const m = Math.max(...row);
    const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
    probs.push(row.map((v) => Math.exp(v - m) / z));
  }
  let total = 0;
  const path = new Array<number>(len).fill(0);
  const walk = (t: number, p: number): void => {
    if (t === len) {
      const out: number[] = [];
      path.forEach((c, i) => {
        if (c !== blank && (i === 0 || path[i - 1] !== c)) out.push(c);
      });
      if (out.length === labels.length && out.every((c, i) => c === labels[i])) total += p;
      return;
    }
    for (let k = 0; k < K; k++) {
      path[t] = k;
      walk(t + 1, p * probs[t]![k]!);
    }
  };
  walk(0, 1);
  return -Math.log(total);
}

describe("ctcLoss", () => {
  // batch of 3: full lengths, a repeated label, and truncated target / output lengths
  const B = 3;
  const T = 5;
  const K = 3;
  const targets = [
    [1, 2],
    [1, 1],
    [2, 0],
  ];
  const targetLengths = [2, 2, 1];
  const outputLengths = [5, 5, 3];
  const logits = rand([B, T, K], 1, -2, 2);

  const ref = (x: ArrayLike<number>, blank = 0): number[] =>
    targets.map((lab, b) =>
      ctcBrute(
        Array.from({ length: T * K }, (_, i) => x[b * T * K + i]!),
        T,
        K,
        lab.slice(0, targetLengths[b]),
        outputLengths[b]!,
        blank,
      ),
    );

  it("values match brute-force path enumeration", () => {
    const y = nn.ctcLoss(
      convertToTensor(targets, "int32"),
      tensor(logits.data, logits.shape),
      targetLengths,
      outputLengths,
    );
    expect([...y.shape]).toEqual([3]);
    expectAllclose(y, ref(logits.data), { rtol: 1e-5, atol: 1e-5 });
  });

  it("another blank index", () => {
    const t2 = [
      [0, 1],
      [0, 0],
      [1, 0],
    ];
    const y = nn.ctcLoss(
      convertToTensor(t2, "int32"),
      tensor(logits.data, logits.shape),
      targetLengths,
      outputLengths,
      2,
    );
    const want = t2.map((lab, b) =>
      ctcBrute(
        Array.from({ length: T * K }, (_, i) => logits.data[b * T * K + i]!),
        T,
        K,
        lab.slice(0, targetLengths[b]),
        outputLengths[b]!,
        2,
      ),
    );
    expectAllclose(y, want, { rtol: 1e-5, atol: 1e-5 });
  });

  it("symbolic shape with unknown batch, replays", () => {
    const o = new KerasTensor([null, T, K]);
    const t = new KerasTensor([null, 2], "int32");
    const y = nn.ctcLoss<KerasTensor>(
      t,
      o,
      new KerasTensor([null], "int32"),
      new KerasTensor([null], "int32"),
    );
    expect([...y.shape]).toEqual([null]);
    const tl = new KerasTensor([null], "int32");
    const ol = new KerasTensor([null], "int32");
    const z = nn.ctcLoss<KerasTensor>(t, o, tl, ol);
    const [r] = evalGraph(
      [z],
      new Map([
        [t, convertToTensor(targets, "int32")],
        [o, tensor(logits.data, logits.shape)],
        [tl, convertToTensor(targetLengths, "int32")],
        [ol, convertToTensor(outputLengths, "int32")],
      ]),
    );
    expectAllclose(r!, ref(logits.data), { rtol: 1e-5, atol: 1e-5 });
  });

  it("gradient w.r.t. the logits", () => {
    const tg = convertToTensor(targets, "int32");
    checkGrad(
      (x) => nn.ctcLoss(tg, x, targetLengths, outputLengths),
      (x) => ref(x),
      [logits],
    );
  });

  it("bad shapes name the op", () => {
    expect(() => nn.ctcLoss([1, 2], tensor(logits.data, logits.shape), [2], [5])).toThrow(
      /ctc_loss: .*Received: target.shape=\(2,\)/,
    );
  });
});
