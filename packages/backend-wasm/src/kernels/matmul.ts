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
import { broadcastStrides, type WasmKernel } from "./util";

/** Rows of A per packed block (the A block, MC x KC floats, stays in L2). */
export const MC = 80;
/** Depth of a k slice (an NR-wide B panel, KC x NR floats, stays in L1). */
export const KC = 256;
/** Columns of B per packed block. */
export const NC = 1024;

/** A strided matrix operand in linear memory: element (i, j) at `ptr + 4 * (i * rs + j * cs)`. */
export interface MatRef {
  ptr: number;
  rs: number;
  cs: number;
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/**
 * C (M x N at `c`, row stride `ldc` elements) = A · B, or += when `accumulate`. float32 only.
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
  const mcMax = Math.min(MC, roundUp(M, MR));
  const kcMax = Math.min(KC, K);
  const ncMax = Math.min(NC, roundUp(N, NR));
  const apBytes = roundUp(mcMax, MR) * kcMax * 4;
  const bpBytes = roundUp(ncMax, NR) * kcMax * 4;
  const tileBytes = MR * NR * 4;
  const ap = rt.scratch(apBytes);
  const bp = rt.scratch(bpBytes);
  const tile = rt.scratch(tileBytes);
  const k = rt.k;
  const ldcB = ldc * 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      k.gemm_pack_b(kc, nc, b.ptr + 4 * (pc * b.rs + jc * b.cs), b.rs * 4, b.cs * 4, bp);
      const acc = accumulate || pc > 0 ? 1 : 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        k.gemm_pack_a(mc, kc, a.ptr + 4 * (ic * a.rs + pc * a.cs), a.rs * 4, a.cs * 4, ap);
        k.gemm_macro(mc, nc, kc, ap, bp, c + ic * ldcB + jc * 4, ldcB, acc, tile);
      }
    }
  }
  rt.release(tile, tileBytes);
  rt.release(bp, bpBytes);
  rt.release(ap, apBytes);
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
