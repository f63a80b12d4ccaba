/**
 * Convolution and its two gradients, channels-last, 1 to 3 spatial dims, with strides, explicit
 * padding, dilation and feature groups: im2col + the SIMD GEMM, as in the CPU oracle.
 *
 * Row r of the patch matrix is one output position (n, od, oh, ow); column
 * ((kd * KH + kh) * KW + kw) * Cg + c is one kernel tap of one input channel of the group, which is
 * the row-major layout of the kernel (KD, KH, KW, Cg, O), so the kernel is the GEMM's B matrix as
 * stored (group g is the column block g * Og with row stride O).
 * - Conv:               out_g  = patches_g · kernel_g
 * - ConvBackpropInput:  dx    += col2im(dy_g · kernel_g^T)
 * - ConvBackpropFilter: dk_g  += patches_g^T · dy_g   (accumulated over row chunks)
 * Patches are built (in wasm, `asm/conv.ts`) for a chunk of rows at a time to bound memory. A 1x1
 * kernel with stride 1 and no padding skips im2col: the input already is the patch matrix.
 */
import { UnsupportedOpError, cpuKernelUtils } from "@webkeras/core";
import { fmt } from "./util";
import type { ConvParams, Primitive } from "@webkeras/core";
import { GEOM_FIELDS } from "../asm/conv";
import type { Runtime } from "../runtime";
import type { Call } from "../threads";
import { gemm, gemmCall, gemmScratchBytes } from "./matmul";
import type { WasmKernel } from "./util";

/**
 * Tuning knobs. `chunkElems`: patch-matrix elements built per chunk (256 KiB of float32: the
 * chunk stays in L2 between im2col and the GEMM that packs it, about 5% faster than 4 MiB); tests
 * shrink it so that chunks split output rows.
 */
export const convTuning = { chunkElems: 1 << 16 };

/** Convolution geometry normalized to 3 spatial dims (the CPU oracle's). */
export type ConvGeom = cpuKernelUtils.ConvGeom;
const { isPointwise } = cpuKernelUtils;

export function convGeom(
  xShape: number[],
  window: number[],
  outSpatial: number[],
  p: Omit<ConvParams, "groups">,
  where: string,
): ConvGeom {
  return cpuKernelUtils.convGeom(xShape, window, outSpatial, p, where, "wasm");
}

/** Core's `convPlan` (geometry, channel and group sizes), naming this backend in its errors. */
function convPlan(
  xShape: number[],
  window: number[],
  outSpatial: number[],
  O: number,
  p: ConvParams,
  where: string,
): cpuKernelUtils.ConvPlan {
  return cpuKernelUtils.convPlan(xShape, window, outSpatial, O, p, where, "wasm");
}

function chunkRows(kc: number): number {
  const c = convTuning.chunkElems;
  return c < 64 * kc
    ? Math.max(1, Math.floor(c / Math.max(1, kc)))
    : Math.floor(c / Math.max(1, kc) / 64) * 64;
}

function checkFloat(dtype: string, where: string): void {
  if (dtype !== "float32")
    throw new UnsupportedOpError(
      `${where}: the wasm backend convolves float32 only. Received: dtype=${dtype}`,
    );
}

/** Writes the geometry block read by the wasm `im2col` / `col2im` (for `cg` channels per group). */
function writeGeom(rt: Runtime, ptr: number, g: ConvGeom, cg: number): void {
  const v: Record<(typeof GEOM_FIELDS)[number], number> = {
    D: g.inS[0],
    H: g.inS[1],
    W: g.inS[2],
    C: g.C,
    KD: g.kS[0],
    KH: g.kS[1],
    KW: g.kS[2],
    OD: g.outS[0],
    OH: g.outS[1],
    OW: g.outS[2],
    sd: g.st[0],
    sh: g.st[1],
    sw: g.st[2],
    dd: g.dil[0],
    dh: g.dil[1],
    dw: g.dil[2],
    pd: g.pad[0],
    ph: g.pad[1],
    pw: g.pad[2],
    cg,
  };
  const I = rt.I32;
  GEOM_FIELDS.forEach((k, i) => (I[(ptr >> 2) + i] = v[k]));
}

