/**
 * Fused elementwise programs. A lazy buffer is a DAG of pending elementwise ops (unary, binary,
 * compare, where, cast) over materialized textures; `fusedProgram` turns the DAG under one root
 * into a single fragment shader: each node once (as a local), each op rendered from core's
 * language-neutral table (`codegen.renderElementwise`), four output elements per fragment.
 *
 * How each leaf texture is read is picked from its broadcast against the output, so the common
 * cases cost one texel fetch per four elements:
 * - `frag`:   same size and texture size as the output: the fragment's own texel.
 * - `texel`:  same size, other texture size: texel t.
 * - `scalar`: one element, read once.
 * - `vec`:    output rows of 4k elements and the leaf is not broadcast along the last axis (a bias
 *             row): one aligned texel holds the four elements.
 * - `splat`:  output rows of 4k elements and the leaf is broadcast along the last axis (a column):
 *             one element serves all four.
 * - `general`: one element read per output element, through broadcast index arithmetic.
 */
import { codegen, Primitive, type BINARY_PRIMITIVES, type COMPARE_PRIMITIVES, type DType, type Params, type UNARY_PRIMITIVES } from "@webkeras/core";
import type { GLData } from "../data";
import type { Tex } from "../gpgpu";
import { GLSL, HEADER, broadcastIndex, castExpr, floatLit, fragTexel, helpersFor, inputDecl, kindOf, outputDecl, scalarType, sizeOf, vecType } from "../glsl";

type TableOp = (typeof UNARY_PRIMITIVES | typeof BINARY_PRIMITIVES | typeof COMPARE_PRIMITIVES)[number];

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

interface Fused {
  /** Statements run once per fragment (texel-level leaf reads). */
  pre: string[];
  /** Statements run per element `e` (per-element leaf reads and the ops). */
  body: string[];
  /** The local holding the root's value. */
  result: string;
  textures: Tex[];
  names: string[];
}

/**
 * The expression DAG under lazy buffer `root`, viewed with shape `outShape`, as GLSL statements.
 * `out`: the output texture (the fused program: leaves may be read once per output texel `t`, or
 * at the fragment's own texel), "texel" (a reader of texel `t`: leaves read once per texel), or
 * null (a reader of element `e`: every leaf read per element). Samplers are named
 * `${prefix}0`, `${prefix}1`, ...
 */
function fuse(root: GLData, outShape: number[], out: Tex | "texel" | null, prefix: string, materialize: (d: GLData) => void): Fused {
  const textures: Tex[] = [];
  const names: string[] = [];
  const samplerOf = new Map<Tex, string>();
  const pre: string[] = [];
  const body: string[] = [];
  const memo = new Map<string, string>();
  const lastDim = outShape.length ? outShape[outShape.length - 1]! : 1;
  const rowsAligned = out !== null && outShape.length > 0 && lastDim % 4 === 0 && lastDim > 0;
  const n = sizeOf(outShape);
  let counter = 0;

  const sampler = (tex: Tex): string => {
    let s = samplerOf.get(tex);
    if (!s) {
      s = `${prefix}${textures.length}`;
      textures.push(tex);
      names.push(s);
      samplerOf.set(tex, s);
    }
    return s;
  };

  const leaf = (tex: Tex, view: number[], dtype: DType): string => {
    const s = sampler(tex);
    const k = kindOf(dtype);
    const T = scalarType(k);
    const name = `${prefix}v${counter++}`;
    const size = sizeOf(view);
    if (out === null) {
      body.push(`${T} ${name} = ${s}_e(${size === n ? "e" : size === 1 ? "0" : broadcastIndex(outShape, view, "e")});`);
      return name;
    }
    if (size === n) {
      const same = out !== "texel" && tex.W === out.W && tex.H === out.H;
      pre.push(
        same
          ? `${vecType(k)} ${name} = texture(${s}, gl_FragCoord.xy * vec2(${floatLit(1 / tex.W)}, ${floatLit(1 / tex.H)}));`
          : `${vecType(k)} ${name} = ${s}_t(t);`,
      );
      return `${name}[c]`;
    }
    if (size === 1) {
      pre.push(`${T} ${name} = ${s}_e(0);`);
      return name;
    }
    // Broadcasting aligns shapes on the right: the leaf's last dim meets the output's.
    const vLast = view.length > 0 ? view[view.length - 1]! : 1;
    if (rowsAligned && vLast === lastDim) {
      pre.push(`${vecType(k)} ${name} = ${s}_t((${broadcastIndex(outShape, view, "4 * t")}) >> 2);`);
      return `${name}[c]`;
    }
    if (rowsAligned && vLast === 1) {
      pre.push(`${T} ${name} = ${s}_e(${broadcastIndex(outShape, view, "4 * t")});`);
      return name;
    }
    body.push(`${T} ${name} = ${s}_e(${broadcastIndex(outShape, view, "e")});`);
    return name;
  };

  const emit = (data: GLData, view: number[], dtype: DType): string => {
    const key = `${data.id}:${view.join(",")}`;
    const hit = memo.get(key);
    if (hit) return hit;
    let node = data.node;
    if (node && !sameShape(view, data.shape) && !data.flat) {
      materialize(data);
      node = null;
    }
    let v: string;
    if (!node) v = leaf(data.tex!, view, dtype);
    else {
      const reshaped = !sameShape(view, data.shape);
      const args = node.inputs.map((i) => emit(i.data, reshaped && i.data.size === data.size ? view : i.shape, i.dtype));
      const expr = render(node.prim, node.params, args, node.inputs.map((i) => i.dtype), data.dtype);
      v = `${prefix}n${counter++}`;
      body.push(`${scalarType(kindOf(data.dtype))} ${v} = ${expr};`);
    }
    memo.set(key, v);
    return v;
  };

  const result = emit(root, outShape, root.dtype);
  return { pre, body, result, textures, names };
}

