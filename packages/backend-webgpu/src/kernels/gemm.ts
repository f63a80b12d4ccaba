/**
 * One register-blocked GEMM template for matmul and the three convolutions (implicit GEMM).
 *
 * Each thread computes a TM x TN block of C in registers (vec4 accumulators), streaming A and B
 * from storage; a workgroup is 8 x 8 threads and z indexes the batch (matmul batch, conv group).
 * What differs between matmul and the convolutions is only how an element of A or B is found,
 * so the template takes five small WGSL functions:
 *   aRow(b, m) -> vec4<i32>   per-row context, computed once per thread and row
 *   kCtx(k)    -> vec4<i32>   per-k context, computed once per k and shared by the rows
 *   loadA(r, kc) -> T         one element of A (0 where a convolution tap falls in padding)
 *   bBase(b) -> u32, loadB(bb, k, n) -> T
 *   store(b, m, n, v)
 * Shapes are baked into the source as constants (a pipeline per shape, cached by source): on the
 * CPU-emulated adapter this lets the compiler fold the index arithmetic, which was several times
 * faster than reading sizes from a uniform block. No workgroup memory: on SwiftShader a barrier
 * costs more than the cache misses it saves (measured), and register blocking gives the reuse.
 *
 * Convolutions as implicit GEMM, per group g (channels-last, 3 spatial dims, leading 1s):
 *   forward:          C[(n,o_pos), o]  = sum_{(tap,c)} x[n, o_pos*s - p + tap*d, c] * k[tap, c, o]
 *   backprop input:   C[(n,i_pos), c]  = sum_{(tap,o)} dy[n, (i_pos + p - tap*d)/s, o] * k[tap, c, o]
 *   backprop filter:  C[(tap,c), o]    = sum_{(n,o_pos)} x[n, o_pos*s - p + tap*d, c] * dy[n, o_pos, o]
 * (backprop input skips taps where the division is not exact or lands outside dy).
 */
import { Primitive, type ConvParams } from "@webkeras/core";
import type { GpuData, GpuKernel, KernelContext } from "../kernel";
import { loadAs, storageType } from "../wgsl";
import { columnReduce, reduceKernel } from "./reduce";
import { broadcastStrides, sizeOf } from "./util";

const webgpuSum = reduceKernel(Primitive.Sum);

interface GemmSpec {
  M: number;
  N: number;
  K: number;
  batch: number;
  /** Compute type. */
  T: "f32" | "i32";
  /** Bindings and the five functions (see the file header). */
  decls: string;
  inputs: GpuData[];
  outputs: GpuData[];
  /** Elements of the output (the stride between split-K partial outputs). */
  outSize: number;
  /** False when the GEMM writes only part of its output (split-K would copy over the rest). */
  splitK?: boolean;
}

const WX = 8;
const WY = 8;
const MAX_GRID = 65535;
/** Chunk of the reduction summed on its own before joining the total (see gemmSource). */
const KC = 128;

function u(n: number): string {
  return `${n >>> 0}u`;
}

function gemmSource(s: GemmSpec, TM: number, TN: number, row0: number, splits: number, outSize: number, wx: number, wy: number): string {
  const { T } = s;
  const V = `vec4<${T}>`;
  const NV = TN / 4;
  const zero = T === "f32" ? "0.0" : "0";
  const lines: string[] = [];
  for (let i = 0; i < TM; i++) lines.push(`let r${i} = aRow(b, min(m0 + ${i}u, M - 1u));`);
  for (let j = 0; j < TN; j++) lines.push(`let nc${j} = min(n0 + ${j}u, N - 1u);`);
  for (let i = 0; i < TM; i++) for (let v = 0; v < NV; v++) lines.push(`var acc${i}_${v} = ${V}(${zero});`);
  const step: string[] = [];
  step.push(`let kc = kCtx(k);`);
  for (let v = 0; v < NV; v++) {
    const cols = [0, 1, 2, 3].map((t) => `loadB(bb, k, nc${v * 4 + t})`).join(", ");
    step.push(`let b${v} = ${V}(${cols});`);
  }
  for (let i = 0; i < TM; i++) {
    step.push(`let a${i} = ${V}(loadA(r${i}, kc));`);
    for (let v = 0; v < NV; v++)
      step.push(T === "f32" ? `acc${i}_${v} = fma(a${i}, b${v}, acc${i}_${v});` : `acc${i}_${v} = acc${i}_${v} + a${i} * b${v};`);
  }
  const stores: string[] = [];
  for (let i = 0; i < TM; i++)
    for (let j = 0; j < TN; j++)
      stores.push(`if (m0 + ${i}u < M && n0 + ${j}u < N) { store(base, b, m0 + ${i}u, n0 + ${j}u, acc${i}_${j >> 2}[${j & 3}]); }`);
  // Long reductions sum in chunks of KC and add the chunk sums: float32 error then grows with
  // KC + K / KC instead of K (a 128x128 image's filter gradient sums 16384 products).
  let loop = `for (var k = kBegin; k < kEnd; k++) {
    ${step.join("\n    ")}
  }`;
  if (s.K / splits > 2 * KC) {
    const accs: string[] = [];
    for (let i = 0; i < TM; i++) for (let v = 0; v < NV; v++) accs.push(`acc${i}_${v}`);
    loop = `${accs.map((a) => `var tot_${a} = ${V}(${zero});`).join(" ")}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${KC}u) {
    ${accs.map((a) => `${a} = ${V}(${zero});`).join(" ")}
    for (var k = k0; k < min(k0 + ${KC}u, kEnd); k++) {
      ${step.join("\n      ")}
    }
    ${accs.map((a) => `tot_${a} += ${a};`).join(" ")}
  }
  ${accs.map((a) => `${a} = tot_${a};`).join(" ")}`;
  }
  return `const M = ${u(s.M)}; const N = ${u(s.N)}; const K = ${u(s.K)};
${s.decls}
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  // z = split * batch + b; a split sums its slice of k into its own copy of the output.
  let b = gid.z % ${u(s.batch)};
  let split = gid.z / ${u(s.batch)};
  let KS = ${u(Math.ceil(s.K / splits))};
  let kBegin = split * KS;
  let kEnd = min(K, kBegin + KS);
  let base = split * ${u(outSize)};
  let m0 = ${u(row0)} + gid.y * ${TM}u;
  let n0 = gid.x * ${TN}u;
  if (m0 >= M || n0 >= N) { return; }
  let bb = bBase(b);
  ${lines.join("\n  ")}
  ${loop}
  ${stores.join("\n  ")}
}`;
}

