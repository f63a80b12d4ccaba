/**
 * Reductions (sum, prod, max, min over sorted axes), argmax and cumsum.
 *
 * Sum/prod/max/min: the input is viewed as kept dims and reduced dims (adjacent dims of one kind
 * merged). With many outputs or short reductions, one thread reduces one output sequentially
 * (no barriers, and neighbouring threads read neighbouring addresses when the kept dims are
 * innermost); otherwise a workgroup of 64 threads reduces one output: strided partial results,
 * then a tree in workgroup memory. Float sums accumulate in float32 (the CPU oracle uses float64,
 * so results agree to rounding). Max/min propagate NaN; bool reduces as any/all.
 */
import { Primitive, type DType, type REDUCE_PRIMITIVES } from "@webkeras/core";
import type { GpuData, GpuInput, GpuKernel, KernelContext } from "../kernel";
import { grid1d, helpersFor, kindOf, loadAs, mainHeader, storageType, storeAs, uniformDecl, wgslType } from "../wgsl";
import { decodeIndex, sizeOf, stridesOf } from "./util";

type ReducePrimitive = (typeof REDUCE_PRIMITIVES)[number];

function identity(prim: ReducePrimitive, k: "f" | "i", bool: boolean): string {
  switch (prim) {
    case Primitive.Sum:
      return k === "f" ? "0.0" : "0";
    case Primitive.Prod:
      return k === "f" ? "1.0" : "1";
    case Primitive.Max:
      return k === "f" ? "(-inf_f())" : bool ? "0" : "(-2147483647 - 1)";
    case Primitive.Min:
      return k === "f" ? "inf_f()" : bool ? "1" : "2147483647";
    default:
      return prim satisfies never;
  }
}

function combine(prim: ReducePrimitive, k: "f" | "i", a: string, b: string): string {
  switch (prim) {
    case Primitive.Sum:
      return `${a} + ${b}`;
    case Primitive.Prod:
      return `${a} * ${b}`;
    case Primitive.Max:
      return k === "f" ? `max_f(${a}, ${b})` : `max(${a}, ${b})`;
    case Primitive.Min:
      return k === "f" ? `min_f(${a}, ${b})` : `min(${a}, ${b})`;
    default:
      return prim satisfies never;
  }
}

const RWG = 64;

/**
 * The subgroup builtin that combines one value over a subgroup, or null where there is none that
 * keeps the semantics: float max/min must propagate NaN, which subgroupMax/Min need not do, so
 * they reduce the NaN test separately.
 */
function subgroupCombine(prim: ReducePrimitive, k: "f" | "i"): ((v: string) => string) | null {
  switch (prim) {
    case Primitive.Sum:
      return (v) => `subgroupAdd(${v})`;
    case Primitive.Prod:
      return (v) => `subgroupMul(${v})`;
    case Primitive.Max:
    case Primitive.Min: {
      const fn = prim === Primitive.Max ? "subgroupMax" : "subgroupMin";
      return k === "i" ? (v) => `${fn}(${v})` : (v) => `select(${fn}(${v}), nan_f(), subgroupAny(isnan(${v})))`;
    }
    default:
      return prim satisfies never;
  }
}

