/**
 * What a kernel sees: materialized inputs (a texture with its logical shape and dtype), typed
 * params, the output specs from core's shape rules, and a context to allocate textures and run
 * generated programs. Kernels return one texture per output; the backend wraps them in DataIds.
 */
import type { ConcreteValue, DType, Params, Primitive } from "@webkeras/core";
import type { GPGPU, Tex } from "../gpgpu";
import { inputDecl, kindOf, layoutFor, mapProgram, mapVecProgram, scalarType, sizeOf, texKind } from "../glsl";

/** A materialized kernel input. */
export interface TexInput {
  tex: Tex;
  shape: number[];
  dtype: DType;
  /**
   * Set by the backend for inputs that are whole buffers: lets a kernel that copied the input
   * into another layout of the same values swap that copy in as the buffer's texture (later uses
   * find the layout they want), or keep derived copies (a transposed pack) for as long as the
   * buffer lives. Buffers never change once written, so both stay valid.
   */
  owner?: {
    relayout(tex: Tex): void;
    derived: Map<string, Tex>;
  };
  /**
   * Set instead of a usable `tex` for a pending elementwise result that the kernel reads without
   * materializing it (reductions): GLSL declaring `${name}_e(int e)` and the samplers it uses.
   * Only the map templates read inputs, so only kernels built on them may receive one.
   */
  reader?: (name: string, vec: boolean) => { decl: string; textures: Tex[]; names: string[] };
}

/**
 * Declarations and sampler bindings of the inputs of a map program, as x0, x1, ... (`vec`: the
 * body reads texels, `x<i>_t`, so readers provide texel functions).
 */
function bindInputs(inputs: TexInput[], vec: boolean): { decls: string; textures: Tex[]; names: string[] } {
  const decls: string[] = [];
  const textures: Tex[] = [];
  const names: string[] = [];
  inputs.forEach((inp, i) => {
    if (inp.reader) {
      const r = inp.reader(`x${i}`, vec);
      decls.push(r.decl);
      textures.push(...r.textures);
      names.push(...r.names);
    } else {
      decls.push(inputDecl(`x${i}`, inp.tex));
      textures.push(inp.tex);
      names.push(`x${i}`);
    }
  });
  return { decls: decls.join("\n"), textures, names };
}

export class KernelContext {
  constructor(readonly gpgpu: GPGPU) {}

  get maxTex(): number {
    return this.gpgpu.maxTex;
  }

  /** A texture for a tensor of `shape` and `dtype` in the standard layout (`layoutFor`). */
  alloc(shape: readonly number[], dtype: DType): Tex {
    const { W, H } = layoutFor(shape, this.gpgpu.maxTex);
    return this.gpgpu.acquire(W, H, texKind(dtype));
  }

  /** Frees a temporary texture (back to the pool). */
  free(t: Tex): void {
    this.gpgpu.release(t);
  }

  /**
   * Compiles (cached) and runs `source` with samplers x0.. = `inputs`, render targets `outputs`;
   * `work` estimates the pass's cost (see `GPGPU.draw`).
   */
  run(source: string, inputs: Tex[], outputs: Tex[], size?: [number, number], names?: string[], work?: number): void {
    const prog = this.gpgpu.program(source, names ?? inputs.length, outputs.length);
    this.gpgpu.draw(prog, inputs, outputs, size, work);
  }

  /**
   * Runs the map template (see `glsl.ts`): a new output of `out`, each element `e` computed by
   * `body` from the inputs (`x<i>_e(index)`, `x<i>_t(texel)`), with `v` the output scalar.
   * @example ctx.map([x], out, `v = -x0_e(e);`)
   */
  map(inputs: TexInput[], out: ConcreteValue, body: string, extra: { pre?: string; decls?: string; texels?: boolean } = {}): Tex {
    const tex = this.alloc(out.shape, out.dtype);
    const n = sizeOf(out.shape);
    if (n === 0) return tex;
    const b = bindInputs(inputs, extra.texels ?? false);
    const source = mapProgram({ decls: `${b.decls}\n${extra.decls ?? ""}`, out: tex, n, body, pre: extra.pre });
    this.run(source, b.textures, [tex], undefined, b.names);
    return tex;
  }
}

/**
 * Context method twin of `map` for the vectorized template (`mapVecProgram`): `body` sets the
 * whole texel `v` from `e0`, the flat index of its first element.
 */
export function mapVec(ctx: KernelContext, inputs: TexInput[], out: ConcreteValue, body: string, decls?: string): Tex {
  const tex = ctx.alloc(out.shape, out.dtype);
  const n = sizeOf(out.shape);
  if (n === 0) return tex;
  const b = bindInputs(inputs, true);
  ctx.run(mapVecProgram({ decls: `${b.decls}\n${decls ?? ""}`, out: tex, n, body }), b.textures, [tex], undefined, b.names);
  return tex;
}

/** A kernel: inputs, params and output specs in, one texture per output out. */
export type Kernel<P extends Primitive> = (
  ctx: KernelContext,
  inputs: TexInput[],
  params: Params<P>,
  outputs: ConcreteValue[],
) => Tex[];

/** Scalar type name of a dtype's compute kind ("float" or "int"). */
export const typeOf = (dtype: DType): string => scalarType(kindOf(dtype));
