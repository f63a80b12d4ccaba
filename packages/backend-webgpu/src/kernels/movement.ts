/**
 * Movement: transpose, broadcast_to, slice, pad, concat (all one strided-copy template over
 * 32-bit words, so one pipeline per rank serves every dtype), gather_nd and scatter_nd.
 *
 * A copy whose source and destination are both contiguous becomes `copyBufferToBuffer`.
 * ScatterNd adds duplicates with atomics: int32 with `atomicAdd`, bool with `atomicOr`, float32
 * with a compare-exchange loop on the bit pattern (the order of float additions between
 * duplicate rows is then unspecified, so sums agree with the CPU's to rounding).
 */
import type { Primitive } from "@webkeras/core";
import type { GpuData, GpuKernel, KernelContext } from "../kernel";
import { f32Bits } from "../kernel";
import { grid1d, loadAs, mainHeader, storageType, uniformDecl } from "../wgsl";
import { broadcastStrides, collapse, decodeIndex, sizeOf, stridesOf } from "./util";

/**
 * dst[dstOff + sum(i_d * dstStrides_d)] = src[srcOff + sum(i_d * srcStrides_d)] over `shape`
 * (offsets and strides in elements).
 */
export function stridedCopy(
  ctx: KernelContext,
  src: GpuData,
  srcOff: number,
  srcStrides: number[],
  shape: number[],
  dst: GpuData,
  dstOff: number,
  dstStrides: number[],
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const c = collapse(shape, [srcStrides, dstStrides]);
  const r = c.shape.length;
  if (r === 1 && c.strides[0]![0] === 1 && c.strides[1]![0] === 1) {
    ctx.copy(src, srcOff, dst, dstOff, n);
    return;
  }
  const uniforms = [n, srcOff, dstOff, ...c.shape, ...c.strides[0]!, ...c.strides[1]!];
  const source = `${uniformDecl(uniforms.length)}
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  ${decodeIndex(r, 3, [3 + r, 3 + 2 * r])}
  dst[U(2u) + off1] = src[U(1u) + off0];
}`;
  ctx.run({ source, inputs: [src], outputs: [dst], uniforms, grid: grid1d(n) });
}

export const transposeKernel: GpuKernel<Primitive.Transpose> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const st = stridesOf(x.shape);
  stridedCopy(ctx, x.data, 0, params.perm.map((p) => st[p]!), out.shape, o, 0, stridesOf(out.shape));
  return [o];
};

export const broadcastToKernel: GpuKernel<Primitive.BroadcastTo> = (ctx, inputs, _params, outputs) => {
  const x = inputs[0]!;
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  stridedCopy(ctx, x.data, 0, broadcastStrides(x.shape, out.shape), out.shape, o, 0, stridesOf(out.shape));
  return [o];
};

export const sliceKernel: GpuKernel<Primitive.Slice> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const st = stridesOf(x.shape);
  let off = 0;
  for (let d = 0; d < st.length; d++) off += params.start[d]! * st[d]!;
  stridedCopy(ctx, x.data, off, st.map((s, d) => s * params.strides[d]!), out.shape, o, 0, stridesOf(out.shape));
  return [o];
};

function fillWord(value: number, dtype: string): number {
  if (dtype === "float32") return f32Bits(value);
  if (dtype === "int32") return value | 0;
  return value !== 0 ? 1 : 0;
}

export const padKernel: GpuKernel<Primitive.Pad> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  if (sizeOf(out.shape) === 0) return [o];
  ctx.fill(o, fillWord(params.value, out.dtype));
  const ost = stridesOf(out.shape);
  let base = 0;
  for (let d = 0; d < ost.length; d++) base += params.padding[d]![0] * ost[d]!;
  stridedCopy(ctx, x.data, 0, stridesOf(x.shape), x.shape, o, base, ost);
  return [o];
};

export const concatKernel: GpuKernel<Primitive.Concat> = (ctx, inputs, params, outputs) => {
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const ost = stridesOf(out.shape);
  let at = 0;
  for (const x of inputs) {
    stridedCopy(ctx, x.data, 0, stridesOf(x.shape), x.shape, o, at * ost[params.axis]!, ost);
    at += x.shape[params.axis]!;
  }
  return [o];
};

/** Gathers slices x[i0, …, ik-1, :…] with each index clamped into [0, dim - 1]. */
export const gatherNdKernel: GpuKernel<Primitive.GatherNd> = (ctx, inputs, _params, outputs) => {
  const [x, ind] = inputs as [typeof inputs[0] & object, typeof inputs[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0 || sizeOf(x.shape) === 0) return [o];
  const k = ind.shape[ind.shape.length - 1]!;
  const slice = sizeOf(x.shape.slice(k));
  const st = stridesOf(x.shape);
  const uniforms = [n, slice, ...x.shape.slice(0, k), ...st.slice(0, k)];
  let offs = "";
  for (let j = 0; j < k; j++)
    offs += `off += u32(clamp(ind[b * ${k}u + ${j}u], 0, i32(U(${2 + j}u)) - 1)) * U(${2 + k + j}u);\n  `;
  const source = `${uniformDecl(uniforms.length)}
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> ind: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  let b = idx / U(1u);
  var off = idx % U(1u);
  ${offs}
  out[idx] = x[off];
}`;
  ctx.run({ source, inputs: [x.data, ind.data], outputs: [o], uniforms, grid: grid1d(n) });
  return [o];
};

/** Adds update slices into zeros of `shape`; duplicate indices add, out-of-range rows are dropped. */
export const scatterNdKernel: GpuKernel<Primitive.ScatterNd> = (ctx, inputs, params, outputs) => {
  const [ind, upd] = inputs as [typeof inputs[0] & object, typeof inputs[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  if (sizeOf(out.shape) === 0) return [o];
  ctx.fill(o, 0);
  const n = sizeOf(upd.shape);
  if (n === 0) return [o];
  const shape = params.shape;
  const k = ind.shape[ind.shape.length - 1]!;
  const slice = sizeOf(shape.slice(k));
  if (slice === 0) return [o];
  const st = stridesOf(shape);
  const uniforms = [n, slice, ...shape.slice(0, k), ...st.slice(0, k)];
  let offs = "";
  for (let j = 0; j < k; j++)
    offs += `{ let i = ind[b * ${k}u + ${j}u]; if (i < 0 || i >= i32(U(${2 + j}u))) { return; } off += u32(i) * U(${2 + k + j}u); }\n  `;
  const atomicT = upd.dtype === "int32" ? "i32" : "u32";
  let add: string;
  if (upd.dtype === "int32") add = "atomicAdd(&out[off], u);";
  else if (upd.dtype === "bool") add = "if (u != 0) { atomicOr(&out[off], 1u); }";
  else
    add = `var old = atomicLoad(&out[off]);
  loop {
    let r = atomicCompareExchangeWeak(&out[off], old, bitcast<u32>(bitcast<f32>(old) + u));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
  const source = `${uniformDecl(uniforms.length)}
@group(0) @binding(1) var<storage, read> ind: array<i32>;
@group(0) @binding(2) var<storage, read> upd: array<${storageType(upd.dtype)}>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<${atomicT}>>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  let b = idx / U(1u);
  var off = idx % U(1u);
  ${offs}
  let u = ${upd.dtype === "bool" ? "upd[idx]" : loadAs("upd[idx]", upd.dtype)};
  ${add}
}`;
  ctx.run({ source, inputs: [ind.data, upd.data], outputs: [o], uniforms, grid: grid1d(n) });
  return [o];
};
