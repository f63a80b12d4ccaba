/**
 * The fused elementwise template: one compute shader for a whole chain of elementwise ops
 * (unary, binary, compare, where, cast), walked by core's language-neutral fusion planning
 * (`codegen.linearize`) and rendered here to WGSL, one `let` per step, with the op table of
 * `wgsl.ts`. One thread per output element.
 *
 * Each leaf (a materialized buffer, read under the shape its op saw it with) is read at the
 * thread's own index (`same`), at 0 (`scalar`), at the index modulo its size when it repeats
 * along leading dims (`suffix`: a bias row, a per-channel vector), or through broadcast strides
 * decoded from the output index (`general`), with shape and strides in the uniform block so one
 * pipeline serves every shape of a given rank and layout.
 *
 * It is not: the planner (which ops fuse, when a buffer materializes: core's `codegen.fusion`),
 * or the buffer manager (the backend).
 */
import { Primitive, codegen, type DType, type Params } from "@webkeras/core";
import type { Dispatch, GpuData } from "../kernel";
import { WGSL, grid1d, helpersFor, kindOf, loadAs, mainHeader, storageType, storeAs, uniformDecl, wgslType } from "../wgsl";
import { castExpr } from "./elementwise";
import { broadcastStrides, collapse, decodeIndex, sizeOf, stridesOf } from "./util";

/** Whether `view` broadcast to `out` repeats a contiguous block along leading dims only. */
function isSuffix(view: readonly number[], out: readonly number[]): boolean {
  const v = [...view];
  while (v.length > 0 && v[0] === 1) v.shift();
  if (v.length > out.length) return false;
  return v.every((d, i) => d === out[out.length - v.length + i]);
}

/** WGSL of one op step over operand expressions (compute kinds in, compute kind out). */
function renderOp(prim: codegen.FusiblePrimitive, params: unknown, vals: string[], inDtypes: DType[], dtype: DType): string {
  if (prim === Primitive.Where) return `select(${vals[2]}, ${vals[1]}, ${vals[0]} != 0)`;
  if (prim === Primitive.Cast) return castExpr(vals[0]!, inDtypes[0]!, (params as Params<Primitive.Cast>).dtype);
  return codegen.renderElementwise(prim, vals, kindOf(inDtypes[0]!), kindOf(dtype), dtype === "bool", WGSL);
}

/**
 * The dispatch that computes lazy buffer `root` into `out` (a buffer of root's size). Lazy
 * inputs that cannot be inlined are materialized through `materialize` during the walk.
 */
export function fusedDispatch(root: GpuData, out: GpuData, materialize: (d: GpuData) => void): Dispatch {
  const outShape = [...root.shape];
  const expr = codegen.linearize(root, outShape, materialize);
  return vec4Dispatch(expr, root.dtype, outShape, out) ?? scalarDispatch(expr, root.dtype, outShape, out);
}

type Expr = codegen.FusedExpr<GpuData>;

function leafDecls(leaves: GpuData[], vec: (b: number) => boolean): string {
  return leaves
    .map((x, i) => {
      const t = storageType(x.dtype);
      return `@group(0) @binding(${i + 1}) var<storage, read> in${i}: array<${vec(i) ? `vec4<${t}>` : t}>;`;
    })
    .join("\n");
}

