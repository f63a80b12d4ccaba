/**
 * The elementwise template: unary, binary, compare, where and cast. One thread per output
 * element; each input is read either at the thread's own index (same shape as the output), at 0
 * (a scalar) or through strides decoded from the output index (broadcasting), with the shape and
 * strides in the uniform block so one pipeline serves every shape of a given rank.
 *
 * The op itself comes from core's language-neutral table, rendered to WGSL by `wgsl.ts`.
 */
import {
  Primitive,
  codegen,
  type BINARY_PRIMITIVES,
  type COMPARE_PRIMITIVES,
  type ConcreteValue,
  type DType,
  type UNARY_PRIMITIVES,
} from "@webkeras/core";
import type { GpuData, GpuInput, GpuKernel, KernelContext } from "../kernel";
import { WGSL, grid1d, helpersFor, kindOf, loadAs, mainHeader, storageType, storeAs, uniformDecl } from "../wgsl";
import { broadcastStrides, collapse, decodeIndex, sizeOf, stridesOf } from "./util";

type Mode = "same" | "scalar" | "strided";
type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];
type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];
type ComparePrimitive = (typeof COMPARE_PRIMITIVES)[number];

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Runs `expr` (operand expressions in their compute kinds -> a value in the output's compute
 * kind) over `inputs` broadcast to `out`.
 */
export function elementwise(
  ctx: KernelContext,
  inputs: GpuInput[],
  out: ConcreteValue,
  expr: (vals: string[]) => string,
): GpuData {
  const o = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0) return o;
  const modes: Mode[] = inputs.map((x) =>
    sizeOf(x.shape) === 1 ? "scalar" : sameShape(x.shape, out.shape) ? "same" : "strided",
  );
  const strided = inputs.map((_, i) => i).filter((i) => modes[i] === "strided");
  const uniforms: number[] = [n];
  let decode = "";
  const offName = new Map<number, string>();
  if (strided.length > 0) {
    const lists = strided.map((i) => broadcastStrides(inputs[i]!.shape, out.shape));
    // "same" inputs step like the output; collapsing must respect them too.
    const dense = stridesOf(out.shape);
    const { shape, strides } = collapse(out.shape, [...lists, dense]);
    const r = shape.length;
    uniforms.push(...shape);
    const at: number[] = [];
    strided.forEach((i, t) => {
      at.push(uniforms.length);
      uniforms.push(...strides[t]!);
      offName.set(i, `off${t}`);
    });
    decode = decodeIndex(r, 1, at);
  }
  const decls = inputs
    .map((x, i) => `@group(0) @binding(${i + 1}) var<storage, read> in${i}: array<${storageType(x.dtype)}>;`)
    .join("\n");
  const loads = inputs
    .map((x, i) => {
      const at = modes[i] === "same" ? "idx" : modes[i] === "scalar" ? "0u" : offName.get(i)!;
      return `let v${i} = ${loadAs(`in${i}[${at}]`, x.dtype)};`;
    })
    .join("\n  ");
  const value = storeAs(expr(inputs.map((_, i) => `v${i}`)), out.dtype);
  const body = `${uniformDecl(uniforms.length)}
${decls}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> out: array<${storageType(out.dtype)}>;
${mainHeader()}
  if (idx >= U(0u)) { return; }
  ${decode}
  ${loads}
  out[idx] = ${value};
}`;
  const source = `${helpersFor(body)}\n${body}`;
  ctx.run({ source, inputs: inputs.map((x) => x.data), outputs: [o], uniforms, grid: grid1d(n) });
  return o;
}

/** Kernel of a unary, binary or compare primitive, from core's op table. */
export function opKernel(
  prim: UnaryPrimitive | BinaryPrimitive | ComparePrimitive,
): GpuKernel<UnaryPrimitive | BinaryPrimitive | ComparePrimitive> {
  return (ctx, inputs, _params, outputs) => {
    const out = outputs[0]!;
    const k = kindOf(inputs[0]!.dtype);
    return [
      elementwise(ctx, inputs, out, (vals) =>
        codegen.renderElementwise(prim, vals, k, kindOf(out.dtype), out.dtype === "bool", WGSL),
      ),
    ];
  };
}

export const whereKernel: GpuKernel<Primitive.Where> = (ctx, inputs, _params, outputs) => [
  elementwise(ctx, inputs, outputs[0]!, ([c, x, y]) => `select(${y}, ${x}, ${c} != 0)`),
];

/** Cast semantics of the CPU backend: truncating, saturating float -> int32 with NaN -> 0. */
export function castExpr(v: string, from: DType, to: DType): string {
  if (to === "bool") return from === "float32" ? `select(0, 1, truthy_f(${v}))` : `select(0, 1, ${v} != 0)`;
  if (to === "float32") return from === "float32" ? v : `f32(${v})`;
  return from === "float32" ? `f32_to_i32(${v})` : v;
}

export const castKernel: GpuKernel<Primitive.Cast> = (ctx, inputs, params, outputs) => [
  elementwise(ctx, inputs, outputs[0]!, ([v]) => castExpr(v!, inputs[0]!.dtype, params.dtype)),
];
