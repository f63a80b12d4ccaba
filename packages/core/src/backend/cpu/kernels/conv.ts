/**
 * Convolution and its two gradients, channels-last, 1 to 3 spatial dims, with strides, explicit
 * padding, dilation and feature groups.
 *
 * All three are GEMMs over the im2col patch matrix. Row r of the patch matrix is one output
 * position (n, od, oh, ow); column ((kd * KH + kh) * KW + kw) * Cg + c is one kernel tap of one
 * input channel of the group, which is exactly the row-major layout of the kernel
 * (KD, KH, KW, Cg, O), so the kernel is the GEMM's B matrix as it is stored (group g is the column
 * block g * Og ... with row stride O).
 *
 * - Conv:                out_g = patches_g · kernel_g
 * - ConvBackpropInput:   unit strides: dx_g = patches'(dy)_g · kernel_g', the gather form: dx
 *                        position i takes dy at i + pad - k * dilation for each tap k, i.e. a
 *                        convolution of the zero-padded dy with the kernel flipped and transposed,
 *                        so each dx element is one dot product rounded once. Other strides:
 *                        dx += col2im(dy_g · kernel_g^T) (the adjoint of im2col scatters).
 * - ConvBackpropFilter:  dk_g = patches_g^T · dy_g
 *
 * The patch matrix is never built. Its source (x, or dy for the gather) is zero-padded once per
 * chunk of images so that every tap of every position is in range; row r of the patch matrix is
 * then the input at one offset (the window corner) plus a fixed offset per tap, and the GEMM
 * micro-kernels (`gemmRows`, `filterGradBlock`) read it in place. Runs of taps that are adjacent in
 * memory (all channels, unit dilation along the last dim) are read as one segment. Padding taps read
 * zeros and take part in the sums, as with an explicit im2col, and every sum runs over the kernel's
 * row order (forward) or the rows in order (filter gradient), as the im2col GEMM did. 1 and 2
 * spatial dims are run as 3-d with leading size-1 dims. A 1x1 kernel with stride 1 and no padding
 * is a plain GEMM on the input.
 */
import { UnsupportedOpError, fmt } from "../../../errors";
import type { ConvParams, Primitive } from "../../../primitives/primitive";
import type { TypedArray } from "../../../tensor/dtype";
import { gemm, gemmPacked, gemmRows, packB } from "./matmul";
import { alloc, type CpuKernel } from "./util";

/** Patch-gradient elements built per chunk by the strided ConvBackpropInput (4 MiB of float32). */
const CHUNK_ELEMS = 1 << 20;
/** Padded input elements per chunk of images in the direct passes (1 MiB of float32). */
const PAD_ELEMS = 1 << 18;
/** Rows per block in the filter gradient (the input and dy they touch stay in cache). */
const FILTER_ROWS = 256;
/** Output positions per chunk of images in the direct passes. */
const ROW_CHUNK = 1 << 15;

/** Convolution geometry normalized to 3 spatial dims. */
export interface ConvGeom {
  N: number;
  C: number;
  /** Spatial input size (D, H, W). */
  inS: [number, number, number];
  /** Window size (KD, KH, KW). */
  kS: [number, number, number];
  outS: [number, number, number];
  st: [number, number, number];
  dil: [number, number, number];
  /** Padding before each spatial dim. */
  pad: [number, number, number];
}

function to3<T>(v: T[], fill: T, where: string, backend: string): [T, T, T] {
  if (v.length > 3)
    throw new UnsupportedOpError(
      `${where}: the ${backend} backend supports 1 to 3 spatial dims. Received: ${v.length} spatial dims`,
    );
  const r = [...new Array<T>(3 - v.length).fill(fill), ...v];
  return [r[0], r[1], r[2]];
}

/**
 * Geometry from an input shape (N, ...S, C), window sizes, output spatial sizes and params.
 * `backend` names the backend in the error for more than 3 spatial dims.
 */
