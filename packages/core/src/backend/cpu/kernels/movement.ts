/**
 * Movement kernels: reshape, transpose, broadcast_to, slice, pad, concat, gather_nd, scatter_nd.
 *
 * All dense copies go through `stridedCopy`, which collapses the view into contiguous rows, so a
 * copy that is contiguous in the source runs as `TypedArray.set` of whole rows.
 */
import type { Primitive } from "../../../primitives/primitive";
import {
  alloc,
  broadcastStrides,
  rowLayout,
  sizeOf,
  stridedCopy,
  stridesOf,
  type CpuKernel,
} from "./util";

/**
 * Reshape as a copy. `CpuBackend.execute` does not call this: it returns the input's buffer with
 * one more reference instead (reshape is free on CPU); the kernel exists so the table is complete
 * and so other code can call kernels directly.
 */
export const reshapeKernel: CpuKernel<Primitive.Reshape> = (inputs) => [inputs[0].values.slice()];

export const transposeKernel: CpuKernel<Primitive.Transpose> = (inputs, params, outputs) => {
  const x = inputs[0];
  const o = alloc(outputs[0]);
  const st = stridesOf(x.shape);
  stridedCopy(
    x.values,
    0,
    params.perm.map((p) => st[p]),
    outputs[0].shape,
    o,
  );
  return [o];
};

export const broadcastToKernel: CpuKernel<Primitive.BroadcastTo> = (inputs, _params, outputs) => {
  const x = inputs[0];
  const o = alloc(outputs[0]);
  stridedCopy(x.values, 0, broadcastStrides(x.shape, outputs[0].shape), outputs[0].shape, o);
  return [o];
};

export const sliceKernel: CpuKernel<Primitive.Slice> = (inputs, params, outputs) => {
  const x = inputs[0];
  const o = alloc(outputs[0]);
  if (o.length === 0) return [o];
  const st = stridesOf(x.shape);
  let offset = 0;
  for (let d = 0; d < st.length; d++) offset += params.start[d] * st[d];
  stridedCopy(
    x.values,
    offset,
    st.map((s, d) => s * params.strides[d]),
    outputs[0].shape,
    o,
  );
  return [o];
};

export const padKernel: CpuKernel<Primitive.Pad> = (inputs, params, outputs) => {
  const x = inputs[0];
  const o = alloc(outputs[0]);
  if (params.value !== 0) o.fill(params.value);
  if (o.length === 0 || x.values.length === 0) return [o];
  // Rows of x land at strided offsets of the padded output.
  const ost = stridesOf(outputs[0].shape);
  let base = 0;
  for (let d = 0; d < ost.length; d++) base += params.padding[d][0] * ost[d];
  const lay = rowLayout(x.shape, [ost, stridesOf(x.shape)]);
  const n = lay.inner;
  const so = lay.innerStrides[0];
  const [offO, offX] = lay.rowOffsets;
  const v = x.values;
  for (let r = 0; r < lay.rows; r++) {
    let io = base + offO[r];
    const ix = offX[r];
    if (so === 1) o.set(v.subarray(ix, ix + n), io);
    else for (let j = 0; j < n; j++, io += so) o[io] = v[ix + j];
  }
  return [o];
};

export const concatKernel: CpuKernel<Primitive.Concat> = (inputs, params, outputs) => {
  const out = outputs[0];
  const o = alloc(out);
  const axis = params.axis;
  const outer = sizeOf(out.shape.slice(0, axis));
  const inner = sizeOf(out.shape.slice(axis + 1));
  const outChunk = out.shape[axis] * inner;
  let at = 0;
  for (const x of inputs) {
    const chunk = x.shape[axis] * inner;
    const v = x.values;
    for (let a = 0; a < outer; a++)
      o.set(v.subarray(a * chunk, (a + 1) * chunk), a * outChunk + at);
    at += chunk;
  }
  return [o];
};

/** Gathers slices x[i0, …, ik-1, :…] with each index clamped into [0, dim - 1]. */
export const gatherNdKernel: CpuKernel<Primitive.GatherNd> = (inputs, _params, outputs) => {
  const [x, ind] = inputs;
  const o = alloc(outputs[0]);
  const k = ind.shape[ind.shape.length - 1];
  const slice = sizeOf(x.shape.slice(k));
  const batch = k === 0 ? sizeOf(ind.shape.slice(0, -1)) : ind.values.length / k;
  if (slice === 0 || x.values.length === 0) return [o];
  const st = stridesOf(x.shape);
  const iv = ind.values;
  for (let b = 0; b < batch; b++) {
    let off = 0;
    for (let j = 0; j < k; j++) {
      const dim = x.shape[j];
      let i = iv[b * k + j];
      i = i < 0 ? 0 : i >= dim ? dim - 1 : i;
      off += i * st[j];
    }
    o.set(x.values.subarray(off, off + slice), b * slice);
  }
  return [o];
};

/** Adds update slices into zeros of `shape`; duplicate indices add, out-of-range rows are dropped. */
export const scatterNdKernel: CpuKernel<Primitive.ScatterNd> = (inputs, params, outputs) => {
  const [ind, upd] = inputs;
  const o = alloc(outputs[0]);
  const shape = params.shape;
  const k = ind.shape[ind.shape.length - 1];
  const slice = sizeOf(shape.slice(k));
  const batch = k === 0 ? sizeOf(ind.shape.slice(0, -1)) : ind.values.length / k;
  if (slice === 0) return [o];
  const st = stridesOf(shape);
  const iv = ind.values;
  const uv = upd.values;
  const int = upd.dtype === "int32";
  const bool = upd.dtype === "bool";
  for (let b = 0; b < batch; b++) {
    let off = 0;
    let ok = true;
    for (let j = 0; j < k; j++) {
      const i = iv[b * k + j];
      if (i < 0 || i >= shape[j]) {
        ok = false;
        break;
      }
      off += i * st[j];
    }
    if (!ok) continue;
    const u = b * slice;
    if (int) for (let j = 0; j < slice; j++) o[off + j] = (o[off + j] + uv[u + j]) | 0;
    else if (bool) for (let j = 0; j < slice; j++) o[off + j] |= uv[u + j];
    else for (let j = 0; j < slice; j++) o[off + j] += uv[u + j];
  }
  return [o];
};
