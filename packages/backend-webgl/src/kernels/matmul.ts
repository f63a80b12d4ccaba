/**
 * Batched matmul. float32 runs a register-blocked kernel: each fragment computes an R x 4C block
 * of C (R rows, C texels of 4 columns) into R*C render targets, reading per step of 4 along k one
 * texel of A per row (4 values of k) and 4 texels of B per column texel (4 rows of k), so R*C*16
 * multiply-adds cost R + 4C texture reads (4x2: 128 per 12). A merge pass then interleaves the
 * R*C block textures into the output's standard layout. Measured on SwiftShader (Chromium's
 * CPU WebGL2), 4x2 blocks ran 2-4x faster than one output texel per fragment, and faster than
 * TensorFlow.js' packed 2x2 matmul.
 *
 * The blocked kernel needs A as (batch, M, K4*4) and B as (batch, K4*4, N4*4) in the standard
 * layout, zero-padded; operands that are transposed, unaligned or laid out for another shape are
 * first repacked by a map pass (O(MK + KN), small next to O(MNK)). int32 and bool (exact integer
 * maths), and shapes too large for the blocked textures, use a plain dot-product map kernel.
 */
import type { ConcreteValue, Params, Primitive } from "@webkeras/core";
import type { Tex } from "../gpgpu";
import { HEADER, broadcastIndex, floatLit, fragTexel, layoutFor, outputDecl, sizeOf, unroll4 } from "../glsl";
import { typeOf, type Kernel, type KernelContext, type TexInput } from "./kernel";

/** Multiply-adds below which the plain kernel runs. */
const SMALL = 1 << 12;

interface Dims {
  M: number;
  N: number;
  K: number;
  /** Output batch shape and count. */
  batch: number[];
  nb: number;
  /** Batch counts of A and B (before broadcasting). */
  nbA: number;
  nbB: number;
  batchA: number[];
  batchB: number[];
}

function dims(a: TexInput, b: TexInput, p: Params<Primitive.Matmul>, out: ConcreteValue): Dims {
  const r = out.shape.length;
  const M = out.shape[r - 2]!;
  const N = out.shape[r - 1]!;
  const ra = a.shape.length;
  const K = p.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const batch = out.shape.slice(0, -2);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  return { M, N, K, batch, nb: sizeOf(batch), nbA: sizeOf(batchA), nbB: sizeOf(batchB), batchA, batchB };
}

export const matmulKernel: Kernel<Primitive.Matmul> = (ctx, [a, b], p, [out]) => {
  const d = dims(a!, b!, p, out!);
  if (sizeOf(out!.shape) === 0) return [ctx.map([], out!, "")];
  if (d.K === 0) return [ctx.map([], out!, out!.dtype === "float32" ? "v = 0.0;" : "v = 0;")];
  // Tiny products run as one plain pass. (Measured: even at 2^17 multiply-adds, as in an MLP's
  // output layer, the blocked kernel with its packing and assembly passes is faster.)
  if (out!.dtype === "float32" && d.nb * d.M * d.N * d.K > SMALL) {
    const fast = blockedMatmul(ctx, a!, b!, p, out!, d);
    if (fast) return [fast];
  }
  return [naiveMatmul(ctx, a!, b!, p, out!, d)];
};

/** One dot product per output element, any layout; exact int32 (wrapping) for int and bool. */
function naiveMatmul(ctx: KernelContext, a: TexInput, b: TexInput, p: Params<Primitive.Matmul>, out: ConcreteValue, d: Dims): Tex {
  const { M, N, K } = d;
  const T = out.dtype === "float32" ? "float" : "int";
  const aIdx = p.transposeA ? `ab * ${M * K} + k * ${M} + i` : `ab * ${M * K} + i * ${K} + k`;
  const bIdx = p.transposeB ? `bb * ${K * N} + j * ${K} + k` : `bb * ${K * N} + k * ${N} + j`;
  const body = `int bt = e / ${M * N}; int rem = e - bt * ${M * N}; int i = rem / ${N}; int j = rem - i * ${N};
    int ab = ${broadcastIndex(d.batch, d.batchA, "bt")}; int bb = ${broadcastIndex(d.batch, d.batchB, "bt")};
    ${T} acc = ${T === "float" ? "0.0" : "0"};
    for (int k0 = 0; k0 < ${K}; k0 += 256) {
      ${T} part = ${T === "float" ? "0.0" : "0"};
      for (int k = k0; k < min(k0 + 256, ${K}); k++) part += x0_e(${aIdx}) * x1_e(${bIdx});
      acc += part;
    }
    v = ${out.dtype === "bool" ? "acc != 0 ? 1 : 0" : "acc"};`;
  return ctx.map([a, b], out, body);
}