export function reduceKernel(prim: ReducePrimitive): GpuKernel<ReducePrimitive> {
  return (ctx, inputs, params, outputs) => {
    const x = inputs[0]!;
    const out = outputs[0]!;
    const o = ctx.alloc(out);
    const outSize = sizeOf(out.shape);
    if (outSize === 0) return [o];
    // Runs of kept / reduced dims with their input strides.
    const st = stridesOf(x.shape);
    const kept: [number, number][] = [];
    const red: [number, number][] = [];
    let lastKind: "k" | "r" | null = null;
    for (let d = 0; d < x.shape.length; d++) {
      const size = x.shape[d]!;
      if (size === 1) continue;
      const isRed = params.axes.includes(d);
      const list = isRed ? red : kept;
      if (lastKind === (isRed ? "r" : "k") && list.length > 0) {
        const last = list[list.length - 1]!;
        last[0] *= size;
        last[1] = st[d]!;
      } else list.push([size, st[d]!]);
      lastKind = isRed ? "r" : "k";
    }
    if (kept.length === 0) kept.push([1, 0]);
    if (red.length === 0) red.push([1, 0]);
    const R = red.reduce((a, [s]) => a * s, 1);
    const nk = kept.length;
    const nr = red.length;
    // uniforms: [outSize, R, keptShape, keptStrides, redShape, redStrides]
    const uniforms = [outSize, R, ...kept.map((k) => k[0]), ...kept.map((k) => k[1]), ...red.map((r) => r[0]), ...red.map((r) => r[1])];
    const k = kindOf(x.dtype);
    const T = wgslType(k);
    const bool = x.dtype === "bool";
    const id = identity(prim, k, bool);
    const keptDecode = decodeIndex(nk, 2, [2 + nk], "o").replace(/off0/g, "base");
    const redDecode = decodeIndex(nr, 2 + 2 * nk, [2 + 2 * nk + nr], "r").replace(/off0/g, "roff").replace(/\brem\b/g, "rrem");
    const result = bool ? `u32(acc != 0)` : storeAs("acc", out.dtype);
    const rename = (s: string) => s.replace(/\bc(\d+)\b/g, "rc$1");
    const perThread = outSize >= 2048 || R <= 64;
    // Kept dims innermost and contiguous, reduced dims outer: the input is an (R, C) matrix
    // reduced over its rows (per-channel sums of an NHWC tensor, bias gradients).
    if (!perThread && nk === 1 && nr === 1 && kept[0]![1] === 1 && red[0]![1] === outSize) {
      columnReduce(ctx, prim, x, out, o, R, outSize);
      return [o];
    }
    // A lazy input is read through its fused expression, bound from binding 1 on.
    const load = (at: string) => (x.fused ? `xin(${at})` : loadAs(`x[${at}]`, x.dtype));
    const nIn = x.fused ? x.fused.leaves.length : 1;
    const header = `${uniformDecl(uniforms.length)}
${x.fused ? x.fused.source(1, "xin") : `@group(0) @binding(1) var<storage, read> x: array<${storageType(x.dtype)}>;`}
@group(0) @binding(${nIn + 1}) var<storage, read_write> out: array<${storageType(out.dtype)}>;`;
    let body: string;
    if (perThread) {
      body = `${header}
${mainHeader()}
  let o = idx;
  if (o >= U(0u)) { return; }
  ${keptDecode}
  var acc: ${T} = ${id};
  for (var r = 0u; r < U(1u); r++) {
    ${rename(redDecode)}
    acc = ${combine(prim, k, "acc", load("base + roff"))};
  }
  out[o] = ${result};
}`;
    } else {
      const partials = `var acc: ${T} = ${id};
  for (var r = lid; r < U(1u); r += ${RWG}u) {
    ${rename(redDecode)}
    acc = ${combine(prim, k, "acc", load("base + roff"))};
  }`;
      const sg = ctx.features.subgroups ? subgroupCombine(prim, k) : null;
      body = `${header}
var<workgroup> part: array<${T}, ${RWG}>;
@compute @workgroup_size(${RWG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32${sg ? ", @builtin(subgroup_invocation_id) sgid: u32" : ""}) {
  let o = wid.y * nwg.x + wid.x;
  ${keptDecode}
  ${partials}
  ${
    sg
      ? // One value per subgroup, combined by the subgroup's lowest thread index in order (which
        // threads form a subgroup is up to the device, so nothing assumes they are contiguous).
        `let total = ${sg("acc")};
  let lead = subgroupMin(lid);
  part[lid] = select(${id}, total, lid == lead);
  workgroupBarrier();
  if (lid == 0u && o < U(0u)) {
    acc = part[0];
    for (var i = 1u; i < ${RWG}u; i++) { acc = ${combine(prim, k, "acc", "part[i]")}; }
    out[o] = ${result};
  }`
      : `part[lid] = acc;
  workgroupBarrier();
  for (var s = ${RWG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] = ${combine(prim, k, "part[lid]", "part[lid + s]")}; }
    workgroupBarrier();
  }
  if (lid == 0u && o < U(0u)) { acc = part[0]; out[o] = ${result}; }`
  }
}`;
      if (sg) body = `enable subgroups;\n${body}`;
    }
    const source = body.startsWith("enable") ? body.replace("\n", `\n${helpersFor(body)}\n`) : `${helpersFor(body)}\n${body}`;
    const grid = perThread ? grid1d(outSize) : grid1d(outSize, 1);
    ctx.run({ source, inputs: x.fused ? x.fused.leaves : [x.data], outputs: [o], uniforms, grid });
    return [o];
  };
}

/** Threads of the first pass of a column reduction (about; a multiple of the column count). */
const COLUMN_THREADS = 4096;

/**
 * Reduction of an (R, C) row-major matrix over its rows, C < 2048, in two passes. Pass 1: T = C x S
 * threads, thread g combines elements g, g + T, g + 2T, ... (all in column g % C; neighbouring
 * threads read neighbouring addresses, and no index is decoded per element) into partial[g].
 * Pass 2: one thread per column combines its S partials. One workgroup per column with a stride of
 * C between reads, as the general path does, was 3-5x slower on SwiftShader for (25088, 8).
 */
