/**
 * The runtime a kernel sees: linear memory, its allocator, the instantiated SIMD kernels and
 * typed-array views over memory.
 *
 * Views are cheap to make but go stale whenever memory grows (the old ArrayBuffer is detached), so
 * kernels take pointers (byte offsets) and make views only after their last allocation. The
 * whole-memory views here are refreshed lazily when the buffer changes.
 */
import type { DType, TypedArray } from "@webkeras/core";
import { Allocator } from "./allocator";
import { buildKernelModule, type KernelExports, type ModuleConfig } from "./asm/module";
import type { WasmFeatures } from "./features";

const PAGE = 65536;

/** A buffer a kernel reads or writes: byte offset, shape, dtype and element count. */
export interface WasmTensor {
  ptr: number;
  shape: number[];
  dtype: DType;
  size: number;
}

export function bytesOf(dtype: DType): number {
  return dtype === "bool" ? 1 : 4;
}

export interface RuntimeOptions {
  /** Initial linear memory, bytes. */
  initialBytes: number;
  /** Growth cap, bytes (at most 4 GiB - 64 KiB; pointers are treated as unsigned). */
  maxBytes: number;
}

export class Runtime {
  readonly alloc: Allocator;
  private buffer: ArrayBufferLike | null = null;
  private f32Mem = new Float32Array(0);
  private i32Mem = new Int32Array(0);
  private u8Mem = new Uint8Array(0);
  private f64Mem = new Float64Array(0);

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly k: KernelExports,
    readonly features: WasmFeatures,
    readonly config: ModuleConfig,
    maxBytes: number,
  ) {
    this.alloc = new Allocator(memory, maxBytes);
  }

  /** Compiles the kernel module for this engine's features and instantiates it. */
  static async create(features: WasmFeatures, options: RuntimeOptions): Promise<Runtime> {
    const maxPages = Math.floor(options.maxBytes / PAGE);
    const initial = Math.min(maxPages, Math.ceil(options.initialBytes / PAGE));
    const config: ModuleConfig = { relaxed: features.relaxedSimd, MR: 5, NR: 8 };
    const bytes = buildKernelModule(config, { initial, maximum: maxPages, shared: false });
    const memory = new WebAssembly.Memory({ initial, maximum: maxPages });
    // Asynchronous compile: browsers refuse synchronous compiles of large modules on the main thread.
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    return new Runtime(
      memory,
      instance.exports as unknown as KernelExports,
      features,
      config,
      maxPages * PAGE,
    );
  }

  private refresh(): void {
    const b = this.memory.buffer;
    if (b === this.buffer) return;
    this.buffer = b;
    this.f32Mem = new Float32Array(b);
    this.i32Mem = new Int32Array(b);
    this.u8Mem = new Uint8Array(b);
    this.f64Mem = new Float64Array(b);
  }

  /** All of memory as float32 (index = byte offset / 4). Stale after any allocation. */
  get F32(): Float32Array {
    this.refresh();
    return this.f32Mem;
  }
  get I32(): Int32Array {
    this.refresh();
    return this.i32Mem;
  }
  get U8(): Uint8Array {
    this.refresh();
    return this.u8Mem;
  }
  get F64(): Float64Array {
    this.refresh();
    return this.f64Mem;
  }

  /** A view of `size` elements of `dtype` at `ptr`. Stale after any allocation. */
  view(ptr: number, size: number, dtype: DType): TypedArray {
    const b = this.memory.buffer;
    return dtype === "float32"
      ? new Float32Array(b, ptr, size)
      : dtype === "int32"
        ? new Int32Array(b, ptr, size)
        : new Uint8Array(b, ptr, size);
  }

  /** The view of a kernel buffer. */
  v(t: WasmTensor): TypedArray {
    return this.view(t.ptr, t.size, t.dtype);
  }

  f32(ptr: number, size: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, size);
  }

  /** Scratch memory for a kernel; give it back with `release(ptr, bytes)`. */
  scratch(bytes: number): number {
    return this.alloc.alloc(bytes);
  }

  release(ptr: number, bytes: number): void {
    this.alloc.free(ptr, bytes);
  }
}
