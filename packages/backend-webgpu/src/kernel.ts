/**
 * What a WebGPU kernel sees: its inputs as GPU buffers with shapes, the typed params of its
 * primitive, the output specs from core's shape rules, and a context that allocates buffers and
 * records work (dispatches of generated WGSL, buffer fills and copies) into the current batch.
 * Kernels never submit, map or free: the backend owns those.
 */
import type { ConcreteValue, DType, Params, Primitive, codegen } from "@webkeras/core";
import type { FusedRead } from "./kernels/fused";

let nextId = 0;

/**
 * A buffer owned by the backend; the DataId handed to core. Lazy while `node` is set (a pending
 * elementwise expression, see `codegen.planFusion`): then `buffer` is null until the backend
 * materializes it. Kernels only ever see materialized buffers.
 */
export class GpuData implements codegen.LazyBuffer<GpuData> {
  readonly id = nextId++;
  uses = 0;
  leaves = 0;
  ops = 0;
  flat = true;
  constructor(
    public buffer: GPUBuffer | null,
    /** Logical size in bytes (4 per element for every dtype). */
    public bytes: number,
    public dtype: DType,
    public refCount: number,
    readonly shape: readonly number[],
    public node: codegen.LazyNode<GpuData> | null = null,
  ) {}

  get size(): number {
    return this.bytes / 4;
  }
}

/** One kernel input. */
export interface GpuInput {
  data: GpuData;
  shape: number[];
  dtype: DType;
  /**
   * Set only for kernels that accept it (reductions): the input is lazy and is read through its
   * fused expression; `data` then has no buffer.
   */
  fused?: FusedRead;
}

/** One dispatch of a generated compute shader. */
export interface Dispatch {
  /** Full WGSL source; also the pipeline cache key. */
  source: string;
  /**
   * Bindings in order: the uniform block first when `uniforms` is given (binding 0), then
   * `inputs` (read-only storage), then `outputs` (read-write storage).
   */
  inputs: GpuData[];
  outputs: GpuData[];
  /** 32-bit words of the uniform block (numbers are stored as u32 bit patterns). */
  uniforms?: ArrayLike<number>;
  /** Workgroups in x, y, z. */
  grid: [number, number, number];
}

/** Capabilities of the adapter that kernels may specialize on. */
export interface GpuFeatures {
  /** `subgroups` is enabled on the device (and not switched off by the backend's options). */
  subgroups: boolean;
  shaderF16: boolean;
  maxWorkgroupStorage: number;
}

export interface KernelContext {
  readonly features: GpuFeatures;
  /** A new buffer for `spec` (refcount 1, contents undefined). */
  alloc(spec: ConcreteValue): GpuData;
  run(d: Dispatch): void;
  /** Sets `count` 32-bit words of `dst` from word `offset` to the bit pattern `word`. */
  fill(dst: GpuData, word: number, offset?: number, count?: number): void;
  /** Copies `words` 32-bit words between buffers (offsets in words). */
  copy(src: GpuData, srcOffset: number, dst: GpuData, dstOffset: number, words: number): void;
  /** Drops a temporary made with `alloc` (freed once the batch that uses it is submitted). */
  release(d: GpuData): void;
}

export type GpuKernel<P extends Primitive> = (
  ctx: KernelContext,
  inputs: GpuInput[],
  params: Params<P>,
  outputs: ConcreteValue[],
) => GpuData[];

/** The bit pattern of a float32 as an unsigned 32-bit integer (for uniforms). */
export function f32Bits(v: number): number {
  const f = new Float32Array([v]);
  return new Uint32Array(f.buffer)[0]!;
}