/** Runs `body` with the geometry block in scratch memory. */
export function withGeom(rt: Runtime, g: ConvGeom, cg: number, body: (geom: number) => void): void {
  const geomBytes = GEOM_FIELDS.length * 4;
  const geom = rt.scratch(geomBytes);
  writeGeom(rt, geom, g, cg);
  try {
    body(geom);
  } finally {
    rt.release(geom, geomBytes);
  }
}

/** Scratch for one kernel call: the geometry block and a patch chunk, released together. */
function withScratch(
  rt: Runtime,
  g: ConvGeom,
  cg: number,
  chunkElems: number,
  body: (geom: number, buf: number) => void,
): void {
  const bytes = Math.max(1, chunkElems) * 4;
  const buf = rt.scratch(bytes);
  try {
    withGeom(rt, g, cg, (geom) => body(geom, buf));
  } finally {
    rt.release(buf, bytes);
  }
}

export const convKernel: WasmKernel<Primitive.Conv> = (rt, inputs, params, outputs) => {
  const [x, k] = inputs;
  checkFloat(x.dtype, "conv");
  const out = outputs[0];
  const nsp = x.shape.length - 2;
  const { g, O, G, cg, og, rows, kc } = convPlan(
    x.shape,
    k.shape.slice(0, nsp),
    out.shape.slice(1, nsp + 1),
    out.shape[nsp + 1],
    params,
    "conv",
  );
  if (rows === 0 || O === 0) return;
  if (isPointwise(g)) {
    for (let gi = 0; gi < G; gi++)
      gemm(
        rt,
        rows,
        og,
        cg,
        { ptr: x.ptr + gi * cg * 4, rs: g.C, cs: 1 },
        { ptr: k.ptr + gi * og * 4, rs: O, cs: 1 },
        out.ptr + gi * og * 4,
        O,
        false,
      );
    return;
  }
  // Output rows are cut into T tasks; each builds its rows' patches chunk by chunk into its own
  // buffer and multiplies them (the GEMM's result does not depend on where
  // chunks or splits fall, see \`gemm\`).
  const { MR } = rt.config;
  const T = rt.tasksFor(rows * og * kc * G, Math.ceil(rows / MR), 4);
  const span = Math.min(chunkRows(kc), Math.ceil(rows / T));
  const bufBytes = span * kc * 4;
  const perThread = bufBytes + gemmScratchBytes(rt, span, og, kc);
  withGeom(rt, g, cg, (geom) => {
    const ws = rt.scratch(T * perThread);
    try {
      for (let gi = 0; gi < G; gi++) {
        const lists = Array.from({ length: T }, (_, t) => {
          const buf = ws + t * perThread;
          const calls: Call[] = [];
          for (
            let r0 = Math.floor((rows * t) / T), hi = Math.floor((rows * (t + 1)) / T);
            r0 < hi;
            r0 += span
          ) {
            const r1 = Math.min(hi, r0 + span);
            calls.push(["im2col", geom, x.ptr, buf, gi * cg, r0, r1]);
            calls.push(
              gemmCall(
                rt,
                r1 - r0,
                og,
                kc,
                { ptr: buf, rs: kc, cs: 1 },
                { ptr: k.ptr + gi * og * 4, rs: O, cs: 1 },
                out.ptr + (r0 * O + gi * og) * 4,
                O,
                false,
                buf + bufBytes,
              ),
            );
          }
          return calls;
        });
        rt.parallel(lists);
      }
    } finally {
      rt.release(ws, T * perThread);
    }
  });
};

