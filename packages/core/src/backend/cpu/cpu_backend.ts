/**
 * The CPU reference backend: plain typed arrays in JavaScript memory and the kernel table in
 * `kernels/`. It is the oracle every other backend is tested against, so its kernels favour exact,
 * documented semantics; the hot ones (elementwise, matmul, conv) are also tuned for speed.
 *
 * Buffers are reference counted so that Reshape can return its input's buffer instead of copying.
 */
import { KerasError, UnsupportedOpError, fmt } from "../../errors";
import type { ConcreteValue, Params } from "../../primitives/primitive";
import { Primitive } from "../../primitives/primitive";
import type { DType, TypedArray } from "../../tensor/dtype";
import type { Backend, BackendMemory, DataId, TensorInfo } from "../backend";
import { cpuKernels } from "./kernels/index";
import { alloc, clearBufferPool, pooledBufferBytes, recycle } from "./kernels/util";

/** A CPU buffer. `values` is never handed out: reads return copies. */
class CpuData {
  constructor(
    public values: TypedArray,
    public refCount: number,
  ) {}
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * @example
 * const b = new CpuBackend();
 * const id = b.write(new Float32Array([1, 2]), [2], "float32");
 * const [y] = b.execute(Primitive.Neg, [{ dataId: id, shape: [2], dtype: "float32" }], {}, [{ shape: [2], dtype: "float32" }]);
 * b.readSync(y); // Float32Array [-1, -2]
 */
export class CpuBackend implements Backend {
  readonly name = "cpu";
  private numBuffers = 0;
  private numBytes = 0;
  private disposed = false;
  /** Live buffers, so dispose() can release them all. */
  private live = new Set<CpuData>();

  private check(where: string): void {
    if (this.disposed)
      throw new KerasError(
        `cpu backend: ${where}() called after dispose(). Received: backend=cpu (disposed)`,
      );
  }

  private data(dataId: DataId, where: string): CpuData {
    this.check(where);
    if (!(dataId instanceof CpuData))
      throw new KerasError(
        `cpu backend: ${where}() got a buffer that this backend did not create. Received: ${fmt(dataId)}`,
      );
    if (dataId.refCount <= 0)
      throw new KerasError(
        `cpu backend: ${where}() got a buffer that was already freed (use after free). Received: refCount=${dataId.refCount}`,
      );
    return dataId;
  }

  private track(values: TypedArray): CpuData {
    const d = new CpuData(values, 1);
    this.numBuffers++;
    this.numBytes += values.byteLength;
    this.live.add(d);
    return d;
  }

  write(values: TypedArray, shape: number[], dtype: DType): DataId {
    this.check("write");
    const n = sizeOf(shape);
    if (values.length !== n)
      throw new KerasError(
        `cpu backend: write() got ${values.length} values for shape ${fmt(shape)} (${n} elements). Received: length=${values.length}`,
      );
    // Copy: callers may reuse or mutate their array. Converting also fixes a mismatched array type.
    const copy = alloc({ shape, dtype });
    copy.set(values);
    if (dtype === "bool") for (let i = 0; i < n; i++) copy[i] = copy[i] !== 0 ? 1 : 0;
    return this.track(copy);
  }

  /** Returns a copy: users may mutate what `await t.data()` gives them. */
  async read(dataId: DataId): Promise<TypedArray> {
    return this.data(dataId, "read").values.slice();
  }

  readSync(dataId: DataId): TypedArray {
    return this.data(dataId, "readSync").values.slice();
  }

  incRef(dataId: DataId): void {
    this.data(dataId, "incRef").refCount++;
  }

  decRef(dataId: DataId): void {
    const d = this.data(dataId, "decRef");
    if (--d.refCount === 0) this.free(d);
  }

  private free(d: CpuData): void {
    this.numBuffers--;
    this.numBytes -= d.values.byteLength;
    this.live.delete(d);
    // Only this backend ever held `values` (reads return copies), so it can be reused.
    recycle(d.values);
    d.values = new Float32Array(0);
  }

  execute<P extends Primitive>(
    prim: P,
    inputs: TensorInfo[],
    params: Params<P>,
    outputs: ConcreteValue[],
  ): DataId[] {
    this.check("execute");
    const ins = inputs.map((t) => ({
      values: this.data(t.dataId, "execute").values,
      shape: t.shape,
      dtype: t.dtype,
    }));
    if (prim === Primitive.Reshape) {
      // Row-major data is already laid out for any shape of the same size: share the buffer.
      const d = inputs[0].dataId as CpuData;
      d.refCount++;
      return [d];
    }
    const kernel = cpuKernels[prim] as ((...args: unknown[]) => TypedArray[]) | undefined;
    if (!kernel)
      throw new UnsupportedOpError(
        `cpu backend: no kernel for primitive "${prim}". Received: ${prim}`,
      );
    const results = kernel(ins, params, outputs);
    return results.map((values) => this.track(values));
  }

  supports(prim: Primitive): boolean {
    this.check("supports");
    return prim in cpuKernels;
  }

  memory(): BackendMemory {
    this.check("memory");
    return {
      numBuffers: this.numBuffers,
      numBytes: this.numBytes,
      pooledBytes: pooledBufferBytes(),
    };
  }

  async flush(): Promise<void> {
    this.check("flush");
  }

  dispose(): void {
    if (this.disposed) return;
    for (const d of this.live) {
      d.refCount = 0;
      d.values = new Float32Array(0);
    }
    this.live.clear();
    clearBufferPool();
    this.numBuffers = 0;
    this.numBytes = 0;
    this.disposed = true;
  }
}
