/**
 * `dotProductAttention`: scaled dot-product attention in Keras' `(batch, time, heads, depth)`
 * layout, with multi-head, grouped-query and multi-query attention, as Keras' JAX backend's
 * reference path (`_dot_product_attention_core`) computes it.
 */
import { ValueError } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import type { TensorLike } from "../convert";
import { softmax } from "./activations";
import { reshapeDims, shp, toFloat, toTensor } from "./util";
import { deferredCall } from "../../symbolic/deferred_op";

type T_ = AnyTensor;

/** Masked logits get -0.7 * float32 max (finite, so fully masked rows stay finite), as Keras. */
const LARGE_NEGATIVE = -0.7 * 3.4028234663852886e38;

/**
 * Scaled dot-product attention `softmax(Q K^T * scale + bias, masked) V`.
 *
 * - `query`: `(B, T, N, H)`; `key`: `(B, S, K, H)`; `value`: `(B, S, K, Hv)`. `N` must be a
 *   multiple of `K` (K = N: multi-head, 1 < K < N: grouped-query, K = 1: multi-query).
 * - `bias`: added to the logits, broadcastable to `(B, N, T, S)`.
 * - `mask`: boolean (or 0/1), broadcastable to `(B, N, T, S)`; true = attend.
 * - `scale`: defaults to `1 / sqrt(H)`.
 * - `isCausal`: query `t` attends only to keys `s <= t`.
 * - `flashAttention` is a hint with no effect here; `attnLogitsSoftCap` is JAX-on-TPU only in
 *   Keras and is rejected.
 *
 * Returns `(B, T, N, Hv)`.
 * @example
 * const q = keras.random.normal([2, 4, 8, 16]);
 * const kv = keras.random.normal([2, 6, 8, 16]);
 * keras.ops.dotProductAttention(q, kv, kv).shape; // [2, 4, 8, 16]
 */
export function dotProductAttention<T extends T_ = Tensor>(
  query: TensorLike,
  key: TensorLike,
  value: TensorLike,
  bias: TensorLike | null = null,
  mask: TensorLike | null = null,
  scale: number | null = null,
  isCausal = false,
  flashAttention: boolean | null = null,
  attnLogitsSoftCap: number | null = null,
): T {
  const op = "dot_product_attention";
  void flashAttention;
  if (attnLogitsSoftCap !== null && attnLogitsSoftCap !== undefined)
    throw new ValueError(
      `${op}: attn_logits_soft_cap is only supported for JAX on TPU. Received: attn_logits_soft_cap=${attnLogitsSoftCap}`,
    );
  const q = toFloat(query);
  const k = toFloat(key);
  const v = toFloat(value);
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4)
    throw new ValueError(
      `${op}: only supports 4D inputs. Received: query.shape=${shp(q)}, key.shape=${shp(k)}, value.shape=${shp(v)}`,
    );
  const [, t, n, h] = q.shape;
  const [, s, kh, hk] = k.shape;
  if (n === null || kh === null || hk === null)
    throw new ValueError(
      `${op}: the number of heads and the head size must be known. Received: query.shape=${shp(q)}, key.shape=${shp(k)}`,
    );
  if (h !== null && h !== hk)
    throw new ValueError(
      `${op}: query and key must have the same depth. Received: query.shape=${shp(q)}, key.shape=${shp(k)}`,
    );
  if (n % kh !== 0)
    throw new ValueError(
      `${op}: the number of query heads must be a multiple of the number of key/value heads. Received: query.shape=${shp(q)}, key.shape=${shp(k)}`,
    );
  if (v.shape[2] !== kh || (v.shape[1] !== null && s !== null && v.shape[1] !== s))
    throw new ValueError(
      `${op}: key and value must share (batch, length, heads). Received: key.shape=${shp(k)}, value.shape=${shp(v)}`,
    );
  const b = bias === null || bias === undefined ? null : toFloat(bias);
  const m = mask === null || mask === undefined ? null : toTensor(mask);
  if (isCausal && (t === null || s === null)) {
    // The causal mask is built from the lengths: wait for concrete tensors.
    const args = [q, k, v, ...(b ? [b] : []), ...(m ? [m] : [])];
    const out = [q.shape[0]!, t, n, v.shape[3]!];
    return deferredCall(op, args, [{ shape: out, dtype: "float32" }], ([a0, a1, a2, ...rest]) => {
      const bb = b ? rest.shift()! : null;
      const mm = m ? rest.shift()! : null;
      return [dotProductAttention(a0!, a1!, a2!, bb, mm, scale, true)];
    })[0] as T;
  }
  const g = n / kh;
  const sc = scale ?? 1 / Math.sqrt(hk);
  const qt = lax.transpose(q, [0, 2, 1, 3]); // (B, T, N, H) -> (B, N, T, H)
  let kt = lax.transpose(k, [0, 2, 1, 3]); // (B, S, K, H) -> (B, K, S, H)
  let vt = lax.transpose(v, [0, 2, 1, 3]); // (B, S, K, Hv) -> (B, K, S, Hv)
  let logits: T_;
  if (g === 1) {
    logits = lax.matmul(qt, kt, false, true); // (B, N, T, S)
  } else {
    // Query head n = k * G + g shares key/value head k.
    const qg = reshapeDims(qt, [{ axis: 0 }, kh, g, { axis: 2 }, hk]); // (B, K, G, T, H)
    kt = reshapeDims(kt, [{ axis: 0 }, kh, 1, { axis: 2 }, hk]); // (B, K, 1, S, H)
    const lg = lax.matmul(qg, kt, false, true); // (B, K, G, T, S)
    logits = reshapeDims(lg, [{ axis: 0 }, n, { axis: 3 }, { axis: 4 }]); // (B, N, T, S)
  }
  logits = lax.mul(logits, sc);
  if (b) logits = lax.add(logits, b);
  let keep: T_ | null = m
    ? m.dtype === "bool"
      ? m
      : lax.notEqual(m, lax.scalar(0, m.dtype))
    : null;
  if (isCausal) {
    const tt = t as number;
    const ss = s as number;
    const causal = lax.greaterEqual(lax.iota([tt, ss], 0), lax.iota([tt, ss], 1)); // (T, S) lower triangle
    keep = keep ? lax.logicalAnd(keep, causal) : causal;
  }
  if (keep) logits = lax.where(keep, logits, lax.scalar(LARGE_NEGATIVE, "float32"));
  const probs = softmax<T_>(logits, -1);
  let out: T_;
  if (g === 1) {
    out = lax.matmul(probs, vt); // (B, N, T, Hv)
  } else {
    const hv = v.shape[3]!;
    if (hv === null)
      throw new ValueError(`${op}: the value depth must be known. Received: value.shape=${shp(v)}`);
    const pg = reshapeDims(probs, [{ axis: 0 }, kh, g, { axis: 2 }, { axis: 3 }]); // (B, K, G, T, S)
    vt = reshapeDims(vt, [{ axis: 0 }, kh, 1, { axis: 2 }, hv]); // (B, K, 1, S, Hv)
    out = reshapeDims(lax.matmul(pg, vt), [{ axis: 0 }, n, { axis: 3 }, hv]); // (B, N, T, Hv)
  }
  return lax.transpose(out, [0, 2, 1, 3]) as T; // (B, N, T, Hv) -> (B, T, N, Hv)
}
