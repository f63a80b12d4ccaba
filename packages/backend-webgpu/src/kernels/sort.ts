/**
 * Sorting along the last axis: argsort (stable) and top_k, by rank counting: the thread of
 * element i counts the elements of its row that sort before it (value order, then index for
 * ties) and writes i at that rank. Exact, deterministic and stable by construction, with the
 * CPU oracle's NaN order (last ascending, first descending); O(n²) per row, which suits the
 * row lengths of layers (classes, top-k over logits) but not very long rows.
 */
import type { Primitive } from "@webkeras/core";
import type { GpuInput, GpuKernel, KernelContext } from "../kernel";
import type { GpuData } from "../kernel";
import { grid1d, helpersFor, kindOf, loadAs, mainHeader, storageType, uniformDecl, wgslType } from "../wgsl";
import { sizeOf } from "./util";

/** WGSL condition "element (vj, j) sorts before (vi, i)". */
function before(dtype: string, descending: boolean): string {
  const f = dtype === "float32";
  if (!f) return descending ? "(vj > vi || (vj == vi && j < i))" : "(vj < vi || (vj == vi && j < i))";
  // NaN is the largest value; NaNs tie with each other.
  const lt = (a: string, b: string) => `(!isnan(${a}) && (isnan(${b}) || ${a} < ${b}))`;
  const eq = `((isnan(vj) && isnan(vi)) || vj == vi)`;
  return `(${descending ? lt("vi", "vj") : lt("vj", "vi")} || (${eq} && j < i))`;
}

function rankSource(x: GpuInput, descending: boolean, write: string, outs: string): string {
  const T = wgslType(kindOf(x.dtype));
  const body = `${uniformDecl(3)}
@group(0) @binding(1) var<storage, read> x: array<${storageType(x.dtype)}>;
${outs}
${mainHeader()}
  if (idx >= U(0u)) { return; }
  let n = U(1u);
  let row = idx / n;
  let i = idx % n;
  let base = row * n;
  let vi: ${T} = ${loadAs("x[idx]", x.dtype)};
  var rank = 0u;
  for (var j = 0u; j < n; j++) {
    let vj: ${T} = ${loadAs("x[base + j]", x.dtype)};
    if (${before(x.dtype, descending)}) { rank++; }
  }
  ${write}
}`;
  return `${helpersFor(body)}\n${body}`;
}

function run(ctx: KernelContext, x: GpuInput, source: string, outs: GpuData[], k: number): void {
  const total = sizeOf(x.shape);
  const n = x.shape[x.shape.length - 1]!;
  ctx.run({ source, inputs: [x.data], outputs: outs, uniforms: [total, n, k], grid: grid1d(total) });
}

export const argsortKernel: GpuKernel<Primitive.Argsort> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const o = ctx.alloc(outputs[0]!);
  if (sizeOf(x.shape) === 0) return [o];
  const src = rankSource(
    x,
    params.descending,
    "out[base + rank] = i32(i);",
    "@group(0) @binding(2) var<storage, read_write> out: array<i32>;",
  );
  run(ctx, x, src, [o], 0);
  return [o];
};

export const topKKernel: GpuKernel<Primitive.TopK> = (ctx, inputs, params, outputs) => {
  const x = inputs[0]!;
  const vals = ctx.alloc(outputs[0]!);
  const inds = ctx.alloc(outputs[1]!);
  if (sizeOf(x.shape) === 0 || params.k === 0) return [vals, inds];
  const src = rankSource(
    x,
    true,
    "if (rank < U(2u)) { let at = row * U(2u) + rank; vals[at] = x[idx]; inds[at] = i32(i); }",
    `@group(0) @binding(2) var<storage, read_write> vals: array<${storageType(x.dtype)}>;
@group(0) @binding(3) var<storage, read_write> inds: array<i32>;`,
  );
  run(ctx, x, src, [vals, inds], params.k);
  return [vals, inds];
};
