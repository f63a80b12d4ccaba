/**
 * Matrix multiplication: a packed, register-blocked float32 GEMM and the batched Matmul kernel.
 *
 * JavaScript has no SIMD, so speed comes from keeping a 4x4 block of C in 16 local doubles while
 * streaming packed panels of A (4 rows, k-major) and B (4 columns, k-major): each step loads 8
 * floats for 16 multiply-adds, and both panels are read contiguously. Panels are padded with
 * zeros, so edge tiles run the same inner loop and only their write-back is clipped. Products of
 * float32 values are exact in float64, so each output is a float64 dot product rounded once.
 * (Same structure as the BLIS/GotoBLAS micro-kernel, https://github.com/flame/blis/blob/master/docs/KernelsHowTo.md.)
 *
 * `gemm` takes arbitrary element strides for A and B, so transposed operands or a column block of
 * a kernel need no copy beyond the packing itself. `gemmRows` runs the same micro-kernel on an A
 * that is not packed at all: its rows are read in place from arbitrary offsets, in segments, which
 * is how convolution reads its patch matrix straight from the (padded) input, and how a product
 * with few columns avoids packing an A it would read only a few times.
 */
import type { Primitive } from "../../../primitives/primitive";
import type { TypedArray } from "../../../tensor/dtype";
import { alloc, broadcastStrides, type CpuKernel } from "./util";

/** Rows of A packed at a time (the A block stays in L2 while every B panel passes over it). */
const MC = 64;
/** Floats of packed B that `gemmRows` keeps hot at a time (256 KiB, within L2). */
const B_BLOCK = 1 << 16;
/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL = 4096;

/** A strided matrix operand: element (i, j) is `data[off + i * rs + j * cs]`. */
export interface MatView {
  data: TypedArray;
  off: number;
  rs: number;
  cs: number;
}

/**
 * Packs B (K x N) into panels of 4 columns: panel jp holds B[p, 4jp + t] at `(jp * K + p) * 4 + t`,
 * zero-padded past N.
 */
export function packB(K: number, N: number, b: MatView): Float32Array {
  const np = (N + 3) >> 2;
  const out = new Float32Array(np * K * 4);
  const { data, off, rs, cs } = b;
  for (let jp = 0; jp < np; jp++) {
    const j0 = jp * 4;
    const w = Math.min(4, N - j0);
    let o = jp * K * 4;
    for (let p = 0; p < K; p++, o += 4) {
      const src = off + p * rs + j0 * cs;
      for (let t = 0; t < w; t++) out[o + t] = data[src + t * cs];
    }
  }
  return out;
}

/** Packs rows [i0, i0 + m) of A (M x K) into panels of 4 rows, k-major, zero-padded. */
function packA(i0: number, m: number, K: number, a: MatView, out: Float32Array): void {
  const mp = (m + 3) >> 2;
  const { data, off, rs, cs } = a;
  for (let ip = 0; ip < mp; ip++) {
    const r0 = i0 + ip * 4;
    const h = Math.min(4, m - ip * 4);
    const o = ip * K * 4;
    if (h < 4) out.fill(0, o, o + K * 4);
    for (let t = 0; t < h; t++) {
      let src = off + (r0 + t) * rs;
      for (let p = 0, q = o + t; p < K; p++, q += 4, src += cs) out[q] = data[src];
    }
  }
}

/**
 * C (M x N, row stride `cRS`, starting at `cOff`) = A · B, or += when `accumulate`.
 * `bPacked` is `packB(K, N, b)`, so callers that reuse one B (batched matmul with a broadcast B,
 * convolution chunks) pack it once.
 */
export function gemmPacked(
  M: number,
  N: number,
  K: number,
  a: MatView,
  bPacked: Float32Array,
  c: TypedArray,
  cOff: number,
  cRS: number,
  accumulate: boolean,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) c.fill(0, cOff + i * cRS, cOff + i * cRS + N);
    return;
  }
  if (N <= 16 && a.data instanceof Float32Array) {
    // Few columns: each A element is used at most 16 times, so packing A would cost more than
    // reading its rows in place.
    const aRow = new Int32Array(M);
    for (let i = 0; i < M; i++) aRow[i] = a.off + i * a.rs;
    gemmRows(M, N, a.data, aRow, a.cs, ONE_SEGMENT, 1, K, bPacked, c, cOff, cRS, accumulate);
    return;
  }
  const Ap = new Float32Array(Math.min(MC, (M + 3) & ~3) * K);
  for (let i0 = 0; i0 < M; i0 += MC) {
    const m = Math.min(MC, M - i0);
    packA(i0, m, K, a, Ap);
    gemmPanels(m, N, K, Ap, bPacked, c, cOff + i0 * cRS, cRS, accumulate);
  }
}

