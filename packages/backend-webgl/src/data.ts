/**
 * The backend's buffers (DataIds). A buffer is either materialized (a texture) or lazy: a
 * pending elementwise op over other buffers, recorded instead of run so that chains of
 * elementwise ops compile into one fused program when something needs the value (a read, or a
 * kernel that is not elementwise). When lazy buffers materialize is core's fusion planning
 * (`codegen.planFusion`, `codegen.linearize`); `webgl_backend.ts` applies it.
 */
import type { codegen, DType } from "@webkeras/core";
import type { Tex } from "./gpgpu";

/** One input of a lazy op: the buffer and the shape it was used with (reshape may differ). */
export type NodeInput = codegen.LazyInput<GLData>;

/** A pending elementwise op (core's fusion planning records and walks these). */
export type ElemNode = codegen.LazyNode<GLData>;

let nextId = 1;

export class GLData implements codegen.LazyBuffer<GLData> {
  readonly id = nextId++;
  refCount = 1;
  /** Consumers recorded so far (lazy buffers used by several get materialized, see backend). */
  uses = 0;
  /** Copies of this buffer in other layouts (e.g. transposed for matmul), freed with it. */
  derived = new Map<string, Tex>();
  constructor(
    /** The texture, once materialized. */
    public tex: Tex | null,
    /** The pending op, while lazy. */
    public node: ElemNode | null,
    /** Shape and dtype the buffer was created with. */
    readonly shape: number[],
    readonly dtype: DType,
    readonly size: number,
    /** Lazy only: distinct-ish textures read by the fused program (an upper bound). */
    public leaves = 0,
    /** Lazy only: ops in the fused program. */
    public ops = 0,
    /**
     * Lazy only: every input (transitively) has this buffer's size or size 1, so the fused
     * expression indexes all its leaves by the same flat index and survives a reshape.
     */
    public flat = true,
  ) {}
}
