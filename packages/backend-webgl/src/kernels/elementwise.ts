/**
 * Fused elementwise programs. A lazy buffer is a DAG of pending elementwise ops (unary, binary,
 * compare, where, cast) over materialized textures; `fusedProgram` turns the DAG under one root
 * into a single fragment shader: core's fusion planning (`codegen.linearize`) orders the nodes and
 * deduplicates the leaves, this file renders them: each node once (as a local), each op from
 * core's language-neutral table (`codegen.renderElementwise`), four output elements per fragment.
 *
 * How each leaf texture is read is picked from its broadcast against the output
 * (`codegen.leafBroadcast`), so the common cases cost one texel fetch per four elements:
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
import { GLSL, HEADER, broadcastIndex, unroll4, castExpr, floatLit, fragTexel, helpersFor, inputDecl, kindOf, outputDecl, scalarType, vecType } from "../glsl";

type TableOp = (typeof UNARY_PRIMITIVES | typeof BINARY_PRIMITIVES | typeof COMPARE_PRIMITIVES)[number];

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
 * The expression DAG under lazy buffer `root`, viewed with shape `outShape`, as GLSL statements:
 * core's `codegen.linearize` orders the steps, this renders them. `out`: the output texture (the
 * fused program: leaves may be read once per output texel `t`, or at the fragment's own texel),
 * "texel" (a reader of texel `t`: leaves read once per texel), or null (a reader of element `e`:
 * every leaf read per element). Samplers are named `${prefix}0`, `${prefix}1`, ...
 */
function fuse(expr: codegen.FusedExpr<GLData>, outShape: number[], out: Tex | "texel" | null, prefix: string): Fused {
  const textures = expr.leaves.map((d) => d.tex!);
  const names = textures.map((_, i) => `${prefix}${i}`);
  const pre: string[] = [];
  const body: string[] = [];
  const lastDim = outShape.length ? outShape[outShape.length - 1]! : 1;
  const rowsAligned = out !== null && outShape.length > 0 && lastDim % 4 === 0 && lastDim > 0;

  const leaf = (tex: Tex, s: string, view: number[], dtype: DType, name: string): string => {
    const k = kindOf(dtype);
    const T = scalarType(k);
    const mode = codegen.leafBroadcast(view, outShape);
    if (out === null) {
      body.push(`${T} ${name} = ${s}_e(${mode === "same" ? "e" : mode === "scalar" ? "0" : broadcastIndex(outShape, view, "e")});`);
      return name;
    }
    if (mode === "same") {
      const same = out !== "texel" && tex.W === out.W && tex.H === out.H;
      pre.push(
        same
          ? `${vecType(k)} ${name} = texture(${s}, gl_FragCoord.xy * vec2(${floatLit(1 / tex.W)}, ${floatLit(1 / tex.H)}));`
          : `${vecType(k)} ${name} = ${s}_t(t);`,
      );
      return `${name}[c]`;
    }
    if (mode === "scalar") {
      pre.push(`${T} ${name} = ${s}_e(0);`);
      return name;
    }
    // Rows of 4k elements: a row leaf's aligned texel holds the four elements; a column leaf's
    // one element serves all four.
    if (rowsAligned && mode === "row") {
      pre.push(`${vecType(k)} ${name} = ${s}_t((${broadcastIndex(outShape, view, "4 * t")}) >> 2);`);
      return `${name}[c]`;
    }
    if (rowsAligned && mode === "column") {
      pre.push(`${T} ${name} = ${s}_e(${broadcastIndex(outShape, view, "4 * t")});`);
      return name;
    }
    body.push(`${T} ${name} = ${s}_e(${broadcastIndex(outShape, view, "e")});`);
    return name;
  };

  const vals: string[] = [];
  expr.steps.forEach((st, i) => {
    if (st.kind === "leaf") vals.push(leaf(textures[st.binding]!, names[st.binding]!, st.view, st.dtype, `${prefix}v${i}`));
    else {
      const v = `${prefix}n${i}`;
      body.push(`${scalarType(kindOf(st.dtype))} ${v} = ${render(st.prim, st.params, st.args.map((a) => vals[a]!), st.inDtypes, st.dtype)};`);
      vals.push(v);
    }
  });
  return { pre, body, result: vals[expr.result]!, textures, names };
}