export function columnReduce(
  ctx: KernelContext,
  prim: ReducePrimitive,
  x: GpuInput,
  out: { dtype: DType },
  o: GpuData,
  R: number,
  C: number,
): void {
  const k = kindOf(x.dtype);
  const T = wgslType(k);
  const bool = x.dtype === "bool";
  const id = identity(prim, k, bool);
  const S = Math.max(1, Math.min(R, Math.floor(COLUMN_THREADS / C)));
  const threads = S * C;
  const n = R * C;
  const partial = ctx.alloc({ shape: [threads], dtype: k === "f" ? "float32" : "int32" });
  const load = (at: string) => (x.fused ? `xin(${at})` : loadAs(`x[${at}]`, x.dtype));
  const nIn = x.fused ? x.fused.leaves.length : 1;
  const pass1 = `${x.fused ? x.fused.source(0, "xin") : `@group(0) @binding(0) var<storage, read> x: array<${storageType(x.dtype)}>;`}
@group(0) @binding(${nIn}) var<storage, read_write> partial: array<${T}>;
${mainHeader()}
  if (idx >= ${threads}u) { return; }
  var acc: ${T} = ${id};
  for (var at = idx; at < ${n}u; at += ${threads}u) {
    acc = ${combine(prim, k, "acc", load("at"))};
  }
  partial[idx] = acc;
}`;
  ctx.run({
    source: `${helpersFor(pass1)}\n${pass1}`,
    inputs: x.fused ? x.fused.leaves : [x.data],
    outputs: [partial],
    grid: grid1d(threads),
  });
  const pass2 = `@group(0) @binding(0) var<storage, read> partial: array<${T}>;
@group(0) @binding(1) var<storage, read_write> out: array<${storageType(out.dtype)}>;
${mainHeader()}
  if (idx >= ${C}u) { return; }
  var acc: ${T} = partial[idx];
  for (var at = idx + ${C}u; at < ${threads}u; at += ${C}u) {
    acc = ${combine(prim, k, "acc", "partial[at]")};
  }
  out[idx] = ${bool ? `u32(acc != 0)` : storeAs("acc", out.dtype)};
}`;
  ctx.run({ source: `${helpersFor(pass2)}\n${pass2}`, inputs: [partial], outputs: [o], grid: grid1d(C) });
  ctx.release(partial);
}

/** (outer, len, inner) split of `shape` around `axis`. */
function axisSplit(shape: number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

/** First index of the maximum along `axis`; NaN counts as the maximum (NumPy). */
export const argmaxKernel: GpuKernel<Primitive.Argmax> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const o = ctx.alloc(outputs[0]!);
  const [outer, len, inner] = axisSplit(x.shape, params.axis);
  const n = outer * inner;
  if (n === 0) return [o];
  if (len === 0) {
    ctx.fill(o, 0);
    return [o];
  }
  const f = x.dtype === "float32";
  const T = wgslType(kindOf(x.dtype));
  const better = f ? "(y > best || isnan(y))" : "y > best";
  const body = `${uniformDecl(3)}
@group(0) @binding(1) var<storage, read> x: array<${storageType(x.dtype)}>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  let len = U(1u); let inner = U(2u);
  var at = (idx / inner) * len * inner + idx % inner;
  var best: ${T} = ${loadAs("x[at]", x.dtype)};
  var bi = 0u;
  if (${f ? "!isnan(best)" : "true"}) {
    for (var k = 1u; k < len; k++) {
      at += inner;
      let y: ${T} = ${loadAs("x[at]", x.dtype)};
      if (${better}) { best = y; bi = k; ${f ? "if (isnan(y)) { break; }" : ""} }
    }
  }
  out[idx] = i32(bi);
}`;
  ctx.run({
    source: `${helpersFor(body)}\n${body}`,
    inputs: [x.data],
    outputs: [o],
    uniforms: [n, len, inner],
    grid: grid1d(n),
  });
  return [o];
};

/** Cumulative sum along `axis`, one thread per line; bool is a running "any". */
export const cumsumKernel: GpuKernel<Primitive.Cumsum> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const o = ctx.alloc(outputs[0]!);
  const [outer, len, inner] = axisSplit(x.shape, params.axis);
  const n = outer * inner;
  if (n === 0 || len === 0) return [o];
  const k = kindOf(x.dtype);
  const T = wgslType(k);
  const store = x.dtype === "bool" ? "u32(s != 0)" : "s";
  const step = params.reverse ? "at -= inner;" : "at += inner;";
  const start = params.reverse ? "+ (len - 1u) * inner" : "";
  const inner1 = params.exclusive
    ? `out[at] = ${store}; s = s + ${loadAs("x[at]", x.dtype)};`
    : `s = s + ${loadAs("x[at]", x.dtype)}; out[at] = ${store};`;
  const body = `${uniformDecl(3)}
@group(0) @binding(1) var<storage, read> x: array<${storageType(x.dtype)}>;
@group(0) @binding(2) var<storage, read_write> out: array<${storageType(x.dtype)}>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  let len = U(1u); let inner = U(2u);
  var at = (idx / inner) * len * inner + idx % inner ${start};
  var s: ${T} = ${k === "f" ? "0.0" : "0"};
  for (var q = 0u; q < len; q++) {
    ${inner1}
    if (q + 1u < len) { ${step} }
  }
}`;
  ctx.run({ source: body, inputs: [x.data], outputs: [o], uniforms: [n, len, inner], grid: grid1d(n) });
  return [o];
};