/**
 * Records the GEMM, split into row chunks when the grid would exceed the y limit. Few outputs
 * with a long reduction (a filter gradient: K = batch x output pixels) would leave most of the
 * device idle, so K is then split over up to 64 workgroups that write partial outputs, summed
 * afterwards by a reduction.
 */
function runGemm(ctx: KernelContext, s: GemmSpec): void {
  if (s.M === 0 || s.N === 0 || s.batch === 0) return;
  // 4x4 per thread. 8x4 was faster on plain matmul but SwiftShader's compiler blew up (minutes,
  // gigabytes) on the 8-row convolution variants.
  const TM = 4;
  const TN = 4;
  // 64 threads a workgroup, as few across n as cover N: a narrow output (a convolution with 8
  // channels) would otherwise leave most threads of every workgroup idle.
  const wx = Math.min(WX, 2 ** Math.ceil(Math.log2(Math.ceil(s.N / TN))));
  const wy = (WX * WY) / wx;
  const gx = Math.ceil(s.N / TN / wx);
  const outSize = s.outSize;
  const threads = Math.ceil(s.M / TM) * Math.ceil(s.N / TN) * s.batch;
  const splits = s.T === "f32" && s.splitK !== false && threads < 1024 && s.K >= 2048 ? Math.min(64, Math.floor(s.K / 512), Math.floor(MAX_GRID / s.batch)) : 1;
  const target = splits > 1 ? ctx.alloc({ shape: [splits, outSize], dtype: "float32" }) : s.outputs[0]!;
  const rowsPerChunk = MAX_GRID * wy * TM;
  for (let row0 = 0; row0 < s.M; row0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, s.M - row0);
    ctx.run({
      source: gemmSource(s, TM, TN, row0, splits, outSize, wx, wy),
      inputs: s.inputs,
      outputs: [target],
      grid: [gx, Math.ceil(rows / TM / wy), s.batch * splits],
    });
  }
  if (splits > 1) {
    const partials = { data: target, shape: [splits, outSize], dtype: "float32" as const };
    const sum = webgpuSum(ctx, [partials], { axes: [0] }, [{ shape: [outSize], dtype: "float32" }])[0]!;
    ctx.copy(sum, 0, s.outputs[0]!, 0, outSize);
    ctx.release(sum);
    ctx.release(target);
  }
}

/** WGSL computing the offset of batch `b` for per-dim strides over `shape` (baked). */
function batchOffset(name: string, shape: number[], strides: number[]): string {
  let body = "var off = 0u; var rem = b;";
  for (let d = shape.length - 1; d >= 0; d--) {
    body += ` off += (rem % ${u(shape[d]!)}) * ${u(strides[d]!)}; rem = rem / ${u(shape[d]!)};`;
  }
  return `fn ${name}(b: u32) -> u32 { ${body} return off; }`;
}

/**
 * Float32 matmul with vec4 loads, for the three layouts where both operands can be read four
 * floats at a time (a vec4 load is far cheaper than four scalar loads on SwiftShader, about 2x
 * overall; measured). Thread block: TM rows x 4 columns.
 * - NN: A rows along k, B rows along n (K % 4 == 0, N % 4 == 0): per 4 k, TM loads of A and 4 of B.
 * - NT: A rows along k, B^T rows along k (K % 4 == 0): dot products of vec4s.
 * - TN: A^T rows along m, B rows along n (M % 4 == 0, N % 4 == 0): outer products per k.
 * Returns null when the shapes fit none of them.
 */
