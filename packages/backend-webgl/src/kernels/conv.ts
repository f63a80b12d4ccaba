/**
 * Convolution, its two gradients, pooling and the pooling gradient; channels-last, 1 to 3
 * spatial dims (run as 3-d with leading size-1 dims), strides, explicit padding, dilation,
 * feature groups.
 *
 * - Conv (one group): im2col as a map pass (rows = output positions, columns = kernel taps x
 *   channels, the kernel's own row-major layout) then the blocked matmul with the kernel as B.
 * - ConvBackpropFilter (one group): the same patches, transposed, times dy: dk = patches^T dy.
 * - ConvBackpropInput and the grouped cases: direct loops per output element (each dx element
 *   gathers the dy positions whose windows cover it), exact and simple, slower on big shapes.
 * - Pool / PoolBackprop: direct loops; padded taps never win a max and, without
 *   countIncludePad, do not count in an average; the max gradient goes to the first maximal tap
 *   in window order (NaN counts as the maximum), as on the cpu backend.
 */
import { UnsupportedOpError, type ConvParams, type PoolParams, type Primitive } from "@webkeras/core";
import { floatLit, sizeOf } from "../glsl";
import type { Kernel, KernelContext, TexInput } from "./kernel";
import { matmulKernel } from "./matmul";

interface Geom {
  N: number;
  C: number;
  inS: number[];
  kS: number[];
  outS: number[];
  st: number[];
  dil: number[];
  pad: number[];
}

function to3(v: number[], fill: number, where: string): number[] {
  if (v.length > 3) throw new UnsupportedOpError(`${where}: the webgl backend supports 1 to 3 spatial dims. Received: ${v.length} spatial dims`);
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}