export function convGeom(
  xShape: number[],
  window: number[],
  outSpatial: number[],
  p: Omit<ConvParams, "groups">,
  where: string,
  backend = "cpu",
): ConvGeom {
  const nsp = xShape.length - 2;
  return {
    N: xShape[0],
    C: xShape[nsp + 1],
    inS: to3(xShape.slice(1, nsp + 1), 1, where, backend),
    kS: to3(window, 1, where, backend),
    outS: to3(outSpatial, 1, where, backend),
    st: to3(p.strides, 1, where, backend),
    dil: to3(p.dilation, 1, where, backend),
    pad: to3(
      p.padding.map((q) => q[0]),
      0,
      where,
      backend,
    ),
  };
}

/** Geometry plus the channel and group sizes every conv kernel (forward and both backprops) needs. */
export interface ConvPlan {
  g: ConvGeom;
  /** Output channels (all groups). */
  O: number;
  G: number;
  /** Input / output channels per group. */
  cg: number;
  og: number;
  /** Output positions (rows of the patch matrix). */
  rows: number;
  /** Patch length per group: kernel taps times cg. */
  kc: number;
}

/** `convGeom` and the sizes derived from it, for a conv with `O` output channels. */
export function convPlan(
  xShape: number[],
  window: number[],
  outSpatial: number[],
  O: number,
  p: ConvParams,
  where: string,
  backend = "cpu",
): ConvPlan {
  const g = convGeom(xShape, window, outSpatial, p, where, backend);
  const G = p.groups;
  const cg = g.C / G;
  return { g, O, G, cg, og: O / G, rows: rowsOf(g), kc: g.kS[0] * g.kS[1] * g.kS[2] * cg };
}

/** Output positions (rows of the patch matrix). */
export function rowsOf(g: ConvGeom): number {
  return g.N * g.outS[0] * g.outS[1] * g.outS[2];
}

/** A 1x1 kernel, unit strides, no padding: the input already is the patch matrix. */
export function isPointwise(g: ConvGeom): boolean {
  return (
    g.kS.every((k) => k === 1) &&
    g.st.every((s) => s === 1) &&
    g.pad.every((q) => q === 0) &&
    g.outS.every((o, i) => o === g.inS[i])
  );
}

function chunkRows(kc: number): number {
  return Math.max(64, Math.floor(CHUNK_ELEMS / Math.max(1, kc) / 64) * 64);
}

/**
 * col2im: x += the patch-matrix chunk `buf` (rows [r0, r1), row length `kc`, channels
 * [c0, c0 + cg) of x), each patch element added to the input element it was read from; padding
 * taps are dropped.
 */
function col2im(
  g: ConvGeom,
  x: TypedArray,
  c0: number,
  cg: number,
  r0: number,
  r1: number,
  buf: TypedArray,
): void {
  const [D, H, W] = g.inS;
  const [KD, KH, KW] = g.kS;
  const [OD, OH, OW] = g.outS;
  const [sd, sh, sw] = g.st;
  const [dd, dh, dw] = g.dil;
  const [pd, ph, pw] = g.pad;
  const C = g.C;
  const kc = KD * KH * KW * cg;
  // Decode r0 once; later rows advance an odometer.
  let ow = r0 % OW;
  let t = (r0 - ow) / OW;
  let oh = t % OH;
  t = (t - oh) / OH;
  let od = t % OD;
  let n = (t - od) / OD;
  for (let r = r0; r < r1; r++) {
    let src = (r - r0) * kc;
    const nBase = n * D;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * sd - pd + kd * dd;
      const okD = id >= 0 && id < D;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sh - ph + kh * dh;
        const okH = okD && ih >= 0 && ih < H;
        const rowBase = ((nBase + id) * H + ih) * W;
        for (let kw = 0; kw < KW; kw++, src += cg) {
          const iw = ow * sw - pw + kw * dw;
          if (okH && iw >= 0 && iw < W) {
            const dst = (rowBase + iw) * C + c0;
            for (let c = 0; c < cg; c++) x[dst + c] += buf[src + c];
          }
        }
      }
    }
    if (++ow === OW) {
      ow = 0;
      if (++oh === OH) {
        oh = 0;
        if (++od === OD) {
          od = 0;
          n++;
        }
      }
    }
  }
}