/** Write-back scratch for clipped edge tiles. */
const tile = new Float64Array(16);

/**
 * The macro-kernel: rows [0, m) of C (row stride `cRS`, starting at `cOff`) = A · B, or += when
 * `accumulate`, for A packed by `packA` (ceil(m / 4) panels of K * 4 floats; lanes past m may hold
 * anything, their rows are not written) and B by `packB`.
 */
function gemmPanels(
  m: number,
  N: number,
  K: number,
  Ap: Float32Array,
  Bp: Float32Array,
  c: TypedArray,
  cOff: number,
  cRS: number,
  accumulate: boolean,
): void {
  const np = (N + 3) >> 2;
  const mp = (m + 3) >> 2;
  const K4 = K * 4;
  for (let jp = 0; jp < np; jp++) {
    const j0 = jp * 4;
    const bBase = jp * K4;
    for (let ip = 0; ip < mp; ip++) {
      // prettier-ignore
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
        c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = ip * K4;
      let pb = bBase;
      const end = pa + K4;
      // prettier-ignore
      for (; pa < end; pa += 4, pb += 4) {
        const a0 = Ap[pa];
        const a1 = Ap[pa + 1];
        const a2 = Ap[pa + 2];
        const a3 = Ap[pa + 3];
        let b = Bp[pb];
        c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
        b = Bp[pb + 1];
        c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
        b = Bp[pb + 2];
        c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
        b = Bp[pb + 3];
        c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
      }
      const r0 = ip * 4;
      let o = cOff + r0 * cRS + j0;
      // prettier-ignore
      if (r0 + 4 <= m && j0 + 4 <= N) {
        if (accumulate) {
          c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += cRS;
          c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += cRS;
          c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += cRS;
          c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
        } else {
          c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += cRS;
          c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += cRS;
          c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += cRS;
          c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
        }
      } else {
        // Edge tile: clip the write-back to the valid rows and columns.
        tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
        tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
        tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
        tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
        const h = Math.min(4, m - r0);
        const w = Math.min(4, N - j0);
        for (let t = 0; t < h; t++, o += cRS)
          for (let u = 0; u < w; u++) c[o + u] = accumulate ? c[o + u] + tile[t * 4 + u] : tile[t * 4 + u];
      }
    }
  }
}

/** A one-segment layout (`segOff = [0]`) for `gemmRows` on plain strided rows. */
const ONE_SEGMENT = new Int32Array(1);

/**
 * The micro-kernel on an unpacked A whose rows are gathered: rows [0, m) of C (row stride `cRS`,
 * starting at `cOff`) = A · B, or += when `accumulate`, with B packed by `packB` and
 *
 *   A(i, s * segLen + q) = a[aRow[i] + segOff[s] + q * aCS]   (s < nseg, q < segLen; K = nseg * segLen)
 *
 * Plain row-major A is one segment with `aRow[i] = off + i * rs`; a convolution passes each output
 * position's window corner as `aRow` and one segment per contiguous run of kernel taps, so the
 * patch matrix is read straight from the (padded) input and never built. The 4 rows of a panel
 * are 4 streams; a partial last panel repeats its last row, whose results are not written.
 * Each output is one float64 dot product over p = 0 .. K-1 in order, rounded once.
 */
export function gemmRows(
  m: number,
  N: number,
  a: Float32Array,
  aRow: Int32Array,
  aCS: number,
  segOff: Int32Array,
  nseg: number,
  segLen: number,
  Bp: Float32Array,
  c: TypedArray,
  cOff: number,
  cRS: number,
  accumulate: boolean,
): void {
  const np = (N + 3) >> 2;
  const K4 = nseg * segLen * 4;
  // Column blocks of B small enough to stay in L2 while every row panel passes over them.
  const jb = Math.max(1, Math.floor(B_BLOCK / Math.max(1, K4)));
  for (let jp0 = 0; jp0 < np; jp0 += jb) {
    const jp1 = Math.min(np, jp0 + jb);
    for (let r0 = 0; r0 < m; r0 += 4) {
      const h = Math.min(4, m - r0);
      const o0 = aRow[r0];
      const o1 = aRow[r0 + Math.min(1, h - 1)];
      const o2 = aRow[r0 + Math.min(2, h - 1)];
      const o3 = aRow[r0 + h - 1];
      for (let jp = jp0; jp < jp1; jp++) {
        // prettier-ignore
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
        c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let pb = jp * K4;
        for (let s = 0; s < nseg; s++) {
          let q = segOff[s];
          // prettier-ignore
          for (let e = segLen; e > 0; e--, q += aCS, pb += 4) {
          const a0 = a[o0 + q];
          const a1 = a[o1 + q];
          const a2 = a[o2 + q];
          const a3 = a[o3 + q];
          let b = Bp[pb];
          c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
          b = Bp[pb + 1];
          c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
          b = Bp[pb + 2];
          c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
          b = Bp[pb + 3];
          c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
        }
        }
        const j0 = jp * 4;
        let o = cOff + r0 * cRS + j0;
        // prettier-ignore
        if (h === 4 && j0 + 4 <= N) {
        if (accumulate) {
          c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += cRS;
          c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += cRS;
          c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += cRS;
          c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
        } else {
          c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += cRS;
          c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += cRS;
          c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += cRS;
          c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
        }
      } else {
        // Edge tile: clip the write-back to the valid rows and columns.
        tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
        tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
        tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
        tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
        const w = Math.min(4, N - j0);
        for (let t = 0; t < h; t++, o += cRS)
          for (let u = 0; u < w; u++) c[o + u] = accumulate ? c[o + u] + tile[t * 4 + u] : tile[t * 4 + u];
      }
      }
    }
  }
}

