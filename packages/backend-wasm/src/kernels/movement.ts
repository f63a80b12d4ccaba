/**
 * Movement kernels in TypeScript on views of linear memory: reshape (a copy; the backend shares
 * the buffer instead), transpose, broadcast_to, slice, pad, concat, gather_nd (indices clamped)
 * and scatter_nd (duplicates add, out-of-range rows dropped), as in the CPU oracle. Dense copies
 * collapse into rows and use `TypedArray.set` (a memcpy) where the source rows are contiguous.
 */
import { cpuKernelUtils } from "@webkeras/core";
import type { Primitive } from "@webkeras/core";
import {
  broadcastStrides,
  rowLayout,
  run2d,
  sizeOf,
  stridedCopy,
  stridesOf,
  viaCpu,
  type WasmKernel,
} from "./util";

export const reshapeKernel: WasmKernel<Primitive.Reshape> = (rt, inputs, _params, outputs) => {
  rt.v(outputs[0]).set(rt.v(inputs[0]));
};

export const transposeKernel: WasmKernel<Primitive.Transpose> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const st = stridesOf(x.shape);
  stridedCopy(
    rt.v(x),
    0,
    params.perm.map((p) => st[p]),
    outputs[0].shape,
    rt.v(outputs[0]),
  );
};

export const broadcastToKernel: WasmKernel<Primitive.BroadcastTo> = (
  rt,
  inputs,
  _params,
  outputs,
) => {
  const x = inputs[0];
  const out = outputs[0];
  if (x.dtype !== "bool") {
    // 4-byte elements in wasm: contiguous rows with memory.copy, repeated values with splat stores.
    run2d(out.shape, [broadcastStrides(x.shape, out.shape)], (offs, oo, rows, n, rs, rep) => {
      rt.k[rep[0] ? "copy_1" : "copy_0"](x.ptr + offs[0] * 4, out.ptr + oo * 4, rows, n, rs[0] * 4);
    });
    return;
  }
  stridedCopy(
    rt.v(x),
    0,
    broadcastStrides(x.shape, outputs[0].shape),
    outputs[0].shape,
    rt.v(outputs[0]),
  );
};

export const sliceKernel: WasmKernel<Primitive.Slice> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  if (outputs[0].size === 0) return;
  const st = stridesOf(x.shape);
  let offset = 0;
  for (let d = 0; d < st.length; d++) offset += params.start[d] * st[d];
  stridedCopy(
    rt.v(x),
    offset,
    st.map((s, d) => s * params.strides[d]),
    outputs[0].shape,
    rt.v(outputs[0]),
  );
};

export const padKernel: WasmKernel<Primitive.Pad> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  const o = rt.v(outputs[0]);
  o.fill(params.value);
  if (o.length === 0 || x.size === 0) return;
  const ost = stridesOf(outputs[0].shape);
  let base = 0;
  for (let d = 0; d < ost.length; d++) base += params.padding[d][0] * ost[d];
  const lay = rowLayout(x.shape, [ost, stridesOf(x.shape)]);
  const n = lay.inner;
  const so = lay.innerStrides[0];
  const [offO, offX] = lay.rowOffsets;
  const v = rt.v(x);
  for (let r = 0; r < lay.rows; r++) {
    let io = base + offO[r];
    const ix = offX[r];
    if (so === 1) o.set(v.subarray(ix, ix + n), io);
    else for (let j = 0; j < n; j++, io += so) o[io] = v[ix + j];
  }
};

export const concatKernel: WasmKernel<Primitive.Concat> = (rt, inputs, params, outputs) => {
  const out = outputs[0];
  const o = rt.v(out);
  const axis = params.axis;
  const outer = sizeOf(out.shape.slice(0, axis));
  const inner = sizeOf(out.shape.slice(axis + 1));
  const outChunk = out.shape[axis] * inner;
  let at = 0;
  for (const x of inputs) {
    const chunk = x.shape[axis] * inner;
    const v = rt.v(x);
    for (let a = 0; a < outer; a++)
      o.set(v.subarray(a * chunk, (a + 1) * chunk), a * outChunk + at);
    at += chunk;
  }
};

/** Gathers slices x[i0, …, ik-1, :…] with each index clamped into [0, dim - 1]. */
export const gatherNdKernel: WasmKernel<Primitive.GatherNd> = (rt, inputs, _params, outputs) => {
  const [x, ind] = inputs;
  const o = rt.v(outputs[0]);
  o.fill(0);
  const k = ind.shape[ind.shape.length - 1];
  const slice = sizeOf(x.shape.slice(k));
  const batch = k === 0 ? sizeOf(ind.shape.slice(0, -1)) : ind.size / k;
  if (slice === 0 || x.size === 0) return;
  const st = stridesOf(x.shape);
  const iv = rt.v(ind);
  const xv = rt.v(x);
  for (let b = 0; b < batch; b++) {
    let off = 0;
    for (let j = 0; j < k; j++) {
      const dim = x.shape[j];
      let i = iv[b * k + j];
      i = i < 0 ? 0 : i >= dim ? dim - 1 : i;
      off += i * st[j];
    }
    o.set(xv.subarray(off, off + slice), b * slice);
  }
};

/** Adds update slices into zeros of `shape`; duplicate indices add, out-of-range rows are dropped. */
export const scatterNdKernel: WasmKernel<Primitive.ScatterNd> = viaCpu(
  cpuKernelUtils.scatterNdKernel,
);
