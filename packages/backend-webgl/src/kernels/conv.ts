/**
 * Convolution, its two gradients, pooling and the pooling gradient; channels-last, 1 to 3
 * spatial dims (run as 3-d with leading size-1 dims), strides, explicit padding, dilation,
 * feature groups.
 *
 * - Conv (one group): im2col as a map pass (rows = output positions, columns = kernel taps x
 *   channels, the kernel's own row-major layout, zero-padded to a multiple of 4 columns) then the
 *   blocked matmul with the kernel as B.
 * - ConvBackpropFilter (one group): the patches built transposed (taps x positions), times dy:
 *   dk = patches^T dy, again one blocked matmul.
 * - ConvBackpropInput (one group): G = dy K^T by the blocked matmul, then col2im as a gather:
 *   each dx element sums the entries of G (one per kernel tap at most) that came from it.
 * - Grouped convolutions: direct loops per output element, exact and simple, slower.
 * - Pool / PoolBackprop: direct loops; padded taps never win a max and, without
 *   countIncludePad, do not count in an average; the max gradient goes to the first maximal tap
 *   in window order (NaN counts as the maximum), as on the cpu backend. The gradient runs in two
 *   passes for max (each window's argmax, then each dx element gathers the windows it won).
 *
 * With C % 4 == 0 the position-wise passes (im2col, col2im, pooling) use the vectorized
 * template: a texel is 4 channels of one position, so index arithmetic and reads are per texel.
 */
import { UnsupportedOpError, type ConvParams, type Primitive } from "@webkeras/core";
import { decode, floatLit, idiv, sizeOf } from "../glsl";
import { mapVec, type Kernel, type KernelContext, type TexInput } from "./kernel";
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

/** GLSL: decode output position `idx` (n, od, oh, ow) of `g`, and channel `oc` (`ch` channels). */
function decodeOut(g: Geom, idx: string, ch: number): string {
  const [OD, OH, OW] = g.outS as [number, number, number];
  return decode(idx, [ch, OW, OH, OD], ["oc", "ow", "oh", "od", "n"], rowsOf(g) * ch);
}

/** GLSL: decode input position `idx` (n, d, h, w) of `g`, and channel `c`. */
function decodeIn(g: Geom, idx: string): string {
  const [D, H, W] = g.inS as [number, number, number];
  return decode(idx, [g.C, W, H, D], ["c", "w", "h", "d", "n"], g.N * D * H * W * g.C);
}

/** GLSL: decode a patch column `col` into tap (kd, kh, kw) and channel `c`. */
function decodeTap(g: Geom, col: string): string {
  return decode(col, [g.C, g.kS[2]!, g.kS[1]!], ["c", "kw", "kh", "kd"], tapsOf(g) * g.C, "tq");
}

/** GLSL: input position of tap (kd, kh, kw) for output (od, oh, ow), and `inb` = in bounds. */
function tapPos(g: Geom): string {
  const [D, H, W] = g.inS as [number, number, number];
  return `int id = od * ${g.st[0]} - ${g.pad[0]} + kd * ${g.dil[0]}; int ih = oh * ${g.st[1]} - ${g.pad[1]} + kh * ${g.dil[1]}; int iw = ow * ${g.st[2]} - ${g.pad[2]} + kw * ${g.dil[2]};
      bool inb = id >= 0 && id < ${D} && ih >= 0 && ih < ${H} && iw >= 0 && iw < ${W};
      int xb = (((n * ${D} + id) * ${H} + ih) * ${W} + iw) * ${g.C};`;
}

const loops3 = (g: Geom, inner: string, k = ["kd", "kh", "kw"]): string =>
  `for (int ${k[0]} = 0; ${k[0]} < ${g.kS[0]}; ${k[0]}++) for (int ${k[1]} = 0; ${k[1]} < ${g.kS[1]}; ${k[1]}++) for (int ${k[2]} = 0; ${k[2]} < ${g.kS[2]}; ${k[2]}++) { ${inner} }`;

/**
 * GLSL: loops over the output positions (od, oh, ow) whose window covers input (d, h, w), with
 * their tap (kd, kh, kw); `inner` runs for each, with `yi` = the output position's flat index.
 */