/** One thread per element; any broadcast. */
function scalarDispatch({ steps, result, leaves }: Expr, dtype: DType, outShape: number[], out: GpuData): Dispatch {
  const n = sizeOf(outShape);
  // Leaf reads: how each (buffer, view) indexes, and the stride lists of the general ones.
  const uniforms: number[] = [n];
  const general: number[][] = [];
  const generalOf = new Map<number, number>();
  const suffixSize = new Map<number, number>();
  steps.forEach((st, i) => {
    if (st.kind !== "leaf") return;
    const mode = codegen.leafBroadcast(st.view, outShape);
    if (mode === "same" || mode === "scalar") return;
    if (isSuffix(st.view, outShape)) {
      suffixSize.set(i, sizeOf(st.view));
      return;
    }
    generalOf.set(i, general.length);
    general.push(broadcastStrides(st.view, outShape));
  });
  let decode = "";
  if (general.length > 0) {
    const { shape, strides } = collapse(outShape, [...general, stridesOf(outShape)]);
    uniforms.push(...shape);
    const at: number[] = [];
    for (let t = 0; t < general.length; t++) {
      at.push(uniforms.length);
      uniforms.push(...strides[t]!);
    }
    decode = decodeIndex(shape.length, 1, at);
  }
  const lines: string[] = [];
  steps.forEach((st, i) => {
    const T = wgslType(kindOf(st.dtype));
    if (st.kind === "leaf") {
      const mode = codegen.leafBroadcast(st.view, outShape);
      const g = generalOf.get(i);
      const suffix = suffixSize.get(i);
      const at =
        mode === "same" ? "idx" : mode === "scalar" ? "0u" : suffix !== undefined ? `idx % ${suffix}u` : `off${g}`;
      lines.push(`let s${i}: ${T} = ${loadAs(`in${st.binding}[${at}]`, st.dtype)};`);
    } else {
      const vals = st.args.map((a) => `s${a}`);
      lines.push(`let s${i}: ${T} = ${renderOp(st.prim, st.params, vals, st.inDtypes, st.dtype)};`);
    }
  });
  const body = `${uniformDecl(uniforms.length)}
${leafDecls(leaves, () => false)}
@group(0) @binding(${leaves.length + 1}) var<storage, read_write> out: array<${storageType(dtype)}>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  ${decode}
  ${lines.join("\n  ")}
  out[idx] = ${storeAs(`s${result}`, dtype)};
}`;
  return { source: `${helpersFor(body)}\n${body}`, inputs: leaves, outputs: [out], uniforms, grid: grid1d(n) };
}

const LANES = ["x", "y", "z", "w"];

/**
 * Four consecutive elements per thread, read and written as vec4 (on SwiftShader a vec4 load
 * costs about what a scalar one does, and a quarter of the threads run), computed lane by lane
 * with the scalar op table. Only when every leaf is read whole, as one element, or as a block
 * repeated along leading dims whose size is a multiple of 4 (so a vec4 never straddles a repeat);
 * null otherwise.
 */
function vec4Dispatch({ steps, result, leaves }: Expr, dtype: DType, outShape: number[], out: GpuData): Dispatch | null {
  const n = sizeOf(outShape);
  if (n % 4 !== 0) return null;
  const vecBinding = new Set<number>();
  const at = new Map<number, string | null>(); // vec4 index expression, or null for a scalar
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i]!;
    if (st.kind !== "leaf") continue;
    const mode = codegen.leafBroadcast(st.view, outShape);
    const size = sizeOf(st.view);
    if (mode === "scalar") at.set(i, null);
    else if (mode === "same") at.set(i, "idx");
    else if (isSuffix(st.view, outShape) && size % 4 === 0) at.set(i, `idx % ${size / 4}u`);
    else return null;
    if (mode !== "scalar") vecBinding.add(st.binding);
  }
  // A buffer read both whole and as a scalar would need two binding types (only when n == 1).
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i]!;
    if (st.kind === "leaf" && at.get(i) === null && vecBinding.has(st.binding)) return null;
  }
  const lines: string[] = [];
  const lane = (i: number, j: number) => (at.get(i) === null ? `s${i}` : `s${i}_${j}`);
  steps.forEach((st, i) => {
    const T = wgslType(kindOf(st.dtype));
    if (st.kind === "leaf") {
      const a = at.get(i);
      if (a === null) lines.push(`let s${i}: ${T} = ${loadAs(`in${st.binding}[0u]`, st.dtype)};`);
      else {
        lines.push(`let l${i} = in${st.binding}[${a}];`);
        for (let j = 0; j < 4; j++) lines.push(`let s${i}_${j}: ${T} = ${loadAs(`l${i}.${LANES[j]}`, st.dtype)};`);
      }
    } else {
      // An op over scalars only stays one value; anything else runs per lane.
      if (st.args.every((a) => at.get(a) === null)) {
        at.set(i, null);
        lines.push(`let s${i}: ${T} = ${renderOp(st.prim, st.params, st.args.map((a) => `s${a}`), st.inDtypes, st.dtype)};`);
      } else
        for (let j = 0; j < 4; j++)
          lines.push(`let s${i}_${j}: ${T} = ${renderOp(st.prim, st.params, st.args.map((a) => lane(a, j)), st.inDtypes, st.dtype)};`);
    }
  });
  const S = storageType(dtype);
  const value = `vec4<${S}>(${[0, 1, 2, 3].map((j) => storeAs(lane(result, j), dtype)).join(", ")})`;
  const body = `${uniformDecl(1)}
${leafDecls(leaves, (b) => vecBinding.has(b))}
@group(0) @binding(${leaves.length + 1}) var<storage, read_write> out: array<vec4<${S}>>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  ${lines.join("\n  ")}
  out[idx] = ${value};
}`;
  return { source: `${helpersFor(body)}\n${body}`, inputs: leaves, outputs: [out], uniforms: [n / 4], grid: grid1d(n / 4) };
}

