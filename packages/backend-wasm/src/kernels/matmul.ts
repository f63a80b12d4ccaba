/**
 * Matrix multiplication: the blocked GEMM driver over the wasm kernels of `asm/gemm.ts`, and the
 * batched Matmul kernel (NumPy broadcasting of batch dims, transpose flags).
 *
 * Loop nest (BLIS): for each NC-wide column block of B, for each KC-deep slice of k, pack that
 * B block once (kc x nc, panels of NR columns); then for each MC-tall row block of A pack it
 * (mc x kc, panels of MR rows) and run the macro-kernel, which sweeps NR-wide B panels (kept in
 * L1) over the A block (kept in L2). Transposed operands, im2col patches read transposed and
 * column blocks of a kernel are just other strides given to the packing routines, so no operand
 * is ever copied beyond packing. The first k slice writes C, later ones accumulate into it.
 *
 * int32 and bool products run an exact integer loop in TypeScript (`Math.imul`, int32 wrap-around,
 * as the CPU oracle), since packing into float32 would round them.
 */
import type { Primitive } from "@webkeras/core";
import type { Runtime } from "../runtime";
import type { Call } from "../threads";
import { broadcastStrides, type WasmKernel } from "./util";

/** A strided matrix operand in linear memory: element (i, j) at `ptr + 4 * (i * rs + j * cs)`. */
export interface MatRef {
  ptr: number;
  rs: number;
  cs: number;
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** Scratch bytes of one `gemm` call on an (M x N x K) product: packed A block, B block, tile. */
function gemmScratch(rt: Runtime, M: number, N: number, K: number): [number, number, number] {
  const { MR, NR, MC, KC, NC } = rt.config;
  const kc = Math.min(KC, K);
  return [
    roundUp(Math.min(MC, M), MR) * kc * 4,
    roundUp(Math.min(NC, N), NR) * kc * 4,
    MR * NR * 4,
  ];
}

/**
 * The `gemm` export's call for C (M x N at byte offset `c`, row stride `ldc` elements) (+)= A · B,
 * its scratch at `ws` (laid out as `gemmScratch` says).
 */
export function gemmCall(
  rt: Runtime,
  M: number,
  N: number,
  K: number,
  a: MatRef,
  b: MatRef,
  c: number,
  ldc: number,
  accumulate: boolean,
  ws: number,
): Call {
  const [apBytes, bpBytes] = gemmScratch(rt, M, N, K);
  return [
    "gemm",
    M,
    N,
    K,
    a.ptr,
    a.rs * 4,
    a.cs * 4,
    b.ptr,
    b.rs * 4,
    b.cs * 4,
    c,
    ldc * 4,
    accumulate ? 1 : 0,
    ws,
    ws + apBytes,
    ws + apBytes + bpBytes,
  ];
}

/** Total scratch bytes of `gemmCall` for (M x N x K). */
export function gemmScratchBytes(rt: Runtime, M: number, N: number, K: number): number {
  const [a, b, t] = gemmScratch(rt, M, N, K);
  return a + b + t;
}

/**
 * C (M x N at `c`, row stride `ldc` elements) = A · B, or += when `accumulate`. float32 only.
 *
 * Large products are split into tasks by rows of C (or by columns when C is wider than tall: each
 * task packs its own copy of the operand that is not split, so the smaller one is copied).
 * Every element of C is summed in the same order whatever the split (k slices of KC, in order;
 * edge tiles accumulate like full ones), so the result does not depend on the thread count.
 * @example gemm(rt, 2, 2, 3, { ptr: a, rs: 3, cs: 1 }, { ptr: b, rs: 2, cs: 1 }, c, 2, false)
 */
export function gemm(
  rt: Runtime,
  M: number,
  N: number,
  K: number,
  a: MatRef,
  b: MatRef,
  c: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) {
      const F = rt.F32;
      for (let i = 0; i < M; i++) F.fill(0, (c >> 2) + i * ldc, (c >> 2) + i * ldc + N);
    }
    return;
  }
  const { MR, NR } = rt.config;
  const byRows = M >= N;
  const units = byRows ? Math.ceil(M / MR) : Math.ceil(N / NR);
  // Tasks per thread: 2 for large products, 1 for others (each task packs its own copy of the
  // operand that is not split: about 4% of a 1024 x 1024 product's time per extra task).
  const work = M * N * K;
  const T = rt.tasksFor(work, units, work >= 1 << 25 ? 2 : 1);
  // Part t: rows (or columns) [lo, hi), cut at multiples of MR (NR).
  const parts = Array.from({ length: T }, (_, t) => {
    const unit = byRows ? MR : NR;
    const extent = byRows ? M : N;
    const lo = Math.min(extent, Math.floor((units * t) / T) * unit);
    const hi = Math.min(extent, Math.floor((units * (t + 1)) / T) * unit);
    return { lo, hi, bytes: gemmScratchBytes(rt, byRows ? hi - lo : M, byRows ? N : hi - lo, K) };
  });
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  const ws = rt.scratch(total);
  try {
    let at = ws;
    const lists = parts.map(({ lo, hi, bytes }) => {
      const call = byRows
        ? gemmCall(
            rt,
            hi - lo,
            N,
            K,
            { ...a, ptr: a.ptr + 4 * lo * a.rs },
            b,
            c + 4 * lo * ldc,
            ldc,
            accumulate,
            at,
          )
        : gemmCall(
            rt,
            M,
            hi - lo,
            K,
            a,
            { ...b, ptr: b.ptr + 4 * lo * b.cs },
            c + 4 * lo,
            ldc,
            accumulate,
            at,
          );
      at += bytes;
      return [call];
    });
    rt.parallel(lists);
  } finally {
    rt.release(ws, total);
  }
}

