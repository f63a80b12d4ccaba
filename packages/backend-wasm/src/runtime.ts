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
import { CTL_WORDS, ThreadPool, type Call } from "./threads";

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
  /** Threads to run kernels on (this one included); more than 1 needs `features.sharedMemory`. */
  numThreads: number;
  /** Least work per extra thread (default `PARALLEL_MIN_WORK`; tests use 1 to split everything). */
  minParallelWork?: number;
}

/**
 * Least work (float32 multiply-adds; elementwise kernels count 4 per element) worth one more
 * thread: waking a worker and joining it costs tens of microseconds.
 */
export const PARALLEL_MIN_WORK = 1 << 20;

/** GEMM blocking: rows of A per packed block, depth of a k slice, columns of B per block. */
export const GEMM_BLOCKING = { MR: 5, NR: 8, MC: 80, KC: 256, NC: 1024 };

export class Runtime {
  readonly alloc: Allocator;
  private buffer: ArrayBufferLike | null = null;
  private f32Mem = new Float32Array(0);
  private i32Mem = new Int32Array(0);
  private u8Mem = new Uint8Array(0);
  private f64Mem = new Float64Array(0);

  /** Workers sharing this memory, or null when single-threaded. */
  private pool: ThreadPool | null = null;
  /** Why fewer threads run than were asked for ("" when as asked). */
  threadNote = "";
  /** See `RuntimeOptions.minParallelWork`. */
  minParallelWork = PARALLEL_MIN_WORK;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly k: KernelExports,
    readonly features: WasmFeatures,
    readonly config: ModuleConfig,
    maxBytes: number,
  ) {
    this.alloc = new Allocator(memory, maxBytes);
  }

  /** Threads kernels may split work over (this one included). */
  get numThreads(): number {
    return this.pool?.size ?? 1;
  }

  /**
   * Compiles the kernel module for this engine's features and instantiates it; with
   * `numThreads > 1` on a shared memory, starts the workers (falling back to one thread, with
   * `threadNote` saying why, if they cannot start).
   */
  static async create(features: WasmFeatures, options: RuntimeOptions): Promise<Runtime> {
    const maxPages = Math.floor(options.maxBytes / PAGE);
    const initial = Math.min(maxPages, Math.max(1, Math.ceil(options.initialBytes / PAGE)));
    const config: ModuleConfig = { relaxed: features.relaxedSimd, ...GEMM_BLOCKING };
    let threads = Math.max(1, Math.floor(options.numThreads));
    let note = "";
    if (threads > 1 && !features.sharedMemory) {
      note = `${threads} threads asked for, but this context cannot share memory with workers (a page needs crossOriginIsolated)`;
      threads = 1;
    }
    const shared = threads > 1;
    const bytes = buildKernelModule(config, { initial, maximum: maxPages, shared });
    const memory = new WebAssembly.Memory({ initial, maximum: maxPages, shared });
    // Asynchronous compile: browsers refuse synchronous compiles of large modules on the main thread.
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const rt = new Runtime(
      memory,
      instance.exports as unknown as KernelExports,
      features,
      config,
      maxPages * PAGE,
    );
    if (shared) {
      // The control block is the first allocation, so it lies in the initial pages that every
      // worker's first view of memory covers.
      const ctlBytes = CTL_WORDS * 4;
      const ctl = rt.alloc.alloc(ctlBytes);
      new Int32Array(memory.buffer, ctl, ctlBytes >> 2).fill(0);
      try {
        rt.pool = await ThreadPool.start(threads, module, memory, ctl, instance.exports);
      } catch (err) {
        note = `workers did not start (${(err as Error).message}); running on one thread`;
        rt.alloc.free(ctl, ctlBytes);
      }
    }
    rt.threadNote = note;
    rt.minParallelWork = Math.max(1, options.minParallelWork ?? PARALLEL_MIN_WORK);
    return rt;
  }

  /**
   * How many tasks to cut `work` into (at most `units`, the pieces it can be cut into): 1 when
   * it is too small to share (see `PARALLEL_MIN_WORK`), else up to `perThread` per thread, so
   * that a thread the OS does not run for a while holds up only a small part (`threads.ts`).
   * Cutting finer has its own cost (a GEMM task packs its own copy of the operand it does not
   * split), which is why callers choose `perThread`.
   */
  tasksFor(work: number, units: number, perThread = 1): number {
    const n = this.numThreads;
    if (n === 1) return 1;
    const threads = Math.min(n, Math.floor(work / this.minParallelWork));
    if (threads <= 1) return 1;
    return Math.max(1, Math.min(units, threads * perThread));
  }

  /**
   * Runs every task (a list of kernel calls) and returns when all are done: on the worker
   * threads and this one, whichever takes a task first; with one task, or no workers, all here
   * in order. Tasks must not depend on each other (disjoint outputs, scratch of their own).
   */
  parallel(tasks: Call[][]): void {
    if (!this.pool || tasks.length === 1) {
      for (const task of tasks)
        for (const [fn, ...args] of task)
          (this.k as unknown as Record<string, (...a: number[]) => void>)[fn]!(...args);
      return;
    }
    let area = 0;
    let areaBytes = 0;
    try {
      this.pool.run(tasks, (bytes) => {
        areaBytes = bytes;
        area = this.alloc.alloc(bytes);
        return area;
      });
    } finally {
      if (areaBytes) this.alloc.free(area, areaBytes);
    }
  }

  /** Stops the workers. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
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