/**
 * `x` as a (nbX, rows, cols4 * 4) operand in the standard layout, zero-padded, transposing the
 * last two dims when `transpose`: returned as is when it already is one (no copy).
 */
function packed(ctx: KernelContext, x: TexInput, nbX: number, rows: number, cols: number, transpose: boolean, padRows: number): { t: TexInput; temp: boolean } {
  const colsP = Math.ceil(cols / 4) * 4;
  const shape = [nbX, padRows, colsP];
  const want = layoutFor(shape, ctx.maxTex);
  if (!transpose && colsP === cols && padRows === rows && x.tex.W === want.W && x.tex.H === want.H) return { t: { ...x, shape }, temp: false };
  const plain = !transpose && colsP === cols && padRows === rows;
  const key = `${nbX}x${rows}x${cols}${transpose ? "T" : ""}p${padRows}`;
  const hit = x.owner?.derived.get(key);
  if (hit) return { t: { tex: hit, shape, dtype: "float32" }, temp: false };
  const src = transpose ? `bx * ${rows * cols} + c * ${rows} + r` : `bx * ${rows * cols} + r * ${cols} + c`;
  const body = `int bx = e / ${padRows * colsP}; int rem = e - bx * ${padRows * colsP}; int r = rem / ${colsP}; int c = rem - r * ${colsP};
    v = (r < ${rows} && c < ${cols}) ? x0_e(${src}) : 0.0;`;
  const spec = { shape, dtype: "float32" as const };
  const tex = ctx.map([x], spec, body);
  // Keep the copy with the buffer: as its texture when only the layout changed (the values are
  // the same), else as a derived copy, so a buffer used again (weights, a fixed batch) is packed once.
  if (x.owner && plain) x.owner.relayout(tex);
  else if (x.owner) x.owner.derived.set(key, tex);
  return { t: { tex, ...spec }, temp: !x.owner };
}

/** Texture coordinate helpers for a packed operand with m matrix rows per texture row. */
function rowCoord(tex: Tex, rowExpr: string, rowTexels: number): { u: string; v: string } {
  const m = tex.W / rowTexels;
  if (m === 1) return { u: `0.5 * ${floatLit(1 / tex.W)}`, v: `(float(${rowExpr}) + 0.5) * ${floatLit(1 / tex.H)}` };
  return {
    u: `(float((${rowExpr}) % ${m} * ${rowTexels}) + 0.5) * ${floatLit(1 / tex.W)}`,
    v: `(float((${rowExpr}) / ${m}) + 0.5) * ${floatLit(1 / tex.H)}`,
  };
}

