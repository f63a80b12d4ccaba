/**
 * Convolution and its two gradients, channels-last, 1 to 3 spatial dims, with strides, explicit
 * padding, dilation and feature groups.
 *
 * All three are im2col + GEMM. Row r of the patch matrix is one output position (n, od, oh, ow);
 * column ((kd * KH + kh) * KW + kw) * Cg + c is one kernel tap of one input channel of the group,
 * which is exactly the row-major layout of the kernel (KD, KH, KW, Cg, O), so the kernel is the
 * GEMM's B matrix as it is stored (group g is the column block g * Og ... with row stride O).
 *
 * - Conv:                 out_g  = patches_g · kernel_g
 * - ConvBackpropInput:    dx    += col2im(dy_g · kernel_g^T)   (the adjoint of im2col scatters)
 * - ConvBackpropFilter:   dk_g  += patches_g^T · dy_g
 *
 * Patches are built for a chunk of rows at a time to bound memory. 1 and 2 spatial dims are run as
 * 3-d with leading size-1 dims; the inner loops do not care. A 1x1 kernel with stride 1 and no
 * padding skips im2col: the input already is the patch matrix.
 */
import { UnsupportedOpError, fmt } from "../../../errors";
import type { ConvParams, Primitive } from "../../../primitives/primitive";
import type { TypedArray } from "../../../tensor/dtype";
import { gemm, gemmPacked, packB } from "./matmul";
import { alloc, type CpuKernel } from "./util";

/** Patch-matrix elements built per chunk (4 MiB of float32). */
const CHUNK_ELEMS = 1 << 20;

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

function to3<T>(v: T[], fill: T, where: string): [T, T, T] {
  if (v.length > 3)
    throw new UnsupportedOpError(
      `${where}: the cpu backend supports 1 to 3 spatial dims. Received: ${v.length} spatial dims`,
    );
  const r = [...new Array<T>(3 - v.length).fill(fill), ...v];
  return [r[0], r[1], r[2]];
}

/** Geometry from an input shape (N, ...S, C), window sizes, output spatial sizes and params. */
export function convGeom(
  xShape: number[],
  window: number[],
  outSpatial: number[],
  p: Omit<ConvParams, "groups">,
  where: string,
): ConvGeom {
  const nsp = xShape.length - 2;
  return {
    N: xShape[0],
    C: xShape[nsp + 1],
    inS: to3(xShape.slice(1, nsp + 1), 1, where),
    kS: to3(window, 1, where),
    outS: to3(outSpatial, 1, where),
    st: to3(p.strides, 1, where),
    dil: to3(p.dilation, 1, where),
    pad: to3(
      p.padding.map((q) => q[0]),
      0,
      where,
    ),
  };
}

function rowsOf(g: ConvGeom): number {
  return g.N * g.outS[0] * g.outS[1] * g.outS[2];
}