/**
 * A direct (im2col-free) pass: rows are positions (n, p0, p1, p2) over `posS`; tap (k0, k1, k2) of
 * row p reads the channels of a group of `src` (N, ...srcS, srcC) at the coordinate that lands on
 * `p * mul + k * step` once `src` is zero-padded by `front` (before) to the sizes `P`. Every
 * read is in range in the padded images, so the micro-kernel reads the patch matrix straight from
 * them with no bounds checks; padding taps read zeros, exactly as im2col would give them.
 */
interface Direct {
  N: number;
  srcS: [number, number, number];
  srcC: number;
  posS: [number, number, number];
  kS: [number, number, number];
  mul: [number, number, number];
  step: [number, number, number];
  front: [number, number, number];
  P: [number, number, number];
}

/** The forward pass: position o reads the input at o * stride - pad + k * dilation. */
function forwardDirect(g: ConvGeom): Direct {
  const P: [number, number, number] = [0, 0, 0];
  for (let d = 0; d < 3; d++) P[d] = (g.outS[d] - 1) * g.st[d] + (g.kS[d] - 1) * g.dil[d] + 1;
  return {
    N: g.N,
    srcS: g.inS,
    srcC: g.C,
    posS: g.outS,
    kS: g.kS,
    mul: g.st,
    step: g.dil,
    front: g.pad,
    P,
  };
}

/**
 * ConvBackpropInput with unit strides as a gather: dx position i takes dy at i + pad - k * dilation
 * for each tap k. With taps reversed (k' = K - 1 - k) that is the padded coordinate i + k' * dilation
 * when dy is padded by (K - 1) * dilation - pad before.
 */
function gatherDirect(g: ConvGeom, O: number): Direct {
  const P: [number, number, number] = [0, 0, 0];
  const front: [number, number, number] = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const reach = (g.kS[d] - 1) * g.dil[d];
    P[d] = g.inS[d] + reach;
    front[d] = reach - g.pad[d];
  }
  return {
    N: g.N,
    srcS: g.outS,
    srcC: O,
    posS: g.inS,
    kS: g.kS,
    mul: [1, 1, 1],
    step: g.dil,
    front,
    P,
  };
}

/**
 * Runs `body` over chunks of whole images: `a` holds images [n0, n1) (zero-padded, or `src`
 * itself when no padding is needed), `aRow[i]` is where row n0 * rowsPerImage + i starts in `a`
 * (channel 0 of its window corner), and tap t of any row adds `tapOff[t]`.
 */
function directChunks(
  dp: Direct,
  src: Float32Array,
  body: (a: Float32Array, aRow: Int32Array, m: number, n0: number, tapOff: Int32Array) => void,
): void {
  const [S0, S1, S2] = dp.srcS;
  const [P0, P1, P2] = dp.P;
  const [O0, O1, O2] = dp.posS;
  const C = dp.srcC;
  const pad = dp.front.some((f) => f !== 0) || dp.P.some((q, d) => q > dp.srcS[d]);
  // Layout of the images `a` holds: padded sizes, or the source's own.
  const L0 = pad ? P0 : S0;
  const L1 = pad ? P1 : S1;
  const L2 = pad ? P2 : S2;
  const img = L0 * L1 * L2 * C;
  const rowsImg = O0 * O1 * O2;
  const per = Math.max(
    1,
    Math.min(dp.N, Math.floor(ROW_CHUNK / rowsImg), pad ? Math.floor(PAD_ELEMS / img) : dp.N),
  );
  const [K0, K1, K2] = dp.kS;
  const [e0, e1, e2] = dp.step;
  const tapOff = new Int32Array(K0 * K1 * K2);
  for (let k0 = 0, t = 0; k0 < K0; k0++)
    for (let k1 = 0; k1 < K1; k1++)
      for (let k2 = 0; k2 < K2; k2++, t++)
        tapOff[t] = ((k0 * e0 * L1 + k1 * e1) * L2 + k2 * e2) * C;
  const buf = pad ? new Float32Array(per * img) : null;
  const aRow = new Int32Array(per * rowsImg);
  const [m0, m1, m2] = dp.mul;
  for (let n0 = 0; n0 < dp.N; n0 += per) {
    const n1 = Math.min(dp.N, n0 + per);
    let a = src;
    let base = n0 * img;
    if (buf !== null) {
      padImages(src, dp, n0, n1, buf);
      a = buf;
      base = 0;
    }
    let i = 0;
    for (let n = n0; n < n1; n++, base += img)
      for (let p0 = 0; p0 < O0; p0++)
        for (let p1 = 0; p1 < O1; p1++) {
          const rb = base + (p0 * m0 * L1 + p1 * m1) * L2 * C;
          for (let p2 = 0; p2 < O2; p2++) aRow[i++] = rb + p2 * m2 * C;
        }
    body(a, aRow, i, n0, tapOff);
  }
}

