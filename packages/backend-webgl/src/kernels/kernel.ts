/**
 * What a kernel sees: materialized inputs (a texture with its logical shape and dtype), typed
 * params, the output specs from core's shape rules, and a context to allocate textures and run
 * generated programs. Kernels return one texture per output; the backend wraps them in DataIds.
 */
import type { ConcreteValue, DType, Params, Primitive } from "@webkeras/core";
import type { GPGPU, Tex } from "../gpgpu";
import { kindOf, layoutFor, mapProgram, scalarType, sizeOf, texKind } from "../glsl";

/** A materialized kernel input. */
export interface TexInput {
  tex: Tex;
  shape: number[];
  dtype: DType;
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

  /** Compiles (cached) and runs `source` with samplers x0.. = `inputs`, render targets `outputs`. */
  run(source: string, inputs: Tex[], outputs: Tex[], size?: [number, number]): void {
    const prog = this.gpgpu.program(source, inputs.length, outputs.length);
    this.gpgpu.draw(prog, inputs, outputs, size);
  }

  /**
   * Runs the map template (see `glsl.ts`): a new output of `out`, each element `e` computed by
   * `body` from the inputs (`x<i>_e(index)`, `x<i>_t(texel)`), with `v` the output scalar.
   * @example ctx.map([x], out, `v = -x0_e(e);`)
   */
  map(inputs: TexInput[], out: ConcreteValue, body: string, extra: { pre?: string; decls?: string } = {}): Tex {
    const tex = this.alloc(out.shape, out.dtype);
    const n = sizeOf(out.shape);
    if (n === 0) return tex;
    const source = mapProgram({ inputs: inputs.map((i) => i.tex), out: tex, n, body, ...extra });
    this.run(
      source,
      inputs.map((i) => i.tex),
      [tex],
    );
    return tex;
  }
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