function geom(xShape: number[], window: number[], outSpatial: number[], p: Omit<ConvParams, "groups">, where: string): Geom {
  const nsp = xShape.length - 2;
  return {
    N: xShape[0]!,
    C: xShape[nsp + 1]!,
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

/** GLSL: decode output position `idx` (n, od, oh, ow) of `g`, then `ch` extra inner channels. */
function decodeOut(g: Geom, idx: string, ch: number): string {
  const [OD, OH, OW] = g.outS as [number, number, number];
  return `int q_ = ${idx}; int oc = q_ % ${ch}; q_ /= ${ch}; int ow = q_ % ${OW}; q_ /= ${OW}; int oh = q_ % ${OH}; q_ /= ${OH}; int od = q_ % ${OD}; int n = q_ / ${OD};`;
}

/** GLSL: input position of tap (kd, kh, kw) for output (od, oh, ow), and `inb` = in bounds. */
function tapPos(g: Geom): string {
  const [D, H, W] = g.inS as [number, number, number];
  return `int id = od * ${g.st[0]} - ${g.pad[0]} + kd * ${g.dil[0]}; int ih = oh * ${g.st[1]} - ${g.pad[1]} + kh * ${g.dil[1]}; int iw = ow * ${g.st[2]} - ${g.pad[2]} + kw * ${g.dil[2]};
      bool inb = id >= 0 && id < ${D} && ih >= 0 && ih < ${H} && iw >= 0 && iw < ${W};
      int xb = (((n * ${D} + id) * ${H} + ih) * ${W} + iw) * ${g.C};`;
}

const loops3 = (g: Geom, inner: string): string =>
  `for (int kd = 0; kd < ${g.kS[0]}; kd++) for (int kh = 0; kh < ${g.kS[1]}; kh++) for (int kw = 0; kw < ${g.kS[2]}; kw++) { ${inner} }`;

/** The patch matrix (rows = output positions, cols = (kd, kh, kw, c)) of x for one group. */
function im2col(ctx: KernelContext, x: TexInput, g: Geom): TexInput {
  const kc = g.kS[0]! * g.kS[1]! * g.kS[2]! * g.C;
  const rows = g.N * g.outS[0]! * g.outS[1]! * g.outS[2]!;
  const body = `int row = e / ${kc}; int col = e - row * ${kc};
    int c = col % ${g.C}; int tq = col / ${g.C}; int kw = tq % ${g.kS[2]}; tq /= ${g.kS[2]}; int kh = tq % ${g.kS[1]}; int kd = tq / ${g.kS[1]};
    ${decodeOut(g, "row", 1)}
    ${tapPos(g)}
    v = inb ? x0_e(xb + c) : 0.0;`;
  const spec = { shape: [rows, kc], dtype: "float32" as const };
  return { tex: ctx.map([x], spec, body), ...spec };
}

export const convKernel: Kernel<Primitive.Conv> = (ctx, [x, k], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, k!.shape.slice(0, nsp), out!.shape.slice(1, nsp + 1), p, "conv");
  const O = out!.shape[nsp + 1]!;
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  if (p.groups === 1) {
    const kc = sizeOf(k!.shape.slice(0, nsp + 1));
    const rows = sizeOf(out!.shape) / O;
    const pointwise = g.kS.every((s) => s === 1) && g.st.every((s) => s === 1) && g.pad.every((s) => s === 0) && g.outS.every((s, i) => s === g.inS[i]);
    const patches = pointwise ? { ...x!, shape: [rows, kc] } : im2col(ctx, x!, g);
    const [res] = matmulKernel(ctx, [patches, { ...k!, shape: [kc, O] }], { transposeA: false, transposeB: false }, [{ shape: [rows, O], dtype: "float32" }]);
    if (!pointwise) ctx.free(patches.tex);
    return [res!];
  }
  const G = p.groups;
  const cg = g.C / G;
  const og = O / G;
  const body = `${decodeOut(g, "e", O)}
    int gi = oc / ${og};
    ${loops3(
      g,
      `${tapPos(g)}
      if (inb) for (int c = 0; c < ${cg}; c++) v += x0_e(xb + gi * ${cg} + c) * x1_e((((kd * ${g.kS[1]} + kh) * ${g.kS[2]} + kw) * ${cg} + c) * ${O} + oc);`,
    )}`;
  return [ctx.map([x!, k!], out!, body)];
};

export const convBackpropInputKernel: Kernel<Primitive.ConvBackpropInput> = (ctx, [dy, k], p, [out]) => {
  const nsp = out!.shape.length - 2;
  const g = geom(out!.shape, k!.shape.slice(0, nsp), dy!.shape.slice(1, nsp + 1), p, "conv_backprop_input");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const O = dy!.shape[nsp + 1]!;
  const G = p.groups;
  const cg = g.C / G;
  const og = O / G;
  const [D, H, W] = g.inS as [number, number, number];
  const [OD, OH, OW] = g.outS as [number, number, number];
  // dx element (n, d, h, w, c) gathers dy at each output position whose window covers it.
  const axis = (o: string, i: string, k: string, a: number, size: number) =>
    `int t${o} = ${i} + ${g.pad[a]} - ${k} * ${g.dil[a]}; if (t${o} < 0 || t${o} % ${g.st[a]} != 0) continue; int ${o} = t${o} / ${g.st[a]}; if (${o} >= ${size}) continue;`;
  const body = `int q_ = e; int c = q_ % ${g.C}; q_ /= ${g.C}; int w = q_ % ${W}; q_ /= ${W}; int h = q_ % ${H}; q_ /= ${H}; int d = q_ % ${D}; int n = q_ / ${D};
    int gi = c / ${cg}; int cl = c - gi * ${cg};
    for (int kd = 0; kd < ${g.kS[0]}; kd++) { ${axis("od", "d", "kd", 0, OD)}
    for (int kh = 0; kh < ${g.kS[1]}; kh++) { ${axis("oh", "h", "kh", 1, OH)}
    for (int kw = 0; kw < ${g.kS[2]}; kw++) { ${axis("ow", "w", "kw", 2, OW)}
      int yb = (((n * ${OD} + od) * ${OH} + oh) * ${OW} + ow) * ${O} + gi * ${og};
      int kb = (((kd * ${g.kS[1]} + kh) * ${g.kS[2]} + kw) * ${cg} + cl) * ${O} + gi * ${og};
      for (int o = 0; o < ${og}; o++) v += x0_e(yb + o) * x1_e(kb + o);
    } } }`;
  return [ctx.map([dy!, k!], out!, body)];
};

export const convBackpropFilterKernel: Kernel<Primitive.ConvBackpropFilter> = (ctx, [x, dy], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, out!.shape.slice(0, nsp), dy!.shape.slice(1, nsp + 1), p, "conv_backprop_filter");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const O = dy!.shape[nsp + 1]!;
  const rows = sizeOf(dy!.shape) / O;
  if (rows === 0) return [ctx.map([], out!, "v = 0.0;")];
  if (p.groups === 1) {
    const kc = sizeOf(out!.shape.slice(0, nsp + 1));
    const patches = im2col(ctx, x!, g);
    const [res] = matmulKernel(ctx, [patches, { ...dy!, shape: [rows, O] }], { transposeA: true, transposeB: false }, [{ shape: [kc, O], dtype: "float32" }]);
    ctx.free(patches.tex);
    return [res!];
  }
  const G = p.groups;
  const cg = g.C / G;
  const og = O / G;
  // dk element (kd, kh, kw, c, o): sum over output positions of x at the tap times dy.
  const [OD, OH, OW] = g.outS as [number, number, number];
  const body = `int q_ = e; int oc = q_ % ${O}; q_ /= ${O}; int c = q_ % ${cg}; q_ /= ${cg}; int kw = q_ % ${g.kS[2]}; q_ /= ${g.kS[2]}; int kh = q_ % ${g.kS[1]}; int kd = q_ / ${g.kS[1]};
    int gi = oc / ${og};
    for (int n = 0; n < ${g.N}; n++) for (int od = 0; od < ${OD}; od++) for (int oh = 0; oh < ${OH}; oh++) for (int ow = 0; ow < ${OW}; ow++) {
      ${tapPos(g)}
      if (inb) v += x0_e(xb + gi * ${cg} + c) * x1_e((((n * ${OD} + od) * ${OH} + oh) * ${OW} + ow) * ${O} + oc);
    }`;
  return [ctx.map([x!, dy!], out!, body)];
};