function coveringWindows(g: Geom, inner: string): string {
  const [OD, OH, OW] = g.outS as [number, number, number];
  const size = [OD, OH, OW];
  const [i, o, k] = [["d", "h", "w"], ["od", "oh", "ow"], ["kd", "kh", "kw"]];
  const axes = [0, 1, 2].map((a) => {
    const [st, K, dil, pad] = [g.st[a]!, g.kS[a]!, g.dil[a]!, g.pad[a]!];
    const t = `t${o[a]}`;
    const span = (K - 1) * dil + pad + 1;
    if (K === 1 && st === 1 && pad === 0) return { open: `int ${o[a]} = ${i[a]}; int ${k[a]} = 0;`, close: "" };
    if (dil === 1 && K <= st) {
      // Windows do not overlap: at most one covers the position (no loop, one division).
      const bound = size[a]! * st + span;
      return {
        open: `int ${t} = ${i[a]} + ${pad}; int ${o[a]} = ${idiv(t, st, bound)}; int ${k[a]} = ${t} - ${o[a]} * ${st}; if (${k[a]} < ${K} && ${o[a]} < ${size[a]}) {`,
        close: "}",
      };
    }
    return {
      open: `for (int ${k[a]} = 0; ${k[a]} < ${K}; ${k[a]}++) { int ${t} = ${i[a]} + ${pad} - ${k[a]} * ${dil}; if (${t} < 0 || ${t} % ${st} != 0) continue; int ${o[a]} = ${t} / ${st}; if (${o[a]} >= ${size[a]}) continue;`,
      close: "}",
    };
  });
  return `${axes.map((x) => x.open).join("\n    ")}
      int yi = ((n * ${OD} + od) * ${OH} + oh) * ${OW} + ow;
      ${inner}
    ${axes.map((x) => x.close).join(" ")}`;
}

const rowsOf = (g: Geom): number => g.N * g.outS[0]! * g.outS[1]! * g.outS[2]!;
const tapsOf = (g: Geom): number => g.kS[0]! * g.kS[1]! * g.kS[2]!;
const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * The patch matrix of x, (rows = output positions) x (cols = (kd, kh, kw, c), zero-padded to a
 * multiple of 4): row-major, so it is the A operand of the blocked matmul as is.
 */
function im2col(ctx: KernelContext, x: TexInput, g: Geom): TexInput {
  const kc = tapsOf(g) * g.C;
  const kcp = pad4(kc);
  const rows = rowsOf(g);
  const spec = { shape: [rows, kcp], dtype: "float32" as const };
  // A texel is 4 columns of one row (kcp % 4 == 0): the row's position is decoded once.
  const row = `int row = ${idiv("e0", kcp, rows * kcp)}; int col0 = e0 - row * ${kcp}; ${decodeOut(g, "row", 1)}`;
  if (g.C % 4 === 0) {
    // ... and with C % 4 == 0, 4 channels of one tap: one texel read.
    const body = `${row} ${decodeTap(g, "col0")} ${tapPos(g)} if (inb) v = x0_t((xb + c) >> 2);`;
    return { tex: mapVec(ctx, [x], spec, body), ...spec };
  }
  const body = `${row}
    for (int q = 0; q < 4; q++) { int col = col0 + q; if (col >= ${kc}) break; ${decodeTap(g, "col")} ${tapPos(g)} if (inb) v[q] = x0_e(xb + c); }`;
  return { tex: mapVec(ctx, [x], spec, body), ...spec };
}

/** The transposed patch matrix: (kd, kh, kw, c) x output positions (zero-padded to 4k columns). */
function im2colT(ctx: KernelContext, x: TexInput, g: Geom): TexInput {
  const kc = tapsOf(g) * g.C;
  const rows = rowsOf(g);
  const rp = pad4(rows);
  const spec = { shape: [kc, rp], dtype: "float32" as const };
  const body = `int col = ${idiv("e", rp, kc * rp)}; int row = e - col * ${rp};
    if (row < ${rows}) {
    ${decodeTap(g, "col")}
    ${decodeOut(g, "row", 1)}
    ${tapPos(g)}
    v = inb ? x0_e(xb + c) : 0.0; }`;
  return { tex: ctx.map([x], spec, body), ...spec };
}

/** `m` (rows x cols, row-major) with zero rows appended up to `rows2`. */
function padRows(ctx: KernelContext, m: TexInput, rows: number, cols: number, rows2: number): TexInput {
  const spec = { shape: [rows2, cols], dtype: "float32" as const };
  return { tex: ctx.map([m], spec, `v = e < ${rows * cols} ? x0_e(e) : 0.0;`), ...spec };
}

const float = (shape: number[]) => ({ shape, dtype: "float32" as const });

