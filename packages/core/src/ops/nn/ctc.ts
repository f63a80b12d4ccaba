/**
 * `ctcLoss`: connectionist temporal classification loss, the forward (alpha) recursion of
 * Keras' JAX backend (itself optax's `ctc_loss_with_forward_probs`), unrolled over time with
 * primitives. Log-space, with -1e5 standing in for log(0) as Keras does.
 */
import { ValueError } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import type { TensorLike } from "../convert";
import { logSoftmax } from "./activations";
import { oneHot } from "./encoding";
import { expandDim, shp, toFloat, toTensor } from "./util";
import { deferredCall } from "../../symbolic/deferred_op";

type T_ = AnyTensor;

const LOG_EPSILON = -1e5;

/** log(exp(a) + exp(b)), stable. */
function logaddexp(a: T_, b: T_): T_ {
  const m = lax.maximum(a, b);
  return lax.add(m, lax.log1p(lax.exp(lax.neg(lax.abs(lax.sub(a, b))))));
}

/** `t >= lengths` as float, shape (B, n): 1 marks padding. */
function paddings(lengths: T_, n: number): T_ {
  const pos = lax.iota([1, n], 1, "int32");
  return lax.cast(lax.greaterEqual(pos, expandDim(lengths, 1)), "float32");
}

/**
 * CTC loss per sequence, shape `(batch,)`.
 * - `target`: `(batch, max_label_length)` int labels (entries past `targetLength` are ignored);
 * - `output`: `(batch, max_length, num_classes)` logits (log-softmax is applied here);
 * - `targetLength`, `outputLength`: `(batch,)` ints;
 * - `maskIndex`: the blank class (default 0).
 * @example
 * const loss = keras.ops.ctcLoss([[1, 2]], keras.random.normal([1, 5, 3]), [2], [5]);
 */
export function ctcLoss<T extends T_ = Tensor>(
  target: TensorLike,
  output: TensorLike,
  targetLength: TensorLike,
  outputLength: TensorLike,
  maskIndex = 0,
): T {
  const op = "ctc_loss";
  const tgt = lax.cast(toTensor(target), "int32");
  const out = toFloat(output);
  const tl = lax.cast(toTensor(targetLength), "int32");
  const ol = lax.cast(toTensor(outputLength), "int32");
  if (
    tgt.shape.length !== 2 ||
    out.shape.length !== 3 ||
    tl.shape.length !== 1 ||
    ol.shape.length !== 1
  )
    throw new ValueError(
      `${op}: expected target (batch, max_label_length), output (batch, max_length, num_classes) and (batch,) lengths. Received: target.shape=${shp(tgt)}, output.shape=${shp(out)}, target_length.shape=${shp(tl)}, output_length.shape=${shp(ol)}`,
    );
  const b0 = [tgt.shape[0], out.shape[0], tl.shape[0], ol.shape[0]].filter((d) => d !== null);
  if (b0.some((d) => d !== b0[0]))
    throw new ValueError(
      `${op}: all arguments must have the same first (batch) dimension. Received: target.shape=${shp(tgt)}, output.shape=${shp(out)}, target_length.shape=${shp(tl)}, output_length.shape=${shp(ol)}`,
    );
  const all = [tgt, out, tl, ol];
  if (all.some((t) => t.shape.some((d) => d === null))) {
    const batch = b0.length > 0 ? b0[0]! : null;
    return deferredCall(op, all, [{ shape: [batch], dtype: "float32" }], ([a, b, c, d]) => [
      ctcLoss(a!, b!, c!, d!, maskIndex),
    ])[0] as T;
  }
  const [B, T, K] = out.shape as [number, number, number];
  const L = tgt.shape[1] as number;
  if (!Number.isInteger(maskIndex) || maskIndex < 0 || maskIndex >= K)
    throw new ValueError(
      `${op}: mask_index must be in [0, ${K}). Received: mask_index=${maskIndex}`,
    );

  const logprobs = logSoftmax<T_>(out, -1); // (B, T, K)
  const targetPad = paddings(tl, L); // (B, L)
  const outputPad = paddings(ol, T); // (B, T)
  const labelLengths = lax.sub(lax.scalar(L, "int32"), lax.cast(lax.sum(targetPad, [1]), "int32")); // (B,)

  // repeat[b, n] = 1 when label n equals label n + 1 (the last column is 0).
  let repeat: T_ = lax.full([B, L], 0, "float32");
  if (L > 1) {
    const same = lax.equal(lax.slice(tgt, [0, 0], [B, L - 1]), lax.slice(tgt, [0, 1], [B, L]));
    repeat = lax.pad(lax.cast(same, "float32"), [
      [0, 0],
      [0, 1],
    ]);
  }
  const notRepeat = lax.sub(1, repeat);

  const logprobsPhi = lax.slice(logprobs, [0, 0, maskIndex], [B, T, maskIndex + 1]); // (B, T, 1)
  const hot = oneHot<T_>(tgt, K, -1, "float32"); // (B, L, K)
  const logprobsEmit = lax.matmul(logprobs, hot, false, true); // (B, T, L)

  const updatePhi = (phi: T_, added: T_): T_ =>
    lax.concat(
      [lax.slice(phi, [0, 0], [B, 1]), logaddexp(lax.slice(phi, [0, 1], [B, L + 1]), added)],
      1,
    );

  let phi: T_ = lax.concat(
    [lax.full([B, 1], 0, "float32"), lax.full([B, L], LOG_EPSILON, "float32")],
    1,
  ); // (B, L + 1)
  let emit: T_ = lax.full([B, L], LOG_EPSILON, "float32"); // (B, L)
  for (let t = 0; t < T; t++) {
    const emitT = lax.reshape(lax.slice(logprobsEmit, [0, t, 0], [B, t + 1, L]), [B, L]);
    const phiT = lax.reshape(lax.slice(logprobsPhi, [0, t, 0], [B, t + 1, 1]), [B, 1]);
    const pad = lax.slice(outputPad, [0, t], [B, t + 1]); // (B, 1)
    const prevPhiOrig: T_ = phi;
    // emit -> phi epsilon transition, except before a repeated label
    const prevPhi = updatePhi(phi, lax.add(emit, lax.mul(repeat, LOG_EPSILON)));
    // phi -> emit and emit self-loop
    let nextEmit = logaddexp(
      lax.add(lax.slice(prevPhi, [0, 0], [B, L]), emitT),
      lax.add(emit, emitT),
    );
    // phi self-loop, then emit -> phi blank transition only before a repeated label
    let nextPhi = lax.add(prevPhi, phiT);
    nextPhi = updatePhi(nextPhi, lax.add(lax.add(emit, phiT), lax.mul(notRepeat, LOG_EPSILON)));
    const keep = lax.sub(1, pad);
    nextEmit = lax.add(lax.mul(pad, emit), lax.mul(keep, nextEmit));
    nextPhi = lax.add(lax.mul(pad, prevPhiOrig), lax.mul(keep, nextPhi));
    phi = nextPhi;
    emit = nextEmit;
  }
  const last = updatePhi(phi, emit); // (B, L + 1)
  const pick = oneHot<T_>(labelLengths, L + 1, -1, "float32");
  return lax.neg(lax.sum(lax.mul(last, pick), [1])) as T;
}