/**
 * The fused program computing lazy buffer `root` into `out`. `materialize` is called for lazy
 * inputs that cannot be inlined (a reshaped view of a broadcasting expression).
 * @returns the shader source and the textures to bind as x0, x1, ...
 */
export function fusedProgram(root: GLData, out: Tex, materialize: (d: GLData) => void): { source: string; textures: Tex[] } {
  const f = fuse(root, root.shape, out, "x", materialize);
  const k = kindOf(root.dtype);
  const decls = f.textures.map((t, i) => inputDecl(f.names[i]!, t)).join("\n");
  const main = `void main() {
  int t = ${fragTexel(out.W)};
  ${f.pre.join("\n  ")}
  ${vecType(k)} r;
  for (int c = 0; c < 4; c++) {
    int e = 4 * t + c;
    ${f.body.join("\n    ")}
    r[c] = ${f.result};
  }
  o = r;
}`;
  const text = `${decls}\n${main}`;
  return { source: `${HEADER}${outputDecl(k)}\n${helpersFor(text)}\n${text}`, textures: f.textures };
}

/**
 * A lazy buffer as a kernel input without running it: GLSL declaring `${name}_e(int e)`, which
 * evaluates the fused expression at element e of the view `shape`, over samplers `${name}l0..`.
 * For kernels that read each input element about once (reductions): the elementwise producer
 * fuses into the reduction instead of making its own pass.
 */
export function fusedReader(
  root: GLData,
  shape: number[],
  name: string,
  materialize: (d: GLData) => void,
  vec = false,
): { decl: string; textures: Tex[]; names: string[] } {
  const f = fuse(root, shape, vec ? "texel" : null, `${name}l`, materialize);
  const k = kindOf(root.dtype);
  const T = scalarType(k);
  const decls = f.textures.map((t, i) => inputDecl(f.names[i]!, t)).join("\n");
  const fn = vec
    ? // Texel t (elements 4t .. 4t + 3), leaves read per texel where their broadcast allows.
      `${vecType(k)} ${name}_t(int t) {\n  ${f.pre.join("\n  ")}\n  ${vecType(k)} r;\n  for (int c = 0; c < 4; c++) {\n    int e = 4 * t + c;\n    ${f.body.join("\n    ")}\n    r[c] = ${f.result};\n  }\n  return r;\n}\n${T} ${name}_e(int e) { return ${name}_t(e >> 2)[e & 3]; }`
    : `${T} ${name}_e(int e) {\n  ${f.body.join("\n  ")}\n  return ${f.result};\n}`;
  return { decl: `${decls}\n${fn}`, textures: f.textures, names: f.names };
}

/** One elementwise op as a GLSL expression over operand locals. */
function render(prim: Primitive, params: Params<Primitive>, args: string[], inDtypes: DType[], outDtype: DType): string {
  if (prim === Primitive.Where) return `(${args[0]} != 0 ? ${args[1]} : ${args[2]})`;
  if (prim === Primitive.Cast) return castExpr(args[0]!, inDtypes[0]!, (params as Params<Primitive.Cast>).dtype);
  return codegen.renderElementwise(prim as TableOp, args, kindOf(inDtypes[0]!), kindOf(outDtype), outDtype === "bool", GLSL);
}

/** Whether `prim` is recorded lazily and fused. */
export function isElementwise(prim: Primitive): boolean {
  return prim in codegen.ELEMENTWISE || prim === Primitive.Where || prim === Primitive.Cast;
}