function blockedMatmul(ctx: KernelContext, a: TexInput, b: TexInput, p: Params<Primitive.Matmul>, out: ConcreteValue, d: Dims): Tex | null {
  const { M, N, K, nb } = d;
  const K4 = Math.ceil(K / 4);
  const N4 = Math.ceil(N / 4);
  const maxOut = ctx.gpgpu.maxDrawBuffers;
  const R = M >= 4 ? 4 : M >= 2 ? 2 : 1;
  const C = N4 >= 2 && R * 2 <= maxOut ? 2 : 1;
  const max = ctx.maxTex;
  // Two ways to assemble the R*C block textures into the output:
  // - strided: the fragment at (x, y) computes rows y + r * MR (of all nb * M rows stacked) and
  //   column texels x + c * NC, so each block is one rectangle of the output's texture and is
  //   copied there with blitFramebuffer (no shader pass). Needs rows of whole texels (N % 4 == 0,
  //   one matrix row per texture row) and one B for all batches (rows of different batches share
  //   B reads).
  // - adjacent: the fragment computes rows (y % MB) * R + r of batch y / MB and column texels
  //   x * C + c; a merge pass interleaves the blocks into the output.
  const outLayout = layoutFor(out.shape, max);
  const strided = N % 4 === 0 && outLayout.W === N4 && outLayout.H === nb * M && (d.nbB === 1 || nb === 1);
  const rows = nb * M;
  const MR = Math.ceil(rows / R);
  const NC = Math.ceil(N4 / C);
  const MB = Math.ceil(M / R);
  const BW = strided ? NC : Math.ceil(N4 / C);
  const BH = strided ? MR : nb * MB;
  // Operand layouts must keep rows whole: (rows x K4) texels for A, (K4*4 x N4) for B.
  if (BW > max || BH > max || K4 > max || N4 > max) return null;
  if (layoutFor([d.nbA * M, K4 * 4], max).W % K4 !== 0 || layoutFor([d.nbB * K4 * 4, N4 * 4], max).W % N4 !== 0) return null;

  const A = packed(ctx, a, d.nbA, M, K, p.transposeA, M);
  const B = packed(ctx, b, d.nbB, K, N, p.transposeB, K4 * 4);
  const ta = A.t.tex;
  const tb = B.t.tex;
  const blocks = Array.from({ length: R * C }, () => ctx.gpgpu.acquire(BW, BH, "f"));

  // The kernel text depends only on the geometry below: cached, as a training loop runs the
  // same matmuls every step.
  const key = `${M},${N},${K},${d.batch},${d.batchA},${d.batchB},${ta.W}x${ta.H},${tb.W}x${tb.H},${BW}x${BH},${R}x${C},${strided}`;
  let src = BLOCKED.get(key);
  if (src === undefined) {
    src = blockedSource(d, ta, tb, R, C, strided, BW, BH, MR, NC, MB);
    if (BLOCKED.size >= 1024) BLOCKED.clear();
    BLOCKED.set(key, src);
  }
  // Work: R*C vec4 multiply-adds per step of k, per fragment.
  ctx.run(src, [ta, tb], blocks, undefined, undefined, BW * BH * K4 * R * C);
  if (A.temp) ctx.free(ta);
  if (B.temp) ctx.free(tb);

  if (strided) {
    const res = ctx.alloc(out.shape, "float32");
    for (let r = 0; r < R; r++)
      for (let c = 0; c < C; c++) {
        const w = Math.min(NC, N4 - c * NC);
        const h = Math.min(MR, rows - r * MR);
        if (w > 0 && h > 0) ctx.gpgpu.blit(blocks[r * C + c]!, res, w, h, c * NC, r * MR);
      }
    for (const t of blocks) ctx.gpgpu.release(t);
    return res;
  }

  // Merge: output element (bt, i, j) is component j % 4 of texel (j4 / C, bt * MB + i / R) of
  // block (i % R) * C + j4 % C, where j4 = j / 4.
  const res = ctx.alloc(out.shape, "float32");
  const sel = blocks.map((_, s) => `if (s == ${s}) return texture(x${s}, uv);`).join(" ");
  const decl = blocks.map((_, s) => `uniform sampler2D x${s};`).join("\n");
  const coords = (e: string) => `int bt = ${e} / ${M * N}; int rem = ${e} - bt * ${M * N}; int i = rem / ${N}; int j = rem - i * ${N}; int j4 = j >> 2;
    int s = (i % ${R}) * ${C} + j4 % ${C};
    vec2 uv = vec2((float(j4 / ${C}) + 0.5) * ${floatLit(1 / BW)}, (float(bt * ${MB} + i / ${R}) + 0.5) * ${floatLit(1 / BH)});`;
  const main =
    N % 4 === 0
      ? `int e0 = 4 * t; ${coords("e0")} o = blk(s, uv);`
      : `vec4 r4 = vec4(0.0);
  ${unroll4("c", `int e = 4 * t + c; if (e < ${sizeOf(out.shape)}) { ${coords("e")} r4[c] = blk(s, uv)[j & 3]; }`)}
  o = r4;`;
  const msrc = `${HEADER}${outputDecl("f")}
${decl}
vec4 blk(int s, vec2 uv) { ${sel} return vec4(0.0); }
void main() {
  int t = ${fragTexel(res.W)};
  ${main}
}`;
  ctx.run(msrc, blocks, [res]);
  for (const t of blocks) ctx.gpgpu.release(t);
  return res;
}