function vec4MatmulSource(
  layout: "NN" | "NT" | "TN",
  M: number,
  N: number,
  K: number,
  TM: number,
  aBatch: string,
  bBatch: string,
): string {
  const comp = ["x", "y", "z", "w"];
  const L: string[] = [];
  const accs = Array.from({ length: TM }, (_, i) => `acc${i}`);
  for (const a of accs) L.push(`var ${a} = vec4<f32>(0.0);`);
  let loop: string;
  if (layout === "NN") {
    for (let i = 0; i < TM; i++) L.push(`let ar${i} = (aBatch(b) + min(m0 + ${i}u, M - 1u) * K) / 4u;`);
    L.push("let bc = bBatch(b) / 4u + n4;");
    const body: string[] = [];
    for (let t = 0; t < 4; t++) body.push(`let b${t} = B[bc + (k4 * 4u + ${t}u) * N4];`);
    for (let i = 0; i < TM; i++) {
      body.push(`let a${i} = A[ar${i} + k4];`);
      for (let t = 0; t < 4; t++) body.push(`acc${i} = fma(vec4<f32>(a${i}.${comp[t]}), b${t}, acc${i});`);
    }
    loop = `for (var k4 = 0u; k4 < K4; k4++) {\n    ${body.join("\n    ")}\n  }`;
  } else if (layout === "NT") {
    for (let i = 0; i < TM; i++) L.push(`let ar${i} = (aBatch(b) + min(m0 + ${i}u, M - 1u) * K) / 4u;`);
    for (let j = 0; j < 4; j++) L.push(`let br${j} = (bBatch(b) + min(n4 * 4u + ${j}u, N - 1u) * K) / 4u;`);
    const body: string[] = [];
    for (let j = 0; j < 4; j++) body.push(`let b${j} = B[br${j} + k4];`);
    for (let i = 0; i < TM; i++) {
      body.push(`let a${i} = A[ar${i} + k4];`);
      body.push(`acc${i} += vec4<f32>(dot(a${i}, b0), dot(a${i}, b1), dot(a${i}, b2), dot(a${i}, b3));`);
    }
    loop = `for (var k4 = 0u; k4 < K4; k4++) {\n    ${body.join("\n    ")}\n  }`;
  } else {
    L.push("let ac = aBatch(b) / 4u + m0 / 4u;");
    L.push("let bc = bBatch(b) / 4u + n4;");
    const body: string[] = ["let b0 = B[bc + k * N4];"];
    for (let q = 0; q < TM / 4; q++) {
      body.push(`let a${q} = A[ac + k * M4 + ${q}u];`);
      for (let t = 0; t < 4; t++) body.push(`acc${q * 4 + t} = fma(vec4<f32>(a${q}.${comp[t]}), b0, acc${q * 4 + t});`);
    }
    loop = `for (var k = 0u; k < K; k++) {\n    ${body.join("\n    ")}\n  }`;
  }
  const stores: string[] = [];
  const vecOut = N % 4 === 0;
  for (let i = 0; i < TM; i++) {
    if (vecOut) stores.push(`if (m0 + ${i}u < M) { C4[((b * M + m0 + ${i}u) * N) / 4u + n4] = acc${i}; }`);
    else
      for (let j = 0; j < 4; j++)
        stores.push(`if (m0 + ${i}u < M && n4 * 4u + ${j}u < N) { C[(b * M + m0 + ${i}u) * N + n4 * 4u + ${j}u] = acc${i}.${comp[j]}; }`);
  }
  return `const M = ${u(M)}; const N = ${u(N)}; const K = ${u(K)};
const M4 = ${u(M >> 2)}; const N4 = ${u(Math.ceil(N / 4))}; const K4 = ${u(K >> 2)};
@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> ${vecOut ? "C4: array<vec4<f32>>" : "C: array<f32>"};
${aBatch}
${bBatch}
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.z;
  let m0 = gid.y * ${TM}u;
  let n4 = gid.x;
  if (m0 >= M || n4 >= N4) { return; }
  ${L.join("\n  ")}
  ${loop}
  ${stores.join("\n  ")}
}`;
}