/** Images [n0, n1) of the direct pass's source, zero-padded into `buf`. */
function padImages(src: Float32Array, dp: Direct, n0: number, n1: number, buf: Float32Array): void {
  const [S0, S1, S2] = dp.srcS;
  const [P0, P1, P2] = dp.P;
  const [f0, f1, f2] = dp.front;
  const C = dp.srcC;
  buf.fill(0, 0, (n1 - n0) * P0 * P1 * P2 * C);
  // Source coordinates s2 in [lo, hi) land inside the padded row.
  const lo = Math.max(0, -f2);
  const hi = Math.min(S2, P2 - f2);
  if (hi <= lo) return;
  for (let n = n0; n < n1; n++)
    for (let s0 = 0; s0 < S0; s0++) {
      const q0 = s0 + f0;
      if (q0 < 0 || q0 >= P0) continue;
      for (let s1 = 0; s1 < S1; s1++) {
        const q1 = s1 + f1;
        if (q1 < 0 || q1 >= P1) continue;
        const from = (((n * S0 + s0) * S1 + s1) * S2 + lo) * C;
        buf.set(
          src.subarray(from, from + (hi - lo) * C),
          ((((n - n0) * P0 + q0) * P1 + q1) * P2 + lo + f2) * C,
        );
      }
    }
}

/**
 * The patch columns of a direct pass as `gemmRows` segments: one per tap (cg channels), or one per
 * run of the innermost taps when they are adjacent in memory (unit step, all channels).
 */
function segmentsOf(dp: Direct, tapOff: Int32Array, cg: number): [Int32Array, number] {
  const K2 = dp.kS[2];
  if (dp.step[2] === 1 && cg === dp.srcC && K2 > 1) {
    const seg = new Int32Array(tapOff.length / K2);
    for (let s = 0; s < seg.length; s++) seg[s] = tapOff[s * K2];
    return [seg, K2 * cg];
  }
  return [tapOff, cg];
}

/**
 * For each group gi < G: out[r * outRS + gi * outG + (0 .. outG)] = patches_gi(src)[r] · B_gi for
 * every row r, where patches_gi reads channels [gi * srcG, (gi + 1) * srcG) of src and `bps[gi]` is
 * B_gi (taps * srcG x outG) packed by `packB`. The source is padded once for all groups.
 */
function directGemm(
  dp: Direct,
  src: Float32Array,
  srcG: number,
  outG: number,
  bps: Float32Array[],
  out: TypedArray,
  outRS: number,
): void {
  const rowsImg = dp.posS[0] * dp.posS[1] * dp.posS[2];
  directChunks(dp, src, (a, aRow, m, n0, tapOff) => {
    const [seg0, segLen] = segmentsOf(dp, tapOff, srcG);
    const seg = new Int32Array(seg0.length);
    for (let gi = 0; gi < bps.length; gi++) {
      for (let s = 0; s < seg.length; s++) seg[s] = seg0[s] + gi * srcG;
      const cOff = n0 * rowsImg * outRS + gi * outG;
      gemmRows(m, outG, a, aRow, 1, seg, seg.length, segLen, bps[gi], out, cOff, outRS, false);
    }
  });
}

function checkFloat(dtype: string, where: string): void {
  if (dtype !== "float32")
    throw new UnsupportedOpError(
      `${where}: the cpu backend convolves float32 only. Received: dtype=${dtype}`,
    );
}