/** Exact int32 GEMM on views (bool inputs are 0/1); `toBool` stores `sum != 0`. */
function gemmInt(
  rt: Runtime,
  M: number,
  N: number,
  K: number,
  a: MatRef,
  aBool: boolean,
  b: MatRef,
  bBool: boolean,
  c: number,
  outBool: boolean,
): void {
  const av = aBool ? rt.U8 : rt.I32;
  const bv = bBool ? rt.U8 : rt.I32;
  const ov = outBool ? rt.U8 : rt.I32;
  const aBase = aBool ? a.ptr : a.ptr >> 2;
  const bBase = bBool ? b.ptr : b.ptr >> 2;
  const oBase = outBool ? c : c >> 2;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let ia = aBase + i * a.rs;
      let ib = bBase + j * b.cs;
      for (let p = 0; p < K; p++, ia += a.cs, ib += b.rs) s = (s + Math.imul(av[ia], bv[ib])) | 0;
      ov[oBase + i * N + j] = outBool ? (s !== 0 ? 1 : 0) : s;
    }
  }
}

/** Batched matmul with NumPy broadcasting of the batch dims and transpose flags. */
export const matmulKernel: WasmKernel<Primitive.Matmul> = (rt, inputs, params, outputs) => {
  const [x, y] = inputs;
  const out = outputs[0];
  const ra = x.shape.length;
  const rb = y.shape.length;
  const r = out.shape.length;
  const M = out.shape[r - 2];
  const N = out.shape[r - 1];
  const K = params.transposeA ? x.shape[ra - 2] : x.shape[ra - 1];
  const float = x.dtype === "float32";
  const eb = out.dtype === "bool" ? 1 : 4;
  // Element strides of the logical (M x K) and (K x N) operands.
  const aRS = params.transposeA ? 1 : x.shape[ra - 1];
  const aCS = params.transposeA ? x.shape[ra - 1] : 1;
  const bRS = params.transposeB ? 1 : y.shape[rb - 1];
  const bCS = params.transposeB ? y.shape[rb - 1] : 1;
  const batchShape = out.shape.slice(0, -2);
  const aMat = x.shape[ra - 1] * x.shape[ra - 2];
  const bMat = y.shape[rb - 1] * y.shape[rb - 2];
  const aBatchStrides = broadcastStrides(x.shape.slice(0, -2), batchShape).map((s) => s * aMat);
  const bBatchStrides = broadcastStrides(y.shape.slice(0, -2), batchShape).map((s) => s * bMat);
  const nb = out.size === 0 ? 0 : out.size / (M * N);
  if (nb === 0) return;
  const one = (offA: number, offB: number, bi: number, rows = M) => {
    const av = { ptr: x.ptr + offA * (x.dtype === "bool" ? 1 : 4), rs: aRS, cs: aCS };
    const bv = { ptr: y.ptr + offB * (y.dtype === "bool" ? 1 : 4), rs: bRS, cs: bCS };
    const c = out.ptr + bi * M * N * eb;
    if (float) gemm(rt, rows, N, K, av, bv, c, N, false);
    else
      gemmInt(
        rt,
        rows,
        N,
        K,
        av,
        x.dtype === "bool",
        bv,
        y.dtype === "bool",
        c,
        out.dtype === "bool",
      );
  };
  const bShared = bBatchStrides.every((s) => s === 0);
  if (
    bShared &&
    !params.transposeA &&
    aBatchStrides.every((s, i) => s !== 0 || batchShape[i] === 1)
  ) {
    // One B for every batch and a dense, untransposed A: fold the batch into M (a Dense layer on
    // (B, T, C) input becomes one (B*T, C) x (C, N) product).
    one(0, 0, 0, nb * M);
    return;
  }
  const idx = new Array<number>(batchShape.length).fill(0);
  let offA = 0;
  let offB = 0;
  for (let bi = 0; bi < nb; bi++) {
    one(offA, offB, bi);
    for (let d = batchShape.length - 1; d >= 0; d--) {
      idx[d]++;
      offA += aBatchStrides[d];
      offB += bBatchStrides[d];
      if (idx[d] < batchShape[d]) break;
      offA -= aBatchStrides[d] * batchShape[d];
      offB -= bBatchStrides[d] * batchShape[d];
      idx[d] = 0;
    }
  }
};