function isPointwise(g: ConvGeom): boolean {
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
 * Moves data between the input x and a chunk of the patch matrix (rows [r0, r1), row length
 * `kc`, channels [c0, c0 + cg) of x). `scatter` false: buf = im2col(x) (padding taps get 0).
 * `scatter` true: x += col2im(buf) (padding taps are dropped).
 */
function patches(
  g: ConvGeom,
  x: TypedArray,
  c0: number,
  cg: number,
  r0: number,
  r1: number,
  buf: TypedArray,
  scatter: boolean,
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
    let dst = (r - r0) * kc;
    const nBase = n * D;
    for (let kd = 0; kd < KD; kd++) {
      const id = od * sd - pd + kd * dd;
      const okD = id >= 0 && id < D;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sh - ph + kh * dh;
        const okH = okD && ih >= 0 && ih < H;
        const rowBase = ((nBase + id) * H + ih) * W;
        for (let kw = 0; kw < KW; kw++, dst += cg) {
          const iw = ow * sw - pw + kw * dw;
          if (okH && iw >= 0 && iw < W) {
            const src = (rowBase + iw) * C + c0;
            if (scatter) for (let c = 0; c < cg; c++) x[src + c] += buf[dst + c];
            else for (let c = 0; c < cg; c++) buf[dst + c] = x[src + c];
          } else if (!scatter) {
            for (let c = 0; c < cg; c++) buf[dst + c] = 0;
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
  const g = convGeom(x.shape, k.shape.slice(0, nsp), out.shape.slice(1, nsp + 1), params, "conv");
  const O = out.shape[nsp + 1];
  const G = params.groups;
  const cg = g.C / G;
  const og = O / G;
  const rows = rowsOf(g);
  const kc = g.kS[0] * g.kS[1] * g.kS[2] * cg;
  if (rows === 0 || O === 0) return [o];
  for (let gi = 0; gi < G; gi++) {
    // kernel_g: (kc x og), row stride O, starting at column gi * og.
    const kView = { data: k.values, off: gi * og, rs: O, cs: 1 };
    if (isPointwise(g)) {
      gemm(
        rows,
        og,
        cg,
        { data: x.values, off: gi * cg, rs: g.C, cs: 1 },
        kView,
        o,
        gi * og,
        O,
        false,
      );
      continue;
    }
    const kp = packB(kc, og, kView);
    const R = chunkRows(kc);
    const buf = new Float32Array(Math.min(R, rows) * kc);
    for (let r0 = 0; r0 < rows; r0 += R) {
      const r1 = Math.min(rows, r0 + R);
      patches(g, x.values, gi * cg, cg, r0, r1, buf, false);
      gemmPacked(
        r1 - r0,
        og,
        kc,
        { data: buf, off: 0, rs: kc, cs: 1 },
        kp,
        o,
        r0 * O + gi * og,
        O,
        false,
      );
    }
  }
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
  const g = convGeom(
    out.shape,
    k.shape.slice(0, nsp),
    dy.shape.slice(1, nsp + 1),
    params,
    "conv_backprop_input",
  );
  const O = dy.shape[nsp + 1];
  const G = params.groups;
  const cg = g.C / G;
  const og = O / G;
  const rows = rowsOf(g);
  const kc = g.kS[0] * g.kS[1] * g.kS[2] * cg;
  if (rows === 0 || dx.length === 0) return [dx];
  for (let gi = 0; gi < G; gi++) {
    // kernel_g^T: (og x kc): element (o, j) = kernel[j * O + gi * og + o].
    const kT = { data: k.values, off: gi * og, rs: 1, cs: O };
    if (isPointwise(g)) {
      gemm(
        rows,
        cg,
        og,
        { data: dy.values, off: gi * og, rs: O, cs: 1 },
        kT,
        dx,
        gi * cg,
        g.C,
        false,
      );
      continue;
    }
    const kp = packB(og, kc, kT);
    const R = chunkRows(kc);
    const buf = new Float32Array(Math.min(R, rows) * kc);
    for (let r0 = 0; r0 < rows; r0 += R) {
      const r1 = Math.min(rows, r0 + R);
      gemmPacked(
        r1 - r0,
        kc,
        og,
        { data: dy.values, off: r0 * O + gi * og, rs: O, cs: 1 },
        kp,
        buf,
        0,
        kc,
        false,
      );
      patches(g, dx, gi * cg, cg, r0, r1, buf, true);
    }
  }
  return [dx];
};

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
  const g = convGeom(
    x.shape,
    out.shape.slice(0, nsp),
    dy.shape.slice(1, nsp + 1),
    params,
    "conv_backprop_filter",
  );
  const O = dy.shape[nsp + 1];
  const G = params.groups;
  const cg = g.C / G;
  const og = O / G;
  const rows = rowsOf(g);
  const kc = g.kS[0] * g.kS[1] * g.kS[2] * cg;
  if (out.shape[nsp] * G !== g.C)
    throw new UnsupportedOpError(
      `conv_backprop_filter: kernelShape does not match the input channels and groups. Received: kernelShape=${fmt(params.kernelShape)}, input channels=${g.C}, groups=${G}`,
    );
  if (rows === 0 || dk.length === 0) return [dk];
  for (let gi = 0; gi < G; gi++) {
    const dyView = (r0: number) => ({ data: dy.values, off: r0 * O + gi * og, rs: O, cs: 1 });
    if (isPointwise(g)) {
      // x_g^T: (cg x rows), element (c, r) = x[r * C + gi * cg + c].
      gemm(
        cg,
        og,
        rows,
        { data: x.values, off: gi * cg, rs: 1, cs: g.C },
        dyView(0),
        dk,
        gi * og,
        O,
        false,
      );
      continue;
    }
    const R = chunkRows(kc);
    const buf = new Float32Array(Math.min(R, rows) * kc);
    for (let r0 = 0; r0 < rows; r0 += R) {
      const r1 = Math.min(rows, r0 + R);
      patches(g, x.values, gi * cg, cg, r0, r1, buf, false);
      // patches^T: (kc x rows), element (j, r) = buf[r * kc + j].
      gemm(kc, og, r1 - r0, { data: buf, off: 0, rs: 1, cs: kc }, dyView(r0), dk, gi * og, O, true);
    }
  }
  return [dk];
};
