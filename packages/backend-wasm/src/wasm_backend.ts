/**
 * The WebAssembly backend: buffers live in one wasm linear memory (managed by `Allocator`), kernels
 * are the table in `kernels/` (wasm SIMD for the hot ones, TypeScript on memory views for the
 * rest). Buffers are reference counted so that Reshape shares its input's buffer.
 *
 * Synchronous: every kernel has finished when `execute` returns, so `read`/`readSync` just copy.
 */
import { KerasError, Primitive, UnsupportedOpError } from "@webkeras/core";
import { fmt, sizeOf } from "./kernels/util";
import type {
  Backend,
  BackendInfo,
  BackendMemory,
  ConcreteValue,
  DataId,
  DType,
  Params,
  TensorInfo,
  TypedArray,
} from "@webkeras/core";
import { wasmKernels } from "./kernels/index";
import { bytesOf, type Runtime, type WasmTensor } from "./runtime";
import { ThreadTaskError } from "./threads";

/** A buffer in linear memory. `ptr` is -1 once freed. */
class WasmData {
  constructor(
    public ptr: number,
    readonly size: number,
    readonly dtype: DType,
    /** Bytes requested from the allocator (size * bytes per element). */
    readonly bytes: number,
    public refCount: number,
  ) {}
}

/** What `info()` reports: the engine features the kernels use and the thread count. */
export interface WasmBackendInfo extends BackendInfo {
  name: "wasm";
  /** The GEMM uses `f32x4.relaxed_madd`. */
  relaxedSimd: boolean;
  /** Linear memory is a shared `WebAssembly.Memory` (threads). */
  sharedMemory: boolean;
  /** Threads kernels split work over, this one included (1: single-threaded). */
  numThreads: number;
}

/**
 * @example
 * const b = await wasmBackendFactory.create();
 * const id = b.write(new Float32Array([1, 2]), [2], "float32");
 * const [y] = b.execute(Primitive.Neg, [{ dataId: id, shape: [2], dtype: "float32" }], {}, [{ shape: [2], dtype: "float32" }]);
 * b.readSync!(y); // Float32Array [-1, -2]
 */
export class WasmBackend implements Backend {
  readonly name = "wasm";
  private numBuffers = 0;
  private numBytes = 0;
  private disposed = false;
  private readonly live = new Set<WasmData>();

  constructor(readonly rt: Runtime) {}

  private check(where: string): void {
    if (this.disposed)
      throw new KerasError(
        `wasm backend: ${where}() called after dispose(). Received: backend=wasm (disposed)`,
      );
  }

  private data(dataId: DataId, where: string): WasmData {
    this.check(where);
    if (!(dataId instanceof WasmData))
      throw new KerasError(
        `wasm backend: ${where}() got a buffer that this backend did not create. Received: ${fmt(dataId)}`,
      );
    if (dataId.refCount <= 0)
      throw new KerasError(
        `wasm backend: ${where}() got a buffer that was already freed (use after free). Received: refCount=${dataId.refCount}`,
      );
    return dataId;
  }

  private allocate(size: number, dtype: DType): WasmData {
    const bytes = size * bytesOf(dtype);
    const d = new WasmData(this.rt.alloc.alloc(bytes), size, dtype, bytes, 1);
    this.numBuffers++;
    this.numBytes += bytes;
    this.live.add(d);
    return d;
  }

  write(values: TypedArray, shape: number[], dtype: DType): DataId {
    this.check("write");
    const n = sizeOf(shape);
    if (values.length !== n)
      throw new KerasError(
        `wasm backend: write() got ${values.length} values for shape ${fmt(shape)} (${n} elements). Received: length=${values.length}`,
      );
    const d = this.allocate(n, dtype);
    const v = this.rt.view(d.ptr, n, dtype);
    // `set` converts a mismatched array type; bools are stored as 0/1.
    v.set(values);
    if (dtype === "bool") for (let i = 0; i < n; i++) v[i] = v[i] !== 0 ? 1 : 0;
    return d;
  }