/** Kernel text of the blocked matmul (see `blockedMatmul`). */
function blockedSource(d: Dims, ta: Tex, tb: Tex, R: number, C: number, strided: boolean, BW: number, BH: number, MR: number, NC: number, MB: number): string {
  const { M, K } = d;
  const N4 = Math.ceil(d.N / 4);
  const K4 = Math.ceil(K / 4);
  const rows = d.nb * M;
  const lines: string[] = [];
  lines.push(`ivec2 fc = ivec2(gl_FragCoord.xy);`);
  if (strided) {
    lines.push(`int bb = 0;`);
    for (let r = 0; r < R; r++) {
      // Stacked row -> (batch, row) -> row of A.
      lines.push(`int rw${r} = min(fc.y + ${r * MR}, ${rows - 1}); int bt${r} = rw${r} / ${M}; int ab${r} = ${broadcastIndex(d.batch, d.batchA, `bt${r}`)};`);
      const { u, v } = rowCoord(ta, `ab${r} * ${M} + rw${r} - bt${r} * ${M}`, K4);
      lines.push(`float ua${r} = ${u}; float va${r} = ${v};`);
    }
  } else {
    lines.push(`int bt = fc.y / ${MB}; int i0 = (fc.y - bt * ${MB}) * ${R};`);
    lines.push(`int ab = ${broadcastIndex(d.batch, d.batchA, "bt")}; int bb = ${broadcastIndex(d.batch, d.batchB, "bt")};`);
    for (let r = 0; r < R; r++) {
      const { u, v } = rowCoord(ta, `ab * ${M} + min(i0 + ${r}, ${M - 1})`, K4);
      lines.push(`float ua${r} = ${u}; float va${r} = ${v};`);
    }
  }
  const colTexel = (c: number) => (strided ? `min(fc.x + ${c * NC}, ${N4 - 1})` : `min(fc.x * ${C} + ${c}, ${N4 - 1})`);
  const invWA = floatLit(1 / ta.W);
  const invHB = floatLit(1 / tb.H);
  const invWB = floatLit(1 / tb.W);
  // B rows: mB matrix rows per texture row (mB > 1 only when B has more rows than a texture).
  const mB = tb.W / N4;
  if (mB === 1) {
    for (let c = 0; c < C; c++) lines.push(`float ub${c} = (float(${colTexel(c)}) + 0.5) * ${invWB};`);
    lines.push(`float vb = (float(bb * ${K4 * 4}) + 0.5) * ${invHB};`);
  } else {
    for (let c = 0; c < C; c++) lines.push(`int jb${c} = ${colTexel(c)};`);
  }
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) lines.push(`vec4 acc${r}_${c} = vec4(0.0);`);
  const loop: string[] = [];
  loop.push(`float kf = float(k);`);
  for (let q = 0; q < 4; q++) {
    if (mB === 1) {
      loop.push(`float vq${q} = vb + (4.0 * kf + ${q}.0) * ${invHB};`);
      for (let c = 0; c < C; c++) loop.push(`vec4 b${q}_${c} = texture(x1, vec2(ub${c}, vq${q}));`);
    } else {
      loop.push(`int rb${q} = bb * ${K4 * 4} + 4 * k + ${q}; float vq${q} = (float(rb${q} / ${mB}) + 0.5) * ${invHB}; int xq${q} = (rb${q} % ${mB}) * ${N4};`);
      for (let c = 0; c < C; c++) loop.push(`vec4 b${q}_${c} = texture(x1, vec2((float(xq${q} + jb${c}) + 0.5) * ${invWB}, vq${q}));`);
    }
  }
  // Long sums accumulate in blocks of KB steps added into the totals: float32 rounding error
  // then grows with K / KB + KB instead of K (a 16384-term conv filter gradient needs it).
  const KB = 64;
  const blocked = K4 > 2 * KB;
  const accName = blocked ? "p" : "acc";
  for (let r = 0; r < R; r++) {
    loop.push(`vec4 a${r} = texture(x0, vec2(ua${r} + kf * ${invWA}, va${r}));`);
    for (let c = 0; c < C; c++)
      loop.push(`${accName}${r}_${c} += a${r}.x * b0_${c} + a${r}.y * b1_${c} + a${r}.z * b2_${c} + a${r}.w * b3_${c};`);
  }
  const accs = (name: string, prefix: string, suffix: string): string => {
    const out: string[] = [];
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out.push(`${prefix}${name}${r}_${c}${suffix};`);
    return out.join(" ");
  };
  const outs: string[] = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) outs.push(`o${r * C + c} = acc${r}_${c};`);
  return `${HEADER}${outputDecl("f", R * C, true)}
uniform sampler2D x0;
uniform sampler2D x1;
void main() {
  ${lines.join("\n  ")}
  ${
    blocked
      ? `for (int kb = 0; kb < ${K4}; kb += ${KB}) {
    ${accs("p", "vec4 ", " = vec4(0.0);")}
    for (int k = kb; k < min(kb + ${KB}, ${K4}); k++) {
    ${loop.join("\n    ")}
    }
    ${accs("acc", "", "").replace(/acc(\d+)_(\d+);/g, "acc$1_$2 += p$1_$2;")}
  }`
      : `for (int k = 0; k < ${K4}; k++) {
    ${loop.join("\n    ")}
  }`
  }
  ${outs.join("\n  ")}
}`;
}

const BLOCKED = new Map<string, string>();

/** Exposed for convolution: `typeOf` re-export keeps kernels importing one module. */
export { typeOf };