/** Pass 1 of a pooling window at output (n, od, oh, ow), channel oc: max / first argmax, or sum / count. */
function windowScan(g: Geom, p: PoolParams): string {
  const isMax = p.kind === "max";
  return `float acc = ${isMax ? floatLit(-Infinity) : "0.0"}; int arg = -1; int count = 0;
    ${loops3(
      g,
      `${tapPos(g)}
      if (inb) { count++; float xv = xX_e(xb + oc);
        ${isMax ? "if (arg < 0 || xv > acc || (wk_isnan(xv) && !wk_isnan(acc))) { acc = xv; arg = xb + oc; }" : "acc += xv;"} }`,
    )}`;
}

export const poolKernel: Kernel<Primitive.Pool> = (ctx, [x], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, p.window, out!.shape.slice(1, nsp + 1), p, "pool");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const full = g.kS[0]! * g.kS[1]! * g.kS[2]!;
  const divisor = p.countIncludePad ? `${full}.0` : "float(count)";
  const body = `${decodeOut(g, "e", g.C)}
    ${windowScan(g, p).replaceAll("xX_e", "x0_e")}
    v = ${p.kind === "max" ? "acc" : `count == 0 ? 0.0 : acc / ${divisor}`};`;
  return [ctx.map([x!], out!, body)];
};

export const poolBackpropKernel: Kernel<Primitive.PoolBackprop> = (ctx, [dy, x], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, p.window, dy!.shape.slice(1, nsp + 1), p, "pool_backprop");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const [D, H, W] = g.inS as [number, number, number];
  const [OD, OH, OW] = g.outS as [number, number, number];
  const full = g.kS[0]! * g.kS[1]! * g.kS[2]!;
  // dx element (n, d, h, w, c): visit every output window containing it. Max: recompute that
  // window's first argmax and add dy when it is this element. Avg: add dy / divisor.
  const axis = (o: string, i: string, k: string, a: number, size: number) =>
    `int t${o} = ${i} + ${g.pad[a]} - ${k} * ${g.dil[a]}; if (t${o} < 0 || t${o} % ${g.st[a]} != 0) continue; int ${o} = t${o} / ${g.st[a]}; if (${o} >= ${size}) continue;`;
  const per =
    p.kind === "max"
      ? `${windowScan(g, p).replaceAll("xX_e", "x1_e").replace(/\bkd\b/g, "jd").replace(/\bkh\b/g, "jh").replace(/\bkw\b/g, "jw")}
      if (arg == self) v += x0_e(dyi);`
      : `int count = 0;
      ${loops3(g, `${tapPos(g)} if (inb) count++;`).replace(/\bkd\b/g, "jd").replace(/\bkh\b/g, "jh").replace(/\bkw\b/g, "jw")}
      if (count > 0) v += x0_e(dyi) / ${p.countIncludePad ? `${full}.0` : "float(count)"};`;
  const body = `int q_ = e; int oc = q_ % ${g.C}; q_ /= ${g.C}; int w = q_ % ${W}; q_ /= ${W}; int h = q_ % ${H}; q_ /= ${H}; int d = q_ % ${D}; int n = q_ / ${D};
    int self = e;
    for (int kd = 0; kd < ${g.kS[0]}; kd++) { ${axis("od", "d", "kd", 0, OD)}
    for (int kh = 0; kh < ${g.kS[1]}; kh++) { ${axis("oh", "h", "kh", 1, OH)}
    for (int kw = 0; kw < ${g.kS[2]}; kw++) { ${axis("ow", "w", "kw", 2, OW)}
      int dyi = (((n * ${OD} + od) * ${OH} + oh) * ${OW} + ow) * ${g.C} + oc;
      ${per}
    } } }`;
  return [ctx.map([dy!, x!], out!, body)];
};