  /** Returns a copy (the memory is reused once the tensor is disposed). */
  async read(dataId: DataId): Promise<TypedArray> {
    return this.readSync(dataId);
  }

  readSync(dataId: DataId): TypedArray {
    const d = this.data(dataId, "readSync");
    return this.rt.view(d.ptr, d.size, d.dtype).slice();
  }

  incRef(dataId: DataId): void {
    this.data(dataId, "incRef").refCount++;
  }

  decRef(dataId: DataId): void {
    const d = this.data(dataId, "decRef");
    if (--d.refCount === 0) this.free(d);
  }

  private free(d: WasmData): void {
    this.numBuffers--;
    this.numBytes -= d.bytes;
    this.live.delete(d);
    this.rt.alloc.free(d.ptr, d.bytes);
    d.ptr = -1;
  }

  execute<P extends Primitive>(
    prim: P,
    inputs: TensorInfo[],
    params: Params<P>,
    outputs: ConcreteValue[],
  ): DataId[] {
    this.check("execute");
    const ins: WasmTensor[] = inputs.map((t) => {
      const d = this.data(t.dataId, "execute");
      return { ptr: d.ptr, shape: t.shape, dtype: t.dtype, size: d.size };
    });
    if (prim === Primitive.Reshape) {
      // Row-major data is already laid out for any shape of the same size: share the buffer.
      const d = inputs[0].dataId as WasmData;
      d.refCount++;
      return [d];
    }
    const kernel = wasmKernels[prim] as unknown as
      ((rt: Runtime, i: WasmTensor[], p: Params<P>, o: WasmTensor[]) => void) | undefined;
    if (!kernel)
      throw new UnsupportedOpError(
        `wasm backend: no kernel for primitive "${prim}". Received: ${prim}`,
      );
    const outs = outputs.map((o) => this.allocate(sizeOf(o.shape), o.dtype));
    try {
      kernel(
        this.rt,
        ins,
        params,
        outs.map((d, i) => ({
          ptr: d.ptr,
          shape: outputs[i].shape,
          dtype: outputs[i].dtype,
          size: d.size,
        })),
      );
    } catch (err) {
      for (const d of outs) this.free(d);
      if (err instanceof ThreadTaskError)
        throw new KerasError(`wasm backend: ${prim}: ${err.message}`);
      throw err;
    }
    return outs;
  }

  /** @example keras.getBackendInfo("wasm") // { name: "wasm", numThreads: 2, relaxedSimd: true, ... } */
  info(): WasmBackendInfo {
    return {
      name: "wasm",
      relaxedSimd: this.rt.config.relaxed,
      sharedMemory: this.rt.numThreads > 1,
      numThreads: this.rt.numThreads,
      warnings: this.rt.threadNote ? [this.rt.threadNote] : [],
    };
  }

  supports(prim: Primitive): boolean {
    this.check("supports");
    return prim in wasmKernels;
  }

  memory(): BackendMemory {
    this.check("memory");
    const a = this.rt.alloc;
    return {
      numBuffers: this.numBuffers,
      numBytes: this.numBytes,
      /** Size of linear memory (it only grows). */
      heapBytes: a.heapBytes,
      /** Bytes in freed blocks ready for reuse. */
      pooledBytes: a.freeBytes,
      /** Bytes handed out by the allocator (live buffers rounded to size classes, plus scratch). */
      allocatedBytes: a.usedBytes,
    };
  }

  async flush(): Promise<void> {
    this.check("flush");
  }

  dispose(): void {
    if (this.disposed) return;
    this.rt.dispose();
    for (const d of this.live) {
      d.refCount = 0;
      d.ptr = -1;
    }
    this.live.clear();
    this.numBuffers = 0;
    this.numBytes = 0;
    this.disposed = true;
  }
}