export const convKernel: CpuKernel<Primitive.Conv> = (inputs, params, outputs) => {
  const [x, k] = inputs;
  checkFloat(x.dtype, "conv");
  const out = outputs[0];
  const o = alloc(out);
  const nsp = x.shape.length - 2;
  const { g, O, G, cg, og, rows, kc } = convPlan(
    x.shape,
    k.shape.slice(0, nsp),
    out.shape.slice(1, nsp + 1),
    out.shape[nsp + 1],
    params,
    "conv",
  );
  if (rows === 0 || O === 0) return [o];
  const xv = x.values as Float32Array;
  if (isPointwise(g)) {
    // kernel_g: (cg x og), row stride O, starting at column gi * og.
    for (let gi = 0; gi < G; gi++) {
      const kView = { data: k.values, off: gi * og, rs: O, cs: 1 };
      gemm(rows, og, cg, { data: xv, off: gi * cg, rs: g.C, cs: 1 }, kView, o, gi * og, O, false);
    }
    return [o];
  }
  const bps: Float32Array[] = [];
  for (let gi = 0; gi < G; gi++)
    bps.push(packB(kc, og, { data: k.values, off: gi * og, rs: O, cs: 1 }));
  directGemm(forwardDirect(g), xv, cg, og, bps, o, O);
  return [o];
};

export const convBackpropInputKernel: CpuKernel<Primitive.ConvBackpropInput> = (
  inputs,
  params,
  outputs,
) => {
  const [dy, k] = inputs;
  checkFloat(dy.dtype, "conv_backprop_input");
  const out = outputs[0];
  const dx = alloc(out);
  const nsp = out.shape.length - 2;
  const { g, O, G, cg, og, rows, kc } = convPlan(
    out.shape,
    k.shape.slice(0, nsp),
    dy.shape.slice(1, nsp + 1),
    dy.shape[nsp + 1],
    params,
    "conv_backprop_input",
  );
  const taps = g.kS[0] * g.kS[1] * g.kS[2];
  if (rows === 0 || dx.length === 0) return [dx];
  if (isPointwise(g)) {
    for (let gi = 0; gi < G; gi++) {
      // kernel_g^T: (og x cg): element (o, c) = kernel[c * O + gi * og + o].
      const kT = { data: k.values, off: gi * og, rs: 1, cs: O };
      const dyView = { data: dy.values, off: gi * og, rs: O, cs: 1 };
      gemm(rows, cg, og, dyView, kT, dx, gi * cg, g.C, false);
    }
    return [dx];
  }
  if (g.st.every((s) => s === 1)) {
    // B_g (taps * og x cg): row (t', o) is tap t = taps - 1 - t' of kernel_g^T.
    const bps: Float32Array[] = [];
    const b = new Float32Array(taps * og * cg);
    for (let gi = 0; gi < G; gi++) {
      for (let t2 = 0; t2 < taps; t2++) {
        const t = taps - 1 - t2;
        for (let oo = 0; oo < og; oo++)
          for (let c = 0; c < cg; c++)
            b[(t2 * og + oo) * cg + c] = k.values[(t * cg + c) * O + gi * og + oo];
      }
      bps.push(packB(taps * og, cg, { data: b, off: 0, rs: cg, cs: 1 }));
    }
    directGemm(gatherDirect(g, O), dy.values as Float32Array, og, cg, bps, dx, g.C);
    return [dx];
  }
  const R = chunkRows(kc);
  const buf = new Float32Array(Math.min(R, rows) * kc);
  for (let gi = 0; gi < G; gi++) {
    // kernel_g^T: (og x kc): element (o, j) = kernel[j * O + gi * og + o].
    const kp = packB(og, kc, { data: k.values, off: gi * og, rs: 1, cs: O });
    for (let r0 = 0; r0 < rows; r0 += R) {
      const r1 = Math.min(rows, r0 + R);
      const dyView = { data: dy.values, off: r0 * O + gi * og, rs: O, cs: 1 };
      gemmPacked(r1 - r0, kc, og, dyView, kp, buf, 0, kc, false);
      col2im(g, dx, gi * cg, cg, r0, r1, buf);
    }
  }
  return [dx];
};

/**
 * acc (kc x og, float64) += patches^T · dy over the rows of one chunk, with the patches read in
 * place: A(j, r) = a[aRow[r] + colOff[j]], B(r, u) = dy[dyOff + r * dyRS + u]. Rows go in blocks of
 * FILTER_ROWS; each block of dy is packed into 4-column panels (`dyp`, FILTER_ROWS * 4 * ceil(og / 4)
 * floats) so that every tile streams it contiguously. The accumulators start from acc, so block
 * after block each element is one float64 sum over all rows in order.
 */