/**
 * C = A · B (or += when `accumulate`) for strided float operands; int32 and bool use an exact
 * integer path (`Math.imul`, int32 wrap-around), since packing into float32 would round them.
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  a: MatView,
  b: MatView,
  c: TypedArray,
  cOff: number,
  cRS: number,
  accumulate: boolean,
  int = false,
): void {
  if (int || M * N * K < SMALL) {
    gemmNaive(M, N, K, a, b, c, cOff, cRS, accumulate, int);
    return;
  }
  gemmPacked(M, N, K, a, packB(K, N, b), c, cOff, cRS, accumulate);
}

function gemmNaive(
  M: number,
  N: number,
  K: number,
  a: MatView,
  b: MatView,
  c: TypedArray,
  cOff: number,
  cRS: number,
  accumulate: boolean,
  int: boolean,
): void {
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let ia = a.off + i * a.rs;
      let ib = b.off + j * b.cs;
      if (int)
        for (let p = 0; p < K; p++, ia += a.cs, ib += b.rs) s = (s + Math.imul(ad[ia], bd[ib])) | 0;
      else for (let p = 0; p < K; p++, ia += a.cs, ib += b.rs) s += ad[ia] * bd[ib];
      const o = cOff + i * cRS + j;
      c[o] = accumulate ? (int ? (c[o] + s) | 0 : c[o] + s) : s;
    }
  }
}

/** Batched matmul with NumPy broadcasting of the batch dims and transpose flags. */
export const matmulKernel: CpuKernel<Primitive.Matmul> = (inputs, params, outputs) => {
  const [x, y] = inputs;
  const out = outputs[0];
  // Bool products are counted in int32, then stored as 0/1 (a Uint8Array would wrap at 256).
  const o = out.dtype === "bool" ? alloc({ shape: out.shape, dtype: "int32" }) : alloc(out);
  const ra = x.shape.length;
  const rb = y.shape.length;
  const r = out.shape.length;
  const M = out.shape[r - 2];
  const N = out.shape[r - 1];
  const K = params.transposeA ? x.shape[ra - 2] : x.shape[ra - 1];
  const int = x.dtype !== "float32";
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
  const nb = o.length === 0 ? 0 : o.length / (M * N);
  const bShared = bBatchStrides.every((s) => s === 0);
  if (
    bShared &&
    !params.transposeA &&
    aBatchStrides.every((s, i) => s !== 0 || batchShape[i] === 1) &&
    nb > 0
  ) {
    // One B for every batch and a dense, untransposed A: fold the batch into M (a Dense layer on
    // (B, T, C) input becomes one (B*T, C) x (C, N) product).
    gemm(
      nb * M,
      N,
      K,
      { data: x.values, off: 0, rs: aRS, cs: aCS },
      { data: y.values, off: 0, rs: bRS, cs: bCS },
      o,
      0,
      N,
      false,
      int,
    );
  } else {
    const packed =
      bShared && !int && M * N * K >= SMALL && nb > 1
        ? packB(K, N, { data: y.values, off: 0, rs: bRS, cs: bCS })
        : null;
    const idx = new Array<number>(batchShape.length).fill(0);
    let offA = 0;
    let offB = 0;
    for (let bi = 0; bi < nb; bi++) {
      const av = { data: x.values, off: offA, rs: aRS, cs: aCS };
      if (packed) gemmPacked(M, N, K, av, packed, o, bi * M * N, N, false);
      else
        gemm(
          M,
          N,
          K,
          av,
          { data: y.values, off: offB, rs: bRS, cs: bCS },
          o,
          bi * M * N,
          N,
          false,
          int,
        );
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
  }
  if (out.dtype === "bool") {
    const b = alloc(out);
    for (let i = 0; i < o.length; i++) b[i] = o[i] !== 0 ? 1 : 0;
    return [b];
  }
  return [o];
};