export const convBackpropInputKernel: WasmKernel<Primitive.ConvBackpropInput> = (
  rt,
  inputs,
  params,
  outputs,
) => {
  const [dy, k] = inputs;
  checkFloat(dy.dtype, "conv_backprop_input");
  const out = outputs[0];
  const nsp = out.shape.length - 2;
  const { g, O, G, cg, og, rows, kc } = convPlan(
    out.shape,
    k.shape.slice(0, nsp),
    dy.shape.slice(1, nsp + 1),
    dy.shape[nsp + 1],
    params,
    "conv_backprop_input",
  );
  if (out.size === 0) return;
  if (rows === 0 || og === 0 || kc === 0) {
    rt.v(out).fill(0);
    return;
  }
  if (isPointwise(g)) {
    // dx_g = dy_g · kernel_g^T, written straight into dx (every element is covered once).
    for (let gi = 0; gi < G; gi++)
      gemm(
        rt,
        rows,
        cg,
        og,
        { ptr: dy.ptr + gi * og * 4, rs: O, cs: 1 },
        { ptr: k.ptr + gi * og * 4, rs: 1, cs: O },
        out.ptr + gi * cg * 4,
        g.C,
        false,
      );
    return;
  }
  rt.v(out).fill(0);
  const R = chunkRows(kc);
  withScratch(rt, g, cg, Math.min(R, rows) * kc, (geom, buf) => {
    for (let gi = 0; gi < G; gi++) {
      for (let r0 = 0; r0 < rows; r0 += R) {
        const r1 = Math.min(rows, r0 + R);
        // kernel_g^T: (og x kc), element (o, j) = kernel[j * O + gi * og + o].
        gemm(
          rt,
          r1 - r0,
          kc,
          og,
          { ptr: dy.ptr + (r0 * O + gi * og) * 4, rs: O, cs: 1 },
          { ptr: k.ptr + gi * og * 4, rs: 1, cs: O },
          buf,
          kc,
          false,
        );
        rt.k.col2im(geom, out.ptr, buf, gi * cg, r0, r1);
      }
    }
  });
};

export const convBackpropFilterKernel: WasmKernel<Primitive.ConvBackpropFilter> = (
  rt,
  inputs,
  params,
  outputs,
) => {
  const [x, dy] = inputs;
  checkFloat(x.dtype, "conv_backprop_filter");
  const out = outputs[0];
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
  if (out.size === 0) return;
  if (rows === 0) {
    rt.v(out).fill(0);
    return;
  }
  const dyRef = (r0: number, gi: number) => ({
    ptr: dy.ptr + (r0 * O + gi * og) * 4,
    rs: O,
    cs: 1,
  });
  if (isPointwise(g)) {
    // x_g^T: (cg x rows), element (c, r) = x[r * C + gi * cg + c].
    for (let gi = 0; gi < G; gi++)
      gemm(
        rt,
        cg,
        og,
        rows,
        { ptr: x.ptr + gi * cg * 4, rs: 1, cs: g.C },
        dyRef(0, gi),
        out.ptr + gi * og * 4,
        O,
        false,
      );
    return;
  }
  // Each chunk of R rows gives a partial dk (kc x og) of its own, and the partials are added in
  // chunk order: a two-level sum that is more accurate than one running sum over every row, and
  // whose result does not depend on how many threads computed the partials (T chunks at a time,
  // one task each).
  const R = chunkRows(kc);
  const chunks = Math.ceil(rows / R);
  const T = rt.tasksFor(rows * og * kc * G, chunks, 2);
  const bufBytes = Math.min(R, rows) * kc * 4;
  const partBytes = kc * og * 4;
  const perThread = bufBytes + partBytes + gemmScratchBytes(rt, kc, og, Math.min(R, rows));
  withGeom(rt, g, cg, (geom) => {
    const ws = rt.scratch(T * perThread);
    try {
      for (let gi = 0; gi < G; gi++) {
        for (let c0 = 0; c0 < chunks; c0 += T) {
          const lists = Array.from({ length: Math.min(T, chunks - c0) }, (_, t): Call[] => {
            const [r0, r1] = [(c0 + t) * R, Math.min(rows, (c0 + t + 1) * R)];
            const buf = ws + t * perThread;
            const part = buf + bufBytes;
            return [
              ["im2col", geom, x.ptr, buf, gi * cg, r0, r1],
              // patches^T: (kc x rows), element (j, r) = buf[r * kc + j].
              gemmCall(
                rt,
                kc,
                og,
                r1 - r0,
                { ptr: buf, rs: 1, cs: kc },
                dyRef(r0, gi),
                part,
                og,
                false,
                part + partBytes,
              ),
            ];
          });
          rt.parallel(lists);
          const F = rt.F32;
          lists.forEach((_, t) => {
            const part = (ws + t * perThread + bufBytes) >> 2;
            const first = c0 + t === 0;
            for (let j = 0; j < kc; j++) {
              const o = (out.ptr >> 2) + j * O + gi * og;
              const p = part + j * og;
              if (first) F.copyWithin(o, p, p + og);
              else for (let q = 0; q < og; q++) F[o + q] += F[p + q];
            }
          });
        }
      }
    } finally {
      rt.release(ws, T * perThread);
    }
  });
};