function filterGradRows(
  kc: number,
  og: number,
  m: number,
  a: Float32Array,
  aRow: Int32Array,
  colOff: Int32Array,
  dy: Float32Array,
  dyOff: number,
  dyRS: number,
  acc: Float64Array,
  dyp: Float32Array,
  run: number,
  step: number,
): void {
  const np = (og + 3) >> 2;
  // Whole runs of `run` rows (one output row: the input offset advances by `step` per row).
  const B = Math.max(1, Math.floor(FILTER_ROWS / run)) * run;
  for (let rb = 0; rb < m; rb += B) {
    const n = Math.min(B, m - rb);
    // Panel up holds dy[row][4 up + t] at (up * n + i) * 4 + t; columns past og repeat the last.
    for (let up = 0; up < np; up++) {
      const u0 = up * 4;
      const w = Math.min(4, og - u0);
      let d = up * n * 4;
      let q = dyOff + rb * dyRS + u0;
      for (let i = 0; i < n; i++, q += dyRS)
        for (let t = 0; t < 4; t++) dyp[d++] = dy[q + Math.min(t, w - 1)];
    }
    filterGradBlock(kc, og, rb, n, a, aRow, colOff, dyp, acc, run, step);
  }
}

function filterGradBlock(
  kc: number,
  og: number,
  rb: number,
  n: number,
  a: Float32Array,
  aRow: Int32Array,
  colOff: Int32Array,
  dyp: Float32Array,
  acc: Float64Array,
  run: number,
  step: number,
): void {
  const re = rb + n;
  for (let j0 = 0; j0 < kc; j0 += 4) {
    const h = Math.min(4, kc - j0);
    const a0 = colOff[j0];
    const a1 = colOff[j0 + Math.min(1, h - 1)];
    const a2 = colOff[j0 + Math.min(2, h - 1)];
    const a3 = colOff[j0 + h - 1];
    const adjacent = a1 === a0 + 1 && a2 === a0 + 2 && a3 === a0 + 3;
    for (let u0 = 0; u0 < og; u0 += 4) {
      const w = Math.min(4, og - u0);
      const t0 = j0 * og + u0;
      const t1 = t0 + Math.min(1, h - 1) * og;
      const t2 = t0 + Math.min(2, h - 1) * og;
      const t3 = t0 + (h - 1) * og;
      const v1 = Math.min(1, w - 1);
      const v2 = Math.min(2, w - 1);
      const v3 = w - 1;
      // Clamped lanes duplicate a real one (same inputs, same sums), so storing them is harmless.
      // prettier-ignore
      let c00 = acc[t0], c01 = acc[t0 + v1], c02 = acc[t0 + v2], c03 = acc[t0 + v3],
        c10 = acc[t1], c11 = acc[t1 + v1], c12 = acc[t1 + v2], c13 = acc[t1 + v3],
        c20 = acc[t2], c21 = acc[t2 + v1], c22 = acc[t2 + v2], c23 = acc[t2 + v3],
        c30 = acc[t3], c31 = acc[t3 + v1], c32 = acc[t3 + v2], c33 = acc[t3 + v3];
      let pb = u0 * n;
      if (adjacent) {
        // 4 adjacent channels of one tap: one offset per run of rows, constant steps.
        for (let r0 = rb; r0 < re; r0 += run) {
          let p = aRow[r0] + a0;
          // prettier-ignore
          for (let i = 0; i < run; i++, p += step, pb += 4) {
            const x0 = a[p];
            const x1 = a[p + 1];
            const x2 = a[p + 2];
            const x3 = a[p + 3];
            let b = dyp[pb];
            c00 += x0 * b; c10 += x1 * b; c20 += x2 * b; c30 += x3 * b;
            b = dyp[pb + 1];
            c01 += x0 * b; c11 += x1 * b; c21 += x2 * b; c31 += x3 * b;
            b = dyp[pb + 2];
            c02 += x0 * b; c12 += x1 * b; c22 += x2 * b; c32 += x3 * b;
            b = dyp[pb + 3];
            c03 += x0 * b; c13 += x1 * b; c23 += x2 * b; c33 += x3 * b;
          }
        }
      } else {
        for (let r0 = rb; r0 < re; r0 += run) {
          let p = aRow[r0];
          // prettier-ignore
          for (let i = 0; i < run; i++, p += step, pb += 4) {
            const x0 = a[p + a0];
            const x1 = a[p + a1];
            const x2 = a[p + a2];
            const x3 = a[p + a3];
            let b = dyp[pb];
            c00 += x0 * b; c10 += x1 * b; c20 += x2 * b; c30 += x3 * b;
            b = dyp[pb + 1];
            c01 += x0 * b; c11 += x1 * b; c21 += x2 * b; c31 += x3 * b;
            b = dyp[pb + 2];
            c02 += x0 * b; c12 += x1 * b; c22 += x2 * b; c32 += x3 * b;
            b = dyp[pb + 3];
            c03 += x0 * b; c13 += x1 * b; c23 += x2 * b; c33 += x3 * b;
          }
        }
      }
      // prettier-ignore
      {
        acc[t0] = c00; acc[t0 + v1] = c01; acc[t0 + v2] = c02; acc[t0 + v3] = c03;
        acc[t1] = c10; acc[t1 + v1] = c11; acc[t1 + v2] = c12; acc[t1 + v3] = c13;
        acc[t2] = c20; acc[t2 + v1] = c21; acc[t2 + v2] = c22; acc[t2 + v3] = c23;
        acc[t3] = c30; acc[t3 + v1] = c31; acc[t3 + v2] = c32; acc[t3 + v3] = c33;
      }
    }
  }
}