export const convKernel: Kernel<Primitive.Conv> = (ctx, [x, k], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, k!.shape.slice(0, nsp), out!.shape.slice(1, nsp + 1), p, "conv");
  const O = out!.shape[nsp + 1]!;
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  if (p.groups === 1) {
    const kc = tapsOf(g) * g.C;
    const rows = rowsOf(g);
    const pointwise = g.kS.every((s) => s === 1) && g.st.every((s) => s === 1) && g.pad.every((s) => s === 0) && g.outS.every((s, i) => s === g.inS[i]);
    const patches = pointwise ? { ...x!, shape: [rows, kc] } : im2col(ctx, x!, g);
    const kcp = patches.shape[1]!;
    const kmat = kcp === kc ? { ...k!, shape: [kc, O] } : padRows(ctx, k!, kc, O, kcp);
    const [res] = matmulKernel(ctx, [patches, kmat], { transposeA: false, transposeB: false }, [float([rows, O])]);
    if (!pointwise) ctx.free(patches.tex);
    if (kmat.tex !== k!.tex) ctx.free(kmat.tex);
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
  const rows = rowsOf(g);
  if (p.groups === 1) {
    if (rows === 0) return [ctx.map([], out!, "v = 0.0;")];
    // G = dy K^T: row = output position, column = (tap, c); then col2im by gathering.
    const kc = tapsOf(g) * g.C;
    const [gm] = matmulKernel(ctx, [{ ...dy!, shape: [rows, O] }, { ...k!, shape: [kc, O] }], { transposeA: false, transposeB: true }, [float([rows, kc])]);
    const G = { tex: gm!, ...float([rows, kc]) };
    const tap = `((kd * ${g.kS[1]} + kh) * ${g.kS[2]} + kw) * ${g.C}`;
    let res;
    if (g.C % 4 === 0) res = mapVec(ctx, [G], out!, `${decodeIn(g, "e0")} ${coveringWindows(g, `v += x0_t((yi * ${kc} + ${tap} + c) >> 2);`)}`);
    else res = ctx.map([G], out!, `${decodeIn(g, "e")} ${coveringWindows(g, `v += x0_e(yi * ${kc} + ${tap} + c);`)}`);
    ctx.free(gm!);
    return [res];
  }
  const G = p.groups;
  const cg = g.C / G;
  const og = O / G;
  const body = `${decodeIn(g, "e")}
    int gi = c / ${cg}; int cl = c - gi * ${cg};
    ${coveringWindows(
      g,
      `int yb = yi * ${O} + gi * ${og};
      int kb = (((kd * ${g.kS[1]} + kh) * ${g.kS[2]} + kw) * ${cg} + cl) * ${O} + gi * ${og};
      for (int o = 0; o < ${og}; o++) v += x0_e(yb + o) * x1_e(kb + o);`,
    )}`;
  return [ctx.map([dy!, k!], out!, body)];
};

export const convBackpropFilterKernel: Kernel<Primitive.ConvBackpropFilter> = (ctx, [x, dy], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, out!.shape.slice(0, nsp), dy!.shape.slice(1, nsp + 1), p, "conv_backprop_filter");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const O = dy!.shape[nsp + 1]!;
  const rows = rowsOf(g);
  if (rows === 0) return [ctx.map([], out!, "v = 0.0;")];
  if (p.groups === 1) {
    const kc = tapsOf(g) * g.C;
    const pT = im2colT(ctx, x!, g);
    const rp = pT.shape[1]!;
    const dyP = rp === rows ? { ...dy!, shape: [rows, O] } : padRows(ctx, dy!, rows, O, rp);
    const [res] = matmulKernel(ctx, [pT, dyP], { transposeA: false, transposeB: false }, [float([kc, O])]);
    ctx.free(pT.tex);
    if (dyP.tex !== dy!.tex) ctx.free(dyP.tex);
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

// ---------------------------------------------------------------------------------------------
// Pooling

/** Does float value `xv` replace the running max `m` (first tap wins ties; NaN is the max)? */
const takesMax = (xv: string, m: string, first: string): string => `(${first} || ${xv} > ${m} || (wk_isnan(${xv}) && !wk_isnan(${m})))`;

/**
 * Window scan at output position (n, od, oh, ow), channel(s) from `oc`: the max (and the flat x
 * index of its first occurrence, `arg`) or the sum, and `count` of real taps. `vec`: 4 channels.
 */
function windowScan(g: Geom, max: boolean, vec: boolean, read: string): string {
  if (!vec)
    return `float acc = ${max ? floatLit(-Infinity) : "0.0"}; int arg = -1; int count = 0;
    ${loops3(g, `${tapPos(g)} if (inb) { float xv = ${read}_e(xb + oc); ${max ? `if (${takesMax("xv", "acc", "arg < 0")}) { acc = xv; arg = xb + oc; }` : "acc += xv;"} count++; }`)}`;
  return `vec4 acc = vec4(${max ? floatLit(-Infinity) : "0.0"}); ivec4 arg = ivec4(-1); int count = 0;
    ${loops3(
      g,
      `${tapPos(g)} if (inb) { vec4 xv = ${read}_t((xb + oc) >> 2);
        ${max ? `for (int q = 0; q < 4; q++) if (${takesMax("xv[q]", "acc[q]", "count == 0")}) { acc[q] = xv[q]; arg[q] = xb + oc + q; }` : "acc += xv;"}
        count++; }`,
    )}`;
}

export const poolKernel: Kernel<Primitive.Pool> = (ctx, [x], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, p.window, out!.shape.slice(1, nsp + 1), p, "pool");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const max = p.kind === "max";
  const divisor = p.countIncludePad ? `${tapsOf(g)}.0` : "float(count)";
  const vec = g.C % 4 === 0;
  const body = `${decodeOut(g, vec ? "e0" : "e", g.C)}
    ${windowScan(g, max, vec, "x0")}
    v = ${max ? "acc" : `count == 0 ? ${vec ? "vec4(0.0)" : "0.0"} : acc / ${divisor}`};`;
  return [vec ? mapVec(ctx, [x!], out!, body) : ctx.map([x!], out!, body)];
};