export const matmulKernel: GpuKernel<Primitive.Matmul> = (ctx, inputs, params, outputs) => {
  const [x, y] = inputs as [(typeof inputs)[0] & object, (typeof inputs)[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const ra = x.shape.length;
  const rb = y.shape.length;
  const r = out.shape.length;
  const M = out.shape[r - 2]!;
  const N = out.shape[r - 1]!;
  const K = params.transposeA ? x.shape[ra - 2]! : x.shape[ra - 1]!;
  const batchShape = out.shape.slice(0, -2);
  const batch = sizeOf(batchShape);
  if (M * N * batch === 0) return [o];
  if (K === 0) {
    ctx.fill(o, 0);
    return [o];
  }
  const aRS = params.transposeA ? 1 : x.shape[ra - 1]!;
  const aCS = params.transposeA ? x.shape[ra - 1]! : 1;
  const bRS = params.transposeB ? 1 : y.shape[rb - 1]!;
  const bCS = params.transposeB ? y.shape[rb - 1]! : 1;
  const aMat = x.shape[ra - 1]! * x.shape[ra - 2]!;
  const bMat = y.shape[rb - 1]! * y.shape[rb - 2]!;
  const aBS = broadcastStrides(x.shape.slice(0, -2), batchShape).map((s) => s * aMat);
  const bBS = broadcastStrides(y.shape.slice(0, -2), batchShape).map((s) => s * bMat);
  if (x.dtype === "float32" && batch <= MAX_GRID) {
    const layout = !params.transposeA && !params.transposeB && K % 4 === 0 && N % 4 === 0
      ? "NN"
      : !params.transposeA && params.transposeB && K % 4 === 0
        ? "NT"
        : params.transposeA && !params.transposeB && M % 4 === 0 && N % 4 === 0
          ? "TN"
          : null;
    // Very long reductions keep the chunked scalar path (see gemmSource) for accuracy.
    if (layout && K <= 4096 && Math.ceil(M / 8 / WY) <= MAX_GRID) {
      const TM = layout === "NN" && M >= 64 ? 8 : 4;
      ctx.run({
        source: vec4MatmulSource(layout, M, N, K, TM, batchOffset("aBatch", batchShape, aBS), batchOffset("bBatch", batchShape, bBS)),
        inputs: [x.data, y.data],
        outputs: [o],
        grid: [Math.ceil(N / 4 / WX), Math.ceil(M / TM / WY), batch],
      });
      return [o];
    }
  }
  const T = x.dtype === "float32" ? "f32" : "i32";
  const store =
    out.dtype === "bool" ? "u32(v != 0)" : "v";
  const decls = `@group(0) @binding(0) var<storage, read> A: array<${storageType(x.dtype)}>;
@group(0) @binding(1) var<storage, read> B: array<${storageType(y.dtype)}>;
@group(0) @binding(2) var<storage, read_write> C: array<${storageType(out.dtype)}>;
${batchOffset("aBatch", batchShape, aBS)}
${batchOffset("bBatch", batchShape, bBS)}
fn aRow(b: u32, m: u32) -> vec4<i32> { return vec4<i32>(i32(aBatch(b) + m * ${u(aRS)}), 0, 0, 0); }
fn kCtx(k: u32) -> vec4<i32> { return vec4<i32>(i32(k * ${u(aCS)}), 0, 0, 0); }
fn loadA(r: vec4<i32>, kc: vec4<i32>) -> ${T} { return ${loadAs("A[u32(r.x + kc.x)]", x.dtype)}; }
fn bBase(b: u32) -> u32 { return bBatch(b); }
fn loadB(bb: u32, k: u32, n: u32) -> ${T} { return ${loadAs(`B[bb + k * ${u(bRS)} + n * ${u(bCS)}]`, y.dtype)}; }
fn store(base: u32, b: u32, m: u32, n: u32, v: ${T}) { C[base + (b * M + m) * N + n] = ${store}; }`;
  runGemm(ctx, { M, N, K, batch, T, decls, inputs: [x.data, y.data], outputs: [o], outSize: sizeOf(out.shape) });
  return [o];
};

/** Convolution geometry normalized to 3 spatial dims. */
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

function to3(v: number[], fill: number): number[] {
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}

function geom(xShape: number[], window: number[], outSpatial: number[], p: Omit<ConvParams, "groups">): Geom {
  const nsp = xShape.length - 2;
  if (nsp > 3) throw new Error(`webgpu conv: 1 to 3 spatial dims are supported. Received: ${nsp} spatial dims`);
  return {
    N: xShape[0]!,
    C: xShape[nsp + 1]!,
    inS: to3(xShape.slice(1, nsp + 1), 1),
    kS: to3(window, 1),
    outS: to3(outSpatial, 1),
    st: to3(p.strides, 1),
    dil: to3(p.dilation, 1),
    pad: to3(
      p.padding.map((q) => q[0]),
      0,
    ),
  };
}

/** `const` declarations of a geometry for the generated source. */
function geomConsts(g: Geom, G: number, O: number): string {
  const [D, H, W] = g.inS;
  const [KD, KH, KW] = g.kS;
  const [OD, OH, OW] = g.outS;
  const i = (n: number) => `${n | 0}`;
  return `const D = ${i(D!)}; const H = ${i(H!)}; const W = ${i(W!)}; const CC = ${i(g.C)};
const KD = ${i(KD!)}; const KH = ${i(KH!)}; const KW = ${i(KW!)};
const OD = ${i(OD!)}; const OH = ${i(OH!)}; const OW = ${i(OW!)}; const OO = ${i(O)};
const SD = ${i(g.st[0]!)}; const SH = ${i(g.st[1]!)}; const SW = ${i(g.st[2]!)};
const DD = ${i(g.dil[0]!)}; const DH = ${i(g.dil[1]!)}; const DW = ${i(g.dil[2]!)};
const PD = ${i(g.pad[0]!)}; const PH = ${i(g.pad[1]!)}; const PW = ${i(g.pad[2]!)};
const CG = ${i(g.C / G)}; const OG = ${i(O / G)};`;
}

const inBounds = "id >= 0 && id < D && ih >= 0 && ih < H && iw >= 0 && iw < W";

/**
 * Forward convolution with vec4 reads of the kernel and vec4 writes, for output channels per
 * group a multiple of 4 (the NN matmul layout of `vec4MatmulSource` over the implicit im2col
 * matrix). A thread computes 4 output pixels x 4 output channels. Loops run over the window taps
 * (each pixel's bounds test and offset once per tap, not per k) and then the input channels:
 * read 4 at a time as a vec4 where the channels per group are a multiple of 4, one at a time
 * otherwise (a first layer on 1-channel images). 4 pixels, not 8: SwiftShader's compiler did
 * not finish (minutes) on the 8-pixel variant.
 */
function vec4ConvSource(g: Geom, G: number, O: number, M: number, wx: number, wy: number, TM: number): string {
  const CG = g.C / G;
  const vecC = CG % 4 === 0;
  const rows: string[] = [];
  const taps: string[] = [];
  const dTaps: string[] = [];
  const hTaps: string[] = [];
  const body: string[] = [];
  const comp = ["x", "y", "z", "w"];
  for (let i = 0; i < TM; i++) {
    rows.push(`let mi${i} = min(m0 + ${i}, MM - 1);
  let ow${i} = mi${i} % OW; var t${i} = mi${i} / OW; let oh${i} = t${i} % OH; t${i} = t${i} / OH; let od${i} = t${i} % OD;
  let xb${i} = (t${i} / OD) * D * H * W * CC + g * CG;
  let d0${i} = od${i} * SD - PD; let h0${i} = oh${i} * SH - PH; let w0${i} = ow${i} * SW - PW;
  var acc${i} = vec4<f32>(0.0);`);
    // Bounds tests and offsets at the loop level where their coordinate changes.
    dTaps.push(`let id${i} = d0${i} + kd * DD; let okd${i} = id${i} >= 0 && id${i} < D;`);
    hTaps.push(`let ih${i} = h0${i} + kh * DH; let okh${i} = okd${i} && ih${i} >= 0 && ih${i} < H; let ro${i} = xb${i} + (id${i} * H + ih${i}) * W * CC;`);
    taps.push(`let iw${i} = w0${i} + kw * DW; let ok${i} = okh${i} && iw${i} >= 0 && iw${i} < W;
        let xo${i} = select(0, ro${i} + iw${i} * CC, ok${i});`);
  }
  if (vecC) {
    body.push("let kr = ((tap * CG + c4 * 4) * OO + g * OG) / 4 + n4;");
    for (let t = 0; t < 4; t++) body.push(`let b${t} = KR[kr + ${t} * OO4];`);
    for (let i = 0; i < TM; i++) {
      body.push(`let a${i} = select(vec4<f32>(0.0), X[u32(xo${i} / 4 + c4)], ok${i});`);
      for (let t = 0; t < 4; t++) body.push(`acc${i} = fma(vec4<f32>(a${i}.${comp[t]}), b${t}, acc${i});`);
    }
  } else {
    body.push("let b = KR[((tap * CG + c) * OO + g * OG) / 4 + n4];");
    for (let i = 0; i < TM; i++) body.push(`acc${i} = fma(vec4<f32>(select(0.0, X[u32(xo${i} + c)], ok${i})), b, acc${i});`);
  }
  const stores = Array.from({ length: TM }, (_, i) => `if (m0 + ${i} < MM) { Y[u32(((m0 + ${i}) * OO + g * OG) / 4 + n4)] = acc${i}; }`);
  return `${geomConsts(g, G, O)}
const MM = ${M | 0}; const OO4 = ${(O / 4) | 0};
@group(0) @binding(0) var<storage, read> X: array<${vecC ? "vec4<f32>" : "f32"}>;
@group(0) @binding(1) var<storage, read> KR: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> Y: array<vec4<f32>>;
@compute @workgroup_size(${wx}, ${wy})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let g = i32(gid.z);
  let n4 = i32(gid.x);
  let m0 = i32(gid.y) * ${TM};
  if (n4 >= OG / 4 || m0 >= MM) { return; }
  ${rows.join("\n  ")}
  for (var kd = 0; kd < KD; kd++) {
    ${dTaps.join("\n    ")}
    for (var kh = 0; kh < KH; kh++) {
      ${hTaps.join("\n      ")}
      for (var kw = 0; kw < KW; kw++) {
        let tap = (kd * KH + kh) * KW + kw;
        ${taps.join("\n        ")}
        ${vecC ? "for (var c4 = 0; c4 < CG / 4; c4++)" : "for (var c = 0; c < CG; c++)"} {
          ${body.join("\n          ")}
        }
      }
    }
  }
  ${stores.join("\n  ")}
}`;
}

export const convKernel: GpuKernel<Primitive.Conv> = (ctx, inputs, params, outputs) => {
  const [x, k] = inputs as [(typeof inputs)[0] & object, (typeof inputs)[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const nsp = x.shape.length - 2;
  const g = geom(x.shape, k.shape.slice(0, nsp), out.shape.slice(1, nsp + 1), params);
  const G = params.groups;
  const O = out.shape[nsp + 1]!;
  const M = g.N * g.outS[0]! * g.outS[1]! * g.outS[2]!;
  const Kd = g.kS[0]! * g.kS[1]! * g.kS[2]! * (g.C / G);
  if (M * O === 0) return [o];
  if (Kd === 0) {
    ctx.fill(o, 0);
    return [o];
  }
  if ((O / G) % 4 === 0 && Kd <= 4096) {
    const wx = Math.min(WX, 2 ** Math.ceil(Math.log2(O / G / 4)));
    const wy = (WX * WY) / wx;
    const TM = 4;
    if (Math.ceil(M / TM / wy) <= MAX_GRID) {
      ctx.run({
        source: vec4ConvSource(g, G, O, M, wx, wy, TM),
        inputs: [x.data, k.data],
        outputs: [o],
        grid: [Math.ceil(O / G / 4 / wx), Math.ceil(M / TM / wy), G],
      });
      return [o];
    }
  }
  const decls = `${geomConsts(g, G, O)}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> KR: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
fn aRow(b: u32, m: u32) -> vec4<i32> {
  let mi = i32(m);
  let ow = mi % OW; var t = mi / OW; let oh = t % OH; t = t / OH; let od = t % OD; let n = t / OD;
  return vec4<i32>(n * D * H * W * CC + i32(b) * CG, od * SD - PD, oh * SH - PH, ow * SW - PW);
}
fn kCtx(k: u32) -> vec4<i32> {
  let ki = i32(k);
  let c = ki % CG; var t = ki / CG; let kw = t % KW; t = t / KW; let kh = t % KH; let kd = t / KH;
  return vec4<i32>(kd * DD, kh * DH, kw * DW, c);
}
fn loadA(r: vec4<i32>, kc: vec4<i32>) -> f32 {
  let id = r.y + kc.x; let ih = r.z + kc.y; let iw = r.w + kc.z;
  if (!(${inBounds})) { return 0.0; }
  return X[u32(r.x + ((id * H + ih) * W + iw) * CC + kc.w)];
}
fn bBase(b: u32) -> u32 { return b * u32(OG); }
fn loadB(bb: u32, k: u32, n: u32) -> f32 { return KR[k * u32(OO) + bb + n]; }
fn store(base: u32, b: u32, m: u32, n: u32, v: f32) { Y[base + m * u32(OO) + b * u32(OG) + n] = v; }`;
  runGemm(ctx, { M, N: O / G, K: Kd, batch: G, T: "f32", decls, inputs: [x.data, k.data], outputs: [o], outSize: sizeOf(out.shape) });
  return [o];
};

export const convBackpropInputKernel: GpuKernel<Primitive.ConvBackpropInput> = (ctx, inputs, params, outputs) => {
  const [dy, k] = inputs as [(typeof inputs)[0] & object, (typeof inputs)[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const nsp = out.shape.length - 2;
  const g = geom(out.shape, k.shape.slice(0, nsp), dy.shape.slice(1, nsp + 1), params);
  const G = params.groups;
  const O = dy.shape[nsp + 1]!;
  const M = g.N * g.inS[0]! * g.inS[1]! * g.inS[2]!;
  const Kd = g.kS[0]! * g.kS[1]! * g.kS[2]! * (O / G);
  if (M * g.C === 0) return [o];
  if (Kd === 0 || sizeOf(dy.shape) === 0) {
    ctx.fill(o, 0);
    return [o];
  }
  if (g.st.some((v) => v > 1) && g.dil.every((v) => v === 1)) {
    stridedBackpropInput(ctx, g, G, O, dy.data, k.data, o);
    return [o];
  }
  const decls = `${geomConsts(g, G, O)}
@group(0) @binding(0) var<storage, read> DY: array<f32>;
@group(0) @binding(1) var<storage, read> KR: array<f32>;
@group(0) @binding(2) var<storage, read_write> DX: array<f32>;
fn aRow(b: u32, m: u32) -> vec4<i32> {
  let mi = i32(m);
  let iw = mi % W; var t = mi / W; let ih = t % H; t = t / H; let id = t % D; let n = t / D;
  return vec4<i32>(n * OD * OH * OW * OO + i32(b) * OG, id + PD, ih + PH, iw + PW);
}
fn kCtx(k: u32) -> vec4<i32> {
  let ki = i32(k);
  let o = ki % OG; var t = ki / OG; let kw = t % KW; t = t / KW; let kh = t % KH; let kd = t / KH;
  return vec4<i32>(kd * DD, kh * DH, kw * DW, o);
}
fn loadA(r: vec4<i32>, kc: vec4<i32>) -> f32 {
  let td = r.y - kc.x; let th = r.z - kc.y; let tw = r.w - kc.z;
  if (td < 0 || th < 0 || tw < 0) { return 0.0; }
  if (td % SD != 0 || th % SH != 0 || tw % SW != 0) { return 0.0; }
  let od = td / SD; let oh = th / SH; let ow = tw / SW;
  if (od >= OD || oh >= OH || ow >= OW) { return 0.0; }
  return DY[u32(r.x + ((od * OH + oh) * OW + ow) * OO + kc.w)];
}
fn bBase(b: u32) -> u32 { return b * u32(OG); }
fn loadB(bb: u32, k: u32, n: u32) -> f32 {
  let tap = k / u32(OG); let o = k % u32(OG);
  return KR[(tap * u32(CG) + n) * u32(OO) + bb + o];
}
fn store(base: u32, b: u32, m: u32, n: u32, v: f32) { DX[base + m * u32(CC) + b * u32(CG) + n] = v; }`;
  runGemm(ctx, { M, N: g.C / G, K: Kd, batch: G, T: "f32", decls, inputs: [dy.data, k.data], outputs: [o], outSize: sizeOf(out.shape) });
  return [o];
};

/**
 * Input gradient of a strided convolution (no dilation), by stride phase. Input pixels whose
 * coordinates share their residues mod the strides (a phase) receive exactly the taps congruent
 * to (residue + padding) mod the stride, and for those the division by the stride is exact. So
 * each phase is its own implicit GEMM over only its taps: no wasted taps (a 3x3 window at
 * stride 2 reads 4, 2, 2 or 1 taps per pixel instead of testing 9) and no divisibility tests.
 * Per dim, for phase p with first tap k0 = (p + pad) mod s and taps k0 + j s:
 *   input i = q s + p  receives  dy[q + (p + pad - k0) / s - j]  times  kernel[k0 + j s].
 * A phase with no taps at all (stride larger than the window) is zero, written by a fill.
 */
function stridedBackpropInput(ctx: KernelContext, g: Geom, G: number, O: number, dy: GpuData, k: GpuData, o: GpuData): void {
  const phases: number[][] = [[]];
  for (let d = 0; d < 3; d++) phases.splice(0, phases.length, ...phases.flatMap((p) => Array.from({ length: g.st[d]! }, (_, r) => [...p, r])));
  if (phases.some((p) => p.some((r, d) => r >= g.inS[d]! || (r + g.pad[d]!) % g.st[d]! >= g.kS[d]!))) ctx.fill(o, 0);
  const i = (n: number) => `${n | 0}`;
  for (const p of phases) {
    // Per dim: pixels of this phase, first tap, taps, and the dy offset (p + pad - k0) / s.
    const Q = p.map((r, d) => Math.max(0, Math.ceil((g.inS[d]! - r) / g.st[d]!)));
    const k0 = p.map((r, d) => (r + g.pad[d]!) % g.st[d]!);
    const T = k0.map((k, d) => Math.max(0, Math.ceil((g.kS[d]! - k) / g.st[d]!)));
    const c = p.map((r, d) => (r + g.pad[d]! - k0[d]!) / g.st[d]!);
    const M = g.N * Q[0]! * Q[1]! * Q[2]!;
    const Kd = T[0]! * T[1]! * T[2]! * (O / G);
    if (M === 0 || Kd === 0) continue;
    const decls = `${geomConsts(g, G, O)}
const QD = ${i(Q[0]!)}; const QH = ${i(Q[1]!)}; const QW = ${i(Q[2]!)};
const TD = ${i(T[0]!)}; const TH = ${i(T[1]!)}; const TW = ${i(T[2]!)};
@group(0) @binding(0) var<storage, read> DY: array<f32>;
@group(0) @binding(1) var<storage, read> KR: array<f32>;
@group(0) @binding(2) var<storage, read_write> DX: array<f32>;
fn aRow(b: u32, m: u32) -> vec4<i32> {
  let mi = i32(m);
  let qw = mi % QW; var t = mi / QW; let qh = t % QH; t = t / QH; let qd = t % QD; let n = t / QD;
  return vec4<i32>(n * OD * OH * OW * OO + i32(b) * OG, qd + ${i(c[0]!)}, qh + ${i(c[1]!)}, qw + ${i(c[2]!)});
}
fn kCtx(k: u32) -> vec4<i32> {
  let ki = i32(k);
  let o = ki % OG; var t = ki / OG; let jw = t % TW; t = t / TW; let jh = t % TH; let jd = t / TH;
  return vec4<i32>(jd, jh, jw, o);
}
fn loadA(r: vec4<i32>, kc: vec4<i32>) -> f32 {
  let od = r.y - kc.x; let oh = r.z - kc.y; let ow = r.w - kc.z;
  if (od < 0 || oh < 0 || ow < 0 || od >= OD || oh >= OH || ow >= OW) { return 0.0; }
  return DY[u32(r.x + ((od * OH + oh) * OW + ow) * OO + kc.w)];
}
fn bBase(b: u32) -> u32 { return b * u32(OG); }
fn loadB(bb: u32, k: u32, n: u32) -> f32 {
  let ki = i32(k);
  let o = ki % OG; var t = ki / OG; let jw = t % TW; t = t / TW; let jh = t % TH; let jd = t / TH;
  let tap = ((${i(k0[0]!)} + jd * SD) * KH + ${i(k0[1]!)} + jh * SH) * KW + ${i(k0[2]!)} + jw * SW;
  return KR[u32((tap * CG + i32(n)) * OO + o) + bb];
}
fn store(base: u32, b: u32, m: u32, n: u32, v: f32) {
  let mi = i32(m);
  let qw = mi % QW; var t = mi / QW; let qh = t % QH; t = t / QH; let qd = t % QD; let nn = t / QD;
  let px = ((nn * D + qd * SD + ${i(p[0]!)}) * H + qh * SH + ${i(p[1]!)}) * W + qw * SW + ${i(p[2]!)};
  DX[base + u32(px * CC) + b * u32(CG) + n] = v;
}`;
    runGemm(ctx, { M, N: g.C / G, K: Kd, batch: G, T: "f32", decls, inputs: [dy, k], outputs: [o], outSize: sizeOf([g.N, ...g.inS, g.C]), splitK: false });
  }
}

export const convBackpropFilterKernel: GpuKernel<Primitive.ConvBackpropFilter> = (ctx, inputs, params, outputs) => {
  const [x, dy] = inputs as [(typeof inputs)[0] & object, (typeof inputs)[0] & object];
  const out = outputs[0]!;
  const o = ctx.alloc(out);
  const nsp = x.shape.length - 2;
  const g = geom(x.shape, out.shape.slice(0, nsp), dy.shape.slice(1, nsp + 1), params);
  const G = params.groups;
  const O = dy.shape[nsp + 1]!;
  const M = g.kS[0]! * g.kS[1]! * g.kS[2]! * (g.C / G);
  const Kd = g.N * g.outS[0]! * g.outS[1]! * g.outS[2]!;
  if (M * O === 0) return [o];
  if (Kd === 0) {
    ctx.fill(o, 0);
    return [o];
  }
  if (G === 1 && O % 4 === 0 && M * O <= SMALL_FILTER_OUTPUTS && Kd >= 1024) {
    smallFilterGrad(ctx, g, O, M, Kd, x.data, dy.data, o);
    return [o];
  }
  const decls = `${geomConsts(g, G, O)}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> DY: array<f32>;
@group(0) @binding(2) var<storage, read_write> DK: array<f32>;
fn aRow(b: u32, m: u32) -> vec4<i32> {
  let mi = i32(m);
  let c = mi % CG; var t = mi / CG; let kw = t % KW; t = t / KW; let kh = t % KH; let kd = t / KH;
  return vec4<i32>(kd * DD - PD, kh * DH - PH, kw * DW - PW, i32(b) * CG + c);
}
fn kCtx(k: u32) -> vec4<i32> {
  let ki = i32(k);
  let ow = ki % OW; var t = ki / OW; let oh = t % OH; t = t / OH; let od = t % OD; let n = t / OD;
  return vec4<i32>(n * D * H * W * CC, od * SD, oh * SH, ow * SW);
}
fn loadA(r: vec4<i32>, kc: vec4<i32>) -> f32 {
  let id = kc.y + r.x; let ih = kc.z + r.y; let iw = kc.w + r.z;
  if (!(${inBounds})) { return 0.0; }
  return X[u32(kc.x + ((id * H + ih) * W + iw) * CC + r.w)];
}
fn bBase(b: u32) -> u32 { return b * u32(OG); }
fn loadB(bb: u32, k: u32, n: u32) -> f32 { return DY[k * u32(OO) + bb + n]; }
fn store(base: u32, b: u32, m: u32, n: u32, v: f32) { DK[base + m * u32(OO) + b * u32(OG) + n] = v; }`;
  runGemm(ctx, { M, N: O / G, K: Kd, batch: G, T: "f32", decls, inputs: [x.data, dy.data], outputs: [o], outSize: sizeOf(out.shape) });
  return [o];
};

/**
 * Largest filter (taps x input channels x output channels) that takes `smallFilterGrad` (the
 * column reduction of its partials takes up to 2047 columns). b_cnn's second layer, 72 x 16
 * outputs over K 1152, was about 10% faster here than in GEMM tiles (whose 18 x 4 threads fill
 * about one workgroup; splitting K 4 ways gained nothing measurable).
 */
const SMALL_FILTER_OUTPUTS = 2047;
/** Output pixels that one thread of `smallFilterGrad` sums, about. */
const PIXELS_PER_THREAD = 24;
/**
 * vec4 accumulators per thread in `smallFilterGrad`. SwiftShader's compiler takes minutes on a
 * loop that keeps 18 vec4s live (measured: the 9 x 8 filter in one thread never finished
 * compiling), as it did on an 8-pixel forward convolution; the GEMM template's 4 are safe.
 */
const FILTER_ACCS = 4;

/**
 * Filter gradient of a small filter over many pixels (a first layer: 3x3 taps x 1 channel x 8
 * outputs, K = batch x 784 pixels; K >= 1024). The GEMM template gives each thread a 4x4 block of the 9 x 8
 * output, so only 6 threads of a workgroup work, each decoding every pixel's coordinates and
 * reading dy one float at a time. Here a thread takes a few filter rows (taps x channels) with all
 * output channels, over a strided share of the pixels: per pixel one decode, one bounds-tested
 * read of x per row and O/4 vec4 reads of dy. Each thread writes its partial rows; a column
 * reduction sums the partials (no atomics, so results are deterministic).
 */
function smallFilterGrad(ctx: KernelContext, g: Geom, O: number, M: number, K: number, x: GpuData, dy: GpuData, o: GpuData): void {
  const threads = Math.min(16384, Math.max(64, Math.ceil(K / PIXELS_PER_THREAD / 64) * 64));
  const O4 = O / 4;
  const MC = Math.max(1, Math.floor(FILTER_ACCS / O4));
  const Q = Math.ceil(M / MC);
  const pre: string[] = [];
  const body: string[] = [];
  const stores: string[] = [];
  for (let v = 0; v < O4; v++) body.push(`let g${v} = DY[k * ${u(O4)} + ${u(v)}];`);
  for (let i = 0; i < MC; i++) {
    // Row m = (kd, kh, kw, c) of the filter; rows past M repeat the last and are not stored.
    pre.push(`let m${i} = min(q * ${u(MC)} + ${u(i)}, ${u(M - 1)});`);
    pre.push(`let c${i} = i32(m${i}) % CG; var t${i} = i32(m${i}) / CG; let kw${i} = t${i} % KW; t${i} = t${i} / KW; let kh${i} = t${i} % KH; let kd${i} = t${i} / KH;`);
    pre.push(`let dd${i} = kd${i} * DD; let dh${i} = kh${i} * DH; let dw${i} = kw${i} * DW;`);
    for (let v = 0; v < O4; v++) pre.push(`var acc${i}_${v} = vec4<f32>(0.0);`);
    body.push(`let id${i} = d0 + dd${i}; let ih${i} = h0 + dh${i}; let iw${i} = w0 + dw${i};`);
    body.push(`let ok${i} = id${i} >= 0 && id${i} < D && ih${i} >= 0 && ih${i} < H && iw${i} >= 0 && iw${i} < W;`);
    body.push(`let a${i} = vec4<f32>(select(0.0, X[u32(select(0, xb + ((id${i} * H + ih${i}) * W + iw${i}) * CC + c${i}, ok${i}))], ok${i}));`);
    for (let v = 0; v < O4; v++) body.push(`acc${i}_${v} = fma(a${i}, g${v}, acc${i}_${v});`);
    const st = Array.from({ length: O4 }, (_, v) => `P[t * ${u((M * O) / 4)} + m${i} * ${u(O4)} + ${u(v)}] = acc${i}_${v};`);
    stores.push(`if (q * ${u(MC)} + ${u(i)} < ${u(M)}) { ${st.join(" ")} }`);
  }
  const source = `${geomConsts(g, 1, O)}
@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> DY: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> P: array<vec4<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let q = gid.y;
  ${pre.join("\n  ")}
  for (var k = t; k < ${u(K)}; k += ${u(threads)}) {
    let ki = i32(k);
    let ow = ki % OW; var r = ki / OW; let oh = r % OH; r = r / OH; let od = r % OD; let n = r / OD;
    let xb = n * D * H * W * CC;
    let d0 = od * SD - PD; let h0 = oh * SH - PH; let w0 = ow * SW - PW;
    ${body.join("\n    ")}
  }
  ${stores.join("\n  ")}
}`;
  const MO = M * O;
  const partial = ctx.alloc({ shape: [threads, MO], dtype: "float32" });
  ctx.run({ source, inputs: [x, dy], outputs: [partial], grid: [threads / 64, Q, 1] });
  columnReduce(ctx, Primitive.Sum, { data: partial, shape: [threads, MO], dtype: "float32" }, { dtype: "float32" }, o, threads, MO);
  ctx.release(partial);
}