export const convBackpropFilterKernel: CpuKernel<Primitive.ConvBackpropFilter> = (
  inputs,
  params,
  outputs,
) => {
  const [x, dy] = inputs;
  checkFloat(x.dtype, "conv_backprop_filter");
  const out = outputs[0];
  const dk = alloc(out);
  const nsp = x.shape.length - 2;
  const { g, O, G, cg, og, rows, kc } = convPlan(
    x.shape,
    out.shape.slice(0, nsp),
    dy.shape.slice(1, nsp + 1),
    dy.shape[nsp + 1],
    params,
    "conv_backprop_filter",
  );
  if (out.shape[nsp] * G !== g.C)
    throw new UnsupportedOpError(
      `conv_backprop_filter: kernelShape does not match the input channels and groups. Received: kernelShape=${fmt(params.kernelShape)}, input channels=${g.C}, groups=${G}`,
    );
  if (rows === 0 || dk.length === 0) return [dk];
  if (isPointwise(g)) {
    for (let gi = 0; gi < G; gi++) {
      // x_g^T: (cg x rows), element (c, r) = x[r * C + gi * cg + c].
      const xT = { data: x.values, off: gi * cg, rs: 1, cs: g.C };
      const dyView = { data: dy.values, off: gi * og, rs: O, cs: 1 };
      gemm(cg, og, rows, xT, dyView, dk, gi * og, O, false);
    }
    return [dk];
  }
  const dp = forwardDirect(g);
  const rowsImg = rows / g.N;
  const run = dp.posS[2];
  const step = dp.mul[2] * g.C;
  const acc = new Float64Array(G * kc * og);
  const dyp = new Float32Array(Math.max(FILTER_ROWS, run) * 4 * ((og + 3) >> 2));
  const colOff = new Int32Array(kc);
  directChunks(dp, x.values as Float32Array, (a, aRow, m, n0, tapOff) => {
    for (let gi = 0; gi < G; gi++) {
      for (let j = 0; j < kc; j++) colOff[j] = tapOff[Math.floor(j / cg)] + gi * cg + (j % cg);
      const dyOff = n0 * rowsImg * O + gi * og;
      const dyv = dy.values as Float32Array;
      const accG = acc.subarray(gi * kc * og, (gi + 1) * kc * og);
      filterGradRows(kc, og, m, a, aRow, colOff, dyv, dyOff, O, accG, dyp, run, step);
    }
  });
  for (let gi = 0; gi < G; gi++)
    for (let j = 0; j < kc; j++)
      for (let oo = 0; oo < og; oo++) dk[j * O + gi * og + oo] = acc[(gi * kc + j) * og + oo];
  return [dk];
};
