/**
 * The narrow interface every backend implements. A backend owns device memory behind opaque
 * `DataId`s (reference counted, so reshape can share), moves bytes in and out, and runs one
 * kernel per primitive. It never implements gradient maths: gradients are composed from
 * primitives in core.
 */
import type { DType, TypedArray } from "../tensor/dtype";
import type { ConcreteValue, Params, Primitive } from "../primitives/primitive";

/** Opaque handle to a buffer owned by a backend. */
export type DataId = object;

/** What a kernel receives for each input. */
export interface TensorInfo {
  dataId: DataId;
  shape: number[];
  dtype: DType;
}

export interface BackendMemory {
  /** Live buffers owned by this backend. */
  numBuffers: number;
  /** Bytes held by live buffers. */
  numBytes: number;
  /** Extra figures a backend may report (pool sizes, textures…). */
  [key: string]: number;
}

/** What a backend says about itself (capabilities, precision warnings). */
export interface BackendInfo {
  name: string;
  /** Problems found at start-up, e.g. render targets with less than float32 precision. */
  warnings: string[];
}

export interface Backend {
  readonly name: string;
  /** Capabilities and start-up warnings (optional). */
  info?(): BackendInfo;
  /** Copies host values into a new buffer (refcount 1). */
  write(values: TypedArray, shape: number[], dtype: DType): DataId;
  /** Reads a buffer back; resolves once device work that writes it has finished. */
  read(dataId: DataId): Promise<TypedArray>;
  /** Synchronous read, where the backend can (CPU, WASM). */
  readSync?(dataId: DataId): TypedArray;
  incRef(dataId: DataId): void;
  /** Drops one reference; the buffer is freed (or pooled) at zero. */
  decRef(dataId: DataId): void;
  /** Runs the kernel of `prim`; returns one new DataId (refcount 1) per output. */
  execute<P extends Primitive>(
    prim: P,
    inputs: TensorInfo[],
    params: Params<P>,
    outputs: ConcreteValue[],
  ): DataId[];
  /** Primitives this backend has a kernel for. */
  supports(prim: Primitive): boolean;
  memory(): BackendMemory;
  /** Waits for submitted device work (no-op on synchronous backends). */
  flush?(): Promise<void>;
  /** Frees everything; the backend is unusable afterwards. */
  dispose(): void;
}

/** How a backend package makes itself available. */
export interface BackendFactory {
  name: string;
  /** Higher runs first in "auto" (webgpu 40, webgl 30, wasm 20, cpu 10). */
  priority: number;
  /** Creates a ready backend or throws `BackendUnavailableError` naming what is missing. */
  create(): Promise<Backend>;
  /** Synchronous creation, for backends that need no async start-up (cpu). */
  createSync?(): Backend;
}