/** A lazy input read through its fused expression by another kernel (see `fusedReader`). */
export interface FusedRead {
  /** The materialized buffers it reads, bound in order from the kernel's chosen first binding. */
  leaves: GpuData[];
  /** Binding declarations and `fn ${name}(i: u32) -> T`: the value at flat index i (compute kind). */
  source(firstBinding: number, name: string): string;
}

/**
 * The fused expression of lazy buffer `root`, read with shape `shape`, as a WGSL function of the
 * flat element index, for kernels that read each input element about once (reductions): the
 * expression is evaluated where it is read instead of in a pass of its own. Geometry is baked in
 * as constants. Lazy inputs that cannot be inlined are materialized through `materialize` first.
 */
export function fusedReader(root: GpuData, shape: readonly number[], materialize: (d: GpuData) => void): FusedRead {
  const outShape = [...shape];
  const { steps, result, leaves } = codegen.linearize(root, outShape, materialize);
  return {
    leaves,
    source: (first, name) => {
      const lines: string[] = [];
      steps.forEach((st, i) => {
        const T = wgslType(kindOf(st.dtype));
        if (st.kind === "leaf") {
          const mode = codegen.leafBroadcast(st.view, outShape);
          let at: string;
          if (mode === "same") at = "i";
          else if (mode === "scalar") at = "0u";
          else if (isSuffix(st.view, outShape)) at = `i % ${sizeOf(st.view)}u`;
          else {
            const { shape: cs, strides } = collapse(outShape, [broadcastStrides(st.view, outShape)]);
            const terms: string[] = [];
            let inner = 1;
            for (let d = cs.length - 1; d >= 0; d--) {
              if (strides[0]![d] !== 0) terms.push(`((i / ${inner}u) % ${cs[d]}u) * ${strides[0]![d]}u`);
              inner *= cs[d]!;
            }
            at = terms.length > 0 ? terms.join(" + ") : "0u";
          }
          lines.push(`let s${i}: ${T} = ${loadAs(`${name}_in${st.binding}[${at}]`, st.dtype)};`);
        } else {
          const vals = st.args.map((a) => `s${a}`);
          lines.push(`let s${i}: ${T} = ${renderOp(st.prim, st.params, vals, st.inDtypes, st.dtype)};`);
        }
      });
      const decls = leaves
        .map((x, b) => `@group(0) @binding(${first + b}) var<storage, read> ${name}_in${b}: array<${storageType(x.dtype)}>;`)
        .join("\n");
      const T = wgslType(kindOf(root.dtype));
      return `${decls}
fn ${name}(i: u32) -> ${T} {
  ${lines.join("\n  ")}
  return s${result};
}`;
    },
  };
}