/**
 * The fused program computing lazy buffer `root` into `out`. `materialize` is called for lazy
 * inputs that cannot be inlined (a reshaped view of a broadcasting expression).
 * @returns the shader source and the textures to bind as x0, x1, ...
 */
export function fusedProgram(root: GLData, out: Tex, materialize: (d: GLData) => void): { source: string; textures: Tex[] } {
  const expr = codegen.linearize(root, root.shape, materialize);
  const textures = expr.leaves.map((d) => d.tex!);
  const key = `P${out.W}x${out.H}|${root.dtype}|${root.shape}|${exprKey(expr)}`;
  let source = SOURCES.get(key);
  if (source === undefined) {
    const f = fuse(expr, root.shape, out, "x");
    const k = kindOf(root.dtype);
    const decls = f.textures.map((t, i) => inputDecl(f.names[i]!, t)).join("\n");
    const main = `void main() {
  int t = ${fragTexel(out.W)};
  ${f.pre.join("\n  ")}
  ${vecType(k)} r;
  ${unroll4("c", `int e = 4 * t + c;\n    ${f.body.join("\n    ")}\n    r[c] = ${f.result};`)}
  o = r;
}`;
    const text = `${decls}\n${main}`;
    source = `${HEADER}${outputDecl(k)}\n${helpersFor(text)}\n${text}`;
    remember(key, source);
  }
  return { source, textures };
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
  const expr = codegen.linearize(root, shape, materialize);
  const textures = expr.leaves.map((d) => d.tex!);
  const names = textures.map((_, i) => `${name}l${i}`);
  const key = `R${name}|${vec}|${root.dtype}|${shape}|${exprKey(expr)}`;
  let decl = SOURCES.get(key);
  if (decl === undefined) {
    const f = fuse(expr, shape, vec ? "texel" : null, `${name}l`);
    const k = kindOf(root.dtype);
    const T = scalarType(k);
    const decls = f.textures.map((t, i) => inputDecl(f.names[i]!, t)).join("\n");
    const fn = vec
      ? // Texel t (elements 4t .. 4t + 3), leaves read per texel where their broadcast allows.
        `${vecType(k)} ${name}_t(int t) {\n  ${f.pre.join("\n  ")}\n  ${vecType(k)} r;\n  ${unroll4("c", `int e = 4 * t + c;\n    ${f.body.join("\n    ")}\n    r[c] = ${f.result};`)}\n  return r;\n}\n${T} ${name}_e(int e) { return ${name}_t(e >> 2)[e & 3]; }`
      : `${T} ${name}_e(int e) {\n  ${f.body.join("\n  ")}\n  return ${f.result};\n}`;
    decl = `${decls}\n${fn}`;
    remember(key, decl);
  }
  return { decl, textures, names };
}

/**
 * Generated text by structural key: the steps (ops, params, dtypes, operand order), each leaf's
 * view and texture size and format, and the output. Building the key is several times cheaper
 * than generating the source, and a training loop runs the same programs every step; the cached
 * string also keeps its hash for the program cache's lookup.
 */
const SOURCES = new Map<string, string>();
const MAX_SOURCES = 4096;

function remember(key: string, text: string): void {
  if (SOURCES.size >= MAX_SOURCES) SOURCES.clear();
  SOURCES.set(key, text);
}

function exprKey(expr: codegen.FusedExpr<GLData>): string {
  let key = "";
  for (const st of expr.steps) {
    if (st.kind === "leaf") {
      const t = expr.leaves[st.binding]!.tex!;
      key += `L${st.binding}:${st.view}:${st.dtype}:${t.W}x${t.H}${t.kind};`;
    } else key += `${st.prim}${st.prim === Primitive.Cast ? (st.params as Params<Primitive.Cast>).dtype : ""}:${st.args}:${st.inDtypes}:${st.dtype};`;
  }
  return `${key}=${expr.result}`;
}

/** One elementwise op as a GLSL expression over operand locals. */
function render(prim: codegen.FusiblePrimitive, params: Params<Primitive>, args: string[], inDtypes: DType[], outDtype: DType): string {
  if (prim === Primitive.Where) return `(${args[0]} != 0 ? ${args[1]} : ${args[2]})`;
  if (prim === Primitive.Cast) return castExpr(args[0]!, inDtypes[0]!, (params as Params<Primitive.Cast>).dtype);
  return codegen.renderElementwise(prim as TableOp, args, kindOf(inDtypes[0]!), kindOf(outDtype), outDtype === "bool", GLSL);
}