export const poolBackpropKernel: Kernel<Primitive.PoolBackprop> = (ctx, [dy, x], p, [out]) => {
  const nsp = x!.shape.length - 2;
  const g = geom(x!.shape, p.window, dy!.shape.slice(1, nsp + 1), p, "pool_backprop");
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  const vec = g.C % 4 === 0;
  const C = g.C;
  if (p.kind === "max") {
    // Pass 1: the flat x index of each window's first maximum (-1 for an empty window).
    const argSpec = { shape: dy!.shape, dtype: "int32" as const };
    const scan = `${decodeOut(g, vec ? "e0" : "e", C)} ${windowScan(g, true, vec, "x0")} v = arg;`;
    const argTex = vec ? mapVec(ctx, [x!], argSpec, scan) : ctx.map([x!], argSpec, scan);
    const arg = { tex: argTex, ...argSpec };
    // Pass 2: each dx element adds dy of the windows whose maximum it is.
    const res = vec
      ? mapVec(ctx, [dy!, arg], out!, `${decodeIn(g, "e0")} ivec4 self = ivec4(e0) + ivec4(0, 1, 2, 3);
        ${coveringWindows(g, `int yo = (yi * ${C} + c) >> 2; ivec4 a = x1_t(yo); vec4 gy = x0_t(yo); for (int q = 0; q < 4; q++) if (a[q] == self[q]) v[q] += gy[q];`)}`)
      : ctx.map([dy!, arg], out!, `${decodeIn(g, "e")} ${coveringWindows(g, `int yo = yi * ${C} + c; if (x1_e(yo) == e) v += x0_e(yo);`)}`);
    ctx.free(argTex);
    return [res];
  }
  // Average: dy / divisor of every covering window; the divisor counts the window's real taps.
  const [D, H, W] = g.inS as [number, number, number];
  const count = p.countIncludePad
    ? `float(${tapsOf(g)})`
    : `float(wk_count(od * ${g.st[0]} - ${g.pad[0]}, ${g.kS[0]}, ${g.dil[0]}, ${D}) * wk_count(oh * ${g.st[1]} - ${g.pad[1]}, ${g.kS[1]}, ${g.dil[1]}, ${H}) * wk_count(ow * ${g.st[2]} - ${g.pad[2]}, ${g.kS[2]}, ${g.dil[2]}, ${W}))`;
  const decls = `int wk_count(int i0, int k, int dil, int size) { int c = 0; for (int j = 0; j < k; j++) { int i = i0 + j * dil; if (i >= 0 && i < size) c++; } return c; }`;
  const res = vec
    ? mapVec(ctx, [dy!], out!, `${decodeIn(g, "e0")} ${coveringWindows(g, `v += x0_t((yi * ${C} + c) >> 2) / ${count};`)}`, decls)
    : ctx.map([dy!], out!, `${decodeIn(g, "e")} ${coveringWindows(g, `v += x0_e(yi * ${C} + c) / ${count};`)}`, { decls });
  return [res];
};
